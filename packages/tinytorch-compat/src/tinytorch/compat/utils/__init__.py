"""``torch.utils``: only ``torch.utils.data`` (module 08)."""

from .._missing import missing
from . import data

__all__ = ["data"]

__getattr__ = missing("torch.utils")
