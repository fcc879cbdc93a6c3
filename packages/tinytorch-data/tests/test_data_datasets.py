import dataclasses
import gzip
import hashlib
import http.server
import io
import os
import pickle
import shutil
import struct
import tarfile
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

import tinytorch.data.datasets as dsmod
from tinytorch.data import (
    CIFAR10, DATASETS, MNIST, DataLoader, DatasetIntegrityError, DatasetNotFoundError, FashionMNIST,
    FileSpec, Normalize, TinyDigits, data_root, fetch, verify,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"no shared datasets at {SHARED}")


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _pin(path, urls=()):
    data = Path(path).read_bytes()
    return FileSpec(Path(path).name, len(data), _sha256(data), tuple(urls))


# --- data root and registry ---------------------------------------------------------------

def test_data_root_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(tmp_path / "env"))
    assert data_root(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("TINYTORCH_DATA_DIR")
    assert data_root() == Path(os.path.expanduser("~")) / ".cache" / "tinytorch"


def test_registry_pins_every_file():
    assert set(DATASETS) == {"tinydigits", "mnist", "fashion-mnist", "cifar10"}
    for spec in DATASETS.values():
        assert spec.description and spec.license and spec.files
        for f in spec.files:
            assert f.size > 0 and len(f.sha256) == 64 and int(f.sha256, 16) >= 0


def test_unknown_dataset_names_the_choices():
    with pytest.raises(KeyError, match="mnist"):
        verify("imagenet")


# --- real shared data ---------------------------------------------------------------------

@needs_shared
def test_tinydigits_balanced_and_pinned():
    train, test = TinyDigits(root=SHARED), TinyDigits(root=SHARED, train=False)
    assert train.data.shape == (1000, 8, 8) and test.data.shape == (200, 8, 8)
    assert np.bincount(train.targets).tolist() == [100] * 10
    assert np.bincount(test.targets).tolist() == [20] * 10
    assert train.data.dtype == np.float32 and 0.0 <= train.data.min() and train.data.max() <= 1.0
    x, y = train[0]
    assert x.shape == (1, 8, 8) and isinstance(y, int)


@needs_shared
def test_tinydigits_detects_a_changed_generator(monkeypatch):
    monkeypatch.setitem(dsmod.TINYDIGITS_SHA256, "test", "0" * 64)
    with pytest.raises(DatasetIntegrityError, match="TinyDigits test split"):
        TinyDigits(root=SHARED, train=False)


@needs_shared
def test_mnist_from_shared_folder():
    test = MNIST(root=SHARED, train=False)
    assert test.data.shape == (10000, 28, 28) and test.data.dtype == np.uint8
    assert np.bincount(test.targets).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    x, y = next(iter(DataLoader(test, batch_size=64)))
    assert x.shape == (64, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist()[:3] == [7, 2, 1]
    assert all(r.ok for r in verify("mnist", root=SHARED))


@needs_shared
def test_mnist_transform_applies_to_batch():
    test = MNIST(root=SHARED, train=False, transform=Normalize(0.1307, 0.3081))
    x, _ = test.__getitems__(np.arange(1000))
    assert abs(float(x.numpy().mean())) < 0.1


def test_fashion_mnist_from_debian_package_if_installed():
    spec = DATASETS["fashion-mnist"]
    system = Path(spec.system_dirs[0])
    if not system.is_dir():
        pytest.skip(f"Debian package dataset-fashion-mnist not installed ({system} absent)")
    ds = FashionMNIST(root="/nonexistent-root", train=False)
    assert ds.data.shape == (10000, 28, 28) and np.bincount(ds.targets).tolist() == [1000] * 10


# --- IDX files written by the tests ---------------------------------------------------------

def _write_idx(folder, prefix, images, labels):
    folder.mkdir(parents=True, exist_ok=True)
    n, h, w = images.shape
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">iiii", 0x803, n, h, w) + images.astype(np.uint8).tobytes())
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">ii", 0x801, n) + labels.astype(np.uint8).tobytes())


