"""Gradient rules of the activation (module 02) and loss (module 04) kernels.

Same contract as :mod:`.rules`: ``rule(grad, out, *inputs, **attrs) -> tuple``, registered with
:func:`~tinytorch.autograd.gradient_of`. The loss rules are fused: one pass from the logits,
instead of differentiating log_softmax, gather and mean separately.
"""

import math

import numpy as np

from tinytorch.activations import ops as A
from tinytorch.losses import ops as L

from .rules import gradient_of

_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


# ----- activations (tinytorch.activations.ops) ---------------------------------------------------


@gradient_of(A.relu, saves="output")
def relu_rule(grad, out, a):
    """Gradient 1 where ``a > 0`` and 0 elsewhere, including at 0 (PyTorch's choice)."""
    # BEGIN SOLUTION
    return (grad * (out > 0),)
    # END SOLUTION


@gradient_of(A.sigmoid, saves="output")
def sigmoid_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad * out * (1 - out),)
    # END SOLUTION


@gradient_of(A.gelu)
def gelu_rule(grad, out, a, approximate="none"):
    """``d/da [a s(a)] = s + a ds`` with the same ``s`` the forward used (``A.gelu_factor``).

    Exact GELU does not recompute ``s = Phi(a)``: the forward's output gives it back, as
    ``Phi(a) + a phi(a) = (out + a^2 phi(a)) / a`` (one division instead of the erfc expansion),
    and the gradient is ``Phi(0) = 1/2`` where ``a`` is too close to 0 for the quotient. Saves
    the output as well as the input, so an unrecorded in-place write into GELU's output (under
    ``no_grad``) before ``backward`` raises here; PyTorch saves only the input.
    """
    # BEGIN SOLUTION
    if approximate == "tanh":
        s, ds = A.gelu_factor(a, approximate, derivative=True)
        s += a * ds
        s *= grad
        return (s,)
    # a * a overflowing to inf is right (exp(-inf) = 0); inf * 0 = nan at a = +-inf is
    # PyTorch's answer too; 0 / 0 at a = 0 is replaced below
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        d = np.multiply(a, a, out=np.empty_like(a))
        # |a| < 2^-60: the quotient is 0 / 0 or has lost digits, and Phi(a) = 1/2 to working
        # precision; one reduction (fmin skips nan) finds out whether there is any such entry
        tiny = 2.0**-120
        near_zero = d < tiny if d.size and np.fmin.reduce(d, axis=None) < tiny else None
        d *= -0.5
        np.exp(d, out=d)
        d *= _INV_SQRT_2PI  # d = phi(a), the standard normal density
        d *= a
        d *= a
        d += out
        d /= a
    if near_zero is not None:
        d[near_zero] = 0.5
    d *= grad
    return (d,)
    # END SOLUTION


@gradient_of(A.softmax, saves="output")
def softmax_rule(grad, out, a, dim):
    """``y * (g - sum(g * y))`` along ``dim``: the Jacobian-vector product without the Jacobian."""
    # BEGIN SOLUTION
    gy = grad * out  # the one full-size temporary
    total = gy.sum(axis=dim, keepdims=True)  # (..., 1, ...)
    np.subtract(grad, total, out=gy)
    gy *= out
    return (gy,)
    # END SOLUTION


@gradient_of(A.log_softmax, saves="output")
def log_softmax_rule(grad, out, a, dim):
    """``g - softmax(a) * sum(g)`` along ``dim``, with ``softmax(a) = exp(out)``."""
    # BEGIN SOLUTION
    return (grad - np.exp(out) * grad.sum(axis=dim, keepdims=True),)
    # END SOLUTION


# ----- losses (tinytorch.losses.ops) -------------------------------------------------------------


def _per_element(grad, reduction, n):
    """Upstream gradient of each element of the unreduced loss: broadcasts against it."""
    if reduction == "mean":
        return grad / np.asarray(n, dtype=grad.dtype)
    return grad  # "sum": 0-d, "none": the loss's own shape


