r"""Integer kernels: an exact int8 × int8 → int32 matmul and the quantized linear / conv kernels.

NumPy has no int8 GEMM: ``np.matmul`` on int8 arrays wraps around in int8, and on int32 arrays it
runs a plain loop without BLAS's blocking and SIMD. The fast path here uses the float32 BLAS GEMM on
the integer values and is still *exact*: every product of two int8 values is at most
:math:`128 \cdot 128 = 2^{14}` in magnitude, so a sum of up to :math:`2^{10} = 1024` of them stays
within :math:`2^{24}`, where every integer is a float32. The inner dim is split into chunks of
1024, each chunk's float32 result is converted to int32 exactly, and the chunks add in int32;
rows of ``a`` and columns of ``b`` go through in blocks so that the float32 copies stay small.

A quantized linear layer then computes, with :math:`q_x` the int8 input (scale :math:`s_x`, zero
point :math:`z_x`) and :math:`q_W` the int8 weight (per-row scales :math:`s_W`):

.. math::
    y = s_x s_W \odot \left(q_x q_W^T - z_x \textstyle\sum_k q_W[:, k]\right) + b
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .observers import _quantize, choose_qparams

__all__ = ["int8_matmul", "int8_matmul_reference", "quantized_linear", "quantized_conv2d", "CHUNK_K"]

CHUNK_K = 1024  # 1024 · 2^14 = 2^24: the longest exact float32 integer dot product of int8 values
BLOCK_ELEMENTS = 2**20  # rows of ``a`` are converted to float32 in blocks of about this many values
WEIGHT_BLOCK_ELEMENTS = 2**18  # and columns of ``b`` in blocks of about this many (1 MiB)
_MAX_K = 2**31 // 2**14  # beyond this an int32 accumulator could overflow


def _check_int8(a, b, where):
    for name, x in (("a", a), ("b", b)):
        if not isinstance(x, np.ndarray) or x.dtype != np.int8:
            got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
            raise TypeError(f"{where}: {name} must be an int8 ndarray, got {got}")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"{where}: expected (M, K) @ (K, N), got {a.shape} @ {b.shape}")
    if a.shape[1] > _MAX_K:
        raise ValueError(f"{where}: K={a.shape[1]} could overflow int32 accumulation (max {_MAX_K})")


def int8_matmul_reference(a, b):
    """The integer reference: ``a @ b`` accumulated in int64 by NumPy's integer loop, as int32."""
    _check_int8(a, b, "int8_matmul_reference")
    return np.matmul(a.astype(np.int64), b.astype(np.int64)).astype(np.int32)


