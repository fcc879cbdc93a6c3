"""TinyTorch module 01: the Tensor.

An n-dimensional array with PyTorch's names and NumPy inside: broadcasting, views, reductions,
matmul, creation functions, and the op recording that module 05 turns into gradients.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .creation import (
    arange, full, full_like, ones, ones_like, rand, rand_like, randint, randn, randn_like, tensor,
    zeros, zeros_like,
)
from .generator import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, multinomial, randperm,
    seed, set_rng_state,
)
from .observers import OpEvent, register_op_observer
from .tensor import (
    MaxResult, Node, Tensor, apply_op, bool_, cat, enable_grad, float16, float32, float64, int8,
    int16, int32, int64, is_grad_enabled, matmul, no_grad, set_grad_enabled, stack, tril, triu,
    uint8, where,
)

def sin(input):
    """Elementwise sine (``torch.sin``); int and bool inputs give float32."""
    return input.sin()


def cos(input):
    """Elementwise cosine (``torch.cos``); int and bool inputs give float32."""
    return input.cos()


try:
    __version__ = version("tinytorch-tensor")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Tensor", "Node", "MaxResult", "apply_op", "ops",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
    "matmul", "cat", "stack", "where", "tril", "triu", "sin", "cos",
    "register_op_observer", "OpEvent",
    "Generator", "multinomial", "randperm", "seed", "initial_seed",
    "tensor", "zeros", "ones", "full", "arange", "rand", "randn", "randint",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
    "manual_seed", "get_rng_state", "set_rng_state", "default_generator",
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
]
