"""Reductions and selection: ``sum``, ``mean``, ``var``, ``max``/``min``, ``argmax``, ``topk``, ``gather``.

Each function is also the Tensor method of the same name. ``dim`` is None (every dim), an int,
or a list/tuple of ints (an empty one also means every dim, as in PyTorch); ``keepdims`` is
accepted as an alias of ``keepdim``, as PyTorch accepts it.
"""

import contextlib
import warnings
from collections import namedtuple

import numpy as np

from . import ops
from . import tensor as _t
from .dims import normalize_dim, normalize_dims
from .dtypes import as_dtype, int64
from .elementwise import where

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _keep(keepdim, keepdims):
    return keepdim if keepdims is None else keepdims


def _axes(input, dim):
    """``dim`` as a tuple of axes (None for every dim of a 0-d or when all are reduced)."""
    if dim is None:
        return None
    return normalize_dims(dim, input.data.ndim) if input.data.ndim else None


def sum(input, dim=None, keepdim=False, *, dtype=None, keepdims=None):
    """Sum over ``dim``; bool and integer inputs sum in int64 (``torch.sum``)."""
    a = input.data
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    elif a.dtype.kind in "biu" and a.dtype != int64:
        input = _t.Tensor._make(a.astype(int64))
    return _t.apply_op(ops.sum, input, dim=_axes(input, dim), keepdim=_keep(keepdim, keepdims))


@contextlib.contextmanager
def _quiet():
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _need_float(input, name):
    if input.data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.data.dtype}"
        )


def mean(input, dim=None, keepdim=False, *, dtype=None, keepdims=None):
    """Mean over ``dim`` (``torch.mean``); integer inputs need ``dtype=`` a float dtype."""
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    _need_float(input, "mean")
    attrs = {"dim": _axes(input, dim), "keepdim": _keep(keepdim, keepdims)}
    if input.data.size == 0:
        with _quiet():  # the mean of nothing is nan, silently, as in PyTorch
            return _t.apply_op(ops.mean, input, **attrs)
    return _t.apply_op(ops.mean, input, **attrs)


def var(input, dim=None, keepdim=False, *, correction=1, unbiased=None, keepdims=None):
    """Variance with Bessel's ``correction`` (1: unbiased, PyTorch's default; 0: biased)."""
    return _spread(ops.var, "var", input, dim, keepdim, correction, unbiased, keepdims)


def std(input, dim=None, keepdim=False, *, correction=1, unbiased=None, keepdims=None):
    """Standard deviation; its gradient is 0 where it is 0, as in PyTorch (``torch.std``)."""
    return _spread(ops.std, "std", input, dim, keepdim, correction, unbiased, keepdims)


def _spread(kernel, name, input, dim, keepdim, correction, unbiased, keepdims):
    _need_float(input, name)
    if unbiased is not None:
        correction = int(bool(unbiased))
    axes = _axes(input, dim)
    attrs = {"dim": axes, "keepdim": _keep(keepdim, keepdims), "correction": correction}
    shape = input.data.shape
    count = input.data.size if axes is None else int(np.prod([shape[d] for d in axes]))
    if count - correction <= 0:
        with _quiet():  # too few elements for the correction: nan or inf, silently, as in PyTorch
            return _t.apply_op(kernel, input, **attrs)
    return _t.apply_op(kernel, input, **attrs)


def _nonempty(input, name, dim=None):
    a = input.data
    if dim is None:
        if a.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return None
    d = normalize_dim(dim, a.ndim)
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return d


def _select(input, arg_fn, name, dim, keepdim):
    d = _nonempty(input, name, dim)
    if input.data.ndim == 0:
        return MaxResult(input.reshape(()), _t.Tensor._make(np.zeros((), dtype=np.int64)))
    # BEGIN SOLUTION
    indices = arg_fn(input.data, axis=d, keepdims=True)  # (..., 1, ...)
    values = gather(input, d, indices)
    indices = _t.Tensor._make(indices)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return MaxResult(values, indices)
    # END SOLUTION


def max(input, dim=None, keepdim=False):
    """Largest value; with ``dim``, a ``(values, indices)`` pair as in PyTorch.

    Gradients: without ``dim`` they are shared equally among tied maxima; with ``dim`` they go
    to the element at the returned index.
    """
    if isinstance(dim, _t.Tensor):  # torch.max(a, b): the elementwise maximum
        return maximum(input, dim)
    if dim is None:
        _nonempty(input, "max")
        return _t.apply_op(ops.amax, input)
    return _select(input, np.argmax, "max", dim, keepdim)


def min(input, dim=None, keepdim=False):
    """Smallest value; see :func:`max`."""
    if isinstance(dim, _t.Tensor):
        return minimum(input, dim)
    if dim is None:
        _nonempty(input, "min")
        return _t.apply_op(ops.amin, input)
    return _select(input, np.argmin, "min", dim, keepdim)


def maximum(input, other):
    """Elementwise maximum (``torch.maximum``); ties send the gradient to ``input``."""
    return where(input >= other, input, other)


def minimum(input, other):
    """Elementwise minimum (``torch.minimum``); ties send the gradient to ``input``."""
    return where(input <= other, input, other)


def amax(input, dim=None, keepdim=False):
    for d in (() if dim is None else normalize_dims(dim, input.data.ndim)):
        _nonempty(input, "amax", d)
    if dim is None:
        _nonempty(input, "amax")
    return _t.apply_op(ops.amax, input, dim=_axes(input, dim), keepdim=keepdim)


