"""``torch.backends``: ``mps`` and ``cudnn`` answer "not available" (TinyTorch is CPU-only)."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
