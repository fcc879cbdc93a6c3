"""Functional forms of the fused kernels, with PyTorch's argument names and careful checks."""

import math
import numbers

import numpy as np

from tinytorch.tensor import Tensor, apply_op

from . import kernels

__all__ = ["linear_act", "layer_norm", "scaled_dot_product_attention", "conv2d_relu"]


def _float_tensor(fn, name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {name} must be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be floating point, got dtype {x.dtype}")
    return x


def linear_act(input, weight, bias=None, activation="relu"):
    r"""Fused :math:`\mathrm{act}(x W^T + b)`: one GEMM with the bias and the activation applied in
    place on its output; equal to ``activation(linear(input, weight, bias))``.

    Args:
        input: Tensor :math:`(*, H_{in})`. weight: :math:`(H_{out}, H_{in})`. bias: :math:`(H_{out})` or None.
        activation: ``"relu"``, ``"gelu"`` (exact), ``"tanh"``, ``"sigmoid"`` or ``"none"``.

    Example:
        >>> x = Tensor([[1.0, -2.0]])
        >>> linear_act(x, Tensor([[1.0, 1.0], [1.0, 0.0]]), Tensor([0.0, 0.5]))
        tensor([[0. , 1.5]])
    """
    _float_tensor("linear_act", "input", input)
    _float_tensor("linear_act", "weight", weight)
    if activation not in kernels.ACTIVATIONS:
        raise ValueError(f"linear_act: activation must be one of {kernels.ACTIVATIONS}, got {activation!r}")
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear_act: input of shape {input.shape} does not match weight of shape {weight.shape}: "
            f"expected the last input dim to be in_features={weight.shape[1] if weight.ndim == 2 else '?'}"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"linear_act: bias of shape {bias.shape} does not match out_features={weight.shape[0]}")
    return apply_op(kernels.linear_act, input, weight, bias, activation=activation)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Fused layer normalisation (``torch.nn.functional.layer_norm``) over the trailing
    ``normalized_shape``, with one gradient rule for the whole thing.

    Example:
        >>> y = layer_norm(Tensor([[1.0, 2.0, 3.0]]), (3,))
        >>> [round(v, 3) for v in y.tolist()[0]]
        [-1.225, 0.0, 1.225]
    """
    _float_tensor("layer_norm", "input", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    n = len(shape)
    if n == 0 or input.ndim < n or tuple(input.shape[input.ndim - n:]) != shape:
        raise ValueError(f"layer_norm: expected input with trailing shape {shape}, got input of shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} of shape {t.shape} does not match {shape}")
    return apply_op(kernels.layer_norm, input, weight, bias, ndim=n, eps=float(eps))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    r"""Fused :math:`\mathrm{softmax}(Q K^T \cdot s + M) V`
    (``torch.nn.functional.scaled_dot_product_attention``).

    Args:
        query: :math:`(..., L, E)`. key: :math:`(..., S, E)`. value: :math:`(..., S, E_v)`.
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable to
            :math:`(..., L, S)`; or None.
        dropout_p: must be 0 (no attention dropout here).
        is_causal: query :math:`i` attends to keys :math:`0..i` (top-left aligned, as PyTorch).
        scale: :math:`s`; default :math:`1/\sqrt{E}`.

    A query whose bool mask excludes every key gets zeros, as in PyTorch 2.13.

    Example:
        >>> q = Tensor(np.ones((1, 2, 4), np.float32))
        >>> scaled_dot_product_attention(q, q, q, is_causal=True).shape
        (1, 2, 4)
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        _float_tensor("scaled_dot_product_attention", name, t)
        if t.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} must have at least 2 dims, got shape {t.shape}")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key and value to have the same dtype, "
                           f"got {query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: query {query.shape}, key {key.shape} and value {value.shape} "
            "must agree: query and key on the last dim, key and value on the sequence dim"
        )
    if dropout_p != 0.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be 0 here, got {dropout_p!r}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be set when is_causal=True")
    mask = None
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        target = query.shape[:-1] + (key.shape[-2],)
        try:
            np.broadcast_shapes(mask.shape, target)
        except ValueError:
            raise ValueError(
                f"scaled_dot_product_attention: attn_mask of shape {mask.shape} does not broadcast to {target}"
            ) from None
        if mask.dtype != np.bool_:
            mask = mask.astype(query.dtype, copy=False)
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    if key.shape[-2] == 0:  # no keys: zeros (..., L, Ev), as torch; (L, 0) @ (0, Ev) keeps the graph
        return (query @ key.transpose(-2, -1)) @ value
    return apply_op(kernels.attention, query, key, value, mask=mask, causal=bool(is_causal), scale=s)


def conv2d_relu(input, weight, bias=None, stride=1, padding=0, dilation=1):
    """Fused ``relu(conv2d(input, weight, bias, stride, padding, dilation))`` (module 09's
    convolution; ints or pairs; no ``"same"`` here)."""
    _float_tensor("conv2d_relu", "input", input)

    def pair(v, name):
        p = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        if len(p) != 2 or not all(isinstance(i, numbers.Integral) and i >= 0 for i in p):
            raise ValueError(f"conv2d_relu: {name} must be a non-negative int or pair, got {v!r}")
        return int(p[0]), int(p[1])

    stride, padding, dilation = pair(stride, "stride"), pair(padding, "padding"), pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"conv2d_relu: stride and dilation must be at least 1, got {stride}, {dilation}")
    if input.ndim != 4:
        raise ValueError(f"conv2d_relu expects input of shape (N, C, H, W), got shape {input.shape}")
    return apply_op(kernels.conv2d_relu, input, weight, bias, stride=stride, padding=padding, dilation=dilation)
