"""Structured pruning that removes neurons and channels: shapes, equal outputs, errors."""

import numpy as np
import pytest

from tinytorch.compression import channel_norms, prune, prune_channels, select_channels, shrink_inputs
from tinytorch.layers import Linear, Sequential
from tinytorch.activations import ReLU
from tinytorch.spatial import BatchNorm2d, Conv2d, Flatten
from tinytorch.tensor import Tensor, manual_seed, no_grad


def test_select_channels_equals_ln_structured_mask():
    manual_seed(0)
    layer = Linear(5, 7)
    keep = select_channels(layer, 0.4, n=1)
    prune.ln_structured(layer, "weight", 0.4, n=1, dim=0)
    np.testing.assert_array_equal(np.flatnonzero(layer.weight_mask.data.any(axis=1)), keep)


def test_mlp_shrinks_and_keeps_the_function_of_the_kept_neurons():
    manual_seed(1)
    model = Sequential(Linear(6, 10), ReLU(), Linear(10, 3))
    x = Tensor(np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32))
    # Zero the output weights of 4 hidden neurons' consumers' inputs: dropping them changes nothing.
    with no_grad():
        model[0].weight.data[[1, 3, 5, 7]] *= 1e-3
        model[0].bias.data[[1, 3, 5, 7]] = 0
        model[2].weight.data[:, [1, 3, 5, 7]] = 0
    before = model(x).data
    keep = prune_channels(model[0], model[2], amount=4)
    assert keep.tolist() == [0, 2, 4, 6, 8, 9]
    assert model[0].weight.shape == (6, 6) and model[0].out_features == 6
    assert model[2].weight.shape == (3, 6) and model[2].in_features == 6
    np.testing.assert_allclose(model(x).data, before, atol=1e-6)


def test_cnn_channels_batchnorm_and_flattened_linear():
    manual_seed(2)
    conv, bn, head = Conv2d(1, 8, 3, padding=1), BatchNorm2d(8), Linear(8 * 4 * 4, 5)
    bn.running_mean.data[...] = np.arange(8)
    model = Sequential(conv, bn, ReLU(), Flatten(), head).eval()
    x = Tensor(np.random.default_rng(1).standard_normal((2, 1, 4, 4)).astype(np.float32))
    dropped = [0, 5, 6]
    with no_grad():
        head.weight.data.reshape(5, 8, 16)[:, dropped] = 0  # these channels feed nothing
    conv.weight.data[dropped] *= 1e-4  # and are the weakest
    before = model(x).data
    keep = prune_channels(conv, head, amount=3, norm=bn, group=16)
    assert keep.tolist() == [1, 2, 3, 4, 7]
    assert conv.weight.shape == (5, 1, 3, 3) and conv.out_channels == 5
    assert bn.num_features == 5 and bn.running_mean.data.tolist() == [1, 2, 3, 4, 7]
    assert head.weight.shape == (5, 80)
    np.testing.assert_allclose(model(x).data, before, atol=1e-5)


def test_conv_consumer_loses_input_channels():
    a, b = Conv2d(2, 6, 3), Conv2d(6, 4, 3)
    prune_channels(a, b, amount=0.5)
    assert b.weight.shape == (4, 3, 3, 3) and b.in_channels == 3
    assert b(a(Tensor(np.ones((1, 2, 7, 7), np.float32)))).shape == (1, 4, 3, 3)


def test_channel_norms_by_hand():
    layer = Linear(2, 2)
    layer.weight.data[...] = [[3.0, -4.0], [1.0, 1.0]]
    assert channel_norms(layer, n=1).tolist() == [7.0, 2.0]


def test_careless_inputs():
    a, b = Linear(3, 4), Linear(5, 2)
    with pytest.raises(ValueError, match="consumer expects 5 inputs"):
        prune_channels(a, b, 0.5)
    with pytest.raises(ValueError, match="zero channels"):
        prune_channels(Linear(3, 4), Linear(4, 2), amount=4)
    with pytest.raises(ValueError, match="distinct indices"):
        shrink_inputs(Linear(4, 2), [0, 9])
    with pytest.raises(ValueError, match="group=3"):
        shrink_inputs(Linear(4, 2), [0], group=3)
    masked = Linear(3, 4)
    prune.l1_unstructured(masked, "weight", 0.5)
    with pytest.raises(TypeError, match="prune.remove"):
        prune_channels(masked, Linear(4, 2), 0.5)
