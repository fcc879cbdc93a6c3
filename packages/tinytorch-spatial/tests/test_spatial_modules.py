"""The Module classes: parameters, buffers, train/eval, state_dict, composition, training."""

import numpy as np
import pytest

from tinytorch.layers import Linear, Sequential
from tinytorch.spatial import AvgPool2d, BatchNorm2d, Conv2d, Flatten, MaxPool2d
from tinytorch.tensor import Tensor, manual_seed, randn


def test_conv2d_parameters_and_init_bounds():
    m = Conv2d(3, 8, (3, 5))
    assert m.weight.shape == (8, 3, 3, 5) and m.bias.shape == (8,)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    bound = 1 / np.sqrt(3 * 3 * 5)
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.bias.numpy()).max() <= bound
    assert m.weight.dtype == np.float32
    assert Conv2d(3, 8, 3, bias=False).bias is None


def test_conv2d_init_is_reproducible():
    manual_seed(0)
    a = Conv2d(2, 4, 3).weight.numpy().copy()
    manual_seed(0)
    np.testing.assert_array_equal(Conv2d(2, 4, 3).weight.numpy(), a)


def test_conv2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="in_channels"):
        Conv2d(0, 4, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2d(1, 4, 0)
    with pytest.raises(ValueError, match="same"):
        Conv2d(1, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="3 channels"):
        Conv2d(1, 4, 3)(randn(1, 3, 8, 8))


def test_batchnorm_running_stats_train_and_eval():
    bn = BatchNorm2d(2, momentum=0.5)
    assert {n for n, _ in bn.named_buffers()} == {"running_mean", "running_var", "num_batches_tracked"}
    x = Tensor(np.array([1.0, 3.0, 10.0, 30.0], np.float32).reshape(2, 2, 1, 1))
    bn(x)
    # channel 0 sees (1, 10), channel 1 sees (3, 30)
    np.testing.assert_allclose(bn.running_mean.numpy(), [2.75, 8.25])  # 0.5·0 + 0.5·(5.5, 16.5)
    np.testing.assert_allclose(bn.running_var.numpy(), [20.75, 182.75])  # 0.5·1 + 0.5·(40.5, 364.5)
    assert int(bn.num_batches_tracked.item()) == 1
    bn.eval()
    before = bn.running_mean.numpy().copy()
    y = bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)
    np.testing.assert_allclose(y.numpy()[0, 0, 0, 0], (1.0 - 2.75) / np.sqrt(20.75 + 1e-5), rtol=1e-6)


def test_batchnorm_cumulative_average_and_no_tracking():
    bn = BatchNorm2d(1, momentum=None)
    for v in (2.0, 4.0):
        bn(Tensor(np.array([v - 1, v + 1], np.float32).reshape(2, 1, 1, 1)))
    np.testing.assert_allclose(bn.running_mean.numpy(), [3.0])
    free = BatchNorm2d(1, affine=False, track_running_stats=False).eval()
    assert free.running_mean is None and list(free.parameters()) == []
    y = free(Tensor(np.array([1.0, 3.0], np.float32).reshape(2, 1, 1, 1)))  # batch stats even in eval
    np.testing.assert_allclose(y.numpy().ravel(), [-1.0, 1.0], rtol=1e-4)


def test_batchnorm_state_dict_round_trip():
    a, b = BatchNorm2d(3), BatchNorm2d(3)
    a(randn(4, 3, 2, 2) * 4 + 1)
    b.load_state_dict(a.state_dict())
    for name in ("running_mean", "running_var", "weight"):
        np.testing.assert_array_equal(getattr(b, name).numpy(), getattr(a, name).numpy())


def test_pool_and_flatten_modules():
    x = randn(2, 3, 8, 8)
    assert MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert MaxPool2d(3, stride=2, padding=1)(x).shape == (2, 3, 4, 4)
    assert AvgPool2d(2, stride=1)(x).shape == (2, 3, 7, 7)
    assert Flatten()(x).shape == (2, 192)
    assert Flatten(0, 1)(x).shape == (6, 8, 8)
    assert list(MaxPool2d(2).parameters()) == []


def test_lenet_style_network_learns_a_batch():
    manual_seed(0)
    net = Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), MaxPool2d(2), Flatten(), Linear(4 * 4 * 4, 2))
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((16, 1, 8, 8)).astype(np.float32))
    target = rng.standard_normal((16, 2)).astype(np.float32)
    losses = []
    for _ in range(30):
        net.zero_grad()
        loss = ((net(x) - Tensor(target)) ** 2).mean()
        loss.backward()
        for p in net.parameters():
            p.data -= 0.02 * p.grad.numpy()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert all(p.grad is not None for p in net.parameters())
