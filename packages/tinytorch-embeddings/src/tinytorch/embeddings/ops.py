"""The embedding kernel, a gather, and its gradient rule, a scatter-add.

A lookup ``weight[indices]`` copies one row of the table per id, so its gradient sends each
upstream row back to the row it came from; an id used ``k`` times receives the sum of its ``k``
upstream rows. Only the rows of ids in the batch are nonzero: the dense gradient has the table's
shape, as ``torch.nn.Embedding`` with ``sparse=False`` gives.

The kernels take and return plain ``numpy.ndarray`` values and are registered with autograd in
:mod:`tinytorch.embeddings.functional`.

Why ``np.add.at`` on a flat view: a scatter-add must accumulate repeated ids, which plain fancy
assignment (``gw[ids] += g``) does not. ``np.add.at`` on the 2-d table is slow (it walks rows
through the generic ufunc machinery), but on a 1-d array with an int64 index NumPy 2 takes a
specialised loop. Addressing every element as ``id * D + column`` turns the 2-d scatter into that
1-d case: measured 10x faster than 2-d ``np.add.at``, faster than sorting plus
``np.add.reduceat`` and than one ``np.bincount`` per column (docs/modules/11-embeddings.md).
"""

import numpy as np

__all__ = ["embedding"]


def embedding(weight, indices, padding_idx=None):
    """Rows of ``weight`` picked by ``indices``.

    Args:
        weight: (V, D) table. indices: integer array of any shape (*), every id in ``[0, V)``
            (checked by the caller).
        padding_idx: only used by the gradient rule; the lookup returns that row as it is.

    Returns:
        (*, D): ``out[..., :] = weight[indices[...], :]``, a new array.
    """
    # BEGIN SOLUTION
    # np.take with axis=0 is NumPy's fastest row gather and always returns a copy.
    return np.take(weight, indices, axis=0)
    # END SOLUTION


def embedding_backward(grad, out, weight, indices, padding_idx=None):
    """Gradient of :func:`embedding` with respect to ``weight``: a scatter-add of ``grad`` rows.

    Args:
        grad: (*, D) upstream gradient. out: the forward result (unused).
        weight: (V, D). indices: (*) ids.
        padding_idx: a row whose gradient is forced to zero (never updated), or None.

    Returns:
        ``(grad_weight (V, D), None)``: ids are not differentiable.
    """
    # BEGIN SOLUTION
    rows, dim = weight.shape
    flat_grad = grad.reshape(-1)  # (N * D,) in (id, column) order
    # Element (n, j) of the upstream gradient belongs at flat position indices[n] * D + j.
    target = (indices.reshape(-1, 1) * dim + np.arange(dim)).reshape(-1)  # (N * D,)
    grad_weight = np.zeros(rows * dim, dtype=grad.dtype)
    np.add.at(grad_weight, target, flat_grad)  # repeated ids accumulate
    grad_weight = grad_weight.reshape(rows, dim)
    if padding_idx is not None:
        grad_weight[padding_idx] = 0
    return grad_weight, None
    # END SOLUTION
