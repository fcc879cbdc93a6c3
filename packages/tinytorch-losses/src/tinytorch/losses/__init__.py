"""TinyTorch module 04: loss functions.

Functional forms ``mse_loss``, ``cross_entropy``, ``nll_loss``, ``binary_cross_entropy``,
``binary_cross_entropy_with_logits`` and the callable classes ``MSELoss``, ``CrossEntropyLoss``,
``NLLLoss``, ``BCELoss``, ``BCEWithLogitsLoss``. The fused NumPy kernels live in
:mod:`tinytorch.losses.ops`.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, binary_cross_entropy,
    binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss,
)

try:
    __version__ = version("tinytorch-losses")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "ops",
]
