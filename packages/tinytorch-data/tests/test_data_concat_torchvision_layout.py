"""ConcatDataset (and ``a + b``), and MNIST read from torchvision's ``<root>/MNIST/raw`` layout."""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.data import MNIST, ConcatDataset, DataLoader, Dataset, DatasetIntegrityError, TensorDataset

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"no shared datasets at {SHARED}")


class Plain(Dataset):
    """A dataset without ``__getitems__``: the per-sample path."""

    def __init__(self, values):
        self.values = values

    def __getitem__(self, index):
        return self.values[index], index

    def __len__(self):
        return len(self.values)


def two():
    return (TensorDataset(np.arange(3.0), np.arange(3)),
            TensorDataset(np.arange(10.0, 14.0), np.arange(10, 14)))


class TestConcatDataset:
    def test_indexing_and_sizes(self):
        a, b = two()
        ds = ConcatDataset([a, b])
        assert len(ds) == 7 and ds.cumulative_sizes == [3, 7] and ds.datasets == [a, b]
        assert ds[0][1].item() == 0 and ds[3][1].item() == 10 and ds[-1][1].item() == 13
        assert len(a + b) == 7 and (a + b)[4][1].item() == 11

    def test_batches_keep_the_order_asked_for(self):
        ds = ConcatDataset(two())
        x, y = ds.__getitems__([5, 0, 3, 2, 6])
        assert y.data.tolist() == [12, 0, 10, 2, 13] and x.dtype == np.float64
        batches = [b[1].data.tolist() for b in DataLoader(ds, batch_size=4)]
        assert batches == [[0, 1, 2, 10], [11, 12, 13]]

    def test_datasets_without_getitems(self):
        ds = ConcatDataset([Plain([1.0, 2.0]), Plain([3.0])])
        x, i = next(iter(DataLoader(ds, batch_size=3)))
        assert x.data.tolist() == [1.0, 2.0, 3.0] and i.data.tolist() == [0, 1, 0]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="should not be an empty iterable"):
            ConcatDataset([])
        ds = ConcatDataset(two())
        with pytest.raises(ValueError, match="should not exceed dataset length"):
            ds[-8]
        with pytest.raises(IndexError, match="index 7 is out of range"):
            ds[7]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.data())
def test_concat_equals_concatenating_the_arrays(sizes, data):
    arrays = [np.arange(sum(sizes[:i]), sum(sizes[:i + 1])) for i in range(len(sizes))]
    ds = ConcatDataset([TensorDataset(a) for a in arrays])
    flat = np.concatenate(arrays)
    picks = data.draw(st.lists(st.integers(-len(flat), len(flat) - 1), min_size=1, max_size=10))
    assert ds.__getitems__(picks)[0].data.tolist() == flat[picks].tolist()


@needs_shared
def test_mnist_from_torchvisions_raw_folder(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        os.symlink(SHARED / "mnist" / name, raw / name)
    # torchvision keeps the uncompressed copy; here it is the only copy of the test images
    with gzip.open(SHARED / "mnist" / "t10k-images-idx3-ubyte.gz") as src, open(raw / "t10k-images-idx3-ubyte", "wb") as dst:
        shutil.copyfileobj(src, dst)
    ours = MNIST(root=tmp_path, train=False)
    reference = MNIST(root=SHARED.parent / "datasets", train=False)
    np.testing.assert_array_equal(ours.data, reference.data)
    np.testing.assert_array_equal(ours.targets, reference.targets)


@needs_shared
def test_a_changed_uncompressed_file_is_refused(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        os.symlink(SHARED / "mnist" / name, raw / name)
    labels = bytearray(gzip.decompress((SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    labels[-1] = (labels[-1] + 1) % 10
    (raw / "t10k-labels-idx1-ubyte").write_bytes(bytes(labels))
    with pytest.raises(DatasetIntegrityError, match=r"t10k-labels-idx1-ubyte has sha256 .* expected ff7bcfd4"):
        MNIST(root=tmp_path, train=False)
