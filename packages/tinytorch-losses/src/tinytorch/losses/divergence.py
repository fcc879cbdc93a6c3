r"""The Kullback-Leibler divergence loss (``torch.nn.functional.kl_div``, ``torch.nn.KLDivLoss``).

With ``input`` holding log-probabilities :math:`\log q` and ``target`` probabilities :math:`p`,
the pointwise loss is :math:`p (\log p - \log q)`, taken as 0 where :math:`p = 0` (the limit of
:math:`p \log p`); with ``log_target=True`` the target is :math:`\log p` and the loss
:math:`e^{\log p} (\log p - \log q)`. Composed of recorded ops (``where``, ``log``, ``exp``,
multiply), so both arguments are differentiable with no rule of their own.
"""

from tinytorch.tensor import where

from .losses import _check_tensor, _float_input, _Loss, _same_shape

__all__ = ["kl_div", "KLDivLoss"]

_REDUCTIONS = ("none", "mean", "sum", "batchmean")


def kl_div(input, target, reduction="mean", log_target=False):
    r"""KL divergence of ``target`` from ``input``'s distribution, pointwise, then reduced.

    Args:
        input: log-probabilities :math:`\log q`, any shape (usually ``log_softmax`` output).
        target: probabilities :math:`p` (or :math:`\log p` with ``log_target=True``), same shape.
        reduction: ``"none"`` | ``"batchmean"`` (the sum divided by the batch size, the
            mathematical KL divergence per sample) | ``"sum"`` | ``"mean"`` (over every element,
            as PyTorch's default, which PyTorch warns about). Default: ``"mean"``.
        log_target: ``target`` holds log-probabilities. Default: False.

    Unlike PyTorch, shapes must match exactly (no broadcasting) and ``"mean"`` does not warn.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> kl_div(Tensor([[-0.6931472, -0.6931472]]), Tensor([[0.5, 0.5]]), reduction="batchmean")
        tensor(0.)
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction (expected one of {_REDUCTIONS})")
    _float_input("kl_div", input)
    _check_tensor("kl_div", "target", target)
    _same_shape("kl_div", input, target)
    target = target.to(input.dtype)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.data > 0
        # log p where p > 0, and 0 there otherwise: p log p -> 0 as p -> 0
        log_p = where(positive, target, 1.0).log()
        loss = target * (log_p - input)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() * (1.0 / (input.shape[0] if input.ndim else 1))
    return loss.mean()


class KLDivLoss(_Loss):
    r"""The KL divergence loss (``torch.nn.KLDivLoss``; see :func:`kl_div`).

    Args:
        reduction: ``"none"`` | ``"batchmean"`` | ``"sum"`` | ``"mean"``. Default: ``"mean"``.
        log_target: ``target`` holds log-probabilities. Default: False.

    Example:
        >>> KLDivLoss(reduction="batchmean")
        KLDivLoss(reduction='batchmean', log_target=False)
    """

    def __init__(self, reduction="mean", log_target=False):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction (expected one of {_REDUCTIONS})")
        self.reduction = reduction
        self.log_target = bool(log_target)

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, log_target={self.log_target}"
