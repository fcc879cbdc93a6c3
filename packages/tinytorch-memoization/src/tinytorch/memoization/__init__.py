"""TinyTorch module 17: memoization.

A preallocated key/value cache (:class:`KVCache`) that fills the transformer's generation-cache
extension point, cached generation that gives the same tokens as recomputation, a documented
policy when the context fills, and batched generation of prompts of different lengths.
"""

from importlib.metadata import PackageNotFoundError, version

from .generation import generate, generate_batch
from .kv_cache import KVCache

try:
    __version__ = version("tinytorch-memoization")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["KVCache", "generate", "generate_batch"]
