"""Datasets and the DataLoader, named as in ``torch.utils.data``.

The loader's job is to turn "sample i" into "a batch of B samples" fast. A Python object per sample
costs microseconds each, which for MNIST (60,000 samples an epoch) adds up to more time than the
model's matmuls. So a dataset backed by arrays exposes ``__getitems__(indices)`` and the loader asks
it for a whole batch at once: one fancy index per array instead of B ``__getitem__`` calls and a
``stack``. Datasets without that method still work through the per-sample path with
:func:`default_collate`, exactly as in PyTorch.
"""

import numbers
import warnings

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

    def __add__(self, other):
        """``a + b`` is ``ConcatDataset([a, b])``, as in PyTorch."""
        from .concat import ConcatDataset  # concat builds on this module

        return ConcatDataset([self, other])


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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (``torch.utils.data.Subset``).

    A batch is still one fancy index when ``dataset`` has ``__getitems__``.

    Example:
        >>> import numpy as np
        >>> sub = Subset(TensorDataset(np.arange(5) * 10), [4, 0])
        >>> len(sub), int(sub[0][0].item())
        (2, 40)
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices):
        picked = self.indices[np.asarray(indices, dtype=np.int64)]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(picked)
        return default_collate([self.dataset[int(i)] for i in picked])

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random :class:`Subset` s
    (``torch.utils.data.random_split``).

    Args:
        dataset: the dataset to split.
        lengths: the sizes (summing to ``len(dataset)``), or fractions summing to 1; as in
            PyTorch, fractions are floored and the remainder handed out one by one from the first.
        generator: a ``numpy.random.Generator`` (``tinytorch.tensor.Generator`` is one).
            Default: TinyTorch's global generator.

    Example:
        >>> import numpy as np
        >>> train, val = random_split(TensorDataset(np.arange(10)), [0.8, 0.2])
        >>> len(train), len(val), sorted(int(i) for i in np.concatenate([train.indices, val.indices]))[:3]
        (8, 2, [0, 1, 2])
    """
    _check_generator("random_split", generator)
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-9:
        counts = [int(np.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"({sum(lengths)} != {n})"
        )
    order = (generator if generator is not None else default_generator).permutation(n)
    bounds = np.cumsum([0] + lengths)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


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


class Sampler:
    """Yields dataset indices in some order (``torch.utils.data.Sampler``).

    Subclasses implement ``__iter__`` (and usually ``__len__``). A :class:`DataLoader` given
    ``sampler=`` cuts that order into batches instead of its own ``range``/permutation.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order (``torch.utils.data.SequentialSampler``).

    Example:
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)

    def _order(self):
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    r"""Indices in random order (``torch.utils.data.RandomSampler``).

    Without replacement, each epoch is a fresh permutation (the first ``num_samples`` of
    repeated permutations when ``num_samples`` is larger than the dataset); with replacement,
    ``num_samples`` independent uniform draws.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement. Default: False.
        num_samples: how many indices per epoch. Default: ``len(data_source)``.
        generator: a ``numpy.random.Generator`` (``tinytorch.tensor.Generator`` is one).
            Default: TinyTorch's global generator, so ``manual_seed`` reproduces the order.

    Example:
        >>> sorted(RandomSampler(range(5)))
        [0, 1, 2, 3, 4]
        >>> len(RandomSampler(range(5), replacement=True, num_samples=12))
        12
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if num_samples is not None and (isinstance(num_samples, bool)
                                        or not isinstance(num_samples, numbers.Integral)
                                        or num_samples <= 0):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _check_generator("RandomSampler", generator)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __len__(self):
        return self.num_samples

    def _order(self):
        # BEGIN SOLUTION
        n, k = len(self.data_source), self.num_samples
        rng = self.generator if self.generator is not None else default_generator
        if self.replacement:
            return rng.integers(0, n, size=k)
        rounds = -(-k // n) if n else 0
        return np.concatenate([rng.permutation(n) for _ in range(rounds)] or [np.arange(0)])[:k]
        # END SOLUTION

    def __iter__(self):
        return iter(self._order().tolist())


class SubsetRandomSampler(Sampler):
    """The given indices in random order (``torch.utils.data.SubsetRandomSampler``).

    Example:
        >>> sorted(SubsetRandomSampler([3, 7, 9]))
        [3, 7, 9]
    """

    def __init__(self, indices, generator=None):
        self.indices = np.asarray(indices, dtype=np.int64)
        self.generator = _check_generator("SubsetRandomSampler", generator)

    def __len__(self):
        return len(self.indices)

    def _order(self):
        rng = self.generator if self.generator is not None else default_generator
        return self.indices[rng.permutation(len(self.indices))]

    def __iter__(self):
        return iter(self._order().tolist())


class BatchSampler(Sampler):
    """Groups a sampler's indices into lists of ``batch_size`` (``torch.utils.data.BatchSampler``).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        order = _sampler_order(self.sampler)
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size].tolist()

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _check_generator(where, generator):
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"{where}: generator must be a numpy.random.Generator (tinytorch.tensor.Generator is "
            f"one), got {type(generator).__name__}"
        )
    return generator


