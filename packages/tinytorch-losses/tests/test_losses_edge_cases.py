"""Edge cases found by fuzzing against PyTorch: each test failed before its fix."""

import warnings

import numpy as np
import pytest

from tinytorch.activations import log_softmax
from tinytorch.losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss,
)
from tinytorch.tensor import Tensor

pytest.importorskip("tinytorch.autograd")


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("shape", [(3, 4), (2, 4, 5)])
def test_cross_entropy_all_targets_ignored_gives_nan_loss_and_zero_gradients(shape, label_smoothing):
    x = Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    target = Tensor(np.full(shape[:1] + shape[2:], -100))
    loss = cross_entropy(x, target, label_smoothing=label_smoothing)
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(shape))


def test_nll_all_targets_ignored_gives_nan_loss_and_zero_gradients():
    x = Tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    loss = nll_loss(log_softmax(x, 1), Tensor([7, 7, 7]), ignore_index=7)
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((3, 4)))


def test_all_ignored_batch_does_not_poison_a_later_step():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    (cross_entropy(x, Tensor([-100, -100])) + cross_entropy(x, Tensor([0, 1]))).backward()
    assert np.isfinite(x.grad.data).all()


def test_bce_weight_that_would_grow_the_loss_is_refused():
    with pytest.raises(RuntimeError, match=r"weight of shape \(4, 1\) does not broadcast to the "
                                           r"input shape \(4,\)"):
        binary_cross_entropy(Tensor(np.full(4, 0.5)), Tensor(np.zeros(4)),
                             weight=Tensor(np.ones((4, 1))))
    with pytest.raises(RuntimeError, match=r"weight of shape \(4, 1\)"):
        binary_cross_entropy_with_logits(Tensor(np.zeros(4)), Tensor(np.zeros(4)),
                                         weight=Tensor(np.ones((4, 1))))
    # a weight that broadcasts up to the input is fine
    loss = binary_cross_entropy(Tensor(np.full((2, 3), 0.5)), Tensor(np.zeros((2, 3))),
                                weight=Tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.data[:, 1], 0.0)


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_bce_target_outside_zero_one_is_refused(bad):
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([0.0, bad]))


def test_mse_integer_target_keeps_the_input_dtype():
    loss = mse_loss(Tensor(np.array([1.0, 2.0], np.float32)), Tensor([1, 0]))
    assert loss.dtype == np.float32
    assert loss.item() == pytest.approx(2.0)
    assert mse_loss(Tensor([1.0]), Tensor(np.array([1.0]))).dtype == np.float64


def test_bce_with_logits_infinite_logits_match_torch_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert binary_cross_entropy_with_logits(Tensor([np.inf]), Tensor([0.0])).item() == np.inf
        assert binary_cross_entropy_with_logits(Tensor([-np.inf]), Tensor([1.0]),
                                                reduction="none").shape == (1,)
