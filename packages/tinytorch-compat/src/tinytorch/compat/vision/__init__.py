"""A ``torchvision``-shaped part of the facade: ``datasets`` and ``transforms`` over module 08.

``python -m tinytorch.compat`` maps ``torchvision`` (and ``torchvision.datasets``,
``torchvision.transforms``) here.
"""

from .._missing import missing
from . import datasets, transforms

__all__ = ["datasets", "transforms"]

__getattr__ = missing("torchvision")
