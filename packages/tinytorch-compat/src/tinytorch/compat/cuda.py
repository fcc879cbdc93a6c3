"""``torch.cuda`` without CUDA: the queries real scripts make before choosing a device.

``is_available()`` is False and ``device_count()`` 0, so ``torch.device("cuda" if
torch.cuda.is_available() else "cpu")`` picks the CPU. Seeding is a no-op, as PyTorch's is on a
machine without a GPU. Anything else is out of scope and says so.
"""

from ._missing import missing

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "is_bf16_supported"]


def is_available():
    """False: TinyTorch runs on the CPU only."""
    return False


def device_count():
    return 0


def is_bf16_supported(including_emulation=True):
    return False


def manual_seed(seed):
    """Ignored (no GPU to seed), as ``torch.cuda.manual_seed`` is without CUDA."""


def manual_seed_all(seed):
    """Ignored (no GPU to seed)."""


__getattr__ = missing("torch.cuda")
