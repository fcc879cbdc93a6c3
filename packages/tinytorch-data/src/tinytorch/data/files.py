"""Verified data files: the registry of pinned files, their checks, download and extraction.

Every file a dataset reads is pinned by size and sha256 in :data:`DATASETS` and checked before
use (once per process). Files live under one data root (:func:`data_root`):
``<root>/<folder>/<official file names>``. :func:`fetch` downloads what is missing to a temporary
file in the target folder and renames it only after the check passes; with
``TINYTORCH_OFFLINE=1`` it never touches the network and instead says which file to put where.
CIFAR-10's tar archive is extracted with the ``"data"`` filter and a member allow-list. The
dataset classes that read these files are in :mod:`tinytorch.data.datasets`.
"""

import dataclasses
import hashlib
import os
import pickle
import shutil
import struct
import sys
import tarfile
import tempfile
import urllib.request
import zlib
from pathlib import Path


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is missing and could not (or may not) be downloaded."""


class DatasetIntegrityError(ValueError):
    """A dataset file exists but its size, hash or format is not the pinned one."""


@dataclasses.dataclass(frozen=True)
class FileSpec:
    """One pinned file: its official name, size in bytes, sha256 and download URLs (tried in order).

    ``raw_size``/``raw_sha256`` pin the decompressed bytes of a ``.gz`` file, for the
    uncompressed copy torchvision keeps beside it (``<root>/MNIST/raw/train-images-idx3-ubyte``).
    """

    name: str
    size: int
    sha256: str
    urls: tuple = ()
    raw_size: int = 0
    raw_sha256: str = ""


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What :func:`fetch`, :func:`verify` and ``tito data`` know about a dataset.

    ``folder`` is the subfolder of the data root holding ``files``; ``system_dirs`` are further
    read-only places searched for them (a distribution package's install folder). ``members``
    maps the names inside an archive to their published md5 (CIFAR-10). ``torchvision_folder``
    names torchvision's folder for the dataset (``<root>/<torchvision_folder>/raw``), searched too.
    """

    name: str
    title: str
    description: str
    license: str
    source: str
    folder: str
    files: tuple
    system_dirs: tuple = ()
    members: dict = dataclasses.field(default_factory=dict)
    how_to_get: str = ""
    torchvision_folder: str = ""


@dataclasses.dataclass
class FileReport:
    """The result of checking one file (``status`` is ``"ok"``, ``"missing"``, ``"size"`` or ``"hash"``)."""

    dataset: str
    name: str
    path: str
    status: str
    expected_size: int = None
    expected_digest: str = ""
    digest_name: str = "sha256"
    actual_size: int = None
    actual_digest: str = ""

    @property
    def ok(self):
        return self.status == "ok"

    def __str__(self):
        if self.ok:
            return f"ok       {self.dataset}/{self.name}  ({self.path})"
        if self.status == "missing":
            return f"missing  {self.dataset}/{self.name}  (expected at {self.path})"
        if self.status == "size":
            return (f"BAD SIZE {self.dataset}/{self.name}  {self.path}: {self.actual_size} bytes, "
                    f"expected {self.expected_size}")
        return (f"BAD HASH {self.dataset}/{self.name}  {self.path}: {self.digest_name} {self.actual_digest}, "
                f"expected {self.expected_digest}")


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def _mnist_file(name, size, sha256, raw_size, raw_sha256):
    return FileSpec(name, size, sha256, tuple(base + name for base in _MNIST_MIRRORS), raw_size, raw_sha256)


