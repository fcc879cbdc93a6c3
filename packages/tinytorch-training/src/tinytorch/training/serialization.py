"""``save(obj, f)`` / ``load(f)``: ``torch.save`` / ``torch.load`` for tensors and plain data, without pickle.

What can be saved: ``Tensor`` (and ``Parameter``), ``numpy.ndarray`` and NumPy scalars of numeric or
bool dtype, ``dict`` (keys ``str``, ``int``, ``float``, ``bool`` or ``None``; order kept), ``list``,
``tuple``, ``int``, ``float`` (NaN and infinities included), ``str``, ``bool`` and ``None``, nested
in any way: state_dicts, optimizer states, training records. Anything else (a Module, a function,
an arbitrary object) is refused before a byte is written, naming where it is.

The file is the safe ``.npz`` of :mod:`tinytorch.training.storage`: arrays as entries, the structure
as JSON, read with ``allow_pickle=False``, written atomically to a path. This is the
``weights_only=True`` behaviour of ``torch.load``: loading a file never runs code. Deliberate
difference from torch: the file is not PyTorch's zip-of-pickle, so the two libraries cannot read
each other's files; :func:`load` says so, with the conversion, when handed a PyTorch file.
"""

import io
import math
import os

import numpy as np

from tinytorch.layers import Parameter
from tinytorch.tensor import Tensor

from .storage import CheckpointError, read_npz, write_npz, write_npz_atomic

__all__ = ["save", "load", "FORMAT", "FORMAT_VERSION"]

FORMAT = "tinytorch-save"
FORMAT_VERSION = 1
_KEY_TYPES = (str, int, float, bool, type(None))


def _array_entry(array, where, arrays):
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: {where} has dtype {array.dtype}; only numeric and bool arrays are stored")
    name = f"a{len(arrays)}"
    arrays[name] = array
    return name


def _encode(value, where, arrays):
    """JSON for ``value``; every JSON object is a tagged node, so lists and scalars stay plain JSON."""
    if isinstance(value, np.generic):  # before float: numpy.float64 is a float subclass
        return {"__scalar__": _array_entry(np.asarray(value), where, arrays)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}  # 'nan', 'inf', '-inf'
    if isinstance(value, Tensor):
        node = {"__tensor__": _array_entry(value.data, where, arrays), "requires_grad": bool(value.requires_grad)}
        if isinstance(value, Parameter):
            node["parameter"] = True
        return node
    if isinstance(value, np.ndarray):
        return {"__ndarray__": _array_entry(value, where, arrays)}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            if not isinstance(key, _KEY_TYPES):
                raise TypeError(f"save: {where} has a key of type {type(key).__name__}; keys must be "
                                "str, int, float, bool or None")
            pairs.append([_encode(key, f"{where} key", arrays), _encode(item, f"{where}[{key!r}]", arrays)])
        return {"__dict__": pairs}
    raise TypeError(f"save: {where} is a {type(value).__name__}; only tensors, arrays, numbers, strings, None "
                    "and dicts/lists/tuples of them are saved (no pickle): save a Module's state_dict()")


