"""Fused NumPy kernels and their gradient rules.

Each kernel does in one pass over memory what the composite does in several, each of which reads
and writes a full-size intermediate:

- ``linear_act``: ``act(x Wᵀ + b)`` — the bias and the activation are applied in place on the GEMM's
  output (the composite allocates two more arrays of that size, and keeps both for backward).
- ``layer_norm``: mean, variance, normalisation and affine in one buffer; the backward
  ``dx = rstd (ĝ − mean(ĝ) − x̂ mean(ĝ x̂))`` with ``ĝ = g γ`` in one formula instead of the
  composite's chain of eight recorded ops.
- ``attention``: ``softmax(q kᵀ · scale + mask) v`` with the (.., T, T) scores in a reused scratch
  buffer, never kept for backward: the rule recomputes the probabilities (as FlashAttention does)
  so a graph holds only q, k, v and the output.
- ``conv2d_relu``: module 09's im2col convolution with the ReLU applied in place on its output.

Rules have the engine's signature ``rule(grad, out, *inputs, needs_input_grad, **attrs)`` and
are registered with ``tinytorch.autograd.gradient_of``.
"""

import math

import numpy as np

from tinytorch.activations.ops import ndtr, sigmoid
from tinytorch.autograd import gradient_of
from tinytorch.spatial import ops as spatial_ops

from .buffers import scratch

__all__ = ["linear_act", "layer_norm", "attention", "conv2d_relu"]

ACTIVATIONS = ("none", "relu", "tanh", "sigmoid", "gelu")
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def linear_act(x, weight, bias=None, *, activation="relu"):
    """``act(x @ weight.T + bias)`` for x (*, in), weight (out, in), bias (out,) or None."""
    # BEGIN SOLUTION
    x2 = x.reshape(-1, x.shape[-1])  # (M, in)
    out = x2 @ weight.T  # (M, out), fresh: the result
    if bias is not None:
        out += bias
    if activation == "relu":
        np.maximum(out, 0.0, out=out)
    elif activation == "tanh":
        np.tanh(out, out=out)
    elif activation == "sigmoid":
        out = sigmoid(out)
    elif activation == "gelu":
        out *= ndtr(out)
    return out.reshape(*x.shape[:-1], weight.shape[0])
    # END SOLUTION


@gradient_of(linear_act)
def linear_act_backward(grad, out, x, weight, bias=None, *, activation="relu",
                        needs_input_grad=(True, True, True)):
    # BEGIN SOLUTION
    x2 = x.reshape(-1, x.shape[-1])  # (M, in)
    g = grad.reshape(-1, weight.shape[0])  # (M, out)
    o = out.reshape(g.shape)
    if activation == "relu":
        g = g * (o > 0)
    elif activation == "tanh":
        g = g * (1 - o * o)
    elif activation == "sigmoid":
        g = g * o * (1 - o)
    elif activation == "gelu":
        # GELU is not invertible from its output: recompute the pre-activation (one more GEMM).
        pre = x2 @ weight.T
        if bias is not None:
            pre += bias
        g = g * (ndtr(pre) + pre * np.exp(-0.5 * pre * pre) * _INV_SQRT_2PI)
    dx = (g @ weight).reshape(x.shape) if needs_input_grad[0] else None
    dw = g.T @ x2 if needs_input_grad[1] else None
    db = g.sum(axis=0) if bias is not None and needs_input_grad[2] else None
    return dx, dw, db
    # END SOLUTION


def _normalize(x, ndim, eps):
    """``(x̂, rstd)`` over the last ``ndim`` dims, as (M, D) and (M, 1) arrays."""
    d = int(np.prod(x.shape[x.ndim - ndim:], dtype=np.int64))
    x2 = x.reshape(-1, d)
    xhat = x2 - x2.mean(axis=1, keepdims=True)  # (M, D), fresh
    var = np.einsum("ij,ij->i", xhat, xhat)[:, None] / d  # biased, as layer norm uses
    rstd = 1.0 / np.sqrt(var + eps)
    xhat *= rstd
    return xhat, rstd.astype(x.dtype, copy=False)


def layer_norm(x, weight=None, bias=None, *, ndim=1, eps=1e-5):
    """Layer normalisation of ``x`` over its last ``ndim`` dims, with optional affine."""
    # BEGIN SOLUTION
    out, _ = _normalize(x, ndim, eps)
    if weight is not None:
        out *= weight.reshape(-1)
    if bias is not None:
        out += bias.reshape(-1)
    return out.reshape(x.shape)
    # END SOLUTION


