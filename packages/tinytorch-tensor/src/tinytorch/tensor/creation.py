"""Creation functions, named as in PyTorch.

Random ones draw from ``generator`` when given, else from ``default_generator``
(:mod:`tinytorch.tensor.generator`), which :func:`~tinytorch.tensor.manual_seed` reseeds.
"""

import numpy as np

from .generator import _generator
from .tensor import Tensor, _infer_array, _shape_arg, float32, int64


def _make(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (``torch.tensor``)."""
    array = _infer_array(data, dtype)
    return _make(array.copy(), requires_grad)


def zeros(*size, dtype=float32, requires_grad=False):
    return _make(np.zeros(_shape_arg(size), dtype=dtype), requires_grad)


def ones(*size, dtype=float32, requires_grad=False):
    return _make(np.ones(_shape_arg(size), dtype=dtype), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; dtype inferred from it as in PyTorch."""
    if dtype is None:
        dtype = _infer_array(fill_value, None).dtype
    return _make(np.full(tuple(size) if not isinstance(size, int) else (size,), fill_value, dtype=dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive); int64 for ints, float32 when any is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = float32 if is_float else int64
    return _make(np.arange(start, end, step).astype(dtype), requires_grad)


def _float_dtype(dtype, name):
    dtype = np.dtype(float32 if dtype is None else dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point dtype, got {dtype}")
    return dtype


def rand(*size, generator=None, dtype=None, requires_grad=False):
    """Uniform samples from ``[0, 1)`` (``torch.rand``)."""
    dtype = _float_dtype(dtype, "rand")
    gen = _generator(generator)
    if dtype == np.float16:
        return _make(gen.random(_shape_arg(size), dtype=np.float32).astype(dtype), requires_grad)
    return _make(gen.random(_shape_arg(size), dtype=dtype.type), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False):
    """Standard normal samples (``torch.randn``)."""
    dtype = _float_dtype(dtype, "randn")
    gen = _generator(generator)
    if dtype == np.float16:
        return _make(gen.standard_normal(_shape_arg(size), dtype=np.float32).astype(dtype), requires_grad)
    return _make(gen.standard_normal(_shape_arg(size), dtype=dtype.type), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, requires_grad=False):
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
    dtype = np.dtype(int64 if dtype is None else dtype)
    values = _generator(generator).integers(low, high, size=_shape_arg((size,)) if isinstance(size, int) else tuple(size))
    return _make(values.astype(dtype), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return _make(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad)


def rand_like(t, dtype=None, requires_grad=False, *, generator=None):
    return rand(*t.shape, generator=generator, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False, *, generator=None):
    return randn(*t.shape, generator=generator, dtype=dtype or t.dtype, requires_grad=requires_grad)
