"""Distillation loss: gradcheck of the fused rule, PyTorch's kl_div, training a student."""

import numpy as np
import pytest

from tinytorch.autograd import gradcheck
from tinytorch.compression import DistillationLoss, distillation_loss, soft_target_kl
from tinytorch.tensor import Tensor


def _logits(seed, shape=(5, 4), grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), dtype="float64", requires_grad=grad)


@pytest.mark.parametrize("temperature", [1.0, 2.5, 8.0])
def test_kl_gradcheck(temperature):
    teacher = _logits(1, grad=False)
    assert gradcheck(lambda s: soft_target_kl(s, teacher, temperature), _logits(0))


def test_full_loss_gradcheck_and_random_projection():
    teacher, target = _logits(2, grad=False), Tensor(np.array([0, 3, 1, 1, 2]))
    assert gradcheck(lambda s: distillation_loss(s, teacher, target, 3.0, 0.7), _logits(3))
    big_t = _logits(4, (64, 10), grad=False)
    y = Tensor(np.arange(64) % 10)
    assert gradcheck(lambda s: distillation_loss(s, big_t, y, 4.0), _logits(5, (64, 10)), projections=5)


def test_equals_torch_kl_div_and_cross_entropy():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    s, t = _logits(6), _logits(7, grad=False)
    y = np.array([1, 0, 3, 2, 2])
    ts = torch.tensor(s.data, requires_grad=True)
    T, alpha = 3.0, 0.6
    soft = F.kl_div(F.log_softmax(ts / T, 1), F.softmax(torch.tensor(t.data) / T, 1), reduction="batchmean")
    expected = alpha * T * T * soft + (1 - alpha) * F.cross_entropy(ts, torch.tensor(y))
    up = 1.7
    (expected * up).backward()
    ours = distillation_loss(s, t, Tensor(y), T, alpha)
    ours.backward(Tensor(np.array(up)))
    np.testing.assert_allclose(ours.item(), expected.item(), rtol=1e-10)
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_by_hand_and_alpha_extremes():
    s = Tensor([[0.0, 0.0]])
    t = Tensor([[0.0, 0.0]])
    assert soft_target_kl(s, t).item() == 0.0
    hard = distillation_loss(s, Tensor([[5.0, -5.0]]), Tensor([1]), alpha=0.0)
    np.testing.assert_allclose(hard.item(), np.log(2.0), rtol=1e-6)
    assert repr(DistillationLoss(2.0, 0.3)) == "DistillationLoss(temperature=2.0, alpha=0.3)"


def test_careless_inputs():
    s = Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="same shape"):
        soft_target_kl(s, Tensor(np.zeros((2, 4), np.float32)))
    with pytest.raises(ValueError, match="temperature"):
        soft_target_kl(s, s, temperature=0)
    with pytest.raises(ValueError, match="alpha"):
        distillation_loss(s, s, Tensor([0, 1]), alpha=1.5)
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        soft_target_kl(Tensor(np.zeros(3, np.float32)), Tensor(np.zeros(3, np.float32)))
    with pytest.raises(TypeError, match="Tensor"):
        soft_target_kl([[1.0]], s)
