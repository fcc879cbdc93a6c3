"""Fused NumPy kernels for the losses.

Kernels (positional arguments are differentiable inputs, keyword arguments are attrs):

- ``mse_loss(input, target, reduction="mean")``: both ``input`` and ``target`` are
  differentiable, as in PyTorch. Shapes are equal (checked by the caller).
- ``cross_entropy(input, *, target, ignore_index=-100, label_smoothing=0.0, reduction="mean")``:
  ``input`` holds logits ``(N, C, d1, ...)`` or ``(C,)``; ``target`` is an int ndarray attr
  ``(N, d1, ...)`` or ``()`` of class indices (validated by the caller). With ``p = softmax(input)``
  over the class dim, ``n`` the number of targets not equal to ``ignore_index`` and ``eps`` the
  smoothing, ``d loss / d input = (p - (1 - eps) * onehot(target) - eps / C) * valid * scale`` where
  ``scale`` is ``1 / n`` for "mean", 1 for "sum" and the upstream element for "none".
- ``binary_cross_entropy(input, *, target, weight=None, reduction="mean")``: ``input`` holds
  probabilities; ``target`` and ``weight`` are attrs (PyTorch does not differentiate BCE with
  respect to its target either). Each log is clamped at -100 as in PyTorch.
- ``binary_cross_entropy_with_logits(input, target, *, weight=None, pos_weight=None,
  reduction="mean")``: ``input`` (logits) and ``target`` are differentiable, as in PyTorch;
  ``weight`` (broadcast to the input) and ``pos_weight`` (broadcast along the last dim) are attrs.
  ``loss = w * ((1 - t) * x + (1 + (pw - 1) * t) * softplus(-x))``.

``reduction`` is one of "none", "mean", "sum" (validated by the caller); "mean" and "sum" return a
0-d array. Kernels never modify their inputs.
"""

import numpy as np

from tinytorch.activations.ops import log_softmax

__all__ = ["mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum())
    return np.asarray(loss.mean())


def mse_loss(input, target, reduction="mean"):
    # BEGIN SOLUTION
    loss = np.subtract(input, target, out=np.empty_like(input))
    np.square(loss, out=loss)
    return _reduce(loss, reduction)
    # END SOLUTION


def cross_entropy(input, *, target, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    # BEGIN SOLUTION
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)  # (N, C, d1, ...)
    valid = target != ignore_index  # (N, d1, ...)
    index = np.expand_dims(np.where(valid, target, 0), class_dim)  # (N, 1, d1, ...)
    loss = np.take_along_axis(logp, index, axis=class_dim).squeeze(class_dim)  # (N, d1, ...)
    loss *= -1
    if label_smoothing > 0:
        # PyTorch's formula: (1 - eps) * nll + eps / C * (-sum_c log p_c)
        smooth = logp.sum(axis=class_dim)
        smooth *= -label_smoothing / input.shape[class_dim]
        loss *= 1 - label_smoothing
        loss += smooth
    loss *= valid
    if reduction == "mean":
        count = np.count_nonzero(valid)
        # all targets ignored: 0 / 0 = nan, as in PyTorch
        return np.asarray(loss.sum() / count if count else np.nan, dtype=input.dtype)
    return _reduce(loss, reduction)
    # END SOLUTION


def binary_cross_entropy(input, *, target, weight=None, reduction="mean"):
    # BEGIN SOLUTION
    log_p = np.empty_like(input)
    log_q = np.empty_like(input)
    with np.errstate(divide="ignore"):  # log(0) = -inf is clamped to -100 below
        np.log(input, out=log_p)
        np.log1p(np.negative(input), out=log_q)
    np.maximum(log_p, -100, out=log_p)
    np.maximum(log_q, -100, out=log_q)
    # -(t log p + (1 - t) log q) = -(t (log p - log q) + log q)
    log_p -= log_q
    log_p *= target
    log_p += log_q
    np.negative(log_p, out=log_p)
    if weight is not None:
        log_p = log_p * weight
    return _reduce(log_p, reduction)
    # END SOLUTION


def binary_cross_entropy_with_logits(input, target, *, weight=None, pos_weight=None,
                                     reduction="mean"):
    # BEGIN SOLUTION
    # softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0): exp never sees a positive argument.
    softplus = np.abs(input, out=np.empty_like(input))
    np.negative(softplus, out=softplus)
    np.exp(softplus, out=softplus)
    np.log1p(softplus, out=softplus)
    softplus += np.maximum(np.negative(input), 0)
    if pos_weight is not None:
        softplus *= (pos_weight - 1) * target + 1
    # (1 - t) * x, not x - t * x: with x = inf and t = 0 it is inf, where t * x would be nan.
    # 0 * inf (t = 1, x = inf) stays nan, as in PyTorch, without a NumPy warning.
    loss = np.subtract(1, target, out=np.empty_like(input))
    with np.errstate(invalid="ignore"):
        loss *= input
        loss += softplus
    if weight is not None:
        loss *= weight
    return _reduce(loss, reduction)
    # END SOLUTION
