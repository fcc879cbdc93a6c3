import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.data import DataLoader, Dataset, TensorDataset, default_collate
from tinytorch.tensor import Tensor, manual_seed


class Squares(Dataset):
    """A map-style dataset without __getitems__: exercises the per-sample path."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 3

    def __len__(self):
        return self.n


def test_tensor_dataset_indexing_and_len():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.array([0, 1, 2, 0, 1, 2])
    ds = TensorDataset(Tensor(x), y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8.0, 9.0] and yi.item() == 1
    xb, yb = ds.__getitems__(np.array([5, 0]))
    assert xb.shape == (2, 2) and yb.tolist() == [2, 0]


def test_tensor_dataset_rejects_mismatched_sizes():
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_loader_batches_in_order_with_last_partial_batch():
    ds = TensorDataset(np.arange(7.0), np.arange(7))
    batches = [y.tolist() for _, y in DataLoader(ds, batch_size=3)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(DataLoader(ds, batch_size=3)) == 3


def test_loader_drop_last():
    ds = TensorDataset(np.arange(7.0), np.arange(7))
    loader = DataLoader(ds, batch_size=3, drop_last=True)
    assert [y.tolist() for _, y in loader] == [[0, 1, 2], [3, 4, 5]]
    assert len(loader) == 2


def test_loader_keeps_array_dtypes():
    ds = TensorDataset(np.zeros((4, 2), dtype=np.float32), np.arange(4, dtype=np.int64))
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.dtype == np.float32 and y.dtype == np.int64
    ds64 = TensorDataset(np.zeros((4, 2), dtype=np.float64), np.arange(4, dtype=np.int32))
    x, y = next(iter(DataLoader(ds64, batch_size=4)))
    assert x.dtype == np.float64 and y.dtype == np.int32


def test_loader_seeded_shuffle_is_reproducible_and_differs_per_epoch():
    ds = TensorDataset(np.arange(20.0), np.arange(20))
    a = DataLoader(ds, batch_size=5, shuffle=True, seed=3)
    b = DataLoader(ds, batch_size=5, shuffle=True, seed=3)
    epoch_a1 = np.concatenate([y.numpy() for _, y in a])
    epoch_a2 = np.concatenate([y.numpy() for _, y in a])
    epoch_b1 = np.concatenate([y.numpy() for _, y in b])
    assert np.array_equal(epoch_a1, epoch_b1)
    assert not np.array_equal(epoch_a1, epoch_a2)
    assert sorted(epoch_a1.tolist()) == list(range(20))


def test_loader_uses_global_generator_by_default():
    ds = TensorDataset(np.arange(50.0), np.arange(50))
    manual_seed(7)
    first = [y.tolist() for _, y in DataLoader(ds, batch_size=50, shuffle=True)]
    manual_seed(7)
    second = [y.tolist() for _, y in DataLoader(ds, batch_size=50, shuffle=True)]
    assert first == second and first[0] != list(range(50))


def test_loader_generator_argument():
    ds = TensorDataset(np.arange(10.0), np.arange(10))
    order = [y.tolist() for _, y in DataLoader(ds, batch_size=10, shuffle=True,
                                               generator=np.random.default_rng(1))]
    assert order[0] == np.random.default_rng(1).permutation(10).tolist()


def test_loader_per_sample_path_for_plain_datasets():
    x, y = next(iter(DataLoader(Squares(5), batch_size=4)))
    assert x.tolist() == [[0, 0], [1, 1], [2, 4], [3, 9]]
    assert y.tolist() == [0, 1, 2, 0] and y.dtype == np.int64


def test_loader_collate_fn_receives_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return samples

    ds = TensorDataset(np.arange(5.0), np.arange(5))
    out = list(DataLoader(ds, batch_size=2, collate_fn=collate))
    assert seen == [2, 2, 1] and isinstance(out[0], list) and len(out[0][0]) == 2


def test_loader_uses_getitems_once_per_batch():
    calls = []

    class Batched(TensorDataset):
        def __getitem__(self, index):
            raise AssertionError("per-sample path used")

        def __getitems__(self, indices):
            calls.append(len(indices))
            return super().__getitems__(indices)

    list(DataLoader(Batched(np.zeros((10, 3)), np.zeros(10)), batch_size=4))
    assert calls == [4, 4, 2]


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"seed": 1, "generator": np.random.default_rng(0)}, "either"),
    ({"generator": 5}, "numpy.random.Generator"),
])
def test_loader_bad_arguments(kwargs, match):
    ds = TensorDataset(np.zeros(3), np.zeros(3))
    with pytest.raises((ValueError, TypeError), match=match):
        DataLoader(ds, **kwargs)


def test_loader_rejects_non_dataset():
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(42)


def test_default_collate_types():
    xs, ys = default_collate([(np.ones(2), 1), (np.zeros(2), 2)])
    assert xs.dtype == np.float64 and xs.shape == (2, 2)
    assert ys.dtype == np.int64 and ys.tolist() == [1, 2]
    assert default_collate([0.5, 1.5]).dtype == np.float32
    assert default_collate([True, False]).dtype == np.bool_
    d = default_collate([{"a": 1}, {"a": 2}])
    assert d["a"].tolist() == [1, 2]
    lst = default_collate([[1, 2], [3, 4]])
    assert isinstance(lst, list) and [t.tolist() for t in lst] == [[1, 3], [2, 4]]


def test_default_collate_errors():
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="str"):
        default_collate(["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        default_collate([])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 60), batch_size=st.integers(1, 17), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**31))
def test_loader_covers_every_index_once(n, batch_size, shuffle, drop_last, seed):
    ds = TensorDataset(np.arange(n, dtype=np.float32), np.arange(n))
    loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    pairs = [(x.numpy(), y.numpy()) for x, y in loader]
    batches = [y for _, y in pairs]
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert all(np.array_equal(x, y.astype(np.float32)) for x, y in pairs)
    seen = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    assert len(set(seen.tolist())) == len(seen)
    expected = n - n % batch_size if drop_last else n
    assert len(seen) == expected
    if not shuffle:
        assert seen.tolist() == list(range(expected))
