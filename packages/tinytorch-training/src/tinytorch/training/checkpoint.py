"""Checkpoints: everything needed to resume training exactly, in one ``.npz`` file and no pickle.

A checkpoint holds the model's parameters, the optimizer's state (momentum buffers, Adam's two
moments), the schedule, the epoch, the global RNG state and, optionally, a data loader
generator's state, in the safe format of :mod:`tinytorch.training.storage` (arrays as entries,
structure as JSON, read with ``allow_pickle=False``, written atomically; temporary files of killed
writes are removed by the next write).

Loading is all or nothing: the whole file is read and checked (structure, types, shapes, RNG
states) before anything is assigned, and if restoring a later part fails anyway, the parts
already restored are put back. Every problem raises :class:`CheckpointError` naming the file.
"""

import copy
import os
import warnings

import numpy as np

from tinytorch.tensor import default_generator, get_rng_state, set_rng_state

from .storage import CheckpointError, read_npz, write_npz_atomic

__all__ = ["save_checkpoint", "load_checkpoint", "read_checkpoint", "restore_checkpoint", "loader_generator",
           "CheckpointError", "FORMAT", "FORMAT_VERSION"]

FORMAT = "tinytorch-checkpoint"
FORMAT_VERSION = 1
_PARTS = ("format", "version", "epoch", "model", "optimizer", "scheduler", "rng", "extra")
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


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


def _own_generator(obj):
    """``obj.generator`` when it is a NumPy generator other than TinyTorch's global one, else None."""
    gen = getattr(obj, "generator", None)
    if gen is None or gen is default_generator:
        return None
    if isinstance(gen, np.random.Generator):
        return gen
    warnings.warn(f"the training data's generator is a {type(gen).__name__}, not a numpy.random.Generator: "
                  "its state is not saved in the checkpoint, so a resumed run will shuffle differently",
                  RuntimeWarning, stacklevel=4)
    return None


def loader_generator(data):
    """The data source's own ``numpy.random.Generator``, or None.

    Looked for on the loader (a DataLoader's ``seed=``/``generator=``), then on its ``sampler``
    and its ``batch_sampler``'s sampler. None when the source shuffles with TinyTorch's global
    generator, whose state every checkpoint holds anyway. A generator that is not a NumPy one,
    or a second one, cannot be saved: a warning says so, since a resumed run would then shuffle
    differently.
    """
    holders = [data, getattr(data, "sampler", None), getattr(getattr(data, "batch_sampler", None), "sampler", None)]
    found = [gen for gen in (_own_generator(h) for h in holders if h is not None) if gen is not None]
    if len(found) > 1:
        warnings.warn("the training data has more than one generator of its own; only the loader's is saved in "
                      "the checkpoint, so a resumed run may shuffle differently", RuntimeWarning, stacklevel=3)
    return found[0] if found else None


def _decode(value, arrays, where):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            name = value["__ndarray__"]
            if not isinstance(name, str) or name not in arrays:
                raise CheckpointError(f"{where}: the metadata refers to array {name!r}, which the file lacks")
            return arrays[name]
        if "__dict__" in value:
            items = value["__dict__"]
            if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2 for i in items):
                raise CheckpointError(f"{where}: a '__dict__' entry must be a list of [key, value] pairs")
            return {k: _decode(v, arrays, where) for k, v in items}
        return {k: _decode(v, arrays, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, arrays, where) for v in value]
    return value


def _fail(name, message):
    raise CheckpointError(f"{name}: {message}")


def _check_rng_state(name, part, state):
    """A bit generator state that NumPy accepts, checked on a scratch generator."""
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        _fail(name, f"{part} is not a NumPy bit generator state")
    try:
        getattr(np.random, state["bit_generator"])().state = state
    except (TypeError, ValueError, KeyError) as exc:
        _fail(name, f"{part} is not a valid {state['bit_generator']} state ({exc})")


def _validate(name, content):
    """Check every part's structure and types; raise CheckpointError naming the first problem."""
    missing = [part for part in _PARTS if part not in content]
    if missing:
        _fail(name, f"missing part(s) {', '.join(map(repr, missing))}")
    epoch = content["epoch"]
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        _fail(name, f"epoch must be a non-negative int, got {epoch!r}")
    model = content["model"]
    if not isinstance(model, dict):
        _fail(name, f"model must be a state_dict (a mapping), got {type(model).__name__}")
    for key, value in model.items():
        if not isinstance(value, np.ndarray):
            _fail(name, f"model entry {key!r} must be an array, got {type(value).__name__} {value!r}")
    optimizer = content["optimizer"]
    if optimizer is not None:
        if not isinstance(optimizer, dict) or not isinstance(optimizer.get("state"), dict) \
                or not isinstance(optimizer.get("param_groups"), list):
            _fail(name, "optimizer must be a state_dict with a 'state' mapping and a 'param_groups' list")
        for i, group in enumerate(optimizer["param_groups"]):
            if not isinstance(group, dict) or not isinstance(group.get("params"), list) \
                    or not all(isinstance(p, int) and not isinstance(p, bool) for p in group["params"]):
                _fail(name, f"optimizer param_groups[{i}] must be a dict whose 'params' is a list of ints")
    if content["scheduler"] is not None and not isinstance(content["scheduler"], dict):
        _fail(name, f"scheduler must be a state_dict or null, got {type(content['scheduler']).__name__}")
    rng = content["rng"]
    if not isinstance(rng, dict) or "tinytorch" not in rng or "generator" not in rng:
        _fail(name, "rng must hold 'tinytorch' and 'generator' states")
    _check_rng_state(name, "rng.tinytorch", rng["tinytorch"])
    if rng["generator"] is not None:
        _check_rng_state(name, "rng.generator", rng["generator"])


