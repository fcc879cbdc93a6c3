"""``torch.optim``: the optimizers of module 06 (``tinytorch.optim``)."""

from tinytorch.optim import SGD, Adadelta, Adam, AdamW, Optimizer, RMSprop

from .._missing import missing
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "lr_scheduler"]

__getattr__ = missing("torch.optim")
