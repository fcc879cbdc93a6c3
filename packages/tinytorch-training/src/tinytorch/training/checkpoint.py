"""Checkpoints: everything needed to resume training exactly, in one ``.npz`` file and no pickle.

A checkpoint holds the model's parameters, the optimizer's state (momentum buffers, Adam's two
moments), the schedule, the epoch, the global RNG state and, optionally, a data loader
generator's state. The file is a NumPy ``.npz`` archive: every array is one entry, and one
more entry, ``__meta__``, is the UTF-8 JSON of the nested structure with each array replaced by
``{"__ndarray__": "<entry name>"}``. It is loaded with ``allow_pickle=False``, so opening a
checkpoint never runs code.

Writes are atomic: the archive goes to a temporary file in the target's directory, is flushed
to disk, and then renamed over the target (``os.replace``), so a crash mid-write leaves the
previous checkpoint intact.
"""

import json
import os
import tempfile

import numpy as np

from tinytorch.tensor import get_rng_state, set_rng_state

__all__ = ["save_checkpoint", "load_checkpoint", "CheckpointError", "FORMAT", "FORMAT_VERSION"]

FORMAT = "tinytorch-checkpoint"
FORMAT_VERSION = 1
_META = "__meta__"


class CheckpointError(ValueError):
    """A checkpoint file is missing, malformed, or does not fit the objects it is loaded into."""


def _child(path, key):
    return f"{path}/{key}" if path else str(key)


def _encode(value, path, arrays):
    """Turn nested dicts/lists/arrays into JSON-ready data, moving arrays into ``arrays``."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"checkpoint entry {path!r} has dtype {value.dtype}; only numeric arrays are stored")
        arrays[path] = value
        return {"__ndarray__": path}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            if "__ndarray__" in value or "__dict__" in value:
                raise ValueError(f"checkpoint entry {path!r} uses a reserved key")
            return {k: _encode(v, _child(path, k), arrays) for k, v in value.items()}
        # Non-string keys (an optimizer's state is keyed by parameter index): keep their type.
        items = []
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"checkpoint entry {path!r} has a key of type {type(k).__name__}; expected str or int")
            items.append([k, _encode(v, _child(path, k), arrays)])
        return {"__dict__": items}
    if isinstance(value, (list, tuple)):
        return [_encode(v, _child(path, i), arrays) for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"checkpoint entry {path!r} is a {type(value).__name__}; expected arrays, numbers, strings, "
        "lists or dicts (no pickle)"
    )


def _decode(value, arrays):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            name = value["__ndarray__"]
            if name not in arrays:
                raise CheckpointError(f"checkpoint metadata refers to array {name!r}, which the file lacks")
            return arrays[name]
        if "__dict__" in value:
            return {k: _decode(v, arrays) for k, v in value["__dict__"]}
        return {k: _decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    return value


def _write_atomic(path, payload):
    """``np.savez`` ``payload`` to a temp file beside ``path``, fsync it, then rename over ``path``."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save_checkpoint(path, model, optimizer=None, scheduler=None, *, epoch=0, generator=None, extra=None):
    """Write a checkpoint to ``path`` atomically (see the module docstring for the format).

    Args:
        path: file to write (conventionally ``*.npz``); replaced if it exists.
        model: a Module; its ``state_dict()`` is saved.
        optimizer: an optimizer whose ``state_dict()`` (including Adam's moments) is saved.
        scheduler: a learning-rate schedule whose ``state_dict()`` is saved.
        epoch: number of completed epochs.
        generator: a ``numpy.random.Generator`` (e.g. a data loader's) whose state is saved
            beside TinyTorch's global generator state.
        extra: any further plain data (numbers, strings, lists, dicts, arrays), e.g. history.

    Example:
        >>> import tempfile, os
        >>> from tinytorch.layers import Linear
        >>> model = Linear(3, 2)
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
        >>> save_checkpoint(path, model, epoch=4)
        >>> load_checkpoint(path, Linear(3, 2))["epoch"]
        4
    """
    content = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "epoch": int(epoch),
        "model": dict(model.state_dict()),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "rng": {
            "tinytorch": get_rng_state(),
            "generator": None if generator is None else generator.bit_generator.state,
        },
        "extra": extra,
    }
    arrays = {}
    meta = _encode(content, "", arrays)
    payload = {name: array for name, array in arrays.items()}
    payload[_META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    _write_atomic(path, payload)


def load_checkpoint(path, model=None, optimizer=None, scheduler=None, *, generator=None, restore_rng=True):
    """Read a checkpoint written by :func:`save_checkpoint` and restore the given objects.

    Every object passed in is restored in place (model parameters, optimizer state, schedule,
    ``generator``), and TinyTorch's global RNG too unless ``restore_rng=False``.

    Args:
        path: checkpoint file.
        model, optimizer, scheduler: objects to restore; each must match what was saved.
        generator: a ``numpy.random.Generator`` to restore the saved generator state into.
        restore_rng: restore ``tinytorch.tensor``'s global generator. Default: True.

    Returns:
        dict: the decoded checkpoint (``epoch``, ``model``, ``optimizer``, ``scheduler``, ``rng``,
        ``extra``).

    Raises:
        CheckpointError: if the file is not a TinyTorch checkpoint, lacks a part that was asked
            for, or does not fit the objects passed in.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"no checkpoint at {path!r}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path!r} is not a readable .npz checkpoint: {exc}") from None
    if _META not in arrays:
        raise CheckpointError(f"{path!r} has no {_META!r} entry; not a TinyTorch checkpoint")
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path!r}: metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path!r} is not a {FORMAT} file (format={meta.get('format') if isinstance(meta, dict) else None!r})")
    if meta.get("version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path!r} has checkpoint format version {meta.get('version')!r}; this reader expects {FORMAT_VERSION}"
        )
    content = _decode(meta, arrays)
    for name, obj in (("optimizer", optimizer), ("scheduler", scheduler)):
        if obj is not None and content.get(name) is None:
            raise CheckpointError(f"{path!r} holds no {name} state, but a {name} was given to restore")
    if generator is not None and content["rng"].get("generator") is None:
        raise CheckpointError(f"{path!r} holds no data generator state, but a generator was given to restore")
    try:
        if model is not None:
            model.load_state_dict(content["model"])
        if optimizer is not None:
            optimizer.load_state_dict(content["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(content["scheduler"])
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path!r} does not fit: {exc}") from exc
    if generator is not None:
        generator.bit_generator.state = content["rng"]["generator"]
    if restore_rng:
        set_rng_state(content["rng"]["tinytorch"])
    return content