@gradient_of(L.mse_loss)
def mse_loss_rule(grad, out, input, target, reduction="mean", needs_input_grad=(True, True)):
    # BEGIN SOLUTION
    d = (input - target) * (2 * _per_element(grad, reduction, input.size))
    return d, (-d if needs_input_grad[1] else None)
    # END SOLUTION


@gradient_of(L.cross_entropy)
def cross_entropy_rule(grad, out, input, *, target, ignore_index=-100, label_smoothing=0.0,
                       reduction="mean"):
    """``(softmax(x) - (1 - eps) * onehot(target) - eps / C) * valid``, times the upstream scale.

    Fused: one softmax and one pass, instead of differentiating log_softmax, gather and mean.
    """
    # BEGIN SOLUTION
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    d = A.softmax(input, class_dim)  # (N, C, d1, ...), a fresh array
    valid = target != ignore_index  # (N, d1, ...)
    picked = np.where(valid, target, 0)
    if input.ndim == 2:  # (N, C): the common case, plain fancy indexing is cheapest
        d[np.arange(input.shape[0]), picked] -= 1 - label_smoothing
    else:
        index = np.expand_dims(picked, class_dim)  # (N, 1, d1, ...)
        hit = np.take_along_axis(d, index, axis=class_dim)
        np.put_along_axis(d, index, hit - (1 - label_smoothing), axis=class_dim)
    if label_smoothing > 0:
        d -= label_smoothing / n_classes
    if reduction == "mean":
        count = np.count_nonzero(valid)
        # every target ignored: the loss is nan (0 / 0) but no element contributed, so the
        # gradient is zero, as in PyTorch, and one all-padding batch cannot poison the weights
        scale = np.where(valid, grad / np.asarray(max(count, 1), dtype=grad.dtype), 0)
    else:
        scale = np.where(valid, grad, 0)  # (N, d1, ...); ignored rows get 0 even from a nan grad
    d *= np.expand_dims(scale.astype(d.dtype, copy=False), class_dim)
    return (d,)
    # END SOLUTION


@gradient_of(L.binary_cross_entropy)
def binary_cross_entropy_rule(grad, out, input, *, target, weight=None, reduction="mean"):
    """``(p - t) / max(p (1 - p), 1e-12)``, PyTorch's guard against dividing by zero at 0 and 1."""
    # BEGIN SOLUTION
    d = (input - target) / np.maximum(input * (1 - input), 1e-12)
    if weight is not None:
        d = d * weight
    return (d * _per_element(grad, reduction, input.size),)
    # END SOLUTION


@gradient_of(L.binary_cross_entropy_with_logits)
def binary_cross_entropy_with_logits_rule(grad, out, input, target, *, weight=None,
                                          pos_weight=None, reduction="mean",
                                          needs_input_grad=(True, True)):
    """d/dx = w ((1 - t) - (1 + (pw - 1) t) sigmoid(-x)); d/dt = w (-x + (pw - 1) softplus(-x))."""
    # BEGIN SOLUTION
    scale = _per_element(grad, reduction, input.size)
    if weight is not None:
        scale = scale * weight
    sig_neg = A.sigmoid(-input)  # sigmoid(-x), stable in both tails
    d_input = d_target = None
    if pos_weight is None:
        if needs_input_grad[0]:
            d_input = (1 - sig_neg - target) * scale  # sigmoid(x) - t
        if needs_input_grad[1]:
            d_target = -input * scale
    else:
        if needs_input_grad[0]:
            d_input = ((1 - target) - (1 + (pos_weight - 1) * target) * sig_neg) * scale
        if needs_input_grad[1]:
            # softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0)
            softplus = np.log1p(np.exp(-np.abs(input))) + np.maximum(-input, 0)
            d_target = (-input + (pos_weight - 1) * softplus) * scale
    return d_input, d_target
    # END SOLUTION
