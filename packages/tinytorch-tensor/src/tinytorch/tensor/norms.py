r"""Vector norms (``torch.norm``, ``Tensor.norm``) and running sums (``torch.cumsum``).

Both are compositions of recorded ops, so module 05 differentiates them with no rule of their
own. The 2-norm :math:`\sqrt{\sum x^2}` takes the square root only where the sum is positive
(and of 1 elsewhere), so its gradient at the zero vector is 0, as in PyTorch, rather than
``0 / 0``. A floating point ``cumsum`` is a product with an upper-triangular matrix of ones
along the dim (one GEMM, :math:`O(n^2)` per row, fine for the lengths models use); integer and
bool inputs need no graph and use ``numpy.cumsum``.
"""

import numpy as np

from . import tensor as _t
from .dims import normalize_dim, normalize_dims
from .elementwise import where

__all__ = ["norm", "cumsum", "NormMethods"]


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The ``p``-norm of ``input`` (along ``dim``): ``p`` is 2 / ``"fro"`` (default) or 1.

    Example:
        >>> norm(_t.Tensor([3.0, 4.0]))
        tensor(5.)
    """
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be floating point, got {input.dtype}")
    axes = list(normalize_dims(dim, input.ndim)) if dim is not None else None
    if p == 1:
        return input.abs().sum(dim=axes, keepdim=keepdim)
    if p not in (2, "fro", 2.0):
        raise NotImplementedError(f"norm(): p={p!r} is not implemented in TinyTorch (expected 1, 2 or 'fro')")
    total = (input * input).sum(dim=axes, keepdim=keepdim)
    positive = total.data > 0
    # sqrt of 1 where the sum is 0: the gradient there is 0 instead of 0 / 0
    return where(positive, where(positive, total, 1.0).sqrt(), 0.0)


def cumsum(input, dim, *, dtype=None):
    """Running sums along ``dim`` (``torch.cumsum``); integer and bool inputs give int64.

    Example:
        >>> cumsum(_t.Tensor([1.0, 2.0, 3.0]), 0)
        tensor([1., 3., 6.])
    """
    if dtype is not None:
        input = input.to(dtype)
    d = normalize_dim(dim, input.ndim)
    if input.dtype.kind != "f" or not input.requires_grad:
        out_dtype = input.dtype if input.dtype.kind == "f" else np.int64
        return _t.Tensor._make(np.cumsum(input.data, axis=d if input.ndim else None, dtype=out_dtype)
                               .reshape(input.shape))
    if input.ndim == 0:
        return input.clone()
    n = input.shape[d]
    ones = _t.Tensor._make(np.triu(np.ones((n, n), dtype=input.dtype)))  # (n, n): out_j = sum_{i<=j} x_i
    moved = input.transpose(d, -1)  # (..., n)
    return (moved @ ones).transpose(d, -1)


class NormMethods:
    """``norm`` and ``cumsum`` as Tensor methods."""

    __slots__ = ()
    norm = norm
    cumsum = cumsum
