"""Unit tests of pruning: names, hooks, training keeps pruned weights at zero, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.compression import prune
from tinytorch.layers import Linear, Sequential
from tinytorch.losses import mse_loss
from tinytorch.optim import SGD
from tinytorch.tensor import Tensor, manual_seed


def _linear(weight):
    layer = Linear(weight.shape[1], weight.shape[0])
    layer.weight.data[...] = weight
    return layer


def test_l1_unstructured_by_hand():
    layer = _linear(np.array([[0.1, -2.0, 0.3], [4.0, -0.05, 1.0]], np.float32))
    prune.l1_unstructured(layer, "weight", amount=2)
    assert layer.weight_mask.data.tolist() == [[0, 1, 1], [1, 0, 1]]
    assert [n for n, _ in layer.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in layer.named_buffers()] == ["weight_mask"]
    assert prune.is_pruned(layer) and prune.is_pruned(Sequential(layer))


def test_weight_is_recomputed_before_forward():
    layer = _linear(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    prune.l1_unstructured(layer, "weight", amount=1)
    layer.weight_orig.data[...] = 10.0  # change the original behind the hook's back
    out = layer(Tensor([[1.0, 1.0]]))
    np.testing.assert_allclose(out.data, [[10.0, 20.0]] + layer.bias.data)
    np.testing.assert_array_equal(layer.weight.data, [[0.0, 10.0], [10.0, 10.0]])


def test_pruned_weights_stay_zero_through_training():
    manual_seed(0)
    model = Sequential(Linear(6, 8), Linear(8, 2))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    pruned = model[0].weight_mask.data == 0
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((16, 6)).astype(np.float32))
    y = Tensor(rng.standard_normal((16, 2)).astype(np.float32))
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = mse_loss(model(x), y)
        loss.backward()
        assert np.all(model[0].weight_orig.grad.data[pruned] == 0)  # the mask reaches the gradient
        opt.step()
        losses.append(loss.item())
    model(x)
    assert np.all(model[0].weight.data[pruned] == 0)
    assert losses[-1] < losses[0]


def test_remove_makes_it_permanent():
    layer = _linear(np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5)
    prune.l1_unstructured(layer, "weight", amount=0.5)
    prune.remove(layer, "weight")
    assert not prune.is_pruned(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    assert int((layer.weight.data == 0).sum()) == 3
    with pytest.raises(ValueError, match="has to be pruned"):
        prune.remove(layer, "weight")


def test_second_pruning_only_prunes_what_is_left():
    layer = _linear(np.arange(1, 11, dtype=np.float32).reshape(2, 5))
    prune.l1_unstructured(layer, "weight", amount=0.5)  # 5 of 10
    prune.l1_unstructured(layer, "weight", amount=0.4)  # 40% of the 5 left: 2 more
    assert int(layer.weight_mask.data.sum()) == 3
    hooks = list(layer._forward_pre_hooks.values())
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 2
    assert layer.weight_mask.data.reshape(-1).tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]


def test_random_unstructured_and_structured_counts():
    manual_seed(3)
    layer = Linear(10, 6)
    prune.random_unstructured(layer, "weight", amount=0.25)
    assert int((layer.weight_mask.data == 0).sum()) == 15
    other = Linear(10, 6)
    prune.random_structured(other, "weight", amount=2, dim=0)
    rows = other.weight_mask.data.any(axis=1)
    assert rows.sum() == 4 and np.all(other.weight_mask.data[rows] == 1)


def test_ln_structured_prunes_whole_rows():
    layer = _linear(np.array([[1, 1], [5, 5], [0.1, 3], [2, -2]], np.float32))
    prune.ln_structured(layer, "weight", amount=2, n=1, dim=0)
    assert layer.weight_mask.data.tolist() == [[0, 0], [1, 1], [0, 0], [1, 1]]


def test_identity_and_custom_from_mask():
    layer = _linear(np.ones((2, 2), np.float32))
    prune.identity(layer, "weight")
    assert layer.weight_mask.data.tolist() == [[1, 1], [1, 1]]
    prune.custom_from_mask(layer, "bias", mask=Tensor([0.0, 1.0]))
    assert layer.bias.data[0] == 0


def test_importance_scores_choose_the_mask():
    layer = _linear(np.array([[1.0, 2.0, 3.0]], np.float32))
    prune.l1_unstructured(layer, "weight", 1, importance_scores=Tensor([[9.0, 1.0, 9.0]]))
    assert layer.weight_mask.data.tolist() == [[1, 0, 1]]
    with pytest.raises(ValueError, match="same shape"):
        prune.l1_unstructured(_linear(np.ones((1, 3), np.float32)), "weight", 1, importance_scores=Tensor([1.0]))


def test_careless_inputs():
    layer = Linear(3, 2)
    with pytest.raises(AttributeError):
        prune.l1_unstructured(layer, "nope", 0.5)
    with pytest.raises(ValueError, match="multidimensional"):
        prune.ln_structured(layer, "bias", 1, 2, 0)
    with pytest.raises(IndexError, match="Invalid index 2"):
        prune.ln_structured(layer, "weight", 1, 2, 2)
    with pytest.raises(TypeError, match="Iterable"):
        prune.global_unstructured(5, prune.L1Unstructured, amount=0.1)
    with pytest.raises(TypeError, match="unstructured"):
        prune.global_unstructured([(layer, "weight")], prune.LnStructured, amount=0.1, n=2, dim=0)
    with pytest.raises(TypeError, match="pre-hooks"):
        prune.l1_unstructured(object(), "weight", 0.5)
    # a failed pruning leaves the module as it was
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.floats(0.0, 1.0), st.integers(0, 10_000))
def test_l1_mask_prunes_the_right_count_and_the_smallest(rows, cols, amount, seed):
    w = np.random.default_rng(seed).standard_normal((rows, cols)).astype(np.float32)
    layer = _linear(w)
    prune.l1_unstructured(layer, "weight", amount)
    mask = layer.weight_mask.data.astype(bool)
    assert (~mask).sum() == round(amount * w.size)
    if mask.any() and (~mask).any():
        assert np.abs(w[~mask]).max() <= np.abs(w[mask]).min()