def _decode(node, arrays, name):
    if node is None or isinstance(node, (bool, str, int, float)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays, name) for v in node]
    if not isinstance(node, dict) or len(node) == 0:
        raise CheckpointError(f"{name}: unreadable structure node {node!r}")

    def entry(key):
        ref = node[key]
        if not isinstance(ref, str) or ref not in arrays:
            raise CheckpointError(f"{name}: the structure refers to array {ref!r}, which the file lacks")
        return arrays[ref]

    if "__tensor__" in node:
        cls = Parameter if node.get("parameter") else Tensor
        tensor = Tensor(entry("__tensor__"), requires_grad=bool(node.get("requires_grad")))
        return Parameter(tensor) if cls is Parameter else tensor
    if "__ndarray__" in node:
        return entry("__ndarray__")
    if "__scalar__" in node:
        return entry("__scalar__")[()]
    if "__float__" in node and node["__float__"] in ("nan", "inf", "-inf"):
        return float(node["__float__"])
    if "__tuple__" in node and isinstance(node["__tuple__"], list):
        return tuple(_decode(v, arrays, name) for v in node["__tuple__"])
    if "__dict__" in node and isinstance(node["__dict__"], list):
        out = {}
        for pair in node["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise CheckpointError(f"{name}: a dict entry must be a [key, value] pair, got {pair!r}")
            key = _decode(pair[0], arrays, name)
            if not isinstance(key, _KEY_TYPES):
                raise CheckpointError(f"{name}: a dict key decodes to a {type(key).__name__}")
            out[key] = _decode(pair[1], arrays, name)
        return out
    raise CheckpointError(f"{name}: unknown structure node with keys {sorted(node)}")


def save(obj, f):
    """Save ``obj`` (tensors, arrays, plain containers) to ``f``, as ``torch.save(obj, f)`` does.

    Args:
        obj: what to save (see the module docstring for the supported types).
        f: a path (written atomically: temp file beside it, then renamed) or a binary file object.

    Raises:
        TypeError: ``obj`` holds something that cannot be saved without pickle (nothing is written).

    Example:
        >>> import os, tempfile
        >>> from tinytorch.tensor import Tensor
        >>> path = os.path.join(tempfile.mkdtemp(), "obj.pt")
        >>> save({"w": Tensor([1.0, 2.0]), "step": 3, "betas": (0.9, 0.999)}, path)
        >>> out = load(path)
        >>> out["w"].tolist(), out["step"], out["betas"]
        ([1.0, 2.0], 3, (0.9, 0.999))
    """
    arrays = {}
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "object": _encode(obj, "obj", arrays)}
    if hasattr(f, "write"):
        write_npz(f, arrays, meta)
    else:
        write_npz_atomic(f, arrays, meta)


def _check_map_location(map_location):
    """Accept every ``map_location`` that leaves tensors on the CPU; refuse any other device."""
    if map_location is None or callable(map_location):
        return  # a callable is not called: every tensor is already a CPU tensor
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        name = target if isinstance(target, str) else getattr(target, "type", None)
        if not isinstance(name, str):
            raise TypeError(f"load: map_location must be None, a device, a str, a dict or a callable, "
                            f"got {type(map_location).__name__}")
        if name.split(":")[0] != "cpu":
            raise RuntimeError(f"load: cannot map tensors to device {str(target)!r}: TinyTorch runs on the "
                               "CPU only (use map_location='cpu' or leave it out)")


def load(f, map_location=None, *, weights_only=None):
    """Load what :func:`save` wrote, as ``torch.load(f, weights_only=True)`` does; never unpickles.

    Args:
        f: a path or a binary file object.
        map_location: as ``torch.load``'s, for CPU only: None, ``"cpu"``, a CPU device, a dict whose
            targets are the CPU, or a callable (accepted and not called: every tensor is a CPU
            tensor). Any other device is a RuntimeError.
        weights_only: accepted for ``torch.load`` compatibility (None, True or False); loading is
            always weights-only here, since the format holds nothing else.

    Raises:
        CheckpointError: naming the file, when it is missing, a PyTorch ``torch.save`` file (a zip
            holding ``data.pkl``, or a legacy pickle), corrupt, or not a TinyTorch save file.
    """
    _check_map_location(map_location)
    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be None or a bool, got {weights_only!r}")
    if isinstance(f, (bytes, bytearray)):
        raise TypeError("load: expected a path or a file object, got bytes (wrap them in io.BytesIO)")
    if not hasattr(f, "read"):
        f = os.fspath(f)
    name = repr(f) if isinstance(f, str) else "the file object"
    if hasattr(f, "read") and not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())  # a zip is read by seeking
    meta, arrays = read_npz(f, FORMAT, (FORMAT_VERSION,))
    if "object" not in meta:
        raise CheckpointError(f"{name}: its metadata has no 'object'")
    return _decode(meta["object"], arrays, name)