@gradient_of(layer_norm)
def layer_norm_backward(grad, out, x, weight=None, bias=None, *, ndim=1, eps=1e-5,
                        needs_input_grad=(True, True, True)):
    # BEGIN SOLUTION
    xhat, rstd = _normalize(x, ndim, eps)  # recomputed: cheaper than keeping them
    g = grad.reshape(xhat.shape)
    dw = (g * xhat).sum(axis=0).reshape(weight.shape) if weight is not None and needs_input_grad[1] else None
    db = g.sum(axis=0).reshape(bias.shape) if bias is not None and needs_input_grad[2] else None
    dx = None
    if needs_input_grad[0]:
        gh = g * weight.reshape(-1) if weight is not None else g  # dL/dx̂
        dx = gh - gh.mean(axis=1, keepdims=True)
        dx -= xhat * np.einsum("ij,ij->i", gh, xhat)[:, None] / xhat.shape[1]
        dx *= rstd
        dx = dx.reshape(x.shape)
    return dx, dw, db
    # END SOLUTION


def _probabilities(q, k, mask, causal, scale, tag):
    """softmax(q kᵀ · scale + mask) in a scratch buffer of shape (..., Tq, Tk)."""
    tq, tk = q.shape[-2], k.shape[-2]
    shape = np.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (tq, tk)
    p = scratch(tag, shape, np.result_type(q, k))
    np.matmul(q, np.swapaxes(k, -1, -2), out=p)
    p *= scale
    if causal:  # PyTorch's is_causal: query i sees keys 0..i (top-left aligned)
        np.copyto(p, -np.inf, where=~np.tri(tq, tk, dtype=bool))
    dead = None
    if mask is not None:
        if mask.dtype == np.bool_:
            np.copyto(p, -np.inf, where=~mask)  # True = take part in attention
            dead = ~mask.any(axis=-1, keepdims=True)  # rows with no key at all, from the small mask
            if not dead.any():
                dead = None
        else:
            p += mask
    with np.errstate(invalid="ignore"):  # a dead row is -inf - -inf here; it is zeroed below
        p -= p.max(axis=-1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=-1, keepdims=True)
    if dead is not None:
        np.copyto(p, 0.0, where=dead)  # attending to nothing gives zeros
    return p


def attention(q, k, v, *, mask=None, causal=False, scale=1.0):
    """``softmax(q kᵀ · scale + mask) v`` for q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv)."""
    # BEGIN SOLUTION
    p = _probabilities(q, k, mask, causal, scale, "attention.p")
    return p @ v  # (..., Tq, dv), fresh
    # END SOLUTION


@gradient_of(attention)
def attention_backward(grad, out, q, k, v, *, mask=None, causal=False, scale=1.0,
                       needs_input_grad=(True, True, True)):
    # BEGIN SOLUTION
    p = _probabilities(q, k, mask, causal, scale, "attention.p")  # recomputed, (..., Tq, Tk)
    dv = np.swapaxes(p, -1, -2) @ grad if needs_input_grad[2] else None
    dq = dk = None
    if needs_input_grad[0] or needs_input_grad[1]:
        ds = scratch("attention.ds", p.shape, p.dtype)
        np.matmul(grad, np.swapaxes(v, -1, -2), out=ds)  # dL/dp
        # softmax backward: ds = p * (dp - sum(dp * p))
        ds -= np.einsum("...ij,...ij->...i", ds, p)[..., None]
        ds *= p
        ds *= scale
        dq = ds @ k if needs_input_grad[0] else None
        dk = np.swapaxes(ds, -1, -2) @ q if needs_input_grad[1] else None
    return dq, dk, dv
    # END SOLUTION


def conv2d_relu(x, weight, bias=None, *, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    """``relu(conv2d(x, weight, bias))`` with the ReLU applied in place on the convolution's output."""
    # BEGIN SOLUTION
    out = spatial_ops.conv2d(x, weight, bias, stride, padding, dilation)
    np.maximum(out, 0.0, out=out)
    return out
    # END SOLUTION


@gradient_of(conv2d_relu)
def conv2d_relu_backward(grad, out, x, weight, bias=None, *, stride=(1, 1), padding=(0, 0),
                         dilation=(1, 1), needs_input_grad=(True, True, True)):
    # BEGIN SOLUTION
    g = grad * (out > 0)
    return spatial_ops.conv2d_backward(g, out, x, weight, bias, stride, padding, dilation,
                                       needs_input_grad=needs_input_grad)
    # END SOLUTION
