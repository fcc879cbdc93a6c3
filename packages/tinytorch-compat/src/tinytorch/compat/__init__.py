"""``tinytorch.compat``: a ``torch``-shaped facade over the TinyTorch modules.

``import tinytorch.compat as torch`` gives the top-level functions and dtypes of ``torch``;
``.nn``, ``.nn.functional``, ``.nn.init``, ``.optim``, ``.optim.lr_scheduler``, ``.utils.data`` and
the ``torchvision``-shaped ``.vision`` follow. ``python -m tinytorch.compat script.py ARGS...``
runs an unmodified PyTorch script with ``torch``, ``torch.*`` and ``torchvision`` resolving here.

The facade only aliases: every feature lives (and is tested against PyTorch) in the module that
owns it. A name it lacks raises ``AttributeError`` saying which module would own it.
"""

from importlib.metadata import PackageNotFoundError, version

import numpy as _np

# Module 05 is what makes ``loss.backward()`` work; importing it here makes a facade without it
# fail at ``import torch`` rather than at the first backward.
from tinytorch import autograd as _autograd  # noqa: F401
from tinytorch.activations import log_softmax, relu, sigmoid, softmax
from tinytorch.layers import Parameter  # noqa: F401  (torch.nn.Parameter is also reachable here)
from tinytorch.tensor import (
    Generator, Size, abs, add, all, allclose, amax, amin, any, arange, argmax, argmin,
    argsort, as_tensor, bmm, cat, chunk, clamp, clip, clone, concat, concatenate, cos,
    count_nonzero, cumsum, default_generator, device, diag, div, double, empty, empty_like,
    enable_grad, equal, exp, eye, flatten, flip, float16, float32, float64, from_numpy, full,
    full_like, gather, get_num_threads, get_rng_state, half, index_select, inference_mode,
    initial_seed, int16, int32, int64, int8, is_grad_enabled, is_tensor, isfinite, isinf, isnan,
    linspace, log, log10, log1p, logsumexp, long, manual_seed, masked_fill, matmul, max,
    maximum, mean, min, minimum, mm, mul, multinomial, narrow, neg, no_grad, nonzero, norm,
    numel, ones, ones_like, outer, permute, pow, promote_types, rand, rand_like, randint, randn,
    randn_like, randperm, reshape, result_type, roll, seed, set_grad_enabled, set_num_threads,
    set_rng_state, short, sin, sort, split, sqrt, square, squeeze, stack, std, sub, sum,
    swapaxes, t, tanh, tensor, topk, transpose, tril, triu, uint8, unbind, unflatten, unsqueeze,
    var, where, zeros, zeros_like,
)
from tinytorch.tensor import bool_ as bool  # noqa: A001  (torch.bool)
from tinytorch.tensor import float as float  # noqa: A001, PLC0414  (torch.float is float32)
from tinytorch.tensor import int as int  # noqa: A001, PLC0414  (torch.int is int32)
from tinytorch.training import load, save

from . import accelerator, autograd, backends, cuda, nn, optim, utils
from ._tensor import Tensor
from ._missing import missing

#: ``torch.dtype``: TinyTorch's dtypes are NumPy dtypes (``torch.float32 is numpy.dtype("float32")``).
dtype = _np.dtype

try:
    __version__ = version("tinytorch-compat")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Tensor", "Parameter", "Generator", "Size", "device", "dtype",
    "set_num_threads", "get_num_threads",
    "no_grad", "enable_grad", "inference_mode", "is_grad_enabled", "set_grad_enabled",
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "arange", "linspace",
    "rand", "randn", "randint", "randperm", "multinomial",
    "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
    "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "default_generator",
    "matmul", "cat", "concat", "concatenate", "stack", "where", "tril", "triu",
    "exp", "log", "log10", "log1p", "sqrt", "tanh", "sin", "cos", "abs", "neg", "clamp", "clip",
    "add", "sub", "mul", "div", "pow", "masked_fill", "relu", "sigmoid", "softmax",
    "log_softmax",
    "sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "maximum",
    "minimum", "gather", "topk", "logsumexp", "sort", "argsort",
    "isnan", "isinf", "isfinite", "any", "all", "count_nonzero", "allclose", "equal",
    "mm", "bmm", "t", "outer", "diag", "eye", "norm", "cumsum", "square", "flip", "index_select", "narrow", "nonzero",
    "reshape", "flatten", "unflatten", "permute", "transpose", "swapaxes", "squeeze", "unsqueeze",
    "split", "chunk", "unbind", "roll", "clone", "is_tensor", "numel",
    "promote_types", "result_type",
    "float16", "half", "float32", "float", "float64", "double", "int8", "int16", "short",
    "int32", "int", "int64", "long", "uint8", "bool",
    "save", "load",
    "nn", "optim", "utils", "autograd", "cuda", "backends", "accelerator",
]

__getattr__ = missing("torch")
