"""TinyTorch module 13: the transformer.

``GPTConfig`` and ``GPT`` (pre-norm blocks of causal self-attention and a GELU MLP, learned
positions, optional weight tying, nanoGPT's initialisation) with ``forward`` (logits and loss),
``generate`` (temperature, top-k, top-p, greedy, batch-aware) and the generation-cache protocol
that module 17 implements (:mod:`tinytorch.transformer.cache`, with the reference ``ConcatCache``).
"""

from importlib.metadata import PackageNotFoundError, version

from .blocks import MLP, Block, CausalSelfAttention, GPTConfig
from .cache import ConcatCache
from .gpt import GPT
from .sampling import sample_next_token, top_k_filter, top_p_filter

try:
    __version__ = version("tinytorch-transformer")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "GPTConfig", "GPT", "Block", "CausalSelfAttention", "MLP", "ConcatCache",
    "sample_next_token", "top_k_filter", "top_p_filter",
]
