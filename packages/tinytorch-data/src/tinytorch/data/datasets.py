"""Verified datasets: TinyDigits, MNIST, Fashion-MNIST and CIFAR-10 (``torchvision.datasets``' names).

Each class reads files that :mod:`tinytorch.data.files` has checked against their pinned size and
sha256, decodes them into one uint8 array plus int64 targets, and serves batches with one fancy
index. Nothing untrusted is unpickled: CIFAR-10's pickled batches go through an unpickler that
allows exactly the three NumPy globals an array needs.
"""

import gzip
import hashlib
import os
import pickle
import struct

import numpy as np

from tinytorch.tensor import Tensor

from .dataloader import Dataset
from .files import (
    TINYDIGITS_SHA256, DatasetIntegrityError, _cifar_members, _decode, _require, _spec, data_root,
)

try:
    from numpy._core.multiarray import _reconstruct as _np_reconstruct
except ImportError:  # NumPy < 2
    from numpy.core.multiarray import _reconstruct as _np_reconstruct


class _ImageDataset(Dataset):
    """Images in one uint8/float array plus int64 targets; batches come from one fancy index."""

    classes = ()

    def __init__(self, data, targets, transform, scale, channels_last):
        self.data = data
        self.targets = targets
        self.transform = transform
        self._scale = np.float32(scale)
        self._channels_last = channels_last

    def _images(self, indices):
        x = self.data[indices]
        if self._channels_last:
            x = x.transpose(0, 3, 1, 2)  # (B, H, W, C) -> (B, C, H, W)
        else:
            x = x[:, None]  # (B, H, W) -> (B, 1, H, W)
        x = x.astype(np.float32) * self._scale
        if self.transform is not None:
            x = self.transform(x)
        return x

    def __getitem__(self, index):
        x = self._images(np.array([index]))[0]  # (C, H, W)
        return Tensor(np.ascontiguousarray(x)), int(self.targets[index])

    def __getitems__(self, indices):
        # BEGIN SOLUTION
        indices = np.asarray(indices)
        return Tensor(np.ascontiguousarray(self._images(indices))), Tensor(self.targets[indices])
        # END SOLUTION

    def __len__(self):
        return len(self.targets)

    def __repr__(self):
        split = "train" if self.train else "test"
        return f"{type(self).__name__}(split={split!r}, samples={len(self)}, transform={self.transform!r})"


def _array_sha256(images, labels):
    h = hashlib.sha256(images.astype("<f4").tobytes())
    h.update(labels.astype("<i8").tobytes())
    return h.hexdigest()


def _tinydigits_split(path):
    table = np.loadtxt(gzip.open(path, "rt"), delimiter=",", dtype=np.int64)  # (1797, 65)
    images = (table[:, :64].reshape(-1, 8, 8) / 16.0).astype(np.float32)
    labels = table[:, 64]
    rng = np.random.default_rng(42)
    train, test = [], []
    for c in range(10):
        chosen = rng.permutation(np.flatnonzero(labels == c))[:120]
        train.append(chosen[:100])
        test.append(chosen[100:])
    train = rng.permutation(np.concatenate(train))
    test = rng.permutation(np.concatenate(test))
    return {"train": (images[train], labels[train]), "test": (images[test], labels[test])}



