"""``torch.optim.lr_scheduler``: the schedules of module 06 (``tinytorch.optim.lr_scheduler``)."""

from tinytorch.optim.lr_scheduler import (
    CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, LRScheduler, MultiStepLR, StepLR,
)

from .._missing import missing

__all__ = [
    "LRScheduler", "StepLR", "CosineAnnealingLR", "LambdaLR", "LinearLR", "ExponentialLR", "MultiStepLR",
]

__getattr__ = missing("torch.optim.lr_scheduler")
