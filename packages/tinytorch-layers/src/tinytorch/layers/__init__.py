"""TinyTorch module 03: layers.

``Module`` (the tree of parameters, buffers and children that every model is), ``Parameter``,
and the first layers: ``Linear``, ``Dropout``, ``LayerNorm``, with the containers
``Sequential``, ``ModuleList``, ``ModuleDict`` and ``Identity``, module 02's activations as
``Module`` layers (``ReLU``, ``Tanh``, ...), and weight initialisation in :mod:`.init`
(``torch.nn.init``). Functional forms sit beside the classes.
"""

from importlib.metadata import PackageNotFoundError, version

from . import init
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .containers import Identity, ModuleDict, ModuleList, Sequential
from .hooks import RemovableHandle
from .layers import Dropout, LayerNorm, Linear, dropout, layer_norm, linear
from .module import IncompatibleKeys, Module, Parameter

try:
    __version__ = version("tinytorch-layers")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Module", "Parameter", "IncompatibleKeys", "RemovableHandle",
    "Linear", "Dropout", "LayerNorm", "Identity", "Sequential", "ModuleList", "ModuleDict",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax", "LeakyReLU", "SiLU",
    "linear", "dropout", "layer_norm", "init",
]
