"""Saving and loading (quantized) models: an uncompressed ``.npz``, no pickle.

The file holds two arrays: a JSON header (``uint8``) naming every ``state_dict`` key with its
dtype, shape and offset, and one ``uint8`` blob with all the arrays' bytes back to back
(little-endian, 8-byte aligned). So its size is the array bytes plus about a kilobyte, whatever
the number of layers (an ``.npz`` of one member per key adds some 250 bytes per array, which for a
small CNN with batch norm is 5% of the int8 model). Writes go to a temp file in the same folder,
renamed over the target only when complete; loads check every key, shape and dtype before
anything is copied into the model.
"""

import errno
import json
import os
import tempfile
import zipfile

import numpy as np

from tinytorch.layers import Module

__all__ = ["save", "load", "FORMAT"]

FORMAT = "tinytorch-quant-state/1"
_HEADER, _BLOB = "header", "blob"
_ALIGN = 8


def save(model, path):
    """Write ``model.state_dict()`` to ``path`` (``.npz``) atomically; returns the file's bytes.

    Example:
        >>> import tempfile, os
        >>> from tinytorch.layers import Linear
        >>> from tinytorch.quant import quantize_dynamic
        >>> q = quantize_dynamic(Linear(256, 64))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     nbytes = save(q, os.path.join(d, "q.npz"))
        >>> 256 * 64 < nbytes < 256 * 64 + 2048  # int8 weight, scales, bias, zip directory
        True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save expects a Module, got {type(model).__name__}")
    state = model.state_dict()
    entries, chunks, offset = {}, [], 0
    for key, value in state.items():
        data = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
        entries[key] = {"dtype": data.dtype.str, "shape": list(data.shape), "offset": offset}
        raw = data.reshape(-1).view(np.uint8)
        pad = -raw.size % _ALIGN
        chunks += [raw, np.zeros(pad, np.uint8)]
        offset += raw.size + pad
    header = {"format": FORMAT, "arrays": entries}
    arrays = {
        _HEADER: np.frombuffer(json.dumps(header, separators=(",", ":")).encode(), dtype=np.uint8),
        _BLOB: np.concatenate(chunks) if chunks else np.zeros(0, np.uint8),
    }
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):  # else mkstemp's error would name the temp file, not the target
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} to write into does not exist", path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return os.path.getsize(path)


def load(model, path):
    """Load a file written by :func:`save` into ``model`` (same architecture and quantization).

    Build the template the same way as the saved model (``quantize_dynamic(float_model)`` for a
    dynamic one), then load. Every key, shape and dtype is checked first; on any mismatch nothing
    is modified and a ``RuntimeError`` names the bad keys. A missing file raises
    ``FileNotFoundError``; a file that is not one :func:`save` wrote (another ``.npz``, a pickle,
    a truncated or corrupt file) raises ``ValueError`` naming it.

    Returns:
        model, with the loaded values.
    """
    if not isinstance(model, Module):
        raise TypeError(f"load expects a Module, got {type(model).__name__}")
    state = _read_state(path)
    current = model.state_dict()
    errors = [
        f"dtype mismatch for {k}: file has {state[k].dtype}, model has {v.dtype}"
        for k, v in current.items() if k in state and state[k].dtype != v.dtype
    ]
    if errors:
        raise RuntimeError(f"Error(s) in loading {path} into {type(model).__name__}:\n\t" + "\n\t".join(errors))
    model.load_state_dict(state, strict=True)
    return model


def _read_state(path):
    # Every way a foreign or damaged file can fail to parse becomes one ValueError naming it.
    try:
        with np.load(os.fspath(path), allow_pickle=False) as f:
            if sorted(f.files) != sorted([_HEADER, _BLOB]):
                raise ValueError(f"{path}: not a {FORMAT} file (members {f.files})")
            header = json.loads(f[_HEADER].tobytes().decode())
            blob = f[_BLOB]
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            found = header.get("format") if isinstance(header, dict) else None
            raise ValueError(f"{path}: format {found!r}, expected {FORMAT!r}")
        state = {}
        for key, entry in header["arrays"].items():
            dtype = np.dtype(entry["dtype"])
            count = int(np.prod(entry["shape"], dtype=np.int64))
            start, stop = entry["offset"], entry["offset"] + count * dtype.itemsize
            if dtype.hasobject or start < 0 or stop > blob.size:
                raise ValueError(f"{path}: entry {key!r} is corrupt ({entry})")
            state[key] = blob[start:stop].view(dtype).reshape(entry["shape"]).astype(dtype.newbyteorder("="))
        return state
    except FileNotFoundError:
        raise
    except ValueError as e:
        if str(e).startswith(f"{path}:"):
            raise
        raise ValueError(f"{path}: not a readable {FORMAT} file ({e})") from e
    except (OSError, KeyError, TypeError, AttributeError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path}: not a readable {FORMAT} file ({type(e).__name__}: {e})") from e