def _fake_mnist(tmp_path, monkeypatch, name="mnist"):
    rng = np.random.default_rng(0)
    folder = tmp_path / DATASETS[name].folder
    images = {p: rng.integers(0, 256, (n, 28, 28)) for p, n in (("train", 12), ("t10k", 5))}
    labels = {p: rng.integers(0, 10, len(v)) for p, v in images.items()}
    for p in images:
        _write_idx(folder, p, images[p], labels[p])
    pinned = tuple(_pin(folder / f.name) for f in DATASETS[name].files)
    monkeypatch.setitem(DATASETS, name, dataclasses.replace(DATASETS[name], files=pinned, system_dirs=()))
    return images, labels


@pytest.mark.parametrize("cls, name", [(MNIST, "mnist"), (FashionMNIST, "fashion-mnist")])
def test_idx_loader_round_trip(tmp_path, monkeypatch, cls, name):
    images, labels = _fake_mnist(tmp_path, monkeypatch, name)
    ds = cls(root=tmp_path, train=True)
    np.testing.assert_array_equal(ds.data, images["train"])
    np.testing.assert_array_equal(ds.targets, labels["train"])
    x, y = ds[3]
    np.testing.assert_allclose(x.numpy()[0], images["train"][3] / 255.0, rtol=1e-6)
    assert len(cls(root=tmp_path, train=False)) == 5


def test_idx_bad_magic_is_reported(tmp_path, monkeypatch):
    _fake_mnist(tmp_path, monkeypatch)
    folder = tmp_path / "mnist"
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">ii", 0x803, 5) + bytes(5))
    spec = DATASETS["mnist"]
    pinned = tuple(_pin(folder / f.name) for f in spec.files)
    monkeypatch.setitem(DATASETS, "mnist", dataclasses.replace(spec, files=pinned))
    with pytest.raises(DatasetIntegrityError, match="magic 0x00000803, expected 0x00000801"):
        MNIST(root=tmp_path, train=False)


def test_missing_file_message_names_file_hash_and_folder(tmp_path):
    with pytest.raises(DatasetNotFoundError) as err:
        MNIST(root=tmp_path)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" in message
    assert str(tmp_path / "mnist") in message
    assert "ossci-datasets" in message


def test_corrupt_file_is_rejected_with_both_hashes(tmp_path, monkeypatch):
    _fake_mnist(tmp_path, monkeypatch)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    report = [r for r in verify("mnist", root=tmp_path) if r.name == path.name][0]
    assert report.status == "hash" and report.actual_digest == _sha256(bytes(data))
    with pytest.raises(DatasetIntegrityError, match=report.expected_digest):
        MNIST(root=tmp_path, train=False)
    with pytest.raises(DatasetIntegrityError, match="delete it"):
        fetch("mnist", root=tmp_path)


def test_wrong_size_is_reported(tmp_path, monkeypatch):
    _fake_mnist(tmp_path, monkeypatch)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes() + b"x")
    report = [r for r in verify("mnist", root=tmp_path) if r.name == path.name][0]
    assert report.status == "size" and "BAD SIZE" in str(report)


# --- downloads ----------------------------------------------------------------------------

def _source_and_spec(tmp_path, monkeypatch, url_for):
    """Fake MNIST files in a source folder; the spec pins them and points at url_for(name)."""
    src = tmp_path / "src"
    _write_idx(src, "train", np.zeros((3, 28, 28)), np.arange(3))
    _write_idx(src, "t10k", np.ones((2, 28, 28)), np.arange(2))
    files = tuple(_pin(src / f.name, [url_for(f.name)]) for f in DATASETS["mnist"].files)
    monkeypatch.setitem(DATASETS, "mnist", dataclasses.replace(DATASETS["mnist"], files=files))
    return src


