"""TinyTorch module 18: acceleration.

Fused kernels with their own gradient rules (linear + bias + activation, layer norm, attention,
convolution + ReLU), naive loop versions beside the vectorised ones for comparison, buffer reuse
for large temporaries, BLAS thread control, and :func:`accelerate`, which rewrites a model to
use the fused layers.
"""

from importlib.metadata import PackageNotFoundError, version

from . import kernels, naive
from .blocks import FusedCausalSelfAttention, FusedMLP
from .buffers import BufferPool, buffer_reuse, default_pool, is_buffer_reuse_enabled
from .functional import conv2d_relu, layer_norm, linear_act, scaled_dot_product_attention
from .modules import FusedConv2dReLU, FusedLayerNorm, FusedLinear, accelerate
from .threads import blas_threads, get_blas_threads

try:
    __version__ = version("tinytorch-acceleration")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "kernels", "naive",
    "linear_act", "layer_norm", "scaled_dot_product_attention", "conv2d_relu",
    "FusedLinear", "FusedLayerNorm", "FusedConv2dReLU", "FusedMLP", "FusedCausalSelfAttention", "accelerate",
    "BufferPool", "default_pool", "buffer_reuse", "is_buffer_reuse_enabled",
    "blas_threads", "get_blas_threads",
]
