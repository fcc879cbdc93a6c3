"""``torch.nn.utils``: gradient clipping, aliased from ``tinytorch.training`` (module 07)."""

from tinytorch.training import clip_grad_norm_

from .._missing import missing

__all__ = ["clip_grad_norm_"]

__getattr__ = missing("torch.nn.utils")
