"""TinyTorch module 11: embeddings.

``Embedding`` (``torch.nn.Embedding``): a lookup table whose forward pass is a gather and whose
gradient is a scatter-add; the functional ``embedding``; ``LearnedPositionalEmbedding`` (one
trained vector per position) and ``sinusoidal_positions`` (the fixed table of Vaswani et al.).
Importing the package registers the gather's gradient rule (:mod:`tinytorch.embeddings.ops`).
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .functional import embedding
from .modules import Embedding, LearnedPositionalEmbedding
from .positions import sinusoidal_positions

try:
    __version__ = version("tinytorch-embeddings")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["Embedding", "LearnedPositionalEmbedding", "embedding", "sinusoidal_positions", "ops"]
