"""TinyTorch module 12: attention.

``scaled_dot_product_attention`` (PyTorch's functional form: bool masks where True takes part,
float masks added, ``is_causal``), ``causal_mask`` for queries that come after cached keys, and
``MultiheadAttention`` with ``torch.nn.MultiheadAttention``'s parameters and masks. Attention is
matmul, a fused mask-and-softmax kernel with its own gradient rule (:mod:`tinytorch.attention.ops`),
matmul; ``attention_composite`` spells the same out in recorded ops, tested equal.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .functional import attention, attention_composite, causal_mask, scaled_dot_product_attention
from .multihead import MultiheadAttention

try:
    __version__ = version("tinytorch-attention")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["scaled_dot_product_attention", "attention", "attention_composite", "causal_mask",
           "MultiheadAttention", "ops"]
