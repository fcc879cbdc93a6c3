"""TinyTorch module 16: compression.

Pruning with ``torch.nn.utils.prune``'s names (:mod:`tinytorch.compression.prune`), structured
pruning that really removes neurons and channels, sparse storage with measured bytes, low-rank
factorisation of ``Linear`` layers by SVD, and knowledge distillation.
"""

from importlib.metadata import PackageNotFoundError, version

from . import prune
from .distill import DistillationLoss, distillation_loss, soft_target_kl
from .lowrank import factorize_linear, rank_for_energy
from .sparse import BitmaskArray, CSRMatrix, load_sparse, save_sparse
from .structured import (
    channel_norms, prune_channels, select_channels, shrink_inputs, shrink_norm, shrink_outputs,
)

try:
    __version__ = version("tinytorch-compression")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "prune",
    "channel_norms", "select_channels", "shrink_outputs", "shrink_inputs", "shrink_norm", "prune_channels",
    "CSRMatrix", "BitmaskArray", "save_sparse", "load_sparse",
    "rank_for_energy", "factorize_linear",
    "soft_target_kl", "distillation_loss", "DistillationLoss",
]