def amin(input, dim=None, keepdim=False):
    for d in (() if dim is None else normalize_dims(dim, input.data.ndim)):
        _nonempty(input, "amin", d)
    if dim is None:
        _nonempty(input, "amin")
    return _t.apply_op(ops.amin, input, dim=_axes(input, dim), keepdim=keepdim)


def _arg(input, fn, name, dim, keepdim):
    if input.data.dtype.kind == "b":
        raise RuntimeError(f'"{name}_cpu" not implemented for \'Bool\'')
    if dim is None:
        if input.data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = np.asarray(fn(input.data))
        return _t.Tensor._make(out.reshape((1,) * input.data.ndim) if keepdim else out)
    d = _nonempty(input, name, dim)
    if input.data.ndim == 0:
        return _t.Tensor._make(np.zeros((), dtype=np.int64))
    return _t.Tensor._make(fn(input.data, axis=d, keepdims=keepdim))


def argmax(input, dim=None, keepdim=False):
    return _arg(input, np.argmax, "argmax", dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg(input, np.argmin, "argmin", dim, keepdim)


def gather(input, dim, index):
    """Pick ``input[..., index[i], ...]`` along ``dim`` (``torch.gather``)."""
    a = input.data
    index = index.data if isinstance(index, _t.Tensor) else index
    if not isinstance(index, np.ndarray):
        raise TypeError(f"gather(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise RuntimeError(
            f"gather(): Expected dtype int64 for index, got {getattr(index, 'dtype', type(index).__name__)}"
        )
    d = normalize_dim(dim, a.ndim)
    if index.ndim != (a.ndim or 1) and not (a.ndim == 0 and index.ndim == 0):
        raise RuntimeError(
            f"Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {index.shape}, input shape {a.shape})"
        )
    too_big = [k for k in range(index.ndim) if k != d and index.shape[k] > a.shape[k]]
    if too_big:
        raise RuntimeError(
            f"Size does not match at dimension {too_big[0]} expected index {index.shape} to be "
            f"smaller than self {a.shape} apart from dimension {d}"
        )
    if index.size:
        n = a.shape[d] if a.ndim else 1
        low, high = index.min(), index.max()
        if low < 0 or high >= n:
            bad = low if low < 0 else high
            raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return _t.apply_op(ops.gather, input, dim=d, index=index)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices (``torch.topk``).

    Returns a ``(values, indices)`` pair. NaN counts as larger than every number, as in
    PyTorch; the values are always sorted (``sorted=False`` allows any order in PyTorch).
    """
    a = input.data
    d = normalize_dim(dim, a.ndim)
    if a.ndim == 0:
        a = a.reshape(1)
    n = a.shape[d]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, dim {dim} has size {n})")
    if k == 0:
        index = np.zeros(a.shape[:d] + (0,) + a.shape[d + 1:], dtype=np.int64)
    else:
        # argpartition puts NaN last, so the top block holds the k largest with NaN on top
        kth = n - k if largest else k - 1
        part = np.argpartition(a, kth, axis=d) if k < n else np.argsort(a, axis=d)
        part = np.take(part, np.arange(n - k, n) if largest else np.arange(k), axis=d)
        order = np.argsort(np.take_along_axis(a, part, axis=d), axis=d, kind="stable")
        index = np.take_along_axis(part, order, axis=d)
        if largest:
            index = np.flip(index, axis=d)
    index = np.ascontiguousarray(index, dtype=np.int64)
    if input.data.ndim == 0:  # a 0-d input is a 1-element row; k = 1 gives 0-d results
        values = gather(input.reshape(1), 0, index)
        return MaxResult(values.reshape(()), _t.Tensor._make(index.reshape(()))) if k else MaxResult(values, _t.Tensor._make(index))
    return MaxResult(gather(input, d, index), _t.Tensor._make(index))


def logsumexp(input, dim, keepdim=False):
    r""":math:`\log \sum_i e^{x_i}` along ``dim``, without overflow (``torch.logsumexp``).

    Computed as :math:`m + \log \sum_i e^{x_i - m}` with :math:`m` the (constant) maximum, from
    recorded ops, so the gradient is the softmax along ``dim`` and needs no rule of its own.
    Integer inputs give float32, as in PyTorch.

    Example:
        >>> logsumexp(_t.Tensor([1000.0, 1000.0]), 0)
        tensor(1000.6932)
    """
    if input.data.dtype.kind != "f":
        input = _t.Tensor._make(input.data.astype(np.float32))
    axes = normalize_dims(dim, input.data.ndim) if input.data.ndim else ()
    if input.data.ndim == 0:
        return input.clone()
    with np.errstate(invalid="ignore"):
        m = np.amax(input.data, axis=axes, keepdims=True) if input.data.size else np.zeros(
            [1 if k in axes else n for k, n in enumerate(input.shape)], input.dtype)
    m = np.where(np.isfinite(m), m, 0).astype(input.dtype)  # all -inf (or inf) rows: shift by 0
    total = (input - _t.Tensor._make(m)).exp().sum(dim=list(axes), keepdim=keepdim).log()
    return total + _t.Tensor._make(m if keepdim else np.squeeze(m, axis=axes))


class ReductionMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    sum = sum
    mean = mean
    var = var
    std = std
    max = max
    min = min
    amax = amax
    amin = amin
    argmax = argmax
    argmin = argmin
    gather = gather
    topk = topk
    logsumexp = logsumexp
