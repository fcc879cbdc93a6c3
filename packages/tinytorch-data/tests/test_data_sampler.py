"""Samplers, sampler=/batch_sampler= and the accepted worker options of the DataLoader."""

import numpy as np
import pytest

from tinytorch.data.dataloader import (
    BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    TensorDataset,
)
from tinytorch.tensor import manual_seed


def dataset(n=10):
    return TensorDataset(np.arange(n, dtype=np.float32)[:, None], np.arange(n))


def labels(loader):
    return [y.tolist() for _, y in loader]


def test_sequential_sampler_is_the_default_order():
    ds = dataset(7)
    assert list(SequentialSampler(ds)) == list(range(7)) and len(SequentialSampler(ds)) == 7
    assert labels(DataLoader(ds, batch_size=3, sampler=SequentialSampler(ds))) == \
        labels(DataLoader(ds, batch_size=3))


def test_random_sampler_permutes_and_is_seeded_by_manual_seed():
    ds = dataset(20)
    manual_seed(5)
    first = list(RandomSampler(ds))
    manual_seed(5)
    assert list(RandomSampler(ds)) == first
    assert sorted(first) == list(range(20)) and first != list(range(20))
    manual_seed(5)
    batches = labels(DataLoader(ds, batch_size=6, sampler=RandomSampler(ds)))
    assert [i for b in batches for i in b] == first and [len(b) for b in batches] == [6, 6, 6, 2]


def test_random_sampler_num_samples_and_replacement():
    ds = dataset(4)
    drawn = list(RandomSampler(ds, num_samples=10))
    assert len(drawn) == 10 and sorted(drawn[:4]) == [0, 1, 2, 3] and sorted(drawn[4:8]) == [0, 1, 2, 3]
    with_replacement = list(RandomSampler(ds, replacement=True, num_samples=200,
                                          generator=np.random.default_rng(0)))
    assert len(with_replacement) == 200 and set(with_replacement) == {0, 1, 2, 3}
    assert len(DataLoader(ds, batch_size=3, sampler=RandomSampler(ds, num_samples=10))) == 4


@pytest.mark.parametrize("kwargs, error", [
    (dict(replacement=1), TypeError), (dict(num_samples=0), ValueError),
    (dict(num_samples=2.5), ValueError), (dict(generator=3), TypeError),
])
def test_random_sampler_bad_arguments(kwargs, error):
    with pytest.raises(error):
        RandomSampler(dataset(), **kwargs)


def test_subset_random_sampler_and_plain_iterables_as_samplers():
    ds = dataset(10)
    assert sorted(SubsetRandomSampler([1, 5, 7])) == [1, 5, 7]
    assert labels(DataLoader(ds, batch_size=2, sampler=SubsetRandomSampler([8], np.random.default_rng(1)))) == [[8]]
    assert labels(DataLoader(ds, batch_size=2, sampler=[9, 0, 4])) == [[9, 0], [4]]

    class Evens(Sampler):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5

    assert labels(DataLoader(ds, batch_size=2, sampler=Evens(), drop_last=True)) == [[0, 2], [4, 6]]


def test_batch_sampler_and_loader_batch_sampler():
    bs = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5]] and len(bs) == 2
    loader = DataLoader(dataset(7), batch_sampler=bs)
    assert len(loader) == 2 and labels(loader) == [[0, 1, 2], [3, 4, 5]]
    assert labels(DataLoader(dataset(5), batch_sampler=[[4], [0, 1]])) == [[4], [0, 1]]
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(SequentialSampler(range(3)), 0, False)


@pytest.mark.parametrize("kwargs, match", [
    (dict(shuffle=True, sampler=[0, 1]), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(batch_size=None), "batch_size=None"),
])
def test_loader_option_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(dataset(), **kwargs)


def test_worker_and_pin_memory_options_are_accepted_and_change_nothing():
    ds = dataset(9)
    calls = []
    loader = DataLoader(ds, batch_size=4, num_workers=4, pin_memory=True, persistent_workers=True,
                        prefetch_factor=2, worker_init_fn=calls.append, timeout=5)
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert labels(loader) == labels(DataLoader(ds, batch_size=4))
    assert calls == []  # as PyTorch with num_workers=0: no worker, no worker_init_fn
    assert loader.num_workers == 4 and loader.pin_memory
