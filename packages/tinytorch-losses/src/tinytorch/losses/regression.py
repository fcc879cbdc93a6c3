"""Regression losses built from recorded Tensor ops: L1 and smooth L1 (Huber-like).

Both are compositions (subtract, abs, multiply, ``where``, sum/mean), so module 05 differentiates
them with no rule of their own. Like :func:`~tinytorch.losses.mse_loss`, and unlike PyTorch,
shapes must match exactly (PyTorch broadcasts with a warning).
"""

import numpy as np

from tinytorch.tensor import where

from .losses import _check_reduction, _check_tensor, _float_input, _Loss, _same_shape

__all__ = ["l1_loss", "smooth_l1_loss", "L1Loss", "SmoothL1Loss"]


def _difference(fn_name, input, target):
    """``input - target`` in the input's float dtype (an integer target takes it, as in PyTorch)."""
    _float_input(fn_name, input)
    _check_tensor(fn_name, "target", target)
    _same_shape(fn_name, input, target)
    dtype = input.dtype
    if target.dtype.kind == "f":
        dtype = np.promote_types(input.dtype, target.dtype)
    return input.to(dtype) - target.to(dtype)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def l1_loss(input, target, reduction="mean"):
    r"""Mean absolute error: :math:`\ell_i = |x_i - y_i|`, then reduced.

    Args:
        input: predictions, any shape.
        target: same shape as ``input``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> l1_loss(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 0.0, 0.0]))
        tensor(1.6666666)
    """
    _check_reduction(reduction)
    return _reduce(_difference("l1_loss", input, target).abs(), reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    r"""Smooth L1: quadratic for small errors, linear for large ones (``torch.nn.functional``).

    .. math::
        \ell_i = \begin{cases} 0.5\, d_i^2 / \beta & |d_i| < \beta \\
                               |d_i| - 0.5\, \beta & \text{otherwise} \end{cases},
        \qquad d = x - y

    The two pieces meet with equal value and slope at :math:`|d| = \beta`; ``beta=0`` is the L1
    loss. Large errors pull with a constant force, so outliers do not dominate as with MSE.

    Args:
        input: predictions, any shape.
        target: same shape as ``input``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        beta: where the quadratic part ends, :math:`\beta \ge 0`. Default: 1.0.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> smooth_l1_loss(Tensor([0.5, 3.0]), Tensor([0.0, 0.0]), reduction="none")
        tensor([0.125, 2.5  ])
    """
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    d = _difference("smooth_l1_loss", input, target)
    abs_d = d.abs()
    if beta == 0:
        return _reduce(abs_d, reduction)
    quadratic = d * d * (0.5 / beta)
    linear = abs_d - 0.5 * beta
    return _reduce(where(abs_d.data < beta, quadratic, linear), reduction)


class L1Loss(_Loss):
    r"""Mean absolute error between ``input`` and ``target`` (see :func:`l1_loss`).

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> L1Loss(reduction="sum")(Tensor([1.0, -1.0]), Tensor([0.0, 0.0]))
        tensor(2.)
    """

    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Smooth L1 loss (see :func:`smooth_l1_loss`).

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.
        beta: where the quadratic part ends. Default: 1.0.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> SmoothL1Loss(beta=0.5)
        SmoothL1Loss(reduction='mean', beta=0.5)
    """

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        if beta < 0:
            raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, beta={self.beta}"
