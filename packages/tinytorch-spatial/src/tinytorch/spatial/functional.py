"""Functional forms (``torch.nn.functional`` names) and the gradient rules of the spatial kernels.

Each function checks its arguments, turns ints into pairs and runs one kernel from
:mod:`tinytorch.spatial.ops` through ``apply_op``; the rules for those kernels are registered here
with ``tinytorch.autograd.gradient_of``, so importing ``tinytorch.spatial`` makes convolution,
pooling and batch norm differentiable.
"""

import numbers

import numpy as np

from tinytorch.autograd import gradient_of
from tinytorch.tensor import ShapeError, Tensor, apply_op, cat, default_generator, no_grad

from . import ops

gradient_of(ops.conv2d)(ops.conv2d_backward)
gradient_of(ops.conv2d_naive)(ops.conv2d_backward)
gradient_of(ops.max_pool2d)(ops.max_pool2d_backward)
gradient_of(ops.avg_pool2d)(ops.avg_pool2d_backward)
gradient_of(ops.batch_norm)(ops.batch_norm_backward)


def _pair(value, name, minimum=0):
    """``value`` (an int or a pair of ints) as a pair, each at least ``minimum``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_input(input, name, ndim=4):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor input, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{name} expects a floating point tensor, got dtype {input.dtype}")
    if input.ndim != ndim:
        raise ShapeError(f"{name} expects input of shape (N, C, H, W), got shape {input.shape}")


def _conv_padding(padding, kernel_size, dilation, stride):
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1, got stride {stride}")
        total = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
        if any(t % 2 for t in total):
            raise ValueError(
                f"padding='same' with kernel {kernel_size} and dilation {dilation} needs uneven "
                "padding, which this conv2d does not support; pad the input explicitly"
            )
        return (total[0] // 2, total[1] // 2)
    return _pair(padding, "padding")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, naive=False):
    r"""2-d convolution (cross-correlation) over a batch of images (``torch.nn.functional.conv2d``).

    .. math::
        \text{out}(n, o, y, x) = b_o + \sum_{c, i, j} W_{o, c, i, j}\,
            \text{in}(n, c, s_h y + d_h i - p_h,\; s_w x + d_w j - p_w)

    Args:
        input: Tensor of shape :math:`(N, C_{in}, H, W)`.
        weight: Tensor of shape :math:`(C_{out}, C_{in}, K_h, K_w)`.
        bias: Tensor of shape :math:`(C_{out})` or None.
        stride, dilation: int or pair. Default: 1.
        padding: int, pair, ``"valid"`` or ``"same"`` (zeros on both sides). Default: 0.
        naive: run the teaching loop (:func:`tinytorch.spatial.ops.conv2d_naive`) instead of
            im2col + GEMM. Not in PyTorch.

    Shape:
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})` with
          :math:`H_{out} = \lfloor (H + 2p_h - d_h (K_h - 1) - 1) / s_h \rfloor + 1` (same for W).

    Unlike PyTorch: no ``groups``; ``"same"`` only where the padding comes out symmetric.

    Example:
        >>> from tinytorch.tensor import ones
        >>> conv2d(ones(1, 1, 3, 3), ones(1, 1, 2, 2), padding=0)
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    _check_input(input, "conv2d")
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        raise ValueError(
            f"conv2d expects weight of shape (C_out, C_in, KH, KW), got {getattr(weight, 'shape', weight)!r}"
        )
    stride = _pair(stride, "stride", 1)
    dilation = _pair(dilation, "dilation", 1)
    padding = _conv_padding(padding, weight.shape[2:], dilation, stride)
    kernel = ops.conv2d_naive if naive else ops.conv2d
    return apply_op(kernel, input, weight, bias, stride=stride, padding=padding, dilation=dilation)


def _pool_args(name, kernel_size, stride, padding, dilation=1):
    kernel_size = _pair(kernel_size, "kernel_size", 1)
    stride = kernel_size if stride is None or stride == () else _pair(stride, "stride", 1)
    return kernel_size, stride, _pair(padding, "padding"), _pair(dilation, "dilation", 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    r"""Max over each :math:`K_h \times K_w` window (``torch.nn.functional.max_pool2d``).

    Padding counts as :math:`-\infty`. The gradient of each output goes to the first maximal
    element of its window (row-major order), as in PyTorch.

    Args:
        input: Tensor of shape :math:`(N, C, H, W)`.
        kernel_size: int or pair.
        stride: int or pair. Default: ``kernel_size``.
        padding: int or pair, at most half the kernel. Default: 0.
        dilation: int or pair. Default: 1.
        ceil_mode: round the output size up instead of down. Default: False.

    Shape:
        - Output: :math:`(N, C, H_{out}, W_{out})`,
          :math:`H_{out} = \lfloor (H + 2p - d(K - 1) - 1) / s \rfloor + 1` (ceil with ``ceil_mode``).

    Unlike PyTorch: no ``return_indices``.

    Example:
        >>> from tinytorch.tensor import arange
        >>> max_pool2d(arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    _check_input(input, "max_pool2d")
    kernel_size, stride, padding, dilation = _pool_args("max_pool2d", kernel_size, stride, padding, dilation)
    return apply_op(ops.max_pool2d, input, kernel_size=kernel_size, stride=stride, padding=padding,
                    dilation=dilation, ceil_mode=bool(ceil_mode))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    r"""Mean over each :math:`K_h \times K_w` window (``torch.nn.functional.avg_pool2d``).

    Args:
        input: Tensor of shape :math:`(N, C, H, W)`.
        kernel_size: int or pair.
        stride: int or pair. Default: ``kernel_size``.
        padding: int or pair of zero padding, at most half the kernel. Default: 0.
        ceil_mode: round the output size up instead of down. Default: False.
        count_include_pad: count padded zeros in the divisor. Default: True.

    Shape:
        - Output: :math:`(N, C, H_{out}, W_{out})`, as for :func:`max_pool2d` with dilation 1.

    Unlike PyTorch: no ``divisor_override``.

    Example:
        >>> from tinytorch.tensor import arange
        >>> avg_pool2d(arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 2.5,  4.5],
                  [10.5, 12.5]]]])
    """
    _check_input(input, "avg_pool2d")
    kernel_size, stride, padding, _ = _pool_args("avg_pool2d", kernel_size, stride, padding)
    return apply_op(ops.avg_pool2d, input, kernel_size=kernel_size, stride=stride, padding=padding,
                    ceil_mode=bool(ceil_mode), count_include_pad=bool(count_include_pad))


def _channel_view(t, ndim):
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Batch normalisation per channel (``torch.nn.functional.batch_norm``).

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \cdot \gamma + \beta

    In training mode the statistics are the batch's own (mean and biased variance over every dim
    but 1), and ``running_mean``/``running_var``, when given, are updated in place:
    ``running = (1 - momentum) · running + momentum · batch`` with the *unbiased* batch variance.
    In eval mode the running statistics normalise instead.

    Args:
        input: Tensor of shape :math:`(N, C, *)`.
        running_mean, running_var: Tensors of shape :math:`(C)`, or None (training only).
        weight, bias: Tensors of shape :math:`(C)` (:math:`\gamma`, :math:`\beta`) or None.
        training: use batch statistics. Default: False.
        momentum: weight of the new batch in the running statistics. Default: 0.1.
        eps: added to the variance for stability. Default: 1e-5.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> x = Tensor([[[[1.0]], [[2.0]]], [[[3.0]], [[6.0]]]])  # (N=2, C=2, 1, 1)
        >>> y = batch_norm(x, None, None, training=True)
        >>> print(y.reshape(2, 2).numpy().round(3))
        [[-1. -1.]
         [ 1.  1.]]
    """
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError(f"batch_norm expects a Tensor of shape (N, C, *), got {getattr(input, 'shape', input)!r}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for input {input.shape}, got {t.shape}")
    if training:
        out = apply_op(ops.batch_norm, input, weight, bias, eps=float(eps))
        if (running_mean is not None or running_var is not None) and input.data.size:
            # BEGIN SOLUTION
            count = input.data.size // c
            mean, var, _ = ops._bn_moments(input.data)  # (C,), biased (C,)
            with no_grad():
                if running_mean is not None:
                    running_mean.data *= 1.0 - momentum
                    running_mean.data += momentum * mean
                if running_var is not None:
                    running_var.data *= 1.0 - momentum
                    running_var.data += momentum * var * (count / (count - 1))
            # END SOLUTION
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm in eval mode (training=False) needs running_mean and running_var")
    # BEGIN SOLUTION
    # Eval mode is an affine map per channel, built from recorded ops (gradients for free):
    # y = x · scale + shift with scale = γ / sqrt(var + eps), shift = β - mean · scale.
    inv_std = Tensor(1.0 / np.sqrt(running_var.data + eps))  # (C,)
    scale = inv_std if weight is None else weight * inv_std
    shift = -(running_mean * scale) if bias is None else bias - running_mean * scale
    return input * _channel_view(scale, input.ndim) + _channel_view(shift, input.ndim)
    # END SOLUTION


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def dropout2d(input, p=0.5, training=True):
    r"""Channel dropout (``torch.nn.functional.dropout2d``): zero each channel of each sample
    with probability ``p`` and scale the kept channels by :math:`1 / (1 - p)`.

    One draw per (sample, channel), broadcast over the spatial dims, so a kept channel is kept
    whole. A product with a constant mask, so the gradient is the same mask.

    Args:
        input: floating point Tensor :math:`(N, C, H, W)` or :math:`(N, C, L)`.
        p: probability of zeroing a channel. Default: 0.5.
        training: apply dropout; when False, return ``input`` itself.

    Example:
        >>> from tinytorch.tensor import ones
        >>> dropout2d(ones(1, 2, 2, 2), p=1.0).sum().item()
        0.0
    """
    p = _check_p(p)
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise ValueError(
            f"dropout2d expects input of shape (N, C, H, W) or (N, C, L), got "
            f"{getattr(input, 'shape', input)!r}"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"dropout2d expects a floating point tensor, got dtype {input.dtype}")
    if not training or p == 0.0:
        return input
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)  # (N, C, 1, 1): one draw per channel
    if p == 1.0:
        return input * np.zeros(mask_shape, dtype=input.dtype)
    keep = default_generator.random(mask_shape, dtype=np.float32) >= p
    return input * (keep.astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p)))


def _adaptive_matrix(n_in, n_out, dtype):
    """(n_out, n_in) averaging matrix: row i averages inputs floor(i n/m) .. ceil((i+1) n/m) - 1."""
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)  # ceil((i + 1) n / m)
    cols = np.arange(n_in)
    inside = (cols >= start[:, None]) & (cols < end[:, None])  # (n_out, n_in)
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input, output_size):
    r"""Average pooling to a fixed output size (``torch.nn.functional.adaptive_avg_pool2d``).

    Output cell :math:`(i, j)` averages rows :math:`\lfloor iH/h \rfloor \ldots \lceil (i+1)H/h
    \rceil - 1` and the columns chosen the same way, as in PyTorch (windows may overlap when the
    sizes do not divide). Computed as :math:`P_h \, x \, P_w^T` with two small averaging
    matrices, so it is two recorded matmuls and needs no gradient rule of its own.

    Args:
        input: Tensor :math:`(N, C, H, W)`.
        output_size: ``(h, w)``, an int for both, or ``None`` in a slot to keep that input size.

    Example:
        >>> from tinytorch.tensor import arange
        >>> adaptive_avg_pool2d(arange(16.0).reshape(1, 1, 4, 4), 1).reshape(-1)
        tensor([7.5])
    """
    _check_input(input, "adaptive_avg_pool2d")
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    h, w = (input.shape[2 + k] if s is None else s for k, s in enumerate(sizes))
    h, w = _pair((h, w), "output_size", 1)
    ph = Tensor(_adaptive_matrix(input.shape[2], h, input.dtype))  # (h, H)
    pw = Tensor(_adaptive_matrix(input.shape[3], w, input.dtype).T.copy())  # (W, w)
    return (ph @ input) @ pw  # (N, C, h, W) -> (N, C, h, w)


def pad(input, pad, mode="constant", value=None):
    r"""Pad (or, with negative amounts, crop) the last dims (``torch.nn.functional.pad``).

    ``pad`` lists ``(left, right)`` amounts for the last dim, then the one before it, and so on:
    ``pad(x, (1, 1, 2, 0))`` adds one column on each side and two rows on top. Built from
    recorded ops (slicing and ``cat`` with constant blocks), so it needs no gradient rule.
    Only ``mode="constant"`` is implemented (``reflect``/``replicate``/``circular`` raise
    ``NotImplementedError``).

    Example:
        >>> from tinytorch.tensor import ones
        >>> pad(ones(1, 2), (1, 2), value=0.5)
        tensor([[0.5, 1. , 1. , 0.5, 0.5]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' must be Tensor, not {type(input).__name__}")
    amounts = tuple(pad)
    if not all(isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in amounts):
        raise TypeError(f"pad(): pad must be a sequence of ints, got {pad!r}")
    if len(amounts) % 2:
        raise ShapeError(f"Padding length must be divisible by 2, got pad={pad!r}")
    if len(amounts) // 2 > input.ndim:
        raise ShapeError(f"Padding length too large: {len(amounts)} values for a {input.ndim}-d input")
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not implemented in TinyTorch (only 'constant')")
    fill = 0.0 if value is None else value
    out = input
    for k in range(len(amounts) // 2):
        dim = input.ndim - 1 - k
        left, right = int(amounts[2 * k]), int(amounts[2 * k + 1])
        if left < 0 or right < 0:  # crop first: a negative amount removes entries
            size = out.shape[dim]
            index = [slice(None)] * out.ndim
            index[dim] = slice(max(-left, 0), size - max(-right, 0))
            out = out[tuple(index)]
        blocks = []
        for amount in (left, right):
            shape = list(out.shape)
            shape[dim] = max(amount, 0)
            blocks.append(Tensor(np.full(shape, fill, dtype=out.dtype)))
        if left > 0 or right > 0:
            out = cat([blocks[0], out, blocks[1]], dim)
    return out
