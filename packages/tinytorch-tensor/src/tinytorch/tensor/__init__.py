"""TinyTorch module 01: the Tensor.

An n-dimensional array with PyTorch's names and NumPy inside: broadcasting, views, reductions,
matmul, creation functions, and the op recording that module 05 turns into gradients. The
functions here have ``torch``'s names (``tinytorch.tensor.exp(x)`` is ``x.exp()``).
"""

from importlib.metadata import PackageNotFoundError, version

from . import allocator, ops
from .tensor import Node, Tensor, apply_op, matmul  # first: the method modules need it

from .creation import (
    arange, eye, as_tensor, empty, empty_like, from_numpy, full, full_like, linspace, ones, ones_like,
    rand, rand_like, randint, randn, randn_like, tensor, zeros, zeros_like,
)
from .device import device
from .dims import ShapeError, Size
from .dtypes import (
    bool_, double, float16, float32, float64, half, int8, int16, int32, int64, long, promote_types,
    result_type, short, uint8,
)
from .elementwise import (
    abs, add, clamp, clip, cos, div, exp, log, log1p, log10, masked_fill, mul, neg, pow, sin, sqrt,
    square, sub, tanh, where,
)
from .generator import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, multinomial, randperm,
    seed, set_rng_state,
)
from .linalg import linear
from .matrix import bmm, diag, mm, outer, t
from .norms import cumsum, norm
from .selection import flip, index_select, narrow, nonzero
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .observers import OpEvent, register_op_observer
from .one_hot import one_hot
from .predicates import all, allclose, any, count_nonzero, equal, isfinite, isinf, isnan
from .reductions import (
    MaxResult, amax, amin, argmax, argmin, gather, logsumexp, max, maximum, mean, min, minimum, std,
    sum, topk, var,
)
from .shape import (
    cat, chunk, flatten, permute, reshape, roll, split, squeeze, stack, transpose, tril, triu,
    unbind, unflatten, unsqueeze,
)
from .sorting import SortResult, argsort, sort
from .threads import get_num_threads, set_num_threads

concat = concatenate = cat
swapaxes = transpose
# PyTorch's names that shadow Python builtins: attributes, deliberately not in __all__.
float = float32  # noqa: A001
int = int32  # noqa: A001
bool = bool_  # noqa: A001


def clone(input):
    """A copy that stays in the graph (``torch.clone``)."""
    return input.clone()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


allocator.keep_freed_memory()  # once per process, at import (see allocator.py; opt out by env)

try:
    __version__ = version("tinytorch-tensor")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Tensor", "Node", "MaxResult", "apply_op", "ops", "OpEvent", "register_op_observer",
    "ShapeError", "Size", "device", "get_num_threads", "set_num_threads", "one_hot",
    "no_grad", "enable_grad", "inference_mode", "is_grad_enabled", "set_grad_enabled",
    "matmul", "linear", "cat", "concat", "concatenate", "stack", "where", "tril", "triu",
    "exp", "log", "log10", "log1p", "sqrt", "tanh", "sin", "cos", "abs", "neg", "clamp", "clip",
    "add", "sub", "mul", "div", "pow", "masked_fill",
    "sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "maximum",
    "minimum", "gather", "topk", "logsumexp", "sort", "argsort", "SortResult",
    "isnan", "isinf", "isfinite", "any", "all", "count_nonzero", "allclose", "equal",
    "mm", "bmm", "t", "outer", "diag", "eye", "norm", "cumsum", "square", "flip", "index_select", "narrow", "nonzero",
    "reshape", "flatten", "unflatten", "permute", "transpose", "swapaxes", "squeeze", "unsqueeze",
    "split", "chunk", "unbind", "roll", "clone", "is_tensor", "numel",
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "arange", "linspace",
    "rand", "randn", "randint", "randperm", "multinomial",
    "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state",
    "promote_types", "result_type",
    "float16", "half", "float32", "float64", "double", "int8", "int16", "short", "int32",
    "int64", "long", "uint8", "bool_",
]
