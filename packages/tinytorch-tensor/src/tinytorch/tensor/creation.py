"""Creation functions, named as in PyTorch.

Random ones draw from ``generator`` when given, else from ``default_generator``
(:mod:`tinytorch.tensor.generator`), which :func:`~tinytorch.tensor.manual_seed` reseeds.
Every function takes PyTorch's ``device=`` keyword; the CPU is the only device.
"""

import numpy as np

from .device import as_device
from .dtypes import as_dtype, float32, int64
from .dtypes import infer_array as _infer_array
from .generator import _generator
from .shape import _shape_arg
from .tensor import Tensor


def _make(array, requires_grad, device=None):
    if device is not None:
        as_device(device)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _dtype(dtype, default=float32):
    return default if dtype is None else as_dtype(dtype)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (``torch.tensor``)."""
    return _make(_infer_array(data, dtype).copy(), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a Tensor, sharing memory with an ndarray of the right dtype (``torch.as_tensor``)."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return _make(_infer_array(data, dtype), False, device)


def from_numpy(ndarray):
    """A Tensor sharing memory with ``ndarray`` (``torch.from_numpy``)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return Tensor._make(_infer_array(ndarray))


def _sizes(name, sizes, size):
    """The shape from ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``, as PyTorch accepts."""
    if size is None:
        return _shape_arg(sizes)
    if sizes:
        raise TypeError(f"{name}() got the size twice: {sizes!r} and size={size!r}")
    return _shape_arg((size,) if isinstance(size, (tuple, list)) else (size,))


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    return _make(np.zeros(_sizes("zeros", sizes, size), dtype=_dtype(dtype)), requires_grad, device)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    return _make(np.ones(_sizes("ones", sizes, size), dtype=_dtype(dtype)), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The ``(n, m)`` identity matrix (ones on the diagonal), float32 by default (``torch.eye``)."""
    for name, value in (("n", n), ("m", n if m is None else m)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise RuntimeError(f"eye: {name} must be a non-negative int, got {value!r}")
    return _make(np.eye(int(n), None if m is None else int(m), dtype=_dtype(dtype)), requires_grad, device)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    """Like :func:`zeros` (TinyTorch always initialises memory)."""
    return zeros(*sizes, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; dtype inferred from it as in PyTorch."""
    if dtype is None:
        dtype = _infer_array(fill_value, None).dtype
    shape = _shape_arg((size,)) if isinstance(size, (tuple, list)) else _shape_arg((size,))
    return _make(np.full(shape, fill_value, dtype=as_dtype(dtype)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive); int64 for ints, float32 when any is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})"
        )
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = float32 if is_float else int64
    return _make(np.arange(start, end, step).astype(as_dtype(dtype)), requires_grad, device)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (``torch.linspace``)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, steps, dtype=np.float64).astype(_dtype(dtype)), requires_grad, device)


def _float_dtype(dtype, name):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point dtype, got {dtype}")
    return dtype


def rand(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples from ``[0, 1)`` (``torch.rand``)."""
    dtype = _float_dtype(dtype, "rand")
    gen = _generator(generator)
    draw_dtype = np.float32 if dtype == np.float16 else dtype.type
    shape = _sizes("rand", sizes, size)
    return _make(gen.random(shape, dtype=draw_dtype).astype(dtype, copy=False), requires_grad, device)


def randn(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples (``torch.randn``)."""
    dtype = _float_dtype(dtype, "randn")
    gen = _generator(generator)
    draw_dtype = np.float32 if dtype == np.float16 else dtype.type
    sample = gen.standard_normal(_sizes("randn", sizes, size), dtype=draw_dtype).astype(dtype, copy=False)
    return _make(sample, requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers from ``[low, high)`` (``torch.randint``); ``randint(high, size)`` also works.

    Example:
        >>> from tinytorch.tensor import Generator
        >>> randint(3, (4,), generator=Generator().manual_seed(0)).shape
        (4,)
    """
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high  # randint(high, size)
    if size is None:
        raise TypeError("randint() missing the required argument 'size' (a tuple of ints)")
    if high is None:
        raise TypeError("randint() missing the required argument 'high'")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape = _shape_arg((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    values = _generator(generator).integers(low, high, size=shape)
    return _make(values.astype(_dtype(dtype, int64)), requires_grad, device)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    return _make(np.zeros(input.shape, dtype=_dtype(dtype, input.dtype)), requires_grad, device)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    return _make(np.ones(input.shape, dtype=_dtype(dtype, input.dtype)), requires_grad, device)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _make(np.full(input.shape, fill_value, dtype=_dtype(dtype, input.dtype)), requires_grad, device)


def rand_like(input, dtype=None, device=None, requires_grad=False, *, generator=None):
    return rand(*input.shape, generator=generator, dtype=_dtype(dtype, input.dtype), device=device,
                requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, *, generator=None):
    return randn(*input.shape, generator=generator, dtype=_dtype(dtype, input.dtype), device=device,
                 requires_grad=requires_grad)
