"""TinyTorch module 02: activation functions.

Functions ``relu``, ``sigmoid``, ``tanh``, ``gelu``, ``softmax``, ``log_softmax`` (with the
compositions ``leaky_relu`` and ``silu``) and the callable
classes ``ReLU``, ``Sigmoid``, ``Tanh``, ``GELU``, ``Softmax``, ``LogSoftmax``. Their NumPy kernels
live in :mod:`tinytorch.activations.ops`.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .activations import (
    GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, gelu, leaky_relu, log_softmax, relu, sigmoid,
    silu, softmax, tanh,
)

try:
    __version__ = version("tinytorch-activations")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "leaky_relu", "silu",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax",
    "ops",
]
