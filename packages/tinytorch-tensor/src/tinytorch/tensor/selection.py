"""Picking parts of a tensor by position: ``flip``, ``index_select``, ``narrow``, ``nonzero``.

The first three are indexing with an index array or a slice along one dim, a recorded op whose
gradient (a scatter back to the picked positions) needs no rule of its own; ``nonzero`` returns
int64 positions and is never recorded.
"""

import numpy as np

from . import tensor as _t
from .dims import normalize_dim, normalize_dims

__all__ = ["flip", "index_select", "narrow", "nonzero", "SelectionMethods"]


def _along(input, dim, key):
    index = [slice(None)] * input.ndim
    index[dim] = key
    return input[tuple(index)]


def flip(input, dims):
    """``input`` with the order of entries reversed along each of ``dims`` (``torch.flip``; a copy).

    Example:
        >>> flip(_t.Tensor([[1, 2], [3, 4]]), [1])
        tensor([[2, 1],
                [4, 3]])
    """
    out = input
    for d in normalize_dims(dims if isinstance(dims, (tuple, list)) else [dims], input.ndim):
        out = _along(out, d, np.arange(input.shape[d] - 1, -1, -1))
    return out if out is not input else input.clone()


def index_select(input, dim, index):
    """The entries at ``index`` (1-d int64) along ``dim`` (``torch.index_select``)."""
    index = index.data if isinstance(index, _t.Tensor) else index
    if not isinstance(index, np.ndarray) or index.dtype.kind not in "iu" or index.ndim > 1:
        raise RuntimeError(f"index_select(): index must be a 1-d integer tensor, got {index!r}")
    d = normalize_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= n):
        bad = index[(index < 0) | (index >= n)]
        raise RuntimeError(f"index_select(): index {int(bad[0])} is out of range for dim {dim} of size {n} "
                           f"(expected 0 <= index < {n})")
    return _along(input, d, index.reshape(-1)) if input.ndim else input.reshape(1)[index.reshape(-1)]


def narrow(input, dim, start, length):
    """The ``length`` entries from ``start`` along ``dim`` (``torch.narrow``; a view)."""
    d = normalize_dim(dim, input.ndim)
    n = input.shape[d]
    start = int(start) + (n if int(start) < 0 else 0)
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n})")
    return _along(input, d, slice(start, start + int(length)))


def nonzero(input, *, as_tuple=False):
    """Positions of the nonzero entries: ``(count, ndim)`` int64, or one 1-d tensor per dim with
    ``as_tuple=True`` (``torch.nonzero``)."""
    positions = np.nonzero(np.atleast_1d(input.data))
    if as_tuple:
        return tuple(_t.Tensor._make(p.astype(np.int64)) for p in positions)
    return _t.Tensor._make(np.stack(positions, axis=1).astype(np.int64) if input.ndim else
                           np.zeros((int(bool(input.data)), 0), np.int64))


class SelectionMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    flip = flip
    index_select = index_select
    narrow = narrow
    nonzero = nonzero