def _gemm_with_colsums(a, b):
    # The exact GEMM of int8_matmul, also returning b's column sums (int32), which the zero-point
    # correction needs: summed from the float32 copies already made for BLAS (exact, integers).
    # Both operands are widened to float32 in blocks, so the copies stay bounded for large layers
    # (smaller blocks of b cost speed: 30-60% slower GEMMs with 256 KiB blocks on a 784 x 256 weight).
    m, k = a.shape
    n = b.shape[1]
    out = np.zeros((m, n), np.int32)
    colsums = np.zeros(n, np.int32)
    depth = max(min(k, CHUNK_K), 1)
    rows = max(1, BLOCK_ELEMENTS // depth)  # float32 block of a: <= 4 MiB
    cols = max(1, WEIGHT_BLOCK_ELEMENTS // depth)  # float32 block of b: <= 1 MiB
    for k0 in range(0, k, CHUNK_K):  # at most K / 1024 chunks
        for m0 in range(0, max(m, 1), rows):
            a32 = a[m0:m0 + rows, k0:k0 + CHUNK_K].astype(np.float32)
            for n0 in range(0, n, cols):
                b32 = b[k0:k0 + CHUNK_K, n0:n0 + cols].astype(np.float32)
                if m0 == 0:
                    colsums[n0:n0 + cols] += b32.sum(axis=0).astype(np.int32)
                out[m0:m0 + rows, n0:n0 + cols] += (a32 @ b32).astype(np.int32)
    return out, colsums


def int8_matmul(a, b):
    """Exact ``(M, K) int8 @ (K, N) int8 -> (M, N) int32`` on the float32 BLAS GEMM.

    Example:
        >>> a = np.array([[127, -128], [1, 2]], np.int8)
        >>> int8_matmul(a, np.array([[127], [-128]], np.int8))
        array([[32513],
               [ -129]], dtype=int32)
    """
    _check_int8(a, b, "int8_matmul")
    # BEGIN SOLUTION
    return _gemm_with_colsums(a, b)[0]
    # END SOLUTION


def _quantize_input(x, scale, zero_point, where):
    # Static layers carry calibrated qparams; dynamic ones take the range of this very batch.
    # The range doubles as the NaN / infinity check (both propagate into min and max).
    lo, hi = x.min(initial=0.0), x.max(initial=0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{where}: the input holds NaN or infinity, which int8 cannot represent")
    if scale is None:
        scale, zero_point = choose_qparams(lo, hi)
    return _quantize(np.asarray(x, dtype=np.float32), scale, zero_point), scale, zero_point


def quantized_linear(x, weight, weight_scale, bias=None, scale=None, zero_point=None):
    """Float input, int8 weight ``(out, in)`` with per-row scales: float32 ``(*, out)``.

    The input is quantized per tensor (with ``scale``/``zero_point`` when given, else from its
    own range), multiplied exactly in integers and rescaled; the bias is added in float32.
    """
    lead = x.shape[:-1]
    qx, s_x, z_x = _quantize_input(x.reshape(-1, x.shape[-1]), scale, zero_point, "quantized_linear")
    # BEGIN SOLUTION
    _check_int8(qx, weight.T, "quantized_linear")
    acc, row_sums = _gemm_with_colsums(qx, weight.T)  # (M, out) int32, (out,) int32
    acc -= z_x * row_sums  # remove the zero point's contribution: z_x · sum_k W[o, k]
    out = acc.astype(np.float32)
    out *= np.float32(s_x) * weight_scale
    if bias is not None:
        out += bias
    return out.reshape(*lead, weight.shape[0])
    # END SOLUTION


def _im2col(q, kernel, stride, padding, dilation, fill):
    """(N, C, H, W) int8 -> (N·Ho·Wo, KH·KW·C) int8 receptive fields, padded with ``fill``."""
    n, c, h, w = q.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    xp = np.full((n, h + 2 * ph, w + 2 * pw, c), fill, np.int8)  # channels-last, padded
    xp[:, ph:ph + h, pw:pw + w] = q.transpose(0, 2, 3, 1)
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if ho <= 0 or wo <= 0:
        raise ValueError(f"quantized_conv2d: kernel {kernel} is larger than the padded input {xp.shape[1:3]}")
    s = xp.strides
    windows = as_strided(xp, (n, ho, wo, kh, kw, c),
                         (s[0], s[1] * sh, s[2] * sw, s[1] * dh, s[2] * dw, s[3]), writeable=False)
    return windows.reshape(n * ho * wo, kh * kw * c), ho, wo


def quantized_conv2d(x, weight, weight_scale, bias=None, stride=(1, 1), padding=(0, 0),
                     dilation=(1, 1), scale=None, zero_point=None):
    """Float input (N, C_in, H, W), int8 weight (C_out, C_in, KH, KW): float32 (N, C_out, Ho, Wo).

    The input is quantized per tensor, its receptive fields gathered as int8 (padding with the
    zero point, which represents 0.0 exactly), multiplied by the weight in integers, rescaled.
    """
    c_out, c_in, kh, kw = weight.shape
    if x.ndim != 4 or x.shape[1] != c_in:
        raise ValueError(f"quantized_conv2d: expected input (N, {c_in}, H, W), got shape {x.shape}")
    qx, s_x, z_x = _quantize_input(x, scale, zero_point, "quantized_conv2d")
    # BEGIN SOLUTION
    cols, ho, wo = _im2col(qx, (kh, kw), stride, padding, dilation, z_x)
    wk = np.ascontiguousarray(weight.transpose(2, 3, 1, 0).reshape(kh * kw * c_in, c_out))
    _check_int8(cols, wk, "quantized_conv2d")
    acc, col_sums = _gemm_with_colsums(cols, wk)  # (N·Ho·Wo, C_out) int32, (C_out,) int32
    acc -= z_x * col_sums
    out = acc.astype(np.float32)
    out *= np.float32(s_x) * weight_scale
    if bias is not None:
        out += bias
    return out.reshape(x.shape[0], ho, wo, c_out).transpose(0, 3, 1, 2)  # NCHW view
    # END SOLUTION
