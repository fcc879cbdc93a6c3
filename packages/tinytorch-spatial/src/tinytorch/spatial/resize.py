r"""Resizing by interpolation (``torch.nn.functional.interpolate``, ``torch.nn.Upsample``).

Both modes are separable: each spatial dim is resized on its own, by gathering whole slices
along it with an integer index array (one NumPy fancy-indexing call per dim, no loop over
pixels). For output position :math:`i` of a dim of input size :math:`n` and scale
:math:`s = n / n_{out}` (or ``1 / scale_factor`` when that is given, as in PyTorch):

- ``"nearest"``: :math:`\text{src}(i) = \min(\lfloor i s \rfloor, n - 1)`.
- ``"linear"`` / ``"bilinear"``: :math:`x = s (i + \tfrac12) - \tfrac12` clamped at 0
  (``align_corners=False``) or :math:`x = i (n - 1) / (n_{out} - 1)` (``align_corners=True``),
  then :math:`(1 - \lambda)\,\text{in}[\lfloor x \rfloor] + \lambda\,\text{in}[\lfloor x \rfloor + 1]`
  with :math:`\lambda = x - \lfloor x \rfloor`.

Indexing and the weighted sum are recorded ops, so the gradient (a scatter-add back to the
source positions) needs no rule of its own.
"""

import math
import numbers

import numpy as np

from tinytorch.layers import Module
from tinytorch.tensor import ShapeError, Tensor

__all__ = ["interpolate", "Upsample"]

_MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}
_TORCH_ONLY = ("bicubic", "trilinear", "area", "nearest-exact", "lanczos")


def _per_dim(value, name, spatial):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * spatial
    if len(values) != spatial:
        raise ValueError(
            f"Input and output must have the same number of spatial dimensions, but got input "
            f"with {spatial} spatial dimensions and {name}={value!r}"
        )
    return values


def _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor):
    """Output sizes and the scale (input step per output step) of each spatial dim."""
    spatial = len(in_sizes)
    if size is not None:
        out = _per_dim(size, "size", spatial)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in out):
            raise TypeError(f"interpolate: size must be an int or a tuple of ints, got {size!r}")
        out = tuple(int(s) for s in out)
        scales = [None] * spatial
    else:
        factors = tuple(float(f) for f in _per_dim(scale_factor, "scale_factor", spatial))
        out = tuple(math.floor(n * f) for n, f in zip(in_sizes, factors))
        scales = [None if recompute_scale_factor else 1.0 / f for f in factors]
    if min(in_sizes) <= 0 or min(out) <= 0:
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input {tuple(in_sizes)} "
            f"output {out}"
        )
    scales = [n / m if s is None else s for n, m, s in zip(in_sizes, out, scales)]
    return out, scales


def _gather(x, dim, index):
    """``x`` indexed along ``dim`` by the int array ``index`` (a recorded op)."""
    key = [slice(None)] * x.ndim
    key[dim] = index
    return x[tuple(key)]


def _resize_dim(x, dim, out_size, scale, mode, align_corners):
    in_size = x.shape[dim]
    if mode == "nearest":
        # float32 arithmetic, as PyTorch's kernel, so the chosen sources agree at exact halves
        src = np.floor(np.arange(out_size, dtype=np.float32) * np.float32(scale)).astype(np.int64)
        return _gather(x, dim, np.minimum(src, in_size - 1))
    dtype = x.dtype
    positions = np.arange(out_size, dtype=dtype)
    if align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        src = positions * dtype.type(step)
    else:
        src = np.maximum(dtype.type(scale) * (positions + dtype.type(0.5)) - dtype.type(0.5), 0)
    low = np.minimum(src.astype(np.int64), in_size - 1)
    high = np.minimum(low + 1, in_size - 1)
    frac = (src - low).astype(dtype)  # (out_size,)
    shape = [1] * x.ndim
    shape[dim] = out_size
    frac = frac.reshape(shape)  # broadcast along every other dim
    return _gather(x, dim, low) * Tensor(1 - frac) + _gather(x, dim, high) * Tensor(frac)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    r"""Resize :math:`(N, C, L)` or :math:`(N, C, H, W)` to ``size`` or by ``scale_factor``.

    Args:
        input: a floating point Tensor, 3-d (``"nearest"``, ``"linear"``) or 4-d
            (``"nearest"``, ``"bilinear"``).
        size: output spatial size, an int or one int per spatial dim.
        scale_factor: multiplier of each spatial size (a float or one per dim); the output size
            is ``floor(size * scale_factor)``.
        mode: ``"nearest"`` | ``"linear"`` | ``"bilinear"``. Default: ``"nearest"``.
        align_corners: for the linear modes, map the corner pixels of input and output onto
            each other. Default: False.
        recompute_scale_factor: compute the scale from the sizes rather than from
            ``scale_factor``. Default: False.
        antialias: must be False (not implemented).

    Shape:
        - Output: :math:`(N, C, L_{out})` or :math:`(N, C, H_{out}, W_{out})`.

    Unlike PyTorch: no ``bicubic``, ``trilinear``, ``area`` or ``nearest-exact`` modes and no
    5-d input (NotImplementedError).

    Example:
        >>> from tinytorch.tensor import arange
        >>> interpolate(arange(4.0).reshape(1, 1, 2, 2), scale_factor=2)
        tensor([[[[0., 0., 1., 1.],
                  [0., 0., 1., 1.],
                  [2., 2., 3., 3.],
                  [2., 2., 3., 3.]]]])
        >>> interpolate(arange(3.0).reshape(1, 1, 3), size=5, mode="linear", align_corners=True)
        tensor([[[0. , 0.5, 1. , 1.5, 2. ]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not {type(input).__name__}")
    if mode in _TORCH_ONLY or mode not in _MODES:
        raise NotImplementedError(
            f"interpolate: mode={mode!r} is not implemented in TinyTorch (expected 'nearest' for "
            "3-d or 4-d input, 'linear' for 3-d, 'bilinear' for 4-d)"
        )
    if input.ndim not in _MODES[mode]:
        needs = " or ".join(f"{d}D" for d in _MODES[mode])
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {needs} input")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined"
                         if size is not None else "either size or scale_factor should be defined")
    if align_corners is not None and mode == "nearest":
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented in TinyTorch")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"interpolate: {mode} is not implemented for dtype {input.dtype}")
    spatial_dims = range(2, input.ndim)
    in_sizes = [input.shape[d] for d in spatial_dims]
    try:
        out_sizes, scales = _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor)
    except ValueError as error:
        raise ShapeError(str(error)) from None
    out = input
    for dim, out_size, scale in zip(spatial_dims, out_sizes, scales):
        out = _resize_dim(out, dim, out_size, scale, mode, bool(align_corners))
    return out


class Upsample(Module):
    r"""Resize by interpolation as a layer (``torch.nn.Upsample``; see :func:`interpolate`).

    Args:
        size: output spatial size. scale_factor: multiplier of the spatial size (one of the two).
        mode: ``"nearest"`` | ``"linear"`` | ``"bilinear"``. Default: ``"nearest"``.
        align_corners: see :func:`interpolate`. recompute_scale_factor: see :func:`interpolate`.

    Example:
        >>> from tinytorch.tensor import randn
        >>> Upsample(scale_factor=2, mode="bilinear")(randn(1, 3, 4, 5)).shape
        (1, 3, 8, 10)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, numbers.Real) else scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self):
        what = f"scale_factor={self.scale_factor}" if self.size is None else f"size={self.size}"
        return f"{what}, mode={self.mode!r}"
