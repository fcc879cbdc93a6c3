"""Float64 gradient checks (central differences) of every spatial rule."""

import numpy as np
import pytest

from tinytorch.autograd import GRADIENTS, gradcheck
from tinytorch.spatial import avg_pool2d, batch_norm, conv2d, max_pool2d, ops
from tinytorch.tensor import Tensor


def _t(rng, *shape, grad=True):
    return Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=grad)


def test_every_kernel_has_a_rule():
    for name in ops.__all__:
        assert getattr(ops, name) in GRADIENTS, f"no gradient rule for tinytorch.spatial.ops.{name}"


@pytest.mark.parametrize("stride,padding,dilation", [
    (1, 0, 1), (1, 1, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), (1, 2)), (3, 0, 1), (2, 2, 2),
])
@pytest.mark.parametrize("naive", [False, True])
def test_conv2d_gradcheck(stride, padding, dilation, naive):
    rng = np.random.default_rng(0)
    x, w, b = _t(rng, 2, 2, 6, 5), _t(rng, 3, 2, 3, 2), _t(rng, 3)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, naive=naive), x, w, b)


def test_conv2d_gradcheck_without_bias_and_frozen_input():
    rng = np.random.default_rng(1)
    x, w = _t(rng, 1, 3, 5, 5, grad=False), _t(rng, 2, 3, 3, 3)
    assert gradcheck(lambda x, w: conv2d(x, w, padding=1), x, w)


def test_conv2d_random_projection_on_a_real_layer():
    rng = np.random.default_rng(2)
    x, w, b = _t(rng, 4, 8, 12, 12), _t(rng, 16, 8, 3, 3), _t(rng, 16)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, padding=1), x, w, b, projections=6)


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", [
    (2, None, 0, 1, False), (3, 2, 1, 1, False), (3, 2, 1, 1, True), (2, 1, 0, 2, False), ((3, 2), (1, 2), (1, 0), 1, True),
])
def test_max_pool2d_gradcheck(kernel, stride, padding, dilation, ceil_mode):
    # Distinct values a long way apart keep finite differences away from ties.
    rng = np.random.default_rng(3)
    x = Tensor(rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) * 0.1, dtype="float64", requires_grad=True)
    assert gradcheck(lambda x: max_pool2d(x, kernel, stride, padding, dilation, ceil_mode), x)


@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,count_include_pad", [
    (2, None, 0, False, True), (3, 2, 1, False, True), (3, 2, 1, True, False), ((3, 2), (1, 2), (1, 0), True, True),
])
def test_avg_pool2d_gradcheck(kernel, stride, padding, ceil_mode, count_include_pad):
    rng = np.random.default_rng(4)
    x = _t(rng, 2, 2, 7, 6)
    assert gradcheck(lambda x: avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad), x)


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train_gradcheck(affine):
    rng = np.random.default_rng(5)
    x = _t(rng, 4, 3, 3, 2)
    w, b = (_t(rng, 3), _t(rng, 3)) if affine else (None, None)
    assert gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), x, w, b)


def test_batch_norm_eval_gradcheck():
    rng = np.random.default_rng(6)
    x, w, b = _t(rng, 4, 3, 3, 2), _t(rng, 3), _t(rng, 3)
    rm, rv = Tensor(rng.standard_normal(3)), Tensor(rng.random(3) + 0.5)
    assert gradcheck(lambda x, w, b: batch_norm(x, rm, rv, w, b, training=False), x, w, b)


def test_lenet_stack_gradcheck():
    rng = np.random.default_rng(7)
    x, w1, w2 = _t(rng, 2, 1, 8, 8), _t(rng, 3, 1, 3, 3), _t(rng, 4, 3, 3, 3)
    bn_w, bn_b = _t(rng, 3), _t(rng, 3)

    def net(x, w1, w2, bn_w, bn_b):
        h = batch_norm(conv2d(x, w1, padding=1), None, None, bn_w, bn_b, training=True)
        h = max_pool2d(h.tanh(), 2)  # (2, 3, 4, 4)
        return avg_pool2d(conv2d(h, w2, stride=1, padding=1), 2).flatten(1)

    assert gradcheck(net, x, w1, w2, bn_w, bn_b, projections=8)


def test_gradcheck_catches_a_wrong_rule(monkeypatch):
    from tinytorch.autograd import GradcheckError

    good = GRADIENTS[ops.avg_pool2d]
    monkeypatch.setitem(GRADIENTS, ops.avg_pool2d, lambda *a, **k: tuple(2 * g for g in good(*a, **k)))
    x = _t(np.random.default_rng(8), 1, 1, 4, 4)
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: avg_pool2d(x, 2), x)
