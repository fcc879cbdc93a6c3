"""Questions about values, answered without a graph: ``isnan``, ``isinf``, ``isfinite``, ``any``,
``all``, ``count_nonzero``, ``allclose``, ``equal`` (PyTorch's names; results are bool or int64
tensors, or Python bools, so nothing here is recorded)."""

import numpy as np

from .dims import normalize_dims
from . import tensor as _t

__all__ = ["isnan", "isinf", "isfinite", "any", "all", "count_nonzero", "allclose", "equal",
           "PredicateMethods"]


def _data(input, name):
    if not isinstance(input, _t.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.data


def isnan(input):
    """True where ``input`` is NaN (always False for integer and bool tensors)."""
    return _t.Tensor._make(np.isnan(_data(input, "isnan")) if input.dtype.kind == "f"
                        else np.zeros(input.shape, bool))


def isinf(input):
    """True where ``input`` is ``+inf`` or ``-inf``."""
    return _t.Tensor._make(np.isinf(_data(input, "isinf")) if input.dtype.kind == "f"
                        else np.zeros(input.shape, bool))


def isfinite(input):
    """True where ``input`` is neither NaN nor infinite."""
    return _t.Tensor._make(np.isfinite(_data(input, "isfinite")) if input.dtype.kind == "f"
                        else np.ones(input.shape, bool))


def _reduce_bool(fn, input, dim, keepdim, name):
    a = _data(input, name)
    axes = None if dim is None else normalize_dims(dim, a.ndim)
    if a.ndim == 0:
        axes = None
    return _t.Tensor._make(np.asarray(fn(a, axis=axes, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):  # noqa: A001  (torch.any)
    """Whether any element (along ``dim``) is nonzero; a bool tensor (``torch.any``)."""
    return _reduce_bool(np.any, input, dim, keepdim, "any")


def all(input, dim=None, keepdim=False):  # noqa: A001  (torch.all)
    """Whether every element (along ``dim``) is nonzero; a bool tensor (``torch.all``)."""
    return _reduce_bool(np.all, input, dim, keepdim, "all")


def count_nonzero(input, dim=None):
    """The number of nonzero elements (along ``dim``), an int64 tensor."""
    a = _data(input, "count_nonzero")
    axes = None if dim is None else normalize_dims(dim, a.ndim)
    return _t.Tensor._make(np.asarray(np.count_nonzero(a, axis=axes), dtype=np.int64))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` everywhere, as a Python bool (``torch.allclose``).

    Example:
        >>> allclose(_t.Tensor([1.0, 2.0]), _t.Tensor([1.0, 2.0 + 1e-7]))
        True
    """
    a, b = _data(input, "allclose"), _data(other, "allclose")
    if a.dtype != b.dtype:
        raise RuntimeError(f"allclose: {a.dtype} did not match {b.dtype} (cast one of the tensors)")
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise RuntimeError(f"allclose: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def equal(input, other):
    """True when both tensors have the same shape and the same values (``torch.equal``)."""
    a, b = _data(input, "equal"), _data(other, "equal")
    return a.shape == b.shape and bool(np.array_equal(a, b))


class PredicateMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    isnan = isnan
    isinf = isinf
    isfinite = isfinite
    any = any
    all = all
    count_nonzero = count_nonzero
    allclose = allclose
    equal = equal
