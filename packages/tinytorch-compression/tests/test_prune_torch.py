"""Differential tests: the masks equal torch.nn.utils.prune's for the same weights, ties included."""

import numpy as np
import pytest

from tinytorch.compression import prune
from tinytorch.compression._topk import topk_indices
from tinytorch.layers import Linear, Module, Parameter

torch = pytest.importorskip("torch")
tprune = pytest.importorskip("torch.nn.utils.prune")


def _pair(weight):
    """A tinytorch Linear and a torch Linear holding the same ``weight`` (out, in)."""
    out_f, in_f = weight.shape
    ours = Linear(in_f, out_f)
    ours.weight.data[...] = weight
    theirs = torch.nn.Linear(in_f, out_f)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(weight))
    return ours, theirs


def _tied(rng, shape, levels):
    return (rng.integers(-levels, levels + 1, size=shape) * 0.25).astype(np.float32)


def test_topk_ties_match_torch_on_many_random_inputs():
    rng = np.random.default_rng(0)
    for _ in range(400):
        n = int(rng.integers(1, 400))
        k = int(rng.integers(0, n + 1))
        values = rng.integers(0, int(rng.integers(1, 5)), n).astype(np.float32)
        for largest in (False, True):
            expected = np.sort(torch.topk(torch.from_numpy(values), k, largest=largest).indices.numpy())
            np.testing.assert_array_equal(topk_indices(values, k, largest), expected)


def test_topk_with_nan_matches_torch():
    values = np.array([1.0, np.nan, 0.0, 1.0, np.nan, 2.0, 0.0, 1.0], np.float32)
    for k in range(9):
        for largest in (False, True):
            expected = np.sort(torch.topk(torch.from_numpy(values), k, largest=largest).indices.numpy())
            np.testing.assert_array_equal(topk_indices(values, k, largest), expected)


@pytest.mark.parametrize("amount", [0, 3, 0.0, 0.3, 0.5, 0.77, 1.0, 25])
@pytest.mark.parametrize("tied", [False, True])
def test_l1_unstructured_mask_equals_torch(amount, tied):
    rng = np.random.default_rng(1)
    w = _tied(rng, (5, 8), 2) if tied else rng.standard_normal((5, 8)).astype(np.float32)
    ours, theirs = _pair(w)
    prune.l1_unstructured(ours, "weight", amount)
    tprune.l1_unstructured(theirs, "weight", amount)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


def test_iterative_pruning_container_equals_torch():
    rng = np.random.default_rng(2)
    w = _tied(rng, (12, 10), 3)
    ours, theirs = _pair(w)
    for amount, n, dim in [(0.3, None, None), (2, 1, 0), (0.25, None, None), (0.5, 2, 1), (7, None, None)]:
        if n is None:
            prune.l1_unstructured(ours, "weight", amount)
            tprune.l1_unstructured(theirs, "weight", amount)
        else:
            prune.ln_structured(ours, "weight", amount, n, dim)
            tprune.ln_structured(theirs, "weight", amount, n, dim)
        np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())


@pytest.mark.parametrize("n", [1, 2, 3, float("inf"), float("-inf"), "fro", 0])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_equals_torch(n, dim):
    rng = np.random.default_rng(3)
    w = rng.standard_normal((9, 7)).astype(np.float32)
    ours, theirs = _pair(w)
    prune.ln_structured(ours, "weight", 0.4, n, dim)
    tprune.ln_structured(theirs, "weight", 0.4, n, dim)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())


@pytest.mark.parametrize("dim", [0, 1])
def test_ln_structured_with_tied_norms_equals_torch(dim):
    rng = np.random.default_rng(4)
    w = np.repeat(_tied(rng, (3, 6), 1), 4, axis=0)  # rows repeated: every norm is tied
    ours, theirs = _pair(w if dim == 0 else np.ascontiguousarray(w.T))
    prune.ln_structured(ours, "weight", 5, 1, dim)
    tprune.ln_structured(theirs, "weight", 5, 1, dim)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())


def test_conv_weight_structured_equals_torch():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    ours = Module()
    ours.weight = Parameter(w.copy())  # a conv-shaped (C_out, C_in, KH, KW) weight
    theirs = torch.nn.Conv2d(3, 8, 3)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    prune.ln_structured(ours, "weight", 0.5, 2, 0)
    tprune.ln_structured(theirs, "weight", 0.5, 2, 0)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())


@pytest.mark.parametrize("tied", [False, True])
def test_global_unstructured_equals_torch(tied):
    rng = np.random.default_rng(6)
    make = (lambda s: _tied(rng, s, 2)) if tied else (lambda s: rng.standard_normal(s).astype(np.float32))
    w1, w2 = make((6, 5)), make((4, 6))
    a, ta = _pair(w1)
    b, tb = _pair(w2)
    prune.l1_unstructured(a, "weight", 0.2)  # a pre-pruned member, as torch allows
    tprune.l1_unstructured(ta, "weight", 0.2)
    prune.global_unstructured([(a, "weight"), (b, "weight")], prune.L1Unstructured, amount=0.5)
    tprune.global_unstructured([(ta, "weight"), (tb, "weight")], tprune.L1Unstructured, amount=0.5)
    np.testing.assert_array_equal(a.weight_mask.data, ta.weight_mask.numpy())
    np.testing.assert_array_equal(b.weight_mask.data, tb.weight_mask.numpy())


def test_remove_leaves_the_same_weights_and_names_as_torch():
    rng = np.random.default_rng(7)
    ours, theirs = _pair(rng.standard_normal((4, 4)).astype(np.float32))
    prune.l1_unstructured(ours, "weight", 0.5)
    tprune.l1_unstructured(theirs, "weight", 0.5)
    prune.remove(ours, "weight")
    tprune.remove(theirs, "weight")
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


@pytest.mark.parametrize("amount, error", [(-1, ValueError), (1.5, ValueError), ("half", TypeError), (100, ValueError)])
def test_bad_amounts_raise_like_torch(amount, error):
    ours, theirs = _pair(np.ones((3, 3), np.float32))
    with pytest.raises(error):
        tprune.l1_unstructured(theirs, "weight", amount)
    with pytest.raises(error, match="amount"):
        prune.l1_unstructured(ours, "weight", amount)
