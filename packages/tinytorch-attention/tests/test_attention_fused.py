"""The fused mask-and-softmax kernel equals the composite form, values and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.attention import attention, attention_composite
from tinytorch.attention.ops import masked_softmax
from tinytorch.autograd import gradcheck
from tinytorch.tensor import Tensor, apply_op


@settings(max_examples=40, deadline=None)
@given(L=st.integers(1, 5), S=st.integers(1, 6), kind=st.sampled_from(["none", "bool", "dead", "float"]),
       seed=st.integers(0, 2**16))
def test_fused_equals_composite_values_and_grads(L, S, kind, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in ((2, L, 3), (2, S, 3), (2, S, 4))]
    mask = None
    if kind in ("bool", "dead"):
        mask = rng.random((L, S)) > 0.5
        if kind == "dead":
            mask[rng.integers(L)] = False
    elif kind == "float":
        mask = np.where(rng.random((L, S)) > 0.3, rng.standard_normal((L, S)), -np.inf)
    results = []
    for fn in (attention, attention_composite):
        q, k, v = (Tensor(a.copy(), requires_grad=True) for a in arrays)
        out, w = fn(q, k, v, mask)
        out.backward(Tensor(np.ones(out.shape)))
        results.append((out.data, w.data, q.grad.data, k.grad.data, v.grad.data))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        assert np.isfinite(a).all()


def test_masked_softmax_hand_values():
    out = masked_softmax(np.array([[0.0, 0.0, 5.0], [1.0, 2.0, 3.0]]), np.array([[True, True, False],
                                                                                 [False, False, False]]))
    np.testing.assert_allclose(out, [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("dead", [False, True])
def test_masked_softmax_rule_gradcheck(dead):
    rng = np.random.default_rng(3)
    mask = rng.random((4, 5)) > 0.4
    mask[:, 0] = True
    if dead:
        mask[2] = False
    x = Tensor(rng.standard_normal((2, 4, 5)), requires_grad=True)
    assert gradcheck(lambda t: apply_op(masked_softmax, t, mask=mask), x)
