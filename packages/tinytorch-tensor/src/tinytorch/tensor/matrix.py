"""``mm``, ``bmm`` and ``t``: PyTorch's rank-checked spellings of the matrix product and transpose.

Each checks the ranks PyTorch requires, then is ``matmul`` or ``transpose`` (recorded ops, so
they need no gradient rule of their own).
"""

import numpy as np

from . import tensor as _t

__all__ = ["mm", "bmm", "t", "outer", "diag", "MatrixMethods"]


def mm(input, mat2):
    """Matrix product of two 2-d tensors (``torch.mm``); other ranks are a RuntimeError.

    Example:
        >>> mm(_t.Tensor([[1.0, 2.0]]), _t.Tensor([[3.0], [4.0]]))
        tensor([[11.]])
    """
    for name, x in (("self", input), ("mat2", mat2)):
        if not isinstance(x, _t.Tensor):
            raise TypeError(f"mm(): argument '{name}' must be Tensor, not {type(x).__name__}")
        if x.ndim != 2:
            raise RuntimeError(f"mm: {name} must be a matrix, got shape {tuple(x.shape)}")
    return _t.matmul(input, mat2)


def bmm(input, mat2):
    """Batched matrix product of two 3-d tensors with the same batch size (``torch.bmm``).

    Shape:
        ``(B, n, k) @ (B, k, m) -> (B, n, m)``; no broadcasting of the batch dim.
    """
    for name, x in (("batch1", input), ("batch2", mat2)):
        if not isinstance(x, _t.Tensor):
            raise TypeError(f"bmm(): argument '{name}' must be Tensor, not {type(x).__name__}")
        if x.ndim != 3:
            raise RuntimeError(f"bmm: {name} must be a 3D tensor, got shape {tuple(x.shape)}")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes {input.shape[0]} and {mat2.shape[0]} differ "
                           f"(shapes {tuple(input.shape)} and {tuple(mat2.shape)})")
    return _t.matmul(input, mat2)


def t(input):
    """The transpose of a tensor of at most 2 dims (``torch.t``): 0-d and 1-d come back as they are."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return input.transpose(0, 1) if input.ndim == 2 else input


def outer(input, vec2):
    """The outer product of two 1-d tensors, ``(n,) x (m,) -> (n, m)`` (``torch.outer``)."""
    for name, x in (("input", input), ("vec2", vec2)):
        if not isinstance(x, _t.Tensor) or x.ndim != 1:
            raise RuntimeError(f"outer: {name} must be a 1-d tensor, got {getattr(x, 'shape', x)!r}")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def diag(input, diagonal=0):
    """A 1-d tensor as the ``diagonal``-th diagonal of a square matrix, or a 2-d tensor's
    ``diagonal``-th diagonal as a 1-d tensor (``torch.diag``; positive ``diagonal`` is above the
    main one). Built from recorded indexing and products, so gradients need no rule of their own.

    Example:
        >>> diag(_t.Tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    k = int(diagonal)
    if input.ndim == 1:
        n = input.shape[0]
        m = n + abs(k)
        pad = _t.Tensor._make(np.zeros(abs(k), input.dtype))
        from .shape import cat  # shape builds on the Tensor class, like this module

        padded = cat([input, pad])  # (m,)
        mask = _t.Tensor._make(np.eye(m, k=k, dtype=input.dtype))  # (m, m), ones on the diagonal
        # row i holds x[i] at column i + k (k >= 0); column j holds x[j] at row j - k (k < 0)
        return (padded.unsqueeze(1) if k >= 0 else padded.unsqueeze(0)) * mask
    if input.ndim == 2:
        rows, cols = input.shape
        start_row, start_col = max(0, -k), max(0, k)
        length = max(0, min(rows - start_row, cols - start_col))
        index = np.arange(length)
        return input[start_row + index, start_col + index]
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


class MatrixMethods:
    """``mm``, ``bmm`` and ``t`` as Tensor methods."""

    __slots__ = ()
    mm = mm
    bmm = bmm
    t = t
    outer = outer
    diag = diag