DATASETS = {
    "tinydigits": DatasetSpec(
        name="tinydigits",
        title="TinyDigits",
        description="1,200 8x8 handwritten digits (1000 train / 200 test, balanced), generated "
                    "deterministically from scikit-learn's digits.csv.gz (UCI optdigits).",
        license="CC BY 4.0 (Alpaydin & Kaynak, UCI optdigits); scikit-learn's copy is BSD-3-Clause",
        source="scikit-learn sklearn/datasets/data/digits.csv.gz",
        folder="digits8x8",
        files=(FileSpec(
            "digits.csv.gz", 57523, "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
            ("https://raw.githubusercontent.com/scikit-learn/scikit-learn/main/sklearn/datasets/data/"
             "digits.csv.gz",),
        ),),
        how_to_get="Any scikit-learn install has it at sklearn/datasets/data/digits.csv.gz.",
    ),
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        description="70,000 28x28 handwritten digits (60,000 train / 10,000 test), the original IDX files.",
        license="CC BY-SA 3.0 (LeCun, Cortes, Burges)",
        source="http://yann.lecun.com/exdb/mnist/ (via the ossci-datasets / cvdf mirrors)",
        folder="mnist",
        files=(
            _mnist_file("train-images-idx3-ubyte.gz", 9912422,
                        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                        47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            _mnist_file("train-labels-idx1-ubyte.gz", 28881,
                        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                        60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            _mnist_file("t10k-images-idx3-ubyte.gz", 1648877,
                        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                        7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            _mnist_file("t10k-labels-idx1-ubyte.gz", 4542,
                        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                        10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ),
        torchvision_folder="MNIST",
    ),
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        title="Fashion-MNIST",
        description="70,000 28x28 grayscale clothing images in 10 classes (Zalando), MNIST's IDX format.",
        license="MIT (Zalando SE)",
        source="Debian package dataset-fashion-mnist 0.0~git20200523.55506a9-1",
        folder="fashion-mnist",
        # Debian's files are re-gzipped without the original name field, so they are 24 bytes
        # smaller than (and hash differently from) Zalando's downloads; the images are the same.
        files=(
            FileSpec("train-images-idx3-ubyte.gz", 26421856,
                     "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", (),
                     47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            FileSpec("train-labels-idx1-ubyte.gz", 29491,
                     "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", (),
                     60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            FileSpec("t10k-images-idx3-ubyte.gz", 4422079,
                     "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", (),
                     7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            FileSpec("t10k-labels-idx1-ubyte.gz", 5125,
                     "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", (),
                     10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ),
        # torchvision's FashionMNIST/raw holds Zalando's .gz files (not pinned here: they differ
        # from Debian's bytes) and their uncompressed copies, whose bytes are pinned above.
        torchvision_folder="FashionMNIST",
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        how_to_get="On Debian/Ubuntu: `apt-get install dataset-fashion-mnist` (installs them in "
                   "/usr/share/datasets/fashion-mnist), or copy that package's four files into the folder.",
    ),
    "cifar10": DatasetSpec(
        name="cifar10",
        title="CIFAR-10",
        description="60,000 32x32 colour images in 10 classes (50,000 train / 10,000 test), python version.",
        license="no explicit license; cite Krizhevsky (2009), 'Learning Multiple Layers of Features from Tiny Images'",
        source="https://www.cs.toronto.edu/~kriz/cifar.html",
        folder="cifar-10",
        files=(FileSpec(
            "cifar-10-python.tar.gz", 170498071,
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
        ),),
        members={
            "cifar-10-batches-py/data_batch_1": "c99cafc152244af753f735de768cd75f",
            "cifar-10-batches-py/data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
            "cifar-10-batches-py/data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
            "cifar-10-batches-py/data_batch_4": "634d18415352ddfa80567beed471001a",
            "cifar-10-batches-py/data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
            "cifar-10-batches-py/test_batch": "40351d587109b95175f43aff81a1287e",
            "cifar-10-batches-py/batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
        },
    ),
}

# sha256 of TinyDigits' generated arrays (images as little-endian float32, then labels as int64).
TINYDIGITS_SHA256 = {
    "train": "e02f086c3ba1f72132ec0508e67cc9caaf56ce0a1e61612b8153caf686574f75",
    "test": "a81bd6f557889cf7680ea77fa91629a18e38276c9c95fa701c5ec3d147cf80a7",
}

_CIFAR_ARCHIVE_ALLOWED = {"cifar-10-batches-py", "cifar-10-batches-py/readme.html"}

# (path, size, mtime_ns, algorithm) -> hex digest; hashing 10 MB is cheap once, not every epoch
_DIGEST_CACHE = {}


def data_root(root=None):
    """The data root: ``root`` if given, else ``$TINYTORCH_DATA_DIR``, else ``~/.cache/tinytorch``.

    Example:
        >>> str(data_root("/tmp/tt-data"))
        '/tmp/tt-data'
    """
    if root is None:
        root = os.environ.get("TINYTORCH_DATA_DIR") or os.path.join("~", ".cache", "tinytorch")
    return Path(os.path.expanduser(os.fspath(root)))


def is_offline():
    """Whether ``TINYTORCH_OFFLINE`` forbids network access (any value but empty/0/false/no)."""
    return os.environ.get("TINYTORCH_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _spec(name):
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}") from None


def _digest(path, algorithm="sha256"):
    stat = os.stat(path)
    key = (os.fspath(path), stat.st_size, stat.st_mtime_ns, algorithm)
    if key not in _DIGEST_CACHE:
        h = hashlib.new(algorithm)
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _DIGEST_CACHE[key] = h.hexdigest()
    return _DIGEST_CACHE[key]


# What decoding a file can raise when its bytes are not what was verified (gzip.BadGzipFile is an
# OSError, a short gzip stream an EOFError, a bad IDX header or CSV a ValueError, ...).
# DatasetIntegrityError (a ValueError) covers the decoders' own format checks, such as a bad IDX magic.
_DECODE_ERRORS = (OSError, EOFError, ValueError, zlib.error, struct.error, pickle.UnpicklingError, KeyError,
                  IndexError, TypeError, tarfile.TarError)


def _decode(spec, path, read, *args):
    """``read(*args)`` on a verified file; a decode error becomes the integrity error with its fix.

    The digest cache trusts a file whose path, size and mtime are unchanged, so a file rewritten
    in place with the same size and timestamp after it was verified reaches the decoder unchecked.
    Whatever the decoder raises then means the bytes are not the pinned ones: the cache entry is
    dropped (the next check hashes the file again) and the error names the file and the fix.
    """
    try:
        return read(*args)
    except DatasetNotFoundError:
        raise
    except _DECODE_ERRORS as exc:
        for key in [k for k in _DIGEST_CACHE if k[0] == os.fspath(path)]:
            del _DIGEST_CACHE[key]
        raise DatasetIntegrityError(
            f"{spec.title}: {path} cannot be decoded ({type(exc).__name__}: {exc}); it does not hold the "
            f"verified bytes (it changed after it was checked, or is corrupt). Delete it and run "
            f"`tito data fetch {spec.name}`, or replace it with the official file.") from exc


def _check(dataset, name, path, size, digest, algorithm="sha256"):
    report = FileReport(dataset, name, os.fspath(path), "missing", size, digest, algorithm)
    if not os.path.isfile(path):
        return report
    report.actual_size = os.path.getsize(path)
    if size is not None and report.actual_size != size:
        report.status = "size"
        return report
    report.actual_digest = _digest(path, algorithm)
    report.status = "ok" if report.actual_digest == digest else "hash"
    return report


def _locate(spec, fspec, root):
    """Check ``fspec`` in the data root, then in the spec's system folders, then in torchvision's
    ``<root>/<Name>/raw`` (the ``.gz`` or its uncompressed copy); the first good copy wins."""
    candidates = [data_root(root) / spec.folder] + [Path(d) for d in spec.system_dirs]
    reports = [_check(spec.name, fspec.name, d / fspec.name, fspec.size, fspec.sha256) for d in candidates]
    if spec.torchvision_folder:
        raw = data_root(root) / spec.torchvision_folder / "raw"
        reports.append(_check(spec.name, fspec.name, raw / fspec.name, fspec.size, fspec.sha256))
        if fspec.raw_sha256:
            name = fspec.name.removesuffix(".gz")
            reports.append(_check(spec.name, name, raw / name, fspec.raw_size, fspec.raw_sha256))
    for report in reports:
        if report.ok:
            return report
    # prefer explaining a present-but-wrong file over "missing"
    for report in reports:
        if report.status != "missing":
            return report
    return reports[0]


def _human(n):
    return f"{n:,} bytes"


def _not_found_message(spec, fspec, folder, reason):
    lines = [
        f"{spec.title}: {reason} {fspec.name} ({_human(fspec.size)}, sha256 {fspec.sha256}).",
        f"Put the file in {folder}/ (the data root is set by root=..., $TINYTORCH_DATA_DIR, or defaults "
        f"to ~/.cache/tinytorch).",
    ]
    if fspec.urls:
        lines.append("Download it from: " + " or ".join(fspec.urls))
        lines.append(f"or run `tito data fetch {spec.name}` (tinytorch.data.fetch({spec.name!r})) with network access.")
    if spec.how_to_get:
        lines.append(spec.how_to_get)
    return "\n".join(lines)


def _bad_file_message(spec, report):
    if report.status == "size":
        got = f"is {_human(report.actual_size)}, expected {_human(report.expected_size)}"
    else:
        got = f"has {report.digest_name} {report.actual_digest}, expected {report.expected_digest}"
    return (f"{spec.title}: {report.path} {got}. The file is corrupt, truncated or a different version: "
            f"delete it and run `tito data fetch {spec.name}`, or replace it with the official file.")


def _download(spec, fspec, folder):
    """Download ``fspec`` into ``folder``: temp file in the same folder, size+hash check, rename."""
    if is_offline():
        raise DatasetNotFoundError(_not_found_message(
            spec, fspec, folder, "TINYTORCH_OFFLINE is set, so nothing is downloaded; missing"))
    if not fspec.urls:
        raise DatasetNotFoundError(_not_found_message(spec, fspec, folder, "no download source for"))
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for url in fspec.urls:
        print(f"downloading {url} -> {folder / fspec.name}", file=sys.stderr)
        fd, tmp = tempfile.mkstemp(prefix=f".{fspec.name}.", suffix=".part", dir=folder)
        try:
            h = hashlib.sha256()
            written = 0
            request = urllib.request.Request(url, headers={"User-Agent": "tinytorch-data"})
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    written += len(chunk)
                    if written > fspec.size:
                        raise DatasetIntegrityError(f"{url} sent more than the expected {_human(fspec.size)}")
                    h.update(chunk)
                    out.write(chunk)
            if written != fspec.size:
                raise DatasetIntegrityError(f"{url} sent {_human(written)}, expected {_human(fspec.size)}")
            if h.hexdigest() != fspec.sha256:
                raise DatasetIntegrityError(f"{url} sent sha256 {h.hexdigest()}, expected {fspec.sha256}")
            os.replace(tmp, folder / fspec.name)
            return
        except (OSError, DatasetIntegrityError) as exc:
            errors.append(f"{url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DatasetNotFoundError(
        _not_found_message(spec, fspec, folder, "could not download") + "\nTried:\n  " + "\n  ".join(errors)
    )


def verify(name, root=None):
    """Check every pinned file of dataset ``name``; returns one :class:`FileReport` per file.

    For CIFAR-10, extracted batch files that are present are checked against their published md5.

    Example:
        >>> import tempfile
        >>> [r.status for r in verify("mnist", root=tempfile.mkdtemp())]
        ['missing', 'missing', 'missing', 'missing']
    """
    spec = _spec(name)
    reports = [_locate(spec, fspec, root) for fspec in spec.files]
    folder = data_root(root) / spec.folder
    for member, md5 in spec.members.items():
        if (folder / member).exists():
            reports.append(_check(spec.name, member, folder / member, None, md5, "md5"))
    return reports


def fetch(name, root=None):
    """Make dataset ``name`` present and verified under the data root; returns the file reports.

    Files already present (in the root or a system folder) and correct are kept; missing ones are
    downloaded (never with ``TINYTORCH_OFFLINE=1``: then a :class:`DatasetNotFoundError` names the
    file, its hash and the folder to put it in). A present file with the wrong size or hash raises
    :class:`DatasetIntegrityError` rather than being overwritten silently.
    """
    spec = _spec(name)
    folder = data_root(root) / spec.folder
    for fspec in spec.files:
        report = _locate(spec, fspec, root)
        if report.status == "missing":
            _download(spec, fspec, folder)
        elif not report.ok:
            raise DatasetIntegrityError(_bad_file_message(spec, report))
    if spec.members:
        _cifar_members(spec, root)
    return verify(name, root)


def _require(spec, root, download):
    """Paths of the dataset's verified files, fetching them first when ``download`` is set."""
    folder = data_root(root) / spec.folder
    paths = {}
    for fspec in spec.files:
        report = _locate(spec, fspec, root)
        if report.status == "missing":
            if not download:
                raise DatasetNotFoundError(_not_found_message(spec, fspec, folder, "missing"))
            _download(spec, fspec, folder)
            report = _locate(spec, fspec, root)
        if not report.ok:
            raise DatasetIntegrityError(_bad_file_message(spec, report))
        paths[fspec.name] = Path(report.path)
    return paths


def _cifar_members(spec, root):
    """Folder holding the verified, extracted CIFAR-10 batches; extracts the verified archive if needed."""
    folder = data_root(root) / spec.folder
    reports = [_check(spec.name, m, folder / m, None, md5, "md5") for m, md5 in spec.members.items()]
    if all(r.ok for r in reports):
        return folder / "cifar-10-batches-py"
    bad = [r for r in reports if r.status not in ("ok", "missing")]
    if bad:
        raise DatasetIntegrityError(_bad_file_message(spec, bad[0]))
    archive = _locate(spec, spec.files[0], root)
    if not archive.ok:
        raise DatasetIntegrityError(_bad_file_message(spec, archive))
    _decode(spec, archive.path, _extract_cifar, spec, Path(archive.path), folder)
    for m, md5 in spec.members.items():
        report = _check(spec.name, m, folder / m, None, md5, "md5")
        if not report.ok:
            raise DatasetIntegrityError(_bad_file_message(spec, report))
    return folder / "cifar-10-batches-py"


def _extract_cifar(spec, archive, folder):
    """Extract the allow-listed members of a verified archive into ``folder`` (atomically per folder)."""
    allowed = set(spec.members) | _CIFAR_ARCHIVE_ALLOWED
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for m in members:
            if m.name not in allowed or not (m.isfile() or m.isdir()):
                raise DatasetIntegrityError(
                    f"{spec.title}: unexpected member {m.name!r} in {archive}; expected only {sorted(allowed)}")
        missing = set(spec.members) - {m.name for m in members}
        if missing:
            raise DatasetIntegrityError(f"{spec.title}: {archive} lacks members {sorted(missing)}")
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".extract.", dir=folder))
        try:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # Python without extraction filters: members are already restricted to plain files
                tar.extractall(tmp, members=members)
            target = folder / "cifar-10-batches-py"
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp / "cifar-10-batches-py", target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

