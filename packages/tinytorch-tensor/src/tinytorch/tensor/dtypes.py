"""Dtypes and PyTorch's type promotion, in one table.

TinyTorch's dtypes are NumPy dtypes under PyTorch's names. Which dtype an op produces follows
``torch.result_type``: :func:`promote_types` for two tensors, plus PyTorch's *categories*
(bool < integer < floating) for 0-d tensors and Python numbers, which only decide the result when
they belong to a higher category than the dimensioned tensors (``int64_tensor * 0.5`` is float32,
``float16_tensor * 0.5`` stays float16). NumPy's own rules differ (``int64 + float32`` is float64
there), so ops ask this module before running a kernel.
"""

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

SUPPORTED = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
DEFAULT_FLOAT = float32

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def category(dtype):
    """0 for bool, 1 for integers, 2 for floating point."""
    return _CATEGORY[dtype.kind]


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to (``torch.promote_types``).

    Floating point wins over integers whatever their width (``int64`` with ``float16`` is
    ``float16``); among integers and bools NumPy's table is PyTorch's (``uint8`` with ``int8`` is
    ``int16``).

    Example:
        >>> promote_types(int64, float32), promote_types(uint8, int8)
        (dtype('float32'), dtype('int16'))
    """
    if a is b or a == b:
        return a
    fa, fb = a.kind == "f", b.kind == "f"
    if fa and not fb:
        return a
    if fb and not fa:
        return b
    return np.promote_types(a, b)


def _combine(higher, lower):
    # c10's combine_categories: a lower-priority operand only matters from a higher category.
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype PyTorch gives an op on ``operands`` (``torch.result_type``).

    Args:
        *operands: Tensors, ndarrays, NumPy scalars or Python bool/int/float.

    Example:
        >>> import numpy as np
        >>> result_type(np.zeros(3, np.int64), 0.5), result_type(np.zeros(3, np.float16), 2.0)
        (dtype('float32'), dtype('float16'))
    """
    dim = zero = wrapped = None
    for x in operands:
        dtype = getattr(x, "dtype", None)
        if dtype is not None and isinstance(dtype, np.dtype) and not isinstance(x, np.generic):
            if len(x.shape):
                dim = dtype if dim is None else promote_types(dim, dtype)
            else:
                zero = dtype if zero is None else promote_types(zero, dtype)
            continue
        if isinstance(x, (bool, np.bool_)):
            d = bool_
        elif isinstance(x, (int, np.integer)):
            d = int64
        elif isinstance(x, (float, np.floating)):
            d = DEFAULT_FLOAT
        else:
            raise TypeError(f"expected a Tensor or a Python number, got {type(x).__name__}")
        wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(_combine(dim, zero), wrapped)


def as_dtype(dtype):
    """``dtype`` (a NumPy dtype, type or name) as a supported ``numpy.dtype``, else TypeError."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None
    if d not in SUPPORTED:
        raise TypeError(
            f"unsupported dtype {d}; expected one of {', '.join(str(s) for s in SUPPORTED)}"
        )
    return d


class DataError(TypeError, RuntimeError):
    """Data that is not numbers or bools. PyTorch raises RuntimeError ("Could not infer dtype");
    also a TypeError, which TinyTorch raised before."""


def infer_array(data, dtype=None):
    """``data`` as an ndarray with ``torch.tensor``'s dtype rules.

    ndarrays and NumPy scalars keep their dtype; Python floats become float32, ints int64,
    bools bool. An ndarray that already has the requested dtype is not copied.
    """
    # BEGIN SOLUTION
    data = getattr(data, "data", data) if not isinstance(data, (np.ndarray, np.generic)) else data
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype.kind == "f":
            array = array.astype(np.float32, copy=False)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)
    if dtype is not None:
        array = array.astype(as_dtype(dtype), copy=False)
    if array.dtype.kind not in "fiub":
        raise DataError(
            f"Could not infer dtype of {type(data).__name__}: Tensor data must be numbers or bools, got dtype {array.dtype} "
            f"(from {type(data).__name__}); expected float, int, uint or bool"
        )
    return array
    # END SOLUTION