def _sampler_order(sampler):
    """A sampler's indices of one epoch as an int64 array (one vectorised call for ours)."""
    if hasattr(sampler, "_order"):
        return np.asarray(sampler._order(), dtype=np.int64)
    return np.fromiter((int(i) for i in sampler), dtype=np.int64)


class DataLoader:
    r"""Iterate over a dataset in (optionally shuffled) mini-batches (``torch.utils.data.DataLoader``).

    Each epoch takes an order of indices -- ``range(len(dataset))``, a fresh permutation when
    ``shuffle`` is set, or whatever ``sampler`` yields -- cuts it into slices of ``batch_size``
    (or takes the lists a ``batch_sampler`` yields), and turns each slice into a batch:

    - with ``collate_fn=None`` and a dataset that has ``__getitems__`` (``TensorDataset``, MNIST,
      ...), by one call ``dataset.__getitems__(indices)`` -- one fancy index per array;
    - otherwise by ``collate_fn([dataset[i] for i in indices])`` (default :func:`default_collate`).

    Fields come out as Tensors with their arrays' dtypes (datasets here give float32 images and
    int64 labels).

    Args:
        dataset: a :class:`Dataset` (anything with ``__len__`` and ``__getitem__``).
        batch_size: samples per batch. Default: 1.
        shuffle: reshuffle the order every epoch. Default: ``False``.
        sampler: a :class:`Sampler` (or any iterable of indices with ``__len__``) giving the
            order; exclusive with ``shuffle``.
        batch_sampler: yields lists of indices, one per batch; exclusive with ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers: accepted for PyTorch code; batches are always loaded in this process, as
            PyTorch does with ``num_workers=0`` (``worker_init_fn`` is therefore never called).
        collate_fn: merges a list of samples into a batch. Default: :func:`default_collate`.
        pin_memory: accepted; there is no GPU memory to pin for, so it changes nothing (each
            epoch warns, as PyTorch does without an accelerator).
        drop_last: drop the last batch when it is smaller than ``batch_size``. Default: ``False``.
        generator: ``numpy.random.Generator`` (``tinytorch.tensor.Generator`` is one) used for
            shuffling. Default: TinyTorch's global generator, so ``manual_seed`` reproduces it.
        seed: shortcut for ``generator=numpy.random.default_rng(seed)``.

    Unlike PyTorch, ``batch_size=None`` (no automatic batching) is not supported, and the
    worker options (``timeout``, ``prefetch_factor``, ``persistent_workers``, ...) are accepted
    and ignored since there are no worker processes.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=2)]
        [[0, 1], [2, 3], [4]]
        >>> len(DataLoader(ds, batch_size=2, drop_last=True))
        2
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=3, sampler=[4, 3, 2, 1, 0])]
        [[4, 3, 2], [1, 0]]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True, seed=None):
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                f"multiprocessing (got {num_workers!r})"
            )
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got {timeout!r}")
        if batch_size is None:
            raise ValueError("DataLoader: batch_size=None (no automatic batching) is not supported")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                "and drop_last"
            )
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass either generator or seed, not both")
        _check_generator("DataLoader", generator)
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        if seed is not None:
            generator = np.random.default_rng(seed)
        self.generator = generator if generator is not None else default_generator

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _indices(self):
        # BEGIN SOLUTION
        if self.sampler is not None:
            return _sampler_order(self.sampler)
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
        if self.pin_memory:  # PyTorch says the same on a machine without an accelerator
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", UserWarning, stacklevel=2)
        # BEGIN SOLUTION
        if self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield self._fetch(np.asarray(indices, dtype=np.int64))
            return
        order = self._indices()
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield self._fetch(order[start:start + self.batch_size])
        # END SOLUTION

    def __repr__(self):
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
