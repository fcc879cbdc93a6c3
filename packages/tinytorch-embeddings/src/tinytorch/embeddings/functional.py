"""``embedding``, the functional form (``torch.nn.functional.embedding``), and the argument checks
every lookup shares. Importing this module registers the gather's scatter-add rule with autograd."""

import numbers

import numpy as np

from tinytorch.autograd import gradient_of
from tinytorch.tensor import Tensor, apply_op

from . import ops

gradient_of(ops.embedding)(ops.embedding_backward)


def check_unsupported(owner, max_norm=None, scale_grad_by_freq=False, sparse=False):
    """Refuse, by name, the torch options this module does not implement (their defaults pass)."""
    for name, value, default in (("max_norm", max_norm, None), ("scale_grad_by_freq", scale_grad_by_freq, False),
                                 ("sparse", sparse, False)):
        if value is not default and value != default:
            raise NotImplementedError(
                f"{owner}: {name}={value!r} is not supported by TinyTorch (dense gradients, no row "
                f"renormalisation); leave {name} at its default {default!r}"
            )


def _check_padding_idx(padding_idx, num_embeddings):
    """``padding_idx`` as a row number in ``[0, num_embeddings)`` (negative counts from the end)."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral):
        raise TypeError(f"padding_idx must be an int or None, got {padding_idx!r}")
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"padding_idx must be within num_embeddings: got {padding_idx} for a table of "
            f"{num_embeddings} rows (expected {-num_embeddings} <= padding_idx < {num_embeddings})"
        )
    return int(padding_idx) % num_embeddings


def _check_ids(input, num_embeddings):
    """The ids of ``input`` as an ``intp`` array, after checking their type, dtype and range."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"embedding(): argument 'input' must be a Tensor of integer ids, got "
            f"{type(input).__name__} (wrap it: Tensor(ids))"
        )
    ids = input.data
    if ids.dtype.kind not in "iu":
        # Name the first id that is not a whole number, or the first one at all for bools.
        flat = ids.reshape(-1)
        bad = flat[flat != np.round(flat)] if ids.dtype.kind == "f" else flat
        shown = f" (e.g. {bad[0].item()!r})" if bad.size else ""
        raise RuntimeError(
            f"embedding(): ids must be an integer tensor (int64 or int32), got dtype "
            f"{ids.dtype}{shown}; convert with .long()"
        )
    if ids.size:
        low, high = ids.min(), ids.max()
        if low < 0 or high >= num_embeddings:
            bad = low if low < 0 else high
            raise IndexError(
                f"embedding(): id {bad.item()} is out of range for a table of {num_embeddings} "
                f"rows (expected 0 <= id < {num_embeddings})"
            )
    return ids.astype(np.intp, copy=False)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    r"""Look up rows of ``weight`` by integer id (``torch.nn.functional.embedding``).

    .. math::
        \text{out}[i_1, \dots, i_k, :] = W[\text{input}[i_1, \dots, i_k], :]

    The gradient with respect to ``weight`` is a scatter-add: an id that appears :math:`k`
    times receives the sum of its :math:`k` upstream gradient rows; rows of ids that do not
    appear get zero.

    Args:
        input: integer Tensor of ids, any shape, each in :math:`[0, V)`.
        weight: float Tensor of shape :math:`(V, D)`, the table.
        padding_idx: the gradient of this row is zero (it is never updated by training); the
            lookup itself still returns the row. Negative values count from the end.
            Default: None.
        max_norm, norm_type, scale_grad_by_freq, sparse: torch's options; only their defaults
            are supported (anything else raises NotImplementedError naming it).

    Shape:
        - Input: :math:`(*)`.
        - Weight: :math:`(V, D)`.
        - Output: :math:`(*, D)`.

    Raises:
        TypeError: ``input`` or ``weight`` is not a Tensor.
        RuntimeError: ids are not integers; ``weight`` is not 2-d floating point.
        IndexError: an id is negative or :math:`\ge V` (the message names it and :math:`V`).

    Unlike PyTorch: ``max_norm``, ``scale_grad_by_freq`` and ``sparse=True`` are refused; any
    integer dtype of ids is accepted; an out-of-range ``padding_idx`` raises ValueError (torch:
    AssertionError).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> w = Tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> out = embedding(Tensor([[1, 2, 1]]), w)
        >>> out
        tensor([[[1., 2.],
                 [3., 4.],
                 [1., 2.]]], grad_fn=embedding)
        >>> out.sum().backward()
        >>> w.grad
        tensor([[0., 0.],
                [2., 2.],
                [1., 1.]])
    """
    check_unsupported("embedding", max_norm, scale_grad_by_freq, sparse)
    # BEGIN SOLUTION
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding(): argument 'weight' must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2 or weight.dtype.kind != "f":
        raise RuntimeError(
            f"embedding(): 'weight' must be a 2-d floating point table (V, D), got shape "
            f"{weight.shape} and dtype {weight.dtype}"
        )
    num_embeddings = weight.shape[0]
    padding_idx = _check_padding_idx(padding_idx, num_embeddings)
    ids = _check_ids(input, num_embeddings)
    return apply_op(ops.embedding, weight, ids, padding_idx=padding_idx)
    # END SOLUTION
