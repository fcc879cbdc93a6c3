"""Minimal reproducers of what the graph fuzzer found, kept as regression tests.

An open one is marked ``xfail(strict=True)`` with its owner (see ``known_gaps``): the owner's fix
then fails the run until the mark is removed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sides import OURS, THEIRS, to_numpy  # noqa: E402


def _both(build):
    """``build(L)`` on both sides; returns the two lists of tensors it gives back."""
    return build(OURS), build(THEIRS)


def _assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-7, atol=1e-9, equal_nan=True)


def test_cross_entropy_with_probability_targets():
    def build(L):
        x = L.t([[0.2, -1.0, 0.4], [0.5, 0.3, -0.1]], "float64", requires_grad=True)
        loss = L.cross_entropy(x, L.t([[0.3, 0.6, 0.1], [0.9, 0.05, 0.05]], "float64"), label_smoothing=0.1)
        loss.backward()
        return [loss, x.grad]
    _assert_same(*_both(build))


def test_cross_entropy_ignored_targets_get_zero_gradient_whatever_the_upstream():
    # The mean over no targets is nan, and so is the upstream gradient of whatever follows it;
    # torch still gives ignored positions exactly 0 (a mask, not a multiplication by 0).
    def build(L):
        x = L.t([[-0.7, 0.4, 0.5]], "float64", requires_grad=True)
        loss = L.cross_entropy(x, L.t([-100]))
        out = L.binary_cross_entropy_with_logits(loss, L.t(0.8, "float64"), reduction="sum")
        out.backward()
        return [loss, out, x.grad]
    _assert_same(*_both(build))


def test_flatten_of_an_empty_tensor():
    _assert_same(*_both(lambda L: [L.t(np.zeros((0, 3, 2))).flatten(1), L.t(np.zeros((4, 2, 0))).flatten()]))


def test_linear_backward_with_an_empty_inner_dim():
    def build(L):
        x = L.t(np.zeros((2, 2, 0)), requires_grad=True)
        w = L.t(np.zeros((3, 0)), requires_grad=True)
        out = L.linear(x, w)
        out.backward(L.t(np.ones((2, 2, 3))))
        return [out, x.grad, w.grad]
    _assert_same(*_both(build))


def test_zero_d_pow_with_a_tensor_exponent():
    def build(L):
        x = L.t(0.8, "float64", requires_grad=True)
        y = x + x ** x
        y.backward(L.t(1.0, "float64"))
        return [y, x.grad]
    _assert_same(*_both(build))


def test_std_of_a_constant_has_zero_gradient():
    def build(L):
        x = L.t(-2.2, "float64", requires_grad=True)
        y = x.std(correction=0)
        y.backward()
        z = L.t([1.5, 1.5, 1.5], "float64", requires_grad=True)
        w = z.std(dim=0)
        w.backward()
        return [y, x.grad, w, z.grad]
    _assert_same(*_both(build))


def test_zero_d_where_then_division():
    def build(L):
        x1 = L.t(-0.376, "float64", requires_grad=True)
        x2 = L.t(1.036, "float64", requires_grad=True)
        y = L.where(L.t(True), x1, x2) / (x1 * x1 + 0.5)
        y.backward(L.t(1.0, "float64"))
        return [y, x1.grad, x2.grad]
    _assert_same(*_both(build))


def test_unflatten_of_an_empty_tensor():
    _assert_same(*_both(lambda L: [L.t(np.zeros((1, 3, 0))).unflatten(1, (1, -1)),
                                   L.t(np.zeros((0, 4))).unflatten(-1, (2, -1))]))


def test_zero_d_gradients_accumulate():
    # Issue 9's first case: the fuzzer hit it in 643 of 10,000 graphs.
    def build(L):
        x = L.t(0.5, "float64", requires_grad=True)
        y = x / (x * x + 0.5)
        y.backward(L.t(1.0, "float64"))
        return [y, x.grad]
    _assert_same(*_both(build))
