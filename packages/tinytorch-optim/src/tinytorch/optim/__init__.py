"""TinyTorch module 06: optimizers and learning-rate schedules.

SGD (momentum, dampening, Nesterov, weight decay), RMSprop, Adam, AdamW and Adadelta with ``torch.optim``'s
signatures, defaults and update rules, updating parameters in place; StepLR, CosineAnnealingLR,
LambdaLR and LinearLR (warm-up), MultiStepLR and ExponentialLR with ``torch.optim.lr_scheduler``'s semantics.
"""

from importlib.metadata import PackageNotFoundError, version

from . import lr_scheduler
from .adadelta import Adadelta
from .lr_scheduler import (
    CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, LRScheduler, MultiStepLR, StepLR,
)
from .optimizer import SGD, Adam, AdamW, Optimizer, RMSprop

try:
    __version__ = version("tinytorch-optim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adadelta",
    "lr_scheduler", "LRScheduler", "StepLR", "CosineAnnealingLR", "LambdaLR", "LinearLR",
    "ExponentialLR", "MultiStepLR",
]
