"""``one_hot``: class indices to rows of zeros with a single one (``torch.nn.functional.one_hot``).

It lives in module 01 because it is pure indexing on integer tensors, needed as early as the
losses of module 04, and never records a gradient (its result is an integer tensor).
"""

import numpy as np

from .tensor import Tensor

__all__ = ["one_hot"]


def one_hot(tensor, num_classes=-1):
    """``(*)`` int64 class indices -> ``(*, num_classes)`` int64 with a 1 at each index.

    Args:
        tensor: an int64 Tensor of class indices (other dtypes are a RuntimeError, as in PyTorch).
        num_classes: the length of the last dim. Default ``-1``: one more than the largest index.

    Example:
        >>> one_hot(Tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' must be Tensor, not {type(tensor).__name__}")
    labels = tensor.data
    if labels.dtype != np.int64:
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (int64), got {labels.dtype}"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot(): num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes == -1:
        if labels.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError(f"Class values must be non-negative, got {int(labels.min())}.")
    if labels.size and labels.max() >= num_classes or num_classes < -1:
        largest = int(labels.max()) if labels.size else None
        raise RuntimeError(
            f"Class values must be smaller than num_classes ({num_classes}), got {largest}."
        )
    # (*, C): compare every index with 0..C-1 at once, no loop over elements
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64))
