"""``torch.accelerator`` on a machine with none: every query answers as PyTorch's does then."""

from ._missing import missing

__all__ = ["is_available", "device_count", "current_accelerator"]


def is_available():
    """False: there is no accelerator (TinyTorch runs on the CPU only)."""
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    """None, as ``torch.accelerator.current_accelerator()`` returns without an accelerator."""
    return None


__getattr__ = missing("torch.accelerator")