class TinyDigits(_ImageDataset):
    """TinyDigits: 8x8 handwritten digits, 1000 train (100 per class) and 200 test (20 per class).

    Generated deterministically from scikit-learn's ``digits.csv.gz`` (1,797 images of the UCI
    optdigits test set): per class, 120 images drawn with ``numpy.random.default_rng(42)``, the
    first 100 for training and the other 20 for testing; pixels (0..16) divided by 16. The result
    is checked against pinned sha256 values, so every machine trains on identical arrays.

    Args:
        root: data root (see :func:`data_root`); the source file is ``<root>/digits8x8/digits.csv.gz``.
        train: the training split if ``True``, else the test split.
        transform: a batch transform applied to ``(B, 1, 8, 8)`` float32 images.
        download: fetch the source file when it is missing.

    Attributes:
        data: ``(N, 8, 8)`` float32 in ``[0, 1]``.
        targets: ``(N,)`` int64 class indices.

    Shape:
        - ``dataset[i]``: ``((1, 8, 8) float32 Tensor, int)``.

    Example:
        >>> ds = TinyDigits(train=False)  # doctest: +SKIP
        >>> len(ds), ds[0][0].shape  # doctest: +SKIP
        (200, (1, 8, 8))
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, root=None, train=True, transform=None, download=False):
        spec = _spec("tinydigits")
        path = _require(spec, root, download)["digits.csv.gz"]
        split = "train" if train else "test"
        images, labels = _decode(spec, path, _tinydigits_split, path)[split]
        digest = _array_sha256(images, labels)
        if digest != TINYDIGITS_SHA256[split]:
            raise DatasetIntegrityError(
                f"TinyDigits {split} split generated from {path} has sha256 {digest}, "
                f"expected {TINYDIGITS_SHA256[split]}"
            )
        self.train = bool(train)
        super().__init__(images, labels, transform, scale=1.0, channels_last=False)


def _read_idx(path, magic, ndim):
    """Parse an IDX file, gzip'd (``.gz``) or not (big-endian header: magic, then one int32 per
    dimension)."""
    # BEGIN SOLUTION
    with (gzip.open if os.fspath(path).endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetIntegrityError(f"{path} is too short for an IDX header ({len(raw)} bytes)")
    got_magic, *dims = struct.unpack(f">{1 + ndim}i", raw[:header])
    if got_magic != magic:
        raise DatasetIntegrityError(f"{path}: IDX magic {got_magic:#010x}, expected {magic:#010x}")
    count = int(np.prod(dims))
    if len(raw) - header != count:
        raise DatasetIntegrityError(f"{path}: {len(raw) - header} data bytes, header says {count}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)
    # END SOLUTION


class MNIST(_ImageDataset):
    """MNIST handwritten digits (``torchvision.datasets.MNIST``), read from the original IDX files.

    Args:
        root: data root (see :func:`data_root`); files are ``<root>/mnist/<official names>``,
            or torchvision's ``<root>/MNIST/raw/`` (the ``.gz`` files or their uncompressed
            copies), each checked against its pinned size and sha256.
        train: the 60,000 training images if ``True``, else the 10,000 test images.
        transform: a batch transform applied to ``(B, 1, 28, 28)`` float32 images in ``[0, 1]``.
        download: fetch missing files (from the ossci-datasets / cvdf mirrors).

    Attributes:
        data: ``(N, 28, 28)`` uint8, as in torchvision.
        targets: ``(N,)`` int64.

    Samples are float32 in ``[0, 1]`` (torchvision's ``ToTensor`` built in), so no PIL is involved.

    Shape:
        - ``dataset[i]``: ``((1, 28, 28) float32 Tensor, int)``.

    Example:
        >>> ds = MNIST(train=False)  # doctest: +SKIP
        >>> ds.data.shape, ds[0][0].shape  # doctest: +SKIP
        ((10000, 28, 28), (1, 28, 28))
    """

    _dataset_name = "mnist"
    classes = tuple(f"{d} - {w}" for d, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]))

    def __init__(self, root=None, train=True, transform=None, download=False):
        spec = _spec(self._dataset_name)
        paths = _require(spec, root, download)
        prefix = "train" if train else "t10k"
        image_path, label_path = paths[f"{prefix}-images-idx3-ubyte.gz"], paths[f"{prefix}-labels-idx1-ubyte.gz"]
        images = _decode(spec, image_path, _read_idx, image_path, 0x00000803, 3)
        labels = _decode(spec, label_path, _read_idx, label_path, 0x00000801, 1).astype(np.int64)
        if images.shape[0] != labels.shape[0]:
            raise DatasetIntegrityError(
                f"{spec.title}: {images.shape[0]} images but {labels.shape[0]} labels")
        self.train = bool(train)
        super().__init__(images, labels, transform, scale=1.0 / 255.0, channels_last=False)


class FashionMNIST(MNIST):
    """Fashion-MNIST (``torchvision.datasets.FashionMNIST``): Zalando's clothing images in MNIST's format.

    The files are found in ``<root>/fashion-mnist/`` or where Debian's ``dataset-fashion-mnist``
    package installs them (``/usr/share/datasets/fashion-mnist``). Arguments, attributes and
    shapes as :class:`MNIST`; there is no download (``download=True`` explains where to get them).
    """

    _dataset_name = "fashion-mnist"
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


_CIFAR_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles dicts/lists/strings/numbers and NumPy arrays; refuses every other global."""

    def find_class(self, module, name):
        try:
            return _CIFAR_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR batch may only contain NumPy arrays, "
                f"lists, strings and numbers"
            ) from None