def test_download_from_file_urls(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_OFFLINE", raising=False)
    src = _source_and_spec(tmp_path, monkeypatch, lambda n: (tmp_path / "src" / n).as_uri())
    root = tmp_path / "root"
    reports = fetch("mnist", root=root)
    assert [r.status for r in reports] == ["ok"] * 4
    assert (root / "mnist" / "t10k-images-idx3-ubyte.gz").read_bytes() == (
        src / "t10k-images-idx3-ubyte.gz").read_bytes()
    assert not [p for p in (root / "mnist").iterdir() if p.name.endswith(".part")]
    assert len(MNIST(root=root, train=False)) == 2


@pytest.fixture
def http_dir():
    """A local HTTP server on 127.0.0.1 serving a folder; shut down after the test."""
    served = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            return str(served["dir"] / path.lstrip("/"))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served["url"] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield served
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_download_over_http_and_bad_mirror_fallback(tmp_path, monkeypatch, http_dir):
    monkeypatch.delenv("TINYTORCH_OFFLINE", raising=False)
    http_dir["dir"] = tmp_path / "src"
    src = _source_and_spec(tmp_path, monkeypatch, lambda n: http_dir["url"] + n)
    # a first mirror that serves a wrong file, then the good one
    (tmp_path / "src" / "bad").mkdir()
    spec = DATASETS["mnist"]
    for f in spec.files:
        (tmp_path / "src" / "bad" / f.name).write_bytes(b"\0" * f.size)
    files = tuple(dataclasses.replace(f, urls=(http_dir["url"] + "bad/" + f.name,) + f.urls) for f in spec.files)
    monkeypatch.setitem(DATASETS, "mnist", dataclasses.replace(spec, files=files))
    root = tmp_path / "root"
    assert all(r.ok for r in fetch("mnist", root=root))
    assert (root / "mnist" / "train-labels-idx1-ubyte.gz").read_bytes() == (
        src / "train-labels-idx1-ubyte.gz").read_bytes()


def test_download_failure_leaves_nothing_behind(tmp_path, monkeypatch, http_dir):
    monkeypatch.delenv("TINYTORCH_OFFLINE", raising=False)
    http_dir["dir"] = tmp_path / "src"
    _source_and_spec(tmp_path, monkeypatch, lambda n: http_dir["url"] + n)
    spec = DATASETS["mnist"]
    files = (dataclasses.replace(spec.files[0], sha256="f" * 64),) + spec.files[1:]
    monkeypatch.setitem(DATASETS, "mnist", dataclasses.replace(spec, files=files))
    root = tmp_path / "root"
    with pytest.raises(DatasetNotFoundError, match="sent sha256"):
        fetch("mnist", root=root)
    assert list((root / "mnist").iterdir()) == []


def test_offline_never_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYTORCH_OFFLINE", "1")
    _source_and_spec(tmp_path, monkeypatch, lambda n: (tmp_path / "src" / n).as_uri())
    root = tmp_path / "root"
    with pytest.raises(DatasetNotFoundError) as err:
        MNIST(root=root, download=True)
    message = str(err.value)
    assert "TINYTORCH_OFFLINE" in message and str(root / "mnist") in message
    assert DATASETS["mnist"].files[0].sha256 in message
    assert not (root / "mnist").exists() or not list((root / "mnist").iterdir())


def test_fashion_mnist_has_no_download_and_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_OFFLINE", raising=False)
    spec = dataclasses.replace(DATASETS["fashion-mnist"], system_dirs=())
    monkeypatch.setitem(DATASETS, "fashion-mnist", spec)
    with pytest.raises(DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        FashionMNIST(root=tmp_path, download=True)


# --- CIFAR-10 in the official format -------------------------------------------------------

def _py2_pickle(obj):
    """Pickle like Python 2's cPickle (protocol 2): str as BINSTRING, arrays via numpy.core."""
    out = io.BytesIO()

    def string(s):
        b = s.encode("latin1") if isinstance(s, str) else s
        out.write((b"U" + bytes([len(b)])) if len(b) < 256 else (b"T" + struct.pack("<I", len(b))))
        out.write(b)

    def integer(i):
        out.write(b"J" + struct.pack("<i", i))

    def save(o):
        if isinstance(o, dict):
            out.write(b"}(")
            for k, v in o.items():
                save(k)
                save(v)
            out.write(b"u")
        elif isinstance(o, list):
            out.write(b"](")
            for v in o:
                save(v)
            out.write(b"e")
        elif isinstance(o, (str, bytes)):
            string(o)
        elif isinstance(o, (int, np.integer)):
            integer(int(o))
        elif isinstance(o, np.ndarray):
            assert o.dtype == np.uint8
            out.write(b"cnumpy.core.multiarray\n_reconstruct\n")
            out.write(b"cnumpy\nndarray\n" + b"K\x00\x85")
            string("b")
            out.write(b"\x87R(K\x01(")
            for d in o.shape:
                integer(d)
            out.write(b"tcnumpy\ndtype\n")
            string("u1")
            out.write(b"K\x00K\x01\x87R(K\x03")
            string("|")
            out.write(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89")
            string(o.tobytes())
            out.write(b"tb")
        else:
            raise TypeError(type(o))

    out.write(b"\x80\x02")
    save(o=obj)
    out.write(b".")
    return out.getvalue()


CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _cifar_archive(tmp_path, per_batch=4, extra_member=None):
    rng = np.random.default_rng(0)
    members, batches = {}, {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072)).astype(np.uint8)
        labels = rng.integers(0, 10, per_batch).tolist()
        batches[name] = (data, labels)
        members[name] = _py2_pickle({"batch_label": f"{name} of 5", "labels": labels, "data": data,
                                     "filenames": [f"img_{i}.png" for i in range(per_batch)]})
    members["batches.meta"] = _py2_pickle({"num_cases_per_batch": per_batch, "label_names": CLASSES,
                                           "num_vis": 3072})
    members["readme.html"] = b"<html></html>"
    if extra_member:
        members[extra_member[0]] = extra_member[1]
    folder = tmp_path / "cifar-10"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py")
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name if "/" in name or name.startswith("..") else f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    md5 = {f"cifar-10-batches-py/{n}": hashlib.md5(d).hexdigest()
           for n, d in members.items() if n != "readme.html" and not n.startswith((".", "/"))}
    return archive, md5, batches


def _pin_cifar(monkeypatch, archive, md5):
    spec = dataclasses.replace(DATASETS["cifar10"], files=(_pin(archive),), members=md5)
    monkeypatch.setitem(DATASETS, "cifar10", spec)


def test_py2_pickle_helper_reads_back_like_the_official_files():
    data = np.arange(6, dtype=np.uint8).reshape(2, 3)
    entry = pickle.loads(_py2_pickle({"data": data, "labels": [1, 2]}), encoding="latin1")
    np.testing.assert_array_equal(entry["data"], data)
    assert entry["labels"] == [1, 2]


def test_cifar10_loads_official_format(tmp_path, monkeypatch):
    archive, md5, batches = _cifar_archive(tmp_path)
    _pin_cifar(monkeypatch, archive, md5)
    train = CIFAR10(root=tmp_path, train=True)
    assert train.data.shape == (20, 32, 32, 3) and train.classes == tuple(CLASSES)
    expected = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    np.testing.assert_array_equal(train.data, expected.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.targets.tolist() == sum((batches[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    x, y = train[0]
    assert x.shape == (3, 32, 32)
    np.testing.assert_allclose(x.numpy(), expected[0].reshape(3, 32, 32) / 255.0, rtol=1e-6)
    test = CIFAR10(root=tmp_path, train=False)
    assert len(test) == 4 and test.targets.tolist() == batches["test_batch"][1]
    assert all(r.ok for r in verify("cifar10", root=tmp_path))


def test_cifar10_rejects_tampered_extracted_batch(tmp_path, monkeypatch):
    archive, md5, _ = _cifar_archive(tmp_path)
    _pin_cifar(monkeypatch, archive, md5)
    CIFAR10(root=tmp_path, train=False)
    batch = tmp_path / "cifar-10" / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(batch.read_bytes()[:-2] + b"tb")
    with pytest.raises(DatasetIntegrityError, match="md5"):
        CIFAR10(root=tmp_path, train=False)


@pytest.mark.parametrize("member", ["../escape", "cifar-10-batches-py/evil.py"])
def test_cifar10_archive_member_allow_list(tmp_path, monkeypatch, member):
    archive, md5, _ = _cifar_archive(tmp_path, extra_member=(member, b"print('hi')"))
    md5 = {k: v for k, v in md5.items() if k in DATASETS["cifar10"].members}
    _pin_cifar(monkeypatch, archive, md5)
    with pytest.raises(DatasetIntegrityError, match="unexpected member"):
        CIFAR10(root=tmp_path)
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "cifar-10" / "cifar-10-batches-py").exists()


def test_restricted_unpickler_refuses_other_globals(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "evil"
    path.write_bytes(pickle.dumps({"data": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        dsmod._load_cifar_batch(path)


def test_cifar10_missing_archive_message(tmp_path):
    with pytest.raises(DatasetNotFoundError) as err:
        CIFAR10(root=tmp_path)
    message = str(err.value)
    assert "cifar-10-python.tar.gz" in message and "170,498,071" in message
    assert "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce" in message
    assert str(tmp_path / "cifar-10") in message


# --- a verified file that changes in place is caught when it is decoded ---------------------
# The digest cache trusts (path, size, mtime): cheap re-checks every epoch, but a file rewritten
# in place with its old size and timestamp gets past it within one process. The decoder then
# fails, and that failure must be the integrity error with its fix, never a raw gzip/pickle error.

def _rewrite_in_place(path, change):
    """Replace ``path``'s bytes by ``change(bytes)`` (same length), restoring its mtime."""
    stat = os.stat(path)
    data = path.read_bytes()
    new = change(data)
    assert len(new) == len(data) and new != data
    path.write_bytes(new)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(path).st_size == stat.st_size and os.stat(path).st_mtime_ns == stat.st_mtime_ns


def _flip_middle(data):
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 8]) + data[middle + 8:]


def _zero_tail(data):
    return data[: len(data) // 2] + bytes(len(data) - len(data) // 2)


def _break_magic(data):
    return b"\x00\x00" + data[2:]


@pytest.mark.parametrize("change", [_flip_middle, _zero_tail, _break_magic])
def test_mnist_changed_after_verification(tmp_path, monkeypatch, change):
    _fake_mnist(tmp_path, monkeypatch)
    MNIST(root=tmp_path, train=True)  # verified: the digests are cached
    path = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    _rewrite_in_place(path, change)
    with pytest.raises(DatasetIntegrityError) as info:
        MNIST(root=tmp_path, train=True)
    message = str(info.value)
    assert str(path) in message and "cannot be decoded" in message
    assert "tito data fetch mnist" in message and "replace it with the official file" in message
    assert isinstance(info.value.__cause__, (OSError, EOFError, ValueError, zlib.error))
    # The cache entry is gone: the next load hashes the file again and reports the mismatch.
    with pytest.raises(DatasetIntegrityError, match="has sha256 .* expected"):
        MNIST(root=tmp_path, train=True)


def test_a_bad_idx_header_carries_the_fix(tmp_path, monkeypatch):
    _fake_mnist(tmp_path, monkeypatch)
    MNIST(root=tmp_path, train=False)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    # A valid gzip of a wrong header with exactly the old compressed size is hard to make, so
    # swap the decoder's input instead: same effect as bytes changing under the cache.
    real_open = gzip.open
    bad = _BytesFile(struct.pack(">ii", 0x803, 5) + raw[8:])
    monkeypatch.setattr(dsmod.gzip, "open", lambda p, mode="rb": bad if p == path else real_open(p, mode))
    with pytest.raises(DatasetIntegrityError, match="magic 0x00000803, expected 0x00000801.*tito data fetch mnist"):
        MNIST(root=tmp_path, train=False)


class _BytesFile:
    def __init__(self, data):
        self.data = data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return self.data


@needs_shared
def test_tinydigits_changed_after_verification(tmp_path):
    (tmp_path / "digits8x8").mkdir()
    shutil.copy(SHARED / "digits8x8" / "digits.csv.gz", tmp_path / "digits8x8" / "digits.csv.gz")
    TinyDigits(root=tmp_path, train=False)
    path = tmp_path / "digits8x8" / "digits.csv.gz"
    _rewrite_in_place(path, _zero_tail)
    with pytest.raises(DatasetIntegrityError, match="cannot be decoded.*tito data fetch tinydigits"):
        TinyDigits(root=tmp_path, train=False)


def test_cifar_batch_changed_after_verification(tmp_path, monkeypatch):
    archive, md5, _ = _cifar_archive(tmp_path)
    _pin_cifar(monkeypatch, archive, md5)
    CIFAR10(root=tmp_path, train=False)
    batch = tmp_path / "cifar-10" / "cifar-10-batches-py" / "test_batch"
    _rewrite_in_place(batch, _zero_tail)
    with pytest.raises(DatasetIntegrityError, match="test_batch cannot be decoded.*tito data fetch cifar10"):
        CIFAR10(root=tmp_path, train=False)


def test_an_untouched_file_still_loads_from_the_cache(tmp_path, monkeypatch):
    images, _ = _fake_mnist(tmp_path, monkeypatch)
    first = MNIST(root=tmp_path, train=True)
    second = MNIST(root=tmp_path, train=True)
    np.testing.assert_array_equal(first.data, second.data)
    np.testing.assert_array_equal(second.data, images["train"])
