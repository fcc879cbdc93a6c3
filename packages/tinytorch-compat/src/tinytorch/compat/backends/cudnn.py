"""``torch.backends.cudnn``: not available; its flags may be set (scripts do) and change nothing."""

__all__ = ["is_available", "enabled", "benchmark", "deterministic"]

enabled = True
benchmark = False
deterministic = False


def is_available():
    return False