def _load_cifar_batch(path):
    with open(path, "rb") as f:
        # the batches were written by Python 2: latin1 maps its byte strings 1:1 (NumPy's advice)
        return _RestrictedUnpickler(f, encoding="latin1").load()


def _cifar_entry(path):
    """One CIFAR batch as ``{"data": (n, 3072) uint8, "labels": list}``."""
    entry = _load_cifar_batch(path)
    return {"data": np.asarray(entry["data"], dtype=np.uint8), "labels": list(entry["labels"])}


def _cifar_classes(path):
    """The class names of ``batches.meta``."""
    return tuple(str(name) for name in _load_cifar_batch(path)["label_names"])



class CIFAR10(_ImageDataset):
    """CIFAR-10 (``torchvision.datasets.CIFAR10``): 32x32 colour images in 10 classes.

    Reads the official python version: ``<root>/cifar-10/cifar-10-python.tar.gz`` (pinned size and
    sha256), extracted once into ``<root>/cifar-10/cifar-10-batches-py/`` with each batch checked
    against its published md5. Batches are unpickled by a loader that accepts NumPy arrays only.

    Args:
        root: data root (see :func:`data_root`).
        train: the 50,000 training images (``data_batch_1..5``) if ``True``, else ``test_batch``.
        transform: a batch transform applied to ``(B, 3, 32, 32)`` float32 images in ``[0, 1]``.
        download: fetch the archive (170 MB) when missing.

    Attributes:
        data: ``(N, 32, 32, 3)`` uint8 (channels last, as torchvision).
        targets: ``(N,)`` int64.
        classes: the 10 class names from ``batches.meta``.

    Shape:
        - ``dataset[i]``: ``((3, 32, 32) float32 Tensor, int)``.
    """

    def __init__(self, root=None, train=True, transform=None, download=False):
        spec = _spec("cifar10")
        folder = data_root(root) / spec.folder
        if not all((folder / m).is_file() for m in spec.members):
            _require(spec, root, download)
        batches = _cifar_members(spec, root)
        names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
        images, labels = [], []
        for name in names:
            entry = _decode(spec, batches / name, _cifar_entry, batches / name)
            data = entry["data"]
            if data.ndim != 2 or data.shape[1] != 3072 or len(entry["labels"]) != data.shape[0]:
                raise DatasetIntegrityError(
                    f"{batches / name}: data {data.shape} and {len(entry['labels'])} labels; "
                    "expected (n, 3072) uint8 and n labels")
            images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))  # (n, 32, 32, 3)
            labels.append(np.asarray(entry["labels"], dtype=np.int64))
        self.classes = _decode(spec, batches / "batches.meta", _cifar_classes, batches / "batches.meta")
        self.train = bool(train)
        super().__init__(np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels),
                         transform, scale=1.0 / 255.0, channels_last=True)
