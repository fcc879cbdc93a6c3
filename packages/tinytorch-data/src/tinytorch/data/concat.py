"""``ConcatDataset``: several datasets read as one (``torch.utils.data.ConcatDataset``)."""

import bisect

import numpy as np

from tinytorch.tensor import Tensor

from .dataloader import Dataset, default_collate

__all__ = ["ConcatDataset"]


def _join(parts):
    """One field of several collated batches joined along the batch dim, keeping its type."""
    if all(isinstance(p, Tensor) for p in parts):
        return Tensor(np.concatenate([p.data for p in parts]))
    return np.concatenate([np.asarray(p) for p in parts])


class ConcatDataset(Dataset):
    """The samples of each dataset in ``datasets``, one after the other.

    Index ``i`` goes to the dataset whose range of ``cumulative_sizes`` holds it. A batch is one
    ``__getitems__`` call per dataset it touches when they all have one (one fancy index each,
    then one reordering), else ``__getitem__`` per sample and :func:`default_collate`.

    Args:
        datasets: an iterable of datasets (at least one).

    Attributes:
        datasets: the list of datasets.
        cumulative_sizes: ``[len(d0), len(d0) + len(d1), ...]``.

    Example:
        >>> import numpy as np
        >>> from tinytorch.data import TensorDataset
        >>> ds = ConcatDataset([TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 12))])
        >>> len(ds), int(ds[3][0].item()), ds.cumulative_sizes
        (5, 10, [3, 5])
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def _absolute(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError(
                    f"absolute value of index should not exceed dataset length, got {index} for "
                    f"a dataset of length {len(self)}"
                )
            index += len(self)
        if index >= len(self):
            raise IndexError(f"index {index} is out of range for a dataset of length {len(self)}")
        return index

    def __getitem__(self, index):
        index = self._absolute(int(index))
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def __getitems__(self, indices):
        indices = np.array([self._absolute(int(i)) for i in np.asarray(indices).ravel()], dtype=np.int64)
        if not all(hasattr(d, "__getitems__") for d in self.datasets):
            return default_collate([self[int(i)] for i in indices])
        which = np.searchsorted(self.cumulative_sizes, indices, side="right")  # (B,)
        starts = np.array([0] + self.cumulative_sizes[:-1], dtype=np.int64)
        used = np.unique(which)
        parts = [self.datasets[d].__getitems__(indices[which == d] - starts[d]) for d in used]
        # the parts hold the samples grouped by dataset; put them back in the order asked for
        grouped = np.concatenate([np.flatnonzero(which == d) for d in used])
        order = np.empty_like(grouped)
        order[grouped] = np.arange(len(grouped))
        if not isinstance(parts[0], tuple):
            return _join(parts)[order]
        return tuple(_join(field)[order] for field in zip(*parts))
