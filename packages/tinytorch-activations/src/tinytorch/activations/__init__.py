"""TinyTorch module 02: activation functions.

Functions ``relu``, ``sigmoid``, ``tanh``, ``gelu``, ``softmax``, ``log_softmax`` and the callable
classes ``ReLU``, ``Sigmoid``, ``Tanh``, ``GELU``, ``Softmax``, ``LogSoftmax``. Their NumPy kernels
live in :mod:`tinytorch.activations.ops`.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .activations import (
    GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, gelu, log_softmax, relu, sigmoid, softmax,
    tanh,
)

try:
    __version__ = version("tinytorch-activations")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax",
    "ops",
]
