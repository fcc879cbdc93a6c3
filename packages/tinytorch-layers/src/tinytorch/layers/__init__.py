"""TinyTorch module 03: layers.

``Module`` (the tree of parameters, buffers and children that every model is), ``Parameter``,
and the first layers: ``Linear``, ``Dropout``, ``LayerNorm``, with the containers
``Sequential``, ``ModuleList`` and ``Identity``. Functional forms sit beside the classes.
"""

from importlib.metadata import PackageNotFoundError, version

from .containers import Identity, ModuleList, Sequential
from .layers import Dropout, LayerNorm, Linear, dropout, layer_norm, linear
from .module import IncompatibleKeys, Module, Parameter

try:
    __version__ = version("tinytorch-layers")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Module", "Parameter", "IncompatibleKeys",
    "Linear", "Dropout", "LayerNorm", "Identity", "Sequential", "ModuleList",
    "linear", "dropout", "layer_norm",
]
