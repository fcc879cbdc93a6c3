"""One place that turns a user's ``dim`` argument into a non-negative axis, as PyTorch does.

Every op that takes a ``dim`` goes through :func:`normalize_dim` (or :func:`normalize_dims`), so an
out-of-range dim is always PyTorch's ``IndexError`` and never wraps modulo ``ndim``.
"""

import numpy as np


def normalize_dim(dim, ndim, *, extra=0):
    """``dim`` as an axis in ``[0, ndim + extra)``; negative dims count from the end.

    Args:
        dim: an int (Python or NumPy; not bool).
        ndim: the tensor's number of dims. A 0-d tensor accepts dims ``-1`` and ``0``, as in
            PyTorch.
        extra: 1 for ops that insert a dim (``unsqueeze``, ``stack``).

    Raises:
        TypeError: ``dim`` is not an int.
        IndexError: ``dim`` is out of range, with PyTorch's message.

    Example:
        >>> normalize_dim(-1, 3)
        2
        >>> normalize_dim(2, 2)
        Traceback (most recent call last):
        ...
        IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 2)
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__} {dim!r}")
    n = max(ndim + extra, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n if ndim + extra > 0 else 0


def normalize_dims(dim, ndim):
    """A reduction's ``dim`` (None, int, or a list/tuple of ints) as a sorted tuple of axes.

    ``None`` and an empty list/tuple both mean every dim (PyTorch reduces everything for
    ``sum(dim=[])``). A repeated dim is a RuntimeError, as in PyTorch.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = [normalize_dim(d, ndim) for d in dim]
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims {tuple(dim)}")
        return tuple(sorted(axes))
    return (normalize_dim(dim, ndim),)


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit together. PyTorch raises RuntimeError; also a ValueError, which
    TinyTorch raised before, so that code catching either keeps working."""


class Size(tuple):
    """``torch.Size``: a shape as a tuple of ints, with ``numel()``.

    Deliberately unlike PyTorch, ``Tensor.shape`` and ``Tensor.size()`` return plain tuples (the
    ndarray's own, so reading a shape costs nothing); a ``Size`` compares equal to them.

    Example:
        >>> Size([2, 3]), Size([2, 3]).numel(), Size([2, 3]) == (2, 3)
        (torch.Size([2, 3]), 6, True)
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, s in enumerate(sizes):
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                raise TypeError(
                    f"torch.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')"
                )
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self):
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return int(np.prod(self, dtype=np.int64))

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self):
        return f"torch.Size({list(self)})"
