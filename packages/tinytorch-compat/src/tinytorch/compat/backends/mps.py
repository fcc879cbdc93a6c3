"""``torch.backends.mps``: Apple's GPU backend, never available in TinyTorch."""

__all__ = ["is_available", "is_built"]


def is_available():
    return False


def is_built():
    return False
