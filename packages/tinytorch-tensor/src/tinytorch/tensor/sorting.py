"""``sort`` and ``argsort`` along a dim (PyTorch's names and NaN order).

``sort`` returns ``(values, indices)``: the indices come from NumPy's stable argsort and the
values are ``gather(input, dim, indices)``, a recorded op, so the gradient (a scatter back to
where each value came from) needs no rule of its own. NaN sorts as larger than every number:
last in ascending order, first in descending order, as in PyTorch.
"""

from collections import namedtuple

import numpy as np

from .dims import normalize_dim
from . import tensor as _t

__all__ = ["sort", "argsort", "SortResult", "SortMethods"]

SortResult = namedtuple("SortResult", ["values", "indices"])


def _order(a, axis, descending):
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")  # NaN last, as PyTorch
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        # lexsort is stable; its last key is the primary one: NaN first, then larger first
        return np.lexsort((np.where(nan, 0, -a), ~nan), axis=axis)
    return np.argsort(~a, axis=axis, kind="stable")  # ~ reverses the order of ints and bools


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim`` (``torch.argsort``); always stable here.

    Example:
        >>> argsort(_t.Tensor([3.0, float("nan"), 1.0]), descending=True)
        tensor([1, 0, 2])
    """
    if not isinstance(input, _t.Tensor):
        raise TypeError(f"argsort(): argument 'input' must be Tensor, not {type(input).__name__}")
    a = input.data
    axis = normalize_dim(dim, a.ndim)
    if a.ndim == 0:
        return _t.Tensor._make(np.zeros((), np.int64))
    return _t.Tensor._make(_order(a, axis, descending).astype(np.int64, copy=False))


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim`` (``torch.sort``); always stable.

    Example:
        >>> sort(_t.Tensor([[3.0, 1.0, 2.0]]))
        SortResult(values=tensor([[1., 2., 3.]]), indices=tensor([[1, 2, 0]]))
    """
    indices = argsort(input, dim, descending)
    if input.ndim == 0:
        return SortResult(input.clone(), indices)
    return SortResult(input.gather(dim, indices), indices)


class SortMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    sort = sort
    argsort = argsort
