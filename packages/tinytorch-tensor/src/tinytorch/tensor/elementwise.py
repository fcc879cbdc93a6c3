"""Elementwise math: ``exp``, ``log``, ``sin`` ..., ``clamp``, ``masked_fill`` and ``where``.

Each function is also the Tensor method of the same name (``x.exp()`` is ``exp(x)``). Ops whose
result is real-valued (``exp``, ``log``, ``sqrt``, ``tanh``, ``sin``, ``cos``, ``log10``,
``log1p``) give float32 for int and bool inputs, as PyTorch does (NumPy would pick float16 for
bool and float64 for int64).
"""

import numpy as np

from . import ops
from . import tensor as _t
from .dims import ShapeError
from .dtypes import float32, result_type


def _tensor(x, name):
    if not isinstance(x, _t.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _as_float(x):
    """``x`` if floating point, else its data cast to float32 (ints never require grad)."""
    return x if x.data.dtype.kind == "f" else _t.Tensor._make(x.data.astype(float32))


def _unary_float(kernel, x, name):
    return _t.apply_op(kernel, _as_float(_tensor(x, name)))


def exp(input):
    """``e ** input`` elementwise (``torch.exp``)."""
    return _unary_float(ops.exp, input, "exp")


def log(input):
    """Natural logarithm elementwise (``torch.log``); ``log(0) = -inf``."""
    return _unary_float(ops.log, input, "log")


def log10(input):
    """Base-10 logarithm elementwise (``torch.log10``)."""
    return _unary_float(ops.log10, input, "log10")


def log1p(input):
    """``log(1 + input)``, accurate for small ``input`` (``torch.log1p``)."""
    return _unary_float(ops.log1p, input, "log1p")


def sqrt(input):
    return _unary_float(ops.sqrt, input, "sqrt")


def tanh(input):
    return _unary_float(ops.tanh, input, "tanh")


def sin(input):
    return _unary_float(ops.sin, input, "sin")


def cos(input):
    return _unary_float(ops.cos, input, "cos")


def abs(input):
    if _tensor(input, "abs").data.dtype.kind == "b":
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return _t.apply_op(ops.abs, input)


def neg(input):
    return -_tensor(input, "neg")


def add(input, other, *, alpha=1):
    """``input + alpha * other`` (``torch.add``)."""
    return input + (other if alpha == 1 else other * alpha)


def sub(input, other, *, alpha=1):
    return input - (other if alpha == 1 else other * alpha)


def mul(input, other):
    return input * other


def div(input, other):
    return input / other


def pow(input, exponent):
    return input ** exponent


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]`` (``torch.clamp``); either bound may be None.

    An int tensor with a float bound gives float32, as in PyTorch.
    """
    input = _tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [v.data if isinstance(v, _t.Tensor) else v for v in (min, max)]
    dtype = result_type(input.data, *[b for b in bounds if b is not None])
    source = input if dtype == input.data.dtype else _t.Tensor._make(input.data.astype(dtype))
    return _t.apply_op(ops.clip, source, min=bounds[0], max=bounds[1])


clip = clamp


def _bool_array(x, message):
    """``x`` (a bool Tensor, ndarray or 0-d ``np.bool_``) as a bool ndarray, or a TypeError."""
    x = x.data if isinstance(x, _t.Tensor) else x
    if isinstance(x, np.bool_):
        x = np.asarray(x)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{message}, got {type(x).__name__}")
    if x.dtype != np.bool_:
        raise RuntimeError(f"{message}, got dtype {x.dtype}")
    return x


def masked_fill(input, mask, value):
    """Copy of ``input`` with ``value`` where the boolean ``mask`` (broadcast) is True."""
    mask = _bool_array(mask, "masked_fill expects a bool mask")
    shape = input.data.shape
    try:
        if np.broadcast_shapes(mask.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {mask.shape} does not broadcast to {shape}") from None
    if isinstance(value, _t.Tensor):
        if value.data.ndim:
            raise RuntimeError(
                f"masked_fill only supports a 0-dimensional value tensor, got shape {value.data.shape}"
            )
        value = value.data.item()
    return _t.apply_op(ops.masked_fill, input, mask=mask, value=value)


def where(condition, input=None, other=None):
    """Elementwise ``input if condition else other`` (``torch.where``); broadcasts all three.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch.
    """
    if input is None and other is None:
        from .selection import nonzero  # selection builds on the Tensor class, like this module

        return nonzero(condition if isinstance(condition, _t.Tensor) else _t.Tensor(condition), as_tuple=True)
    condition = _bool_array(condition, "where expects a bool condition")
    arrays = [x.data if isinstance(x, _t.Tensor) else x for x in (input, other)]
    dtype = result_type(*arrays)
    arrays = [a.astype(dtype, copy=False) if isinstance(a, np.ndarray) else np.asarray(a, dtype) for a in arrays]
    needs_grad = any(isinstance(x, _t.Tensor) and x._requires_grad for x in (input, other))
    attrs = {"condition": condition}
    try:
        return _t._record(ops.where, (input, other), _t._run(ops.where, arrays, attrs), attrs, needs_grad)
    except ValueError:
        raise ShapeError(
            f"where: shapes {condition.shape}, {_t._shape_of(input)} and {_t._shape_of(other)} "
            "cannot be broadcast together"
        ) from None


def square(input):
    """``input * input`` elementwise (``torch.square``)."""
    return _tensor(input, "square") * input


class ElementwiseMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    exp = exp
    log = log
    log10 = log10
    log1p = log1p
    sqrt = sqrt
    tanh = tanh
    sin = sin
    cos = cos
    abs = abs
    clamp = clip = clamp
    masked_fill = masked_fill
    add = add
    sub = sub
    mul = mul
    div = div
    pow = pow
    neg = neg
    square = square
