"""Datasets and the DataLoader, named as in ``torch.utils.data``.

The loader's job is to turn "sample i" into "a batch of B samples" fast. A Python object per sample
costs microseconds each, which for MNIST (60,000 samples an epoch) adds up to more time than the
model's matmuls. So a dataset backed by arrays exposes ``__getitems__(indices)`` and the loader asks
it for a whole batch at once: one fancy index per array instead of B ``__getitem__`` calls and a
``stack``. Datasets without that method still work through the per-sample path with
:func:`default_collate`, exactly as in PyTorch.
"""

import numbers

import numpy as np

from tinytorch.tensor import Tensor, default_generator


class Dataset:
    """An indexable collection of samples (``torch.utils.data.Dataset``).

    Subclasses implement ``__getitem__(index)`` returning one sample (usually ``(x, y)``) and
    ``__len__``. Array-backed subclasses may also implement ``__getitems__(indices)`` returning
    the whole batch already stacked, which :class:`DataLoader` then uses instead of
    ``__getitem__`` + :func:`default_collate`.

    Unlike PyTorch, ``__getitems__`` returns the collated batch (a tuple of arrays or Tensors with
    a leading batch dimension), not a list of samples.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class TensorDataset(Dataset):
    r"""Dataset wrapping tensors that share their first dimension.

    Sample ``i`` is ``tuple(t[i] for t in tensors)``; a batch of indices is gathered with one fancy
    index per tensor.

    Args:
        *tensors: Tensors or ndarrays with the same size in dimension 0.

    Shape:
        - Each input: :math:`(N, *)`.
        - ``dataset[i]``: a tuple of :math:`(*)` Tensors.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0]))
        >>> len(ds)
        3
        >>> x, y = ds[1]
        >>> x.tolist(), int(y.item())
        ([2.0, 3.0], 1)
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = []
        for i, t in enumerate(tensors):
            array = t.data if isinstance(t, Tensor) else np.asarray(t)
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is a scalar; expected a leading batch dimension")
            arrays.append(array)
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors in dimension 0: {sizes}")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(a) for t, a in zip(tensors, arrays))
        self._arrays = tuple(t.data for t in self.tensors)

    def __getitem__(self, index):
        return tuple(Tensor(a[index]) for a in self._arrays)

    def __getitems__(self, indices):
        # BEGIN SOLUTION
        indices = np.asarray(indices)
        return tuple(Tensor(a[indices]) for a in self._arrays)
        # END SOLUTION

    def __len__(self):
        return self._arrays[0].shape[0]


def _as_tensor(value):
    """Wrap a collated field as a Tensor, keeping an ndarray's dtype (``torch.as_tensor``)."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


def default_collate(batch):
    """Merge a list of samples into a batch (``torch.utils.data.default_collate``).

    Tensors and ndarrays are stacked along a new first dimension; Python ints become an int64
    Tensor and floats a float32 Tensor (PyTorch makes float64 here); tuples, lists and dicts are
    collated field by field.

    Example:
        >>> import numpy as np
        >>> xs, ys = default_collate([(np.array([1.0, 2.0]), 0), (np.array([3.0, 4.0]), 1)])
        >>> xs.shape, ys.dtype, ys.tolist()
        ((2, 2), dtype('int64'), [0, 1])
    """
    # BEGIN SOLUTION
    if len(batch) == 0:
        raise ValueError("default_collate got an empty batch")
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [b.data if isinstance(b, Tensor) else np.asarray(b) for b in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"default_collate: cannot stack samples of different shapes {sorted(shapes)}")
        return _as_tensor(np.stack(arrays))
    if isinstance(first, bool):
        return Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(first, numbers.Integral):
        return Tensor(np.array(batch, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return Tensor(np.array(batch, dtype=np.float32))
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        lengths = {len(sample) for sample in batch}
        if len(lengths) != 1:
            raise ValueError(f"default_collate: samples have different numbers of fields: {sorted(lengths)}")
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return fields if isinstance(first, list) else tuple(fields)
    raise TypeError(
        f"default_collate: cannot collate samples of type {type(first).__name__}; "
        "expected Tensors, ndarrays, numbers, or tuples/lists/dicts of them"
    )
    # END SOLUTION


class DataLoader:
    r"""Iterate over a dataset in (optionally shuffled) mini-batches (``torch.utils.data.DataLoader``).

    Each epoch draws a fresh permutation of ``range(len(dataset))`` when ``shuffle`` is set, cuts
    it into slices of ``batch_size`` indices, and turns each slice into a batch:

    - with ``collate_fn=None`` and a dataset that has ``__getitems__`` (``TensorDataset``, MNIST,
      ...), by one call ``dataset.__getitems__(indices)`` -- one fancy index per array;
    - otherwise by ``collate_fn([dataset[i] for i in indices])`` (default :func:`default_collate`).

    Fields come out as Tensors with their arrays' dtypes (datasets here give float32 images and
    int64 labels).

    Args:
        dataset: a :class:`Dataset` (anything with ``__len__`` and ``__getitem__``).
        batch_size: samples per batch. Default: 1.
        shuffle: reshuffle the order every epoch. Default: ``False``.
        drop_last: drop the last batch when it is smaller than ``batch_size``. Default: ``False``.
        collate_fn: merges a list of samples into a batch. Default: :func:`default_collate`.
        generator: ``numpy.random.Generator`` used for shuffling. Default: TinyTorch's global
            generator, so ``manual_seed`` makes the order reproducible.
        seed: shortcut for ``generator=numpy.random.default_rng(seed)``.

    ``generator`` is a NumPy generator, not a ``torch.Generator``; there are no worker processes.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=2)]
        [[0, 1], [2, 3], [4]]
        >>> len(DataLoader(ds, batch_size=2, drop_last=True))
        2
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 generator=None, seed=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass either generator or seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"DataLoader: generator must be a numpy.random.Generator, got {type(generator).__name__}"
            )
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        if seed is not None:
            generator = np.random.default_rng(seed)
        self.generator = generator if generator is not None else default_generator

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _indices(self):
        # BEGIN SOLUTION
        n = len(self.dataset)
        if self.shuffle:
            return self.generator.permutation(n)
        return np.arange(n)
        # END SOLUTION

    def _fetch(self, indices):
        # BEGIN SOLUTION
        if self.collate_fn is None and hasattr(self.dataset, "__getitems__"):
            batch = self.dataset.__getitems__(indices)
            if isinstance(batch, (tuple, list)):
                return tuple(_as_tensor(field) for field in batch)
            return _as_tensor(batch)
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        return collate([self.dataset[int(i)] for i in indices])
        # END SOLUTION

    def __iter__(self):
        # BEGIN SOLUTION
        order = self._indices()
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, len(order)), self.batch_size):
            yield self._fetch(order[start:start + self.batch_size])
        # END SOLUTION

    def __repr__(self):
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
