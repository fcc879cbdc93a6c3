"""Property tests: clipping invariants and checkpoint round trips over random inputs."""

import os
import tempfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinytorch.layers import Linear
from tinytorch.tensor import Tensor
from tinytorch.training import clip_grad_norm_, load_checkpoint, save_checkpoint

grads = st.lists(
    arrays(np.float32, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.floats(-1e3, 1e3, width=32)),
    min_size=1, max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(grads, st.floats(1e-3, 1e3))
def test_clipping_bounds_the_norm_and_keeps_the_direction(arrays_, max_norm):
    params = [Tensor(np.zeros_like(g), requires_grad=True) for g in arrays_]
    for p, g in zip(params, arrays_):
        p.grad = Tensor(g.copy())
    before = np.concatenate([g.ravel() for g in arrays_]).astype(np.float64)
    total = clip_grad_norm_(params, max_norm).item()
    after = np.concatenate([p.grad.data.ravel() for p in params]).astype(np.float64)
    assert np.isclose(total, np.linalg.norm(before), rtol=1e-5, atol=1e-6)
    assert np.linalg.norm(after) <= max_norm * (1 + 1e-5) or np.allclose(after, before)
    # Same direction: after is a non-negative multiple of before.
    scale = min(1.0, max_norm / (np.linalg.norm(before) + 1e-6))
    np.testing.assert_allclose(after, before * scale, rtol=1e-5, atol=1e-5)


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                        st.floats(allow_nan=False), st.text(max_size=8))
nested = st.recursive(
    json_leaves | arrays(np.float32, st.integers(0, 5)),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text("abc_", min_size=1, max_size=4), children, max_size=3)
    | st.dictionaries(st.integers(0, 9), children, max_size=3),
    max_leaves=12,
)


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_equal, a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=60, deadline=None)
@given(nested)
def test_extra_data_round_trips_exactly(extra):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "c.npz")
        save_checkpoint(path, Linear(2, 1), extra=extra)
        assert _equal(load_checkpoint(path, restore_rng=False)["extra"], extra)
