"""TinyTorch module 12: attention.

``scaled_dot_product_attention`` (PyTorch's functional form: bool masks where True takes part,
float masks added, ``is_causal``), ``causal_mask`` for queries that come after cached keys, and
``MultiheadAttention`` with ``torch.nn.MultiheadAttention``'s parameters and masks. Attention is
composed from recorded Tensor ops (matmul, softmax, matmul), so autograd needs no new rule.
"""

from importlib.metadata import PackageNotFoundError, version

from .functional import attention, causal_mask, scaled_dot_product_attention
from .multihead import MultiheadAttention

try:
    __version__ = version("tinytorch-attention")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["scaled_dot_product_attention", "attention", "causal_mask", "MultiheadAttention"]