def _check_model_fits(name, model, saved):
    """Compare keys and shapes with the model's own state_dict before anything is assigned."""
    own = model.state_dict()
    missing = [k for k in own if k not in saved]
    unexpected = [k for k in saved if k not in own]
    wrong = [f"{k}: file {saved[k].shape}, model {tuple(np.shape(own[k]))}" for k in own
             if k in saved and tuple(saved[k].shape) != tuple(np.shape(own[k]))]
    problems = []
    if missing:
        problems.append(f"missing key(s) {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected key(s) {', '.join(unexpected)}")
    if wrong:
        problems.append("size mismatch for " + "; ".join(wrong))
    if problems:
        _fail(name, "does not fit the model: " + "; ".join(problems))


def _check_scheduler_fits(name, scheduler, saved):
    own = scheduler.state_dict()
    for key, value in saved.items():
        if key not in own:
            _fail(name, f"scheduler state has key {key!r}, which {type(scheduler).__name__} lacks")
        mine = own[key]
        numeric = (int, float, np.number)
        if isinstance(mine, numeric) and not isinstance(mine, bool) and \
                (not isinstance(value, numeric) or isinstance(value, bool)):
            _fail(name, f"scheduler {key!r} must be a number, got {value!r}")
        if isinstance(mine, (list, tuple)) and not isinstance(value, (list, tuple)):
            _fail(name, f"scheduler {key!r} must be a list, got {value!r}")


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
    write_npz_atomic(path, arrays, meta)


def read_checkpoint(path):
    """Read and check a checkpoint without restoring anything; return its decoded content.

    Returns:
        dict: ``epoch``, ``model``, ``optimizer``, ``scheduler``, ``rng``, ``extra`` (and the
        format and version).

    Raises:
        CheckpointError: naming the file and what is wrong (missing, a PyTorch file, truncated,
            not a zip, missing parts, wrong types such as ``epoch: "three"``, bad arrays or RNG states).
    """
    name = repr(os.fspath(path))
    meta, arrays = read_npz(path, FORMAT, (FORMAT_VERSION,))
    content = _decode(meta, arrays, name)
    _validate(name, content)
    return content


def load_checkpoint(path, model=None, optimizer=None, scheduler=None, *, generator=None, restore_rng=True):
    """Read a checkpoint written by :func:`save_checkpoint` and restore the given objects.

    Every object passed in is restored in place (model parameters, optimizer state, schedule,
    ``generator``), and TinyTorch's global RNG too unless ``restore_rng=False``. All or nothing:
    when any part does not fit, nothing passed in is changed.

    Args:
        path: checkpoint file.
        model, optimizer, scheduler: objects to restore; each must match what was saved.
        generator: a ``numpy.random.Generator`` to restore the saved generator state into.
        restore_rng: restore ``tinytorch.tensor``'s global generator. Default: True.

    Returns:
        dict: the decoded checkpoint (``epoch``, ``model``, ``optimizer``, ``scheduler``, ``rng``,
        ``extra``).

    Raises:
        CheckpointError: if the file is not a valid TinyTorch checkpoint (see :func:`read_checkpoint`),
            lacks a part that was asked for, or does not fit the objects passed in.
    """
    return restore_checkpoint(path, read_checkpoint(path), model, optimizer, scheduler, generator=generator,
                              restore_rng=restore_rng)


def restore_checkpoint(path, content, model=None, optimizer=None, scheduler=None, *, generator=None,
                       restore_rng=True):
    """Restore the objects from ``content`` of :func:`read_checkpoint` (all or nothing); return it."""
    name = repr(os.fspath(path))
    for part, obj in (("optimizer", optimizer), ("scheduler", scheduler)):
        if obj is not None and content[part] is None:
            _fail(name, f"holds no {part} state, but a {part} was given to restore")
    if generator is not None and content["rng"]["generator"] is None:
        _fail(name, "holds no data generator state, but a generator was given to restore")
    if model is not None:
        _check_model_fits(name, model, content["model"])
    if scheduler is not None:
        _check_scheduler_fits(name, scheduler, content["scheduler"])

    # Everything checked; restore, keeping what was there so that a late failure can undo it.
    # (The optimizer's load builds new state arrays, so its old state_dict stays valid as is.)
    undo = []
    try:
        if optimizer is not None:
            before = optimizer.state_dict()
            optimizer.load_state_dict(content["optimizer"])
            undo.append(lambda: optimizer.load_state_dict(before))
        if scheduler is not None:
            saved_schedule = copy.deepcopy(scheduler.state_dict())
            scheduler.load_state_dict(content["scheduler"])
            undo.append(lambda: scheduler.load_state_dict(saved_schedule))
        if model is not None:
            model.load_state_dict(content["model"])
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
        for restore in reversed(undo):
            restore()
        raise CheckpointError(f"{name} does not fit: {exc}") from exc
    if generator is not None:
        generator.bit_generator.state = content["rng"]["generator"]
    if restore_rng:
        set_rng_state(content["rng"]["tinytorch"])
    return content
