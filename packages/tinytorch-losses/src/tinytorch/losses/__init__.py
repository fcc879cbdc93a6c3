"""TinyTorch module 04: loss functions.

Functional forms ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``cross_entropy``, ``nll_loss``,
``binary_cross_entropy``, ``binary_cross_entropy_with_logits`` and the callable classes
``MSELoss``, ``L1Loss``, ``SmoothL1Loss``, ``CrossEntropyLoss``, ``NLLLoss``, ``BCELoss``,
``BCEWithLogitsLoss``. The fused NumPy kernels live in
:mod:`tinytorch.losses.ops`.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, binary_cross_entropy,
    binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss,
)
from .divergence import KLDivLoss, kl_div
from .regression import L1Loss, SmoothL1Loss, l1_loss, smooth_l1_loss

try:
    __version__ = version("tinytorch-losses")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "l1_loss", "smooth_l1_loss", "kl_div",
    "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "L1Loss",
    "SmoothL1Loss", "KLDivLoss",
    "ops",
]
