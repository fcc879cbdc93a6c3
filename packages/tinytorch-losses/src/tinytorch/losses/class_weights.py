r"""Class weights for the cross-entropy and NLL losses (PyTorch's ``weight=`` argument).

A weight :math:`w_c` per class rescales each sample's loss by the weight of its target class, and
the ``"mean"`` reduction divides by the sum of those weights over the targets that are not
ignored, not by their count:

.. math::
    \ell_n = -w_{y_n} \log p_{n, y_n}, \qquad
    \text{mean} = \sum_n \ell_n \Big/ \sum_{n:\, y_n \ne \text{ignore}} w_{y_n}

With label smoothing :math:`\varepsilon` the smoothing term is weighted per class as well,
:math:`\ell_n = (1 - \varepsilon) w_{y_n} (-\log p_{n, y_n}) + \frac{\varepsilon}{C} \sum_c w_c
(-\log p_{n, c})`, divided by the same sum. Everything here is composed from recorded Tensor ops
(gather, multiply, sum), so the weighted losses need no gradient rule of their own; the unweighted
cross-entropy keeps its fused kernel.
"""

import numpy as np

from tinytorch.tensor import Tensor

__all__ = ["check_class_weight", "weighted_class_loss", "weighted_probability_loss"]


def check_class_weight(fn_name, weight, input, class_dim):
    """``weight`` as a ``(C,)`` ndarray, checked as PyTorch checks it (a Tensor, C entries, the
    input's dtype)."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fn_name}(): argument 'weight' must be Tensor, not {type(weight).__name__}")
    n_classes = input.shape[class_dim]
    if weight.shape != (n_classes,):
        raise RuntimeError(
            f"{fn_name}: weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"{fn_name}: weight has dtype {weight.dtype} but the input has dtype {input.dtype} "
            "(expected the same floating point dtype; cast the weight)"
        )
    return weight.data


def _class_shape(ndim, class_dim, n_classes):
    shape = [1] * ndim
    shape[class_dim] = n_classes
    return tuple(shape)


def weighted_class_loss(log_probs, target, weight, *, class_dim, ignore_index, reduction,
                        label_smoothing=0.0):
    """The weighted NLL of ``log_probs`` ``(N, C, d1, ...)`` at int ``target`` ``(N, d1, ...)``.

    ``weight`` is the checked ``(C,)`` ndarray; ``reduction`` and ``label_smoothing`` are
    validated by the caller. Returns a Tensor.
    """
    valid = target != ignore_index  # (N, d1, ...)
    safe = np.where(valid, target, 0)
    target_weight = weight[safe] * valid  # (N, d1, ...), 0 where ignored
    picked = log_probs.gather(class_dim, np.expand_dims(safe, class_dim)).squeeze(class_dim)
    loss = picked * Tensor(-target_weight)  # (N, d1, ...)
    if label_smoothing > 0:
        n_classes = log_probs.shape[class_dim]
        per_class = Tensor(weight.reshape(_class_shape(log_probs.ndim, class_dim, n_classes)))
        smooth = (log_probs * per_class).sum(dim=class_dim)  # (N, d1, ...)
        scale = valid.astype(weight.dtype) * (-label_smoothing / n_classes)
        loss = loss * (1.0 - label_smoothing) + smooth * Tensor(scale)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    total = float(target_weight.sum())
    if not valid.any() or total == 0.0:  # 0 / 0: nan loss with zero gradients, as in PyTorch
        return loss.sum() + float("nan")
    return loss.sum() * (1.0 / total)


def weighted_probability_loss(log_probs, probs, weight, *, class_dim, reduction):
    """Cross-entropy against class probabilities with class weights: ``-sum_c w_c y_c log p_c``;
    ``"mean"`` divides by the number of samples, as PyTorch does for probability targets."""
    per_class = Tensor(weight.reshape(_class_shape(log_probs.ndim, class_dim, weight.shape[0])))
    loss = -(log_probs * probs * per_class).sum(dim=class_dim)  # (N, d1, ...)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
