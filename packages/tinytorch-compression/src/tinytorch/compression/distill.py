r"""Knowledge distillation (Hinton, Vinyals and Dean, 2015).

A small student learns from a large teacher's *soft* predictions as well as from the labels:

.. math::
    \mathcal{L} = \alpha\, T^2\, \mathrm{KL}\big(\mathrm{softmax}(z_t / T) \,\|\,
        \mathrm{softmax}(z_s / T)\big) + (1 - \alpha)\, \mathrm{CE}(z_s, y)

The temperature :math:`T > 1` flattens both distributions so that the teacher's ranking of the
wrong classes ("a 7 looks more like a 1 than an 8") carries signal; the :math:`T^2` keeps the soft
term's gradient, :math:`T\,(\mathrm{softmax}(z_s/T) - \mathrm{softmax}(z_t/T)) / N`, on the same
scale as the hard term's whatever :math:`T` is. The KL term is one fused kernel with its own
gradient rule; the teacher's logits are a constant (as with a teacher run under ``no_grad``).
"""

import numbers

import numpy as np

from tinytorch.activations.ops import log_softmax
from tinytorch.autograd import gradient_of
from tinytorch.losses import cross_entropy
from tinytorch.tensor import Tensor, apply_op

__all__ = ["soft_target_kl", "distillation_loss", "DistillationLoss"]


def kd_kl_div(student, *, teacher, temperature):
    """Kernel: :math:`T^2 \\cdot \\mathrm{KL}(p_t \\| p_s)` averaged over the batch (0-d)."""
    # BEGIN SOLUTION
    log_ps = log_softmax(student / temperature, 1)  # (N, C)
    log_pt = log_softmax(teacher / temperature, 1)
    kl = (np.exp(log_pt) * (log_pt - log_ps)).sum(axis=1)  # (N,)
    return np.asarray(kl.mean() * temperature ** 2, dtype=student.dtype)
    # END SOLUTION


@gradient_of(kd_kl_div)
def _kd_kl_div_rule(grad, out, student, *, teacher, temperature):
    # BEGIN SOLUTION
    ps = np.exp(log_softmax(student / temperature, 1))  # (N, C)
    pt = np.exp(log_softmax(teacher / temperature, 1))
    return (grad * temperature * (ps - pt) / student.shape[0],)
    # END SOLUTION


def _logits(name, x, ndim=2):
    if not isinstance(x, Tensor):
        raise TypeError(f"distillation: {name} must be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"distillation: {name} must be floating point, got dtype {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"distillation: {name} must have shape (N, C), got {x.shape}")
    return x


def soft_target_kl(student_logits, teacher_logits, temperature=4.0):
    r""":math:`T^2\,\mathrm{KL}(\mathrm{softmax}(z_t/T) \| \mathrm{softmax}(z_s/T))`, mean over the
    batch (``torch.nn.functional.kl_div(..., reduction="batchmean") * T**2`` on the softened
    distributions). Gradients flow to the student only.

    Example:
        >>> z = Tensor([[1.0, 2.0, 0.5]])
        >>> round(soft_target_kl(z, z).item(), 6)  # identical predictions: no divergence
        0.0
    """
    _logits("student_logits", student_logits)
    _logits("teacher_logits", teacher_logits)
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(
            f"distillation: student logits {student_logits.shape} and teacher logits "
            f"{teacher_logits.shape} must have the same shape"
        )
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(f"distillation: temperature must be a positive number, got {temperature!r}")
    teacher = teacher_logits.data.astype(student_logits.dtype, copy=False)
    return apply_op(kd_kl_div, student_logits, teacher=teacher, temperature=float(temperature))


def distillation_loss(student_logits, teacher_logits, target, temperature=4.0, alpha=0.5):
    r"""The distillation objective :math:`\alpha T^2 \mathrm{KL} + (1 - \alpha) \mathrm{CE}`.

    Args:
        student_logits: Tensor (N, C), the student's raw scores.
        teacher_logits: Tensor (N, C), the teacher's (a constant here).
        target: int Tensor (N,) of class labels, for the hard-label term.
        temperature: softening temperature :math:`T > 0`. Default: 4.0.
        alpha: weight of the soft term in ``[0, 1]``. Default: 0.5.

    Returns:
        a 0-d Tensor.

    Example:
        >>> s = Tensor([[2.0, 0.0], [0.0, 1.0]], requires_grad=True)
        >>> loss = distillation_loss(s, Tensor([[3.0, 0.0], [0.0, 3.0]]), Tensor([0, 1]))
        >>> loss.backward()
        >>> s.grad.shape
        (2, 2)
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"distillation: alpha must be in [0, 1], got {alpha!r}")
    soft = soft_target_kl(student_logits, teacher_logits, temperature)
    hard = cross_entropy(student_logits, target)
    return soft * alpha + hard * (1.0 - alpha)


class DistillationLoss:
    """:func:`distillation_loss` as a loss object: ``DistillationLoss(T, alpha)(s, t, y)``."""

    def __init__(self, temperature=4.0, alpha=0.5):
        self.temperature = temperature
        self.alpha = alpha

    def __call__(self, student_logits, teacher_logits, target):
        return distillation_loss(student_logits, teacher_logits, target, self.temperature, self.alpha)

    def __repr__(self):
        return f"DistillationLoss(temperature={self.temperature}, alpha={self.alpha})"
