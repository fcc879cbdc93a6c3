"""Devices, honestly CPU-only: ``device("cpu")`` is the one device TinyTorch has."""


class device:
    """Where a tensor lives (``torch.device``); TinyTorch has only the CPU.

    Args:
        type: ``"cpu"`` (optionally ``"cpu:0"``), or another ``device``.
        index: only 0 (or None).

    Raises:
        RuntimeError: any other device (CUDA, MPS, ...), naming it.

    Example:
        >>> device("cpu")
        device(type='cpu')
        >>> device("cpu") == "cpu"
        True
    """

    __slots__ = ("type",)

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type = type.type
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type.__class__.__name__}")
        name, _, idx = type.partition(":")
        if idx and index is None:
            index = int(idx) if idx.isdigit() else idx
        if name != "cpu" or index not in (None, 0):
            raise RuntimeError(
                f"TinyTorch runs on the CPU only: device {type!r}"
                f"{'' if index is None else f' index {index!r}'} is not available"
            )
        self.type = "cpu"

    @property
    def index(self):
        return None

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        return isinstance(other, device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"


CPU = device("cpu")


def as_device(value):
    """``value`` (a string or ``device``) as a ``device``; RuntimeError for non-CPU devices."""
    return value if isinstance(value, device) else device(value)
