"""Differential tests against PyTorch: a torch.nn.Embedding state_dict gives the same outputs and
gradients (random upstream), and careless input raises the same error class."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings, strategies as st  # noqa: E402

from tinytorch.embeddings import Embedding, embedding  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(v=st.integers(1, 50), d=st.integers(1, 16), shape=st.lists(st.integers(0, 6), max_size=3),
       padding=st.sampled_from([None, 0, -1, "random"]), seed=st.integers(0, 2**16))
def test_module_matches_torch(v, d, shape, padding, seed):
    rng = np.random.default_rng(seed)
    padding_idx = int(rng.integers(0, v)) if padding == "random" else padding
    theirs = torch.nn.Embedding(v, d, padding_idx=padding_idx)
    ours = Embedding(v, d, padding_idx=padding_idx)
    ours.load_state_dict({k: t.detach().numpy() for k, t in theirs.state_dict().items()})
    ids = rng.integers(0, v, size=shape)
    out, ref = ours(Tensor(ids)), theirs(torch.tensor(ids))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    g = rng.standard_normal(ref.shape).astype(np.float32)
    out.backward(Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_initial_padding_row_and_distribution_match_torch():
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(2000, 32, padding_idx=7).weight.detach().numpy()
    ours = Embedding(2000, 32, padding_idx=7).weight.data
    assert (ours[7] == 0).all() and (theirs[7] == 0).all()
    assert abs(ours.std() - theirs.std()) < 0.02 and abs(ours.mean() - theirs.mean()) < 0.02


@settings(max_examples=25, deadline=None)
@given(v=st.integers(2, 20), d=st.integers(1, 8), n=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_functional_float64_with_padding_matches_torch(v, d, n, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((v, d))
    ids = rng.integers(0, v, size=n)
    padding_idx = int(ids[0])  # always present, so the masking matters
    w, tw = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out = embedding(Tensor(ids), w, padding_idx=padding_idx)
    ref = torch.nn.functional.embedding(torch.tensor(ids), tw, padding_idx=padding_idx)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    g = rng.standard_normal(ref.shape)
    (out * Tensor(g)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def _error_class(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e)
    return None


@pytest.mark.parametrize("ids", [
    [0, 5], [-1, 0], [[0, 1], [2, 99]], np.array([1.0, 2.0]), np.array([True, False]), np.array([1.5]),
], ids=["too-large", "negative", "2d-too-large", "whole-floats", "bools", "fraction"])
def test_bad_ids_raise_what_torch_raises(ids):
    a = np.ones((5, 3), np.float32)
    ours = _error_class(lambda: embedding(Tensor(np.asarray(ids)), Tensor(a)))
    theirs = _error_class(lambda: torch.nn.functional.embedding(torch.tensor(np.asarray(ids)), torch.tensor(a)))
    assert ours is not None and theirs is not None and issubclass(ours, theirs), (ours, theirs)


def test_non_tensor_ids_raise_what_torch_raises():
    ours = _error_class(lambda: Embedding(5, 3)([1, 2]))
    theirs = _error_class(lambda: torch.nn.Embedding(5, 3)([1, 2]))
    assert ours is theirs is TypeError


def test_empty_ids_match_torch():
    out = Embedding(5, 3)(Tensor(np.zeros((0, 4), np.int64)))
    ref = torch.nn.Embedding(5, 3)(torch.zeros((0, 4), dtype=torch.long))
    assert out.shape == tuple(ref.shape)
