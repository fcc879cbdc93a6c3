"""The NumPy kernels behind every recorded Tensor op.

Each function here takes and returns plain ``numpy.ndarray`` values and knows nothing about
gradients. ``Tensor`` methods run them through :func:`tinytorch.tensor.apply_op`, which records
``(kernel, inputs, attrs)`` on the result; module 05 (autograd) keys its gradient rules on these very
functions. Every kernel is listed in ``__all__`` so that autograd can check it has a rule for each.
"""

import math

import numpy as np

__all__ = [
    "add", "sub", "mul", "div", "pow", "neg", "matmul", "linear",
    "exp", "log", "log10", "log1p", "sqrt", "abs", "tanh", "sin", "cos", "clip",
    "sum", "mean", "var", "std", "amax", "amin", "gather",
    "reshape", "permute", "getitem", "index_put", "contiguous", "contiguous_copy", "astype",
    "masked_fill", "where", "cat", "stack",
    "tril", "triu", "expand", "repeat", "roll",
]


def add(a, b):
    # BEGIN SOLUTION
    return np.add(a, b)
    # END SOLUTION


def sub(a, b):
    # BEGIN SOLUTION
    return np.subtract(a, b)
    # END SOLUTION


def mul(a, b):
    # BEGIN SOLUTION
    return np.multiply(a, b)
    # END SOLUTION


def div(a, b):
    # BEGIN SOLUTION
    return np.true_divide(a, b)
    # END SOLUTION


def pow(a, b):
    # BEGIN SOLUTION
    return np.power(a, b)
    # END SOLUTION


def neg(a):
    # BEGIN SOLUTION
    return np.negative(a)
    # END SOLUTION


def matmul(a, b):
    # BEGIN SOLUTION
    return np.matmul(a, b)
    # END SOLUTION


def linear(input, weight, bias=None):
    # y = x W^T + b with weight (out, in): torch.nn.functional.linear. One GEMM on the flattened
    # batch, (N, in) @ (in, out); weight.T is a view that BLAS reads without a copy.
    # BEGIN SOLUTION
    lead = input.shape[:-1]
    x = input.reshape(math.prod(lead), input.shape[-1]) if input.ndim != 2 else input  # (N, in)
    out = x @ weight.T  # (N, out)
    if bias is not None:
        out += bias
    return out.reshape(lead + (weight.shape[0],)) if input.ndim != 2 else out
    # END SOLUTION


def exp(a):
    # BEGIN SOLUTION
    return np.exp(a)
    # END SOLUTION


def log(a):
    # BEGIN SOLUTION
    return np.log(a)
    # END SOLUTION


def log10(a):
    # BEGIN SOLUTION
    return np.log10(a)
    # END SOLUTION


def log1p(a):
    # BEGIN SOLUTION
    return np.log1p(a)
    # END SOLUTION


def sqrt(a):
    # BEGIN SOLUTION
    return np.sqrt(a)
    # END SOLUTION


def abs(a):
    # BEGIN SOLUTION
    return np.abs(a)
    # END SOLUTION


def tanh(a):
    # BEGIN SOLUTION
    return np.tanh(a)
    # END SOLUTION


def sin(a):
    # BEGIN SOLUTION
    return np.sin(a)
    # END SOLUTION


def cos(a):
    # BEGIN SOLUTION
    return np.cos(a)
    # END SOLUTION


def clip(a, min=None, max=None):
    # BEGIN SOLUTION
    if min is None and max is None:
        return a.copy()
    return np.clip(a, min, max)
    # END SOLUTION


def sum(a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    # np.add.reduce is what ndarray.sum calls, minus one Python frame; it also upcasts bool and
    # small ints to int64 as sum does.
    return np.add.reduce(a, axis=dim, keepdims=keepdim)
    # END SOLUTION


def mean(a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    return a.mean(axis=dim, keepdims=keepdim)
    # END SOLUTION


def var(a, dim=None, keepdim=False, correction=1):
    # BEGIN SOLUTION
    return np.var(a, axis=dim, keepdims=keepdim, ddof=correction)
    # END SOLUTION


def std(a, dim=None, keepdim=False, correction=1):
    # BEGIN SOLUTION
    return np.std(a, axis=dim, keepdims=keepdim, ddof=correction)
    # END SOLUTION


def amax(a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    return a.max(axis=dim, keepdims=keepdim)
    # END SOLUTION


def amin(a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    return a.min(axis=dim, keepdims=keepdim)
    # END SOLUTION


def gather(a, dim, index):
    # torch.gather: out[i][j] = a[index[i][j]][j] for dim 0; the output has index's shape, and
    # index may be smaller than a in the other dims (NumPy's take_along_axis would broadcast).
    # BEGIN SOLUTION
    dim = dim % a.ndim
    lanes = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
    return np.take_along_axis(a[lanes], index, axis=dim)
    # END SOLUTION


def reshape(a, shape):
    # BEGIN SOLUTION
    return np.reshape(a, shape)
    # END SOLUTION


def permute(a, dims):
    # BEGIN SOLUTION
    return np.transpose(a, dims)
    # END SOLUTION


def getitem(a, index):
    # BEGIN SOLUTION
    return a[index]
    # END SOLUTION


def index_put(a, value, index):
    # A copy of a with a[index] = value: the recorded form of `t[index] = value`.
    # BEGIN SOLUTION
    out = a.copy()
    out[index] = value
    return out
    # END SOLUTION


def contiguous_copy(a):
    # BEGIN SOLUTION
    return np.array(a, copy=True, order="C")
    # END SOLUTION


def contiguous(a):
    # BEGIN SOLUTION
    return np.ascontiguousarray(a)
    # END SOLUTION


def astype(a, dtype):
    # BEGIN SOLUTION
    return a.astype(dtype)
    # END SOLUTION


def masked_fill(a, mask, value):
    # BEGIN SOLUTION
    return np.where(mask, np.asarray(value, dtype=a.dtype), a)
    # END SOLUTION


def where(a, b, condition):
    # BEGIN SOLUTION
    return np.where(condition, a, b)
    # END SOLUTION


def cat(*arrays, dim=0):
    # BEGIN SOLUTION
    return np.concatenate(arrays, axis=dim)
    # END SOLUTION


def stack(*arrays, dim=0):
    # BEGIN SOLUTION
    return np.stack(arrays, axis=dim)
    # END SOLUTION


def tril(a, diagonal=0):
    # Lower triangle of the last two dims: keep a[..., i, j] where j - i <= diagonal.
    # BEGIN SOLUTION
    return np.tril(a, diagonal)
    # END SOLUTION


def triu(a, diagonal=0):
    # BEGIN SOLUTION
    return np.triu(a, diagonal)
    # END SOLUTION


def expand(a, shape):
    # A read-only broadcast view: no element is copied (torch.Tensor.expand).
    # BEGIN SOLUTION
    return np.broadcast_to(a, shape)
    # END SOLUTION


def repeat(a, repeats):
    # torch.Tensor.repeat is np.tile with len(repeats) >= a.ndim (new dims are leading).
    # BEGIN SOLUTION
    return np.tile(a, repeats)
    # END SOLUTION


def roll(a, shifts, dims):
    # BEGIN SOLUTION
    return np.roll(a, shifts, axis=dims)
    # END SOLUTION
