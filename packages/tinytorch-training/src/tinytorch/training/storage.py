"""The safe file format under checkpoints and ``save``/``load``: one ``.npz``, no pickle, atomic writes.

A file is a NumPy ``.npz`` archive: every array is one entry, and one more entry, ``__meta__``, is
the UTF-8 JSON of the nested structure with each array replaced by a reference to its entry. It is
read with ``allow_pickle=False``, so opening a file never runs code.

Writes are atomic: the archive goes to a temporary file ``.checkpoint-<pid>-<random>.tmp`` in the
target's folder, is flushed to disk and renamed over the target (``os.replace``); on an error the
temporary file is removed. A process killed mid-write cannot remove it, so every write first
deletes the temporary files of processes that no longer exist (and, where process ids cannot be
checked, any older than :data:`STALE_SECONDS`).
"""

import json
import os
import re
import tempfile
import time
import zipfile

import numpy as np

META = "__meta__"
TEMP_PREFIX = ".checkpoint-"
STALE_SECONDS = 3600.0
_TEMP_NAME = re.compile(r"^\.checkpoint-(?:(\d+)-)?[^/]*\.tmp$")


class CheckpointError(ValueError):
    """A checkpoint or saved file is missing, corrupt, or does not fit what it is loaded into.

    The message names the file and what is wrong with it.
    """


def _pid_alive(pid):
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temps(directory):
    """Delete temporary files left in ``directory`` by writes that were killed; return their names."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        pid = match.group(1)
        if pid is not None and os.name == "posix":
            stale = int(pid) != os.getpid() and not _pid_alive(int(pid))
        else:  # no pid in the name (older writers), or no safe liveness check: go by age
            try:
                stale = now - os.path.getmtime(path) > STALE_SECONDS
            except OSError:
                continue
        if stale:
            try:
                os.remove(path)
                removed.append(name)
            except OSError:
                pass  # another process removed it first
    return removed


def write_npz(file, arrays, meta):
    """``np.savez`` ``arrays`` plus the JSON ``meta`` (as the ``__meta__`` entry) into an open binary file."""
    payload = dict(arrays)
    # Python's json writes and reads NaN/Infinity tokens: checkpoint extras may hold them.
    payload[META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(file, **payload)


def write_npz_atomic(path, arrays, meta):
    """Write ``arrays`` and the JSON ``meta`` as an ``.npz`` at ``path``, atomically."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_stale_temps(directory)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write_npz(f, arrays, meta)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _pytorch_kind(source):
    """``"zip"`` / ``"pickle"`` when ``source`` is a PyTorch ``torch.save`` file, else None."""
    position = source.tell() if hasattr(source, "read") else None
    try:
        if position is not None:
            head = source.read(2)
            source.seek(position)
        else:
            with open(source, "rb") as f:
                head = f.read(2)
        if head[:1] == b"\x80":  # pickle protocol >= 2: the legacy torch.save format
            return "pickle"
        if head == b"PK" and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                if any(n == "data.pkl" or n.endswith("/data.pkl") for n in archive.namelist()):
                    return "zip"
    except (OSError, zipfile.BadZipFile):
        return None
    finally:
        if position is not None:
            source.seek(position)
    return None


def read_npz(path, expected_format, versions):
    """Read a file written by :func:`write_npz_atomic`; return ``(meta, arrays)``.

    Raises:
        CheckpointError: naming the file, for a missing file, a PyTorch file, anything that is not
            a readable ``.npz`` (truncated, not a zip, corrupt entries), missing or invalid
            metadata, another format, or an unknown version.
    """
    name = repr(os.fspath(path)) if not hasattr(path, "read") else "the file object"
    if not hasattr(path, "read") and not os.path.isfile(path):
        raise CheckpointError(f"no file at {name}")
    kind = _pytorch_kind(path)
    if kind is not None:
        layout = "a zip holding data.pkl" if kind == "zip" else "a legacy pickle"
        raise CheckpointError(
            f"{name} is a PyTorch file ({layout}), which only unpickling can read; TinyTorch never "
            "unpickles files. Convert it in PyTorch: numpy.savez('weights.npz', **{k: v.numpy() for "
            "k, v in torch.load(path, weights_only=True).items()}), then load the arrays")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not hasattr(archive, "files"):
                raise CheckpointError(f"{name} is a single .npy array, not a TinyTorch .npz file")
            arrays = {entry: archive[entry] for entry in archive.files}
    except CheckpointError:
        raise
    except Exception as exc:  # truncated or corrupt archives raise many kinds (BadZipFile, EOFError, ...)
        raise CheckpointError(f"{name} is not a readable .npz file ({type(exc).__name__}: {exc})") from None
    if META not in arrays:
        raise CheckpointError(f"{name} has no {META!r} entry; not a TinyTorch {expected_format} file")
    try:
        meta = json.loads(arrays.pop(META).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise CheckpointError(f"{name}: its metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != expected_format:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CheckpointError(f"{name} is not a {expected_format} file (format={found!r})")
    if meta.get("version") not in versions:
        raise CheckpointError(f"{name} has {expected_format} format version {meta.get('version')!r}; this "
                              f"reader expects {' or '.join(map(str, versions))}")
    return meta, arrays
