"""The Tensor: an n-dimensional array that remembers which op produced it.

A ``Tensor`` wraps one ``numpy.ndarray`` (``.data``). Every op runs a NumPy kernel from
:mod:`tinytorch.tensor.ops` through :func:`apply_op`; when grad mode is on and an input
``requires_grad``, the result keeps a :class:`Node` ``(kernel, inputs, attrs)`` in ``grad_fn``.
This package records *that* a result came from an op and never how to differentiate it: the rules
live in module 05 (``tinytorch.autograd``), which ``backward()`` imports lazily.
"""

import functools
from collections import namedtuple

import numpy as np

from . import ops
from .dims import normalize_dim
from .observers import active as _observers
from .observers import observe_forward as _observe_forward

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

_SUPPORTED_KINDS = "fiub"
_new_object = object.__new__
_FLOAT64 = float64
_grad_enabled = True

MaxResult = namedtuple("MaxResult", ["values", "indices"])


class Node:
    """How a tensor was made: the kernel, its inputs (Tensors or constants) and keyword attrs."""

    __slots__ = ("fn", "inputs", "attrs")

    def __init__(self, fn, inputs, attrs):
        self.fn = fn
        self.inputs = inputs
        self.attrs = attrs

    @property
    def name(self):
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def __repr__(self):
        return f"<Node {self.name}>"


def is_grad_enabled():
    """Whether ops performed now are recorded for autograd."""
    return _grad_enabled


def set_grad_enabled(mode):
    """Turn op recording on or off globally (not thread-local)."""
    global _grad_enabled
    _grad_enabled = bool(mode)


class no_grad:
    """Context manager and decorator that turns op recording off.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> with no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _mode = False

    def __enter__(self):
        self._prev = _grad_enabled
        set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Context manager and decorator that turns op recording back on inside ``no_grad``."""

    _mode = True


def _infer_array(data, dtype):
    """Turn ``data`` into an ndarray with ``torch.tensor``'s dtype rules.

    ndarrays and NumPy scalars keep their dtype; Python floats become float32, ints int64,
    bools bool. An ndarray that already has the requested dtype is not copied.
    """
    # BEGIN SOLUTION
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype.kind == "f":
            array = array.astype(np.float32, copy=False)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)
    if dtype is not None:
        array = array.astype(np.dtype(dtype), copy=False)
    if array.dtype.kind not in _SUPPORTED_KINDS:
        raise TypeError(
            f"Tensor data must be numbers or bools, got dtype {array.dtype} "
            f"(from {type(data).__name__}); expected float, int, uint or bool"
        )
    return array
    # END SOLUTION


def _shape_arg(shape):
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _dims_arg(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def _unwrap(x):
    return x.data if isinstance(x, Tensor) else x


def _unwrap_index(index):
    """An index with every Tensor in it (alone or inside a tuple) replaced by its ndarray."""
    if isinstance(index, tuple):
        return tuple(_unwrap(i) for i in index)
    return _unwrap(index)


def _bool_array(x, message):
    """``x`` (a bool Tensor, ndarray or 0-d ``np.bool_``) as a bool ndarray, or a TypeError."""
    x = _unwrap(x)
    if isinstance(x, np.bool_):
        x = np.asarray(x)
    if not isinstance(x, np.ndarray) or x.dtype != np.bool_:
        raise TypeError(f"{message}, got {getattr(x, 'dtype', type(x).__name__)}")
    return x


def _is_float64(x):
    return isinstance(x, (Tensor, np.ndarray)) and x.dtype == np.float64


def _shape_of(x):
    return tuple(x.shape) if isinstance(x, (Tensor, np.ndarray)) else type(x).__name__


class Tensor:
    """An n-dimensional array with PyTorch's names and NumPy inside.

    Args:
        data: a number, nested sequence, ``numpy.ndarray`` or Tensor.
        dtype: NumPy dtype to convert to. Default: inferred as ``torch.tensor`` does
            (Python floats -> float32, ints -> int64, bools -> bool; ndarrays keep theirs).
        requires_grad: record ops on this tensor so that ``backward()`` can fill ``.grad``.
            Only floating point tensors may require gradients.

    Unlike ``torch.tensor``, an ndarray that already has the requested dtype is wrapped without a
    copy (as ``torch.as_tensor`` does); use :func:`tinytorch.tensor.tensor` for a copy.

    Example:
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> (x @ x.T).sum(dim=1)
        tensor([16., 36.])
    """

    __slots__ = ("data", "_requires_grad", "grad", "grad_fn", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` defer to Tensor.__radd__
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, requires_grad=False):
        self.data = _infer_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(array):
        """Wrap an ndarray produced by a kernel, skipping dtype inference (the hot path)."""
        t = _new_object(Tensor)
        t.data = array if type(array) is np.ndarray else np.asarray(array)
        t._requires_grad = False
        t.grad = None
        t.grad_fn = None
        return t

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"only floating point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    # ----- attributes -------------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):
        return self.permute(*reversed(range(self.data.ndim)))

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, got shape {self.data.shape}"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self):
        """The underlying ndarray (no copy). Unlike PyTorch, allowed when requires_grad."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def detach(self):
        """A tensor sharing this one's data, cut off from the graph."""
        return Tensor._make(self.data)

    def backward(self, gradient=None):
        """Fill ``.grad`` of every leaf this tensor depends on (needs module 05)."""
        try:
            from tinytorch.autograd import backward
        except ImportError:
            raise RuntimeError("backward() needs tinytorch-autograd (module 05)") from None
        backward(self, gradient)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype not in (float32, int64, bool_):
            extra += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn={self.grad_fn.fn.__name__}"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __format__(self, spec):
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        return format(repr(self), spec)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data)

    # ----- arithmetic ---------------------------------------------------------------------------
    def __add__(self, other):
        return _binary(ops.add, self, other)

    def __radd__(self, other):
        return _binary(ops.add, other, self)

    def __sub__(self, other):
        return _binary(ops.sub, self, other)

    def __rsub__(self, other):
        return _binary(ops.sub, other, self)

    def __mul__(self, other):
        return _binary(ops.mul, self, other)

    def __rmul__(self, other):
        return _binary(ops.mul, other, self)

    def __truediv__(self, other):
        return _binary(ops.div, self, other)

    def __rtruediv__(self, other):
        return _binary(ops.div, other, self)

    def __pow__(self, other):
        return _binary(ops.pow, self, other)

    def __rpow__(self, other):
        return _binary(ops.pow, other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return apply_op(ops.neg, self)

    def __abs__(self):
        return self.abs()

    def __iadd__(self, other):
        return self._inplace(np.add, other)

    def __isub__(self, other):
        return self._inplace(np.subtract, other)

    def __imul__(self, other):
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other):
        return self._inplace(np.true_divide, other)

    def _inplace(self, ufunc, other):
        # In-place ops are for parameter updates under no_grad(); recording them would rewrite
        # values that a recorded graph still needs.
        if _grad_enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            raise RuntimeError(
                f"in-place {ufunc.__name__} on a tensor that requires grad; "
                "do it inside `with no_grad():` or use the out-of-place operator"
            )
        ufunc(self.data, _unwrap(other), out=self.data)
        return self

    def zero_(self):
        self.data[...] = 0
        return self

    def fill_(self, value):
        self.data[...] = value
        return self

    # ----- comparisons (never recorded) --------------------------------------------------------
    def __eq__(self, other):
        return Tensor._make(np.equal(self.data, _unwrap(other)))

    def __ne__(self, other):
        return Tensor._make(np.not_equal(self.data, _unwrap(other)))

    def __lt__(self, other):
        return Tensor._make(np.less(self.data, _unwrap(other)))

    def __le__(self, other):
        return Tensor._make(np.less_equal(self.data, _unwrap(other)))

    def __gt__(self, other):
        return Tensor._make(np.greater(self.data, _unwrap(other)))

    def __ge__(self, other):
        return Tensor._make(np.greater_equal(self.data, _unwrap(other)))

    def __invert__(self):
        return Tensor._make(np.invert(self.data))

    def __and__(self, other):
        return Tensor._make(np.bitwise_and(self.data, _unwrap(other)))

    def __or__(self, other):
        return Tensor._make(np.bitwise_or(self.data, _unwrap(other)))

    # ----- elementwise math ---------------------------------------------------------------------
    def exp(self):
        return apply_op(ops.exp, _as_float(self))

    def log(self):
        return apply_op(ops.log, _as_float(self))

    def sqrt(self):
        return apply_op(ops.sqrt, _as_float(self))

    def tanh(self):
        return apply_op(ops.tanh, _as_float(self))

    def sin(self):
        return apply_op(ops.sin, _as_float(self))

    def cos(self):
        return apply_op(ops.cos, _as_float(self))

    def abs(self):
        return apply_op(ops.abs, self)

    def clip(self, min=None, max=None):
        """Limit values to ``[min, max]`` (``torch.clamp``); either bound may be None."""
        return apply_op(ops.clip, self, min=min, max=max)

    clamp = clip

    def masked_fill(self, mask, value):
        """Copy of ``self`` with ``value`` where the boolean ``mask`` (broadcast) is True."""
        mask = _bool_array(mask, "masked_fill expects a bool mask")
        try:
            np.broadcast_shapes(mask.shape, self.data.shape)
        except ValueError:
            raise ValueError(
                f"masked_fill: mask of shape {mask.shape} does not broadcast to {self.data.shape}"
            ) from None
        out = apply_op(ops.masked_fill, self, mask=mask, value=value)
        if out.data.shape != self.data.shape:
            raise ValueError(
                f"masked_fill: mask of shape {mask.shape} would enlarge {self.data.shape}"
            )
        return out

    def to(self, dtype):
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        return apply_op(ops.astype, self, dtype=dtype)

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def long(self):
        return self.to(int64)

    def int(self):
        return self.to(int32)

    # ----- reductions ---------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return apply_op(ops.sum, self, dim=_dims_arg(dim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        self._need_float("mean")
        return apply_op(ops.mean, self, dim=_dims_arg(dim), keepdim=keepdim)

    def var(self, dim=None, keepdim=False, correction=1):
        """Variance with Bessel's ``correction`` (1: unbiased, PyTorch's default; 0: biased)."""
        self._need_float("var")
        return apply_op(ops.var, self, dim=_dims_arg(dim), keepdim=keepdim, correction=correction)

    def max(self, dim=None, keepdim=False):
        """Largest value; with ``dim``, a ``(values, indices)`` pair as in PyTorch.

        Gradients: without ``dim`` they are shared equally among tied maxima; with ``dim`` they go
        to the element at the returned index.
        """
        if dim is None:
            return apply_op(ops.amax, self)
        return self._select(np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        """Smallest value; see :meth:`max`."""
        if dim is None:
            return apply_op(ops.amin, self)
        return self._select(np.argmin, dim, keepdim)

    def _select(self, arg_fn, dim, keepdim):
        # BEGIN SOLUTION
        indices = arg_fn(self.data, axis=dim, keepdims=True)  # (..., 1, ...)
        values = self.gather(dim, indices)
        indices = Tensor._make(indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return MaxResult(values, indices)
        # END SOLUTION

    def amax(self, dim=None, keepdim=False):
        return apply_op(ops.amax, self, dim=_dims_arg(dim), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return apply_op(ops.amin, self, dim=_dims_arg(dim), keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        if dim is None:
            return Tensor._make(np.asarray(np.argmax(self.data)))
        return Tensor._make(np.argmax(self.data, axis=dim, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False):
        if dim is None:
            return Tensor._make(np.asarray(np.argmin(self.data)))
        return Tensor._make(np.argmin(self.data, axis=dim, keepdims=keepdim))

    def gather(self, dim, index):
        """Pick ``self[..., index[i], ...]`` along ``dim`` (``torch.gather``)."""
        index = _unwrap(index)
        if not isinstance(index, np.ndarray) or index.dtype.kind not in "iu":
            raise TypeError(f"gather expects an integer index tensor, got {getattr(index, 'dtype', type(index))}")
        if index.ndim != self.data.ndim:
            raise ValueError(
                f"gather: index has {index.ndim} dims but input has {self.data.ndim} dims "
                f"(shapes {index.shape} and {self.data.shape})"
            )
        too_big = [
            d for d in range(index.ndim) if d != dim % index.ndim and index.shape[d] > self.data.shape[d]
        ]
        if too_big:
            raise ValueError(
                f"gather: index of shape {index.shape} is larger than input {self.data.shape} "
                f"in dim {too_big[0]} (only dim {dim} may be larger)"
            )
        return apply_op(ops.gather, self, dim=dim, index=index)

    def _need_float(self, name):
        if self.data.dtype.kind != "f":
            raise TypeError(f"{name}() needs a floating point tensor, got dtype {self.data.dtype}")

    # ----- shape and views ----------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _shape_arg(shape)
        try:
            return apply_op(ops.reshape, self, shape=shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape tensor of shape {self.data.shape} ({self.data.size} elements) "
                f"into shape {shape}"
            ) from None

    def view(self, *shape):
        """Same as :meth:`reshape`. Unlike PyTorch, copies instead of failing on non-contiguous data."""
        return self.reshape(*shape)

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self.data.shape
        if not shape:
            return self.reshape(1)
        start, end = start_dim % len(shape), end_dim % len(shape)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*shape[:start], -1, *shape[end + 1:])

    def permute(self, *dims):
        dims = _shape_arg(dims)
        if sorted(d % max(self.data.ndim, 1) for d in dims) != list(range(self.data.ndim)):
            raise ValueError(f"permute: dims {dims} are not a permutation of {self.data.ndim} dims")
        return apply_op(ops.permute, self, dims=dims)

    def transpose(self, dim0, dim1):
        # BEGIN SOLUTION
        dims = list(range(self.data.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return apply_op(ops.permute, self, dims=tuple(dims))
        # END SOLUTION

    def squeeze(self, dim=None):
        """Drop size-1 dims (only ``dim`` if given; a ``dim`` whose size is not 1 is kept)."""
        # BEGIN SOLUTION
        shape = self.data.shape
        if dim is None:
            new = tuple(s for s in shape if s != 1)
        else:
            dims = {d % len(shape) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))} if shape else set()
            new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
        return self.reshape(new)
        # END SOLUTION

    def unsqueeze(self, dim):
        # BEGIN SOLUTION
        shape = list(self.data.shape)
        if not -len(shape) - 1 <= dim <= len(shape):
            raise IndexError(f"unsqueeze: dim {dim} out of range for a {len(shape)}-d tensor")
        shape.insert(dim % (len(shape) + 1), 1)
        return self.reshape(tuple(shape))
        # END SOLUTION

    def expand(self, *sizes):
        """A broadcast view of ``self`` with ``sizes`` (``-1`` keeps a dim); no data is copied.

        New dims may only be added in front; only size-1 dims may grow (``torch.Tensor.expand``).
        """
        sizes = _shape_arg(sizes)
        shape = self.data.shape
        lead = len(sizes) - len(shape)
        if lead < 0:
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({len(shape)})"
            )
        target = []
        for i, n in enumerate(sizes):
            if i < lead:
                if n < 0:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({n}) isn't allowed in a leading, "
                        f"non-existing dimension {i}"
                    )
                target.append(n)
                continue
            have = shape[i - lead]
            if n == -1:
                n = have
            elif have != 1 and n != have:
                raise RuntimeError(
                    f"The expanded size of the tensor ({n}) must match the existing size ({have}) "
                    f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                    f"Tensor sizes: {list(shape)}"
                )
            target.append(n)
        return apply_op(ops.expand, self, shape=tuple(target))

    def expand_as(self, other):
        return self.expand(*other.shape)

    def repeat(self, *sizes):
        """Tile ``self`` ``sizes[i]`` times along each dim, copying (``torch.Tensor.repeat``)."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.data.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions "
                f"of tensor (got {len(sizes)} repeats for a {self.data.ndim}-d tensor)"
            )
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"Trying to create tensor with negative dimension in repeats {list(sizes)}")
        return apply_op(ops.repeat, self, repeats=tuple(int(n) for n in sizes))

    def tril(self, diagonal=0):
        return tril(self, diagonal)

    def triu(self, diagonal=0):
        return triu(self, diagonal)

    def split(self, split_size_or_sections, dim=0):
        """Views of consecutive pieces along ``dim`` (``torch.Tensor.split``).

        An int gives pieces of that size (the last may be smaller); a list gives the exact sizes,
        which must sum to the size of ``dim``.
        """
        if self.data.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        d = normalize_dim(dim, self.data.ndim)
        n = self.data.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if any(s < 0 for s in sizes) or sum(sizes) != n:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                    f"size at dimension {d}), but got split_sizes={sizes}"
                )
        else:
            size = split_size_or_sections
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise TypeError(f"split_size must be an int or a list of ints, got {size!r}")
            if size < 0 or (size == 0 and n != 0):
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
            sizes = [min(size, n - start) for start in range(0, n, size)] if n else [0]
        lead = (slice(None),) * d
        pieces, start = [], 0
        for s in sizes:
            pieces.append(self[lead + (slice(start, start + s),)])
            start += s
        return tuple(pieces)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` pieces of equal size along ``dim`` (``torch.Tensor.chunk``)."""
        if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
            raise TypeError(f"chunk expects an int number of chunks, got {chunks!r}")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        if self.data.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        n = self.data.shape[normalize_dim(dim, self.data.ndim)]
        if n == 0:  # PyTorch returns `chunks` empty pieces
            return self.split([0] * chunks, dim)
        return self.split(-(-n // chunks), dim)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The ``k`` largest (or smallest) values along ``dim`` and their indices (``torch.topk``).

        Returns a ``(values, indices)`` pair. NaN counts as larger than every number, as in
        PyTorch; the values are always sorted (``sorted=False`` is allowed any order in PyTorch).
        """
        a = self.data
        d = normalize_dim(dim, a.ndim)
        if a.ndim == 0:
            a = a.reshape(1)
        n = a.shape[d]
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"topk: k must be an int, got {k!r}")
        if not 0 <= k <= n:
            raise RuntimeError(f"selected index k out of range (k={k}, dim {dim} has size {n})")
        if k == 0:
            index = np.zeros(a.shape[:d] + (0,) + a.shape[d + 1:], dtype=np.int64)
        elif largest:
            # argpartition puts NaN last, so the top block holds the k largest with NaN on top
            part = np.argpartition(a, n - k, axis=d) if k < n else np.argsort(a, axis=d)
            part = np.take(part, np.arange(n - k, n), axis=d)
            order = np.argsort(np.take_along_axis(a, part, axis=d), axis=d, kind="stable")
            index = np.flip(np.take_along_axis(part, order, axis=d), axis=d)
        else:
            part = np.argpartition(a, k - 1, axis=d) if k < n else np.argsort(a, axis=d)
            part = np.take(part, np.arange(k), axis=d)
            order = np.argsort(np.take_along_axis(a, part, axis=d), axis=d, kind="stable")
            index = np.take_along_axis(part, order, axis=d)
        index = np.ascontiguousarray(index, dtype=np.int64)
        source = self if self.data.ndim else self.reshape(1)
        values = source.gather(d, index)
        if self.data.ndim == 0:
            return MaxResult(values.reshape(()), Tensor._make(index.reshape(())))
        return MaxResult(values, Tensor._make(index))

    def contiguous(self):
        if self.data.flags.c_contiguous:
            return self
        return apply_op(ops.contiguous, self)

    def __getitem__(self, index):
        return apply_op(ops.getitem, self, index=_unwrap_index(index))

    def __setitem__(self, index, value):
        if _grad_enabled and self._requires_grad:
            raise RuntimeError(
                "item assignment on a tensor that requires grad; use masked_fill or where, "
                "or assign inside `with no_grad():`"
            )
        self.data[_unwrap_index(index)] = _unwrap(value)


def apply_op(fn, *inputs, **attrs):
    """Run the NumPy kernel ``fn`` on the inputs' data and record it when gradients are needed.

    The public extension point for later modules: a new primitive (conv, embedding gather, ...) is
    a NumPy kernel run through ``apply_op``, plus a rule registered with
    ``tinytorch.autograd.gradient_of(kernel)``.

    Args:
        fn: kernel ``fn(*arrays, **attrs) -> ndarray``.
        *inputs: Tensors (differentiable) or plain constants passed as they are.
        **attrs: non-differentiable keyword arguments (dims, masks, indices, flags).

    Returns:
        Tensor: the result; it has ``grad_fn = Node(fn, inputs, attrs)`` when grad mode is on and
        any input requires grad.
    """
    # BEGIN SOLUTION
    arrays = []
    needs_grad = False
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x.data)
            needs_grad = needs_grad or x._requires_grad
        else:
            arrays.append(x)
    if _observers:
        out = Tensor._make(_observe_forward(fn, arrays, attrs))
    else:
        out = Tensor._make(fn(*arrays, **attrs))
    if needs_grad and _grad_enabled and out.data.dtype.kind == "f":
        out._requires_grad = True
        out.grad_fn = Node(fn, inputs, attrs)
    return out
    # END SOLUTION


def _float_result(out, *operands):
    # NumPy turns int/int division, int tensor + Python float and int+float32 into float64;
    # PyTorch gives float32 unless an operand already is float64. Keep PyTorch's rule.
    if out.data.dtype is _FLOAT64 and not any(_is_float64(x) for x in operands):
        # The recorded kernel still ran in float64; the engine casts each input's gradient
        # back to that input's dtype, so the graph stays consistent.
        out.data = out.data.astype(np.float32)
    return out


def _as_float(t):
    """``t`` itself if floating point, else cast to float32: PyTorch's rule for float-valued unary
    ops (``exp``, ``sin`` ...) on int and bool tensors (NumPy would pick float16 or float64)."""
    return t if t.data.dtype.kind == "f" else apply_op(ops.astype, t, dtype=float32)


def _binary(fn, a, b):
    """``apply_op`` specialised to two operands: the hot path of every training loop."""
    if isinstance(a, Tensor):
        x, needs_grad = a.data, a._requires_grad
    else:
        x, needs_grad = a, False
    if isinstance(b, Tensor):
        y, needs_grad = b.data, needs_grad or b._requires_grad
    else:
        y = b
    try:
        out = Tensor._make(_observe_forward(fn, (x, y), {}) if _observers else fn(x, y))
    except ValueError:
        raise ValueError(_shape_error(fn, a, b)) from None
    if needs_grad and _grad_enabled and out.data.dtype.kind == "f":
        out._requires_grad = True
        out.grad_fn = Node(fn, (a, b), {})
    if out.data.dtype is _FLOAT64:
        _float_result(out, a, b)
    return out


def matmul(a, b):
    """Matrix product with NumPy/PyTorch broadcasting of batch dims.

    Shape:
        ``(*, n, k) @ (*, k, m) -> (*, n, m)``; 1-d operands are treated as in ``torch.matmul``.
    """
    return _binary(ops.matmul, a, b)


def _shape_error(fn, a, b):
    sa, sb = _shape_of(a), _shape_of(b)
    if fn is not ops.matmul:
        return f"{fn.__name__}: shapes {sa} and {sb} cannot be broadcast together"
    if not isinstance(sa, tuple) or not isinstance(sb, tuple) or not sa or not sb:
        return f"matmul needs tensors of at least 1 dim, got shapes {sa} and {sb}"
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if sa[-1] != k_b:
        which = "only" if len(sb) == 1 else "second-to-last"
        return (
            f"matmul: shapes {sa} and {sb} do not align: {sa[-1]} (last dim of the first) "
            f"!= {k_b} ({which} dim of the second)"
        )
    return f"matmul: batch dims of {sa} and {sb} cannot be broadcast together"


def cat(tensors, dim=0):
    """Join tensors along an existing ``dim`` (``torch.cat``)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat needs at least one tensor")
    try:
        return apply_op(ops.cat, *tensors, dim=dim)
    except ValueError:
        raise ValueError(
            f"cat: shapes {[_shape_of(t) for t in tensors]} differ outside dim {dim}"
        ) from None


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new ``dim`` (``torch.stack``)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    try:
        return apply_op(ops.stack, *tensors, dim=dim)
    except ValueError:
        raise ValueError(f"stack: shapes {[_shape_of(t) for t in tensors]} are not all equal") from None


def where(condition, input, other):
    """Elementwise ``input if condition else other`` (``torch.where``); broadcasts all three."""
    condition = _bool_array(condition, "where expects a bool condition")
    try:
        return _float_result(apply_op(ops.where, input, other, condition=condition), input, other)
    except ValueError:
        raise ValueError(
            f"where: shapes {condition.shape}, {_shape_of(input)} and {_shape_of(other)} "
            "cannot be broadcast together"
        ) from None


def _triangle(fn, input, diagonal):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn.__name__}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.data.ndim < 2:
        raise RuntimeError(
            f"{fn.__name__}: input tensor must have at least 2 dimensions, got shape {input.data.shape}"
        )
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{fn.__name__}(): argument 'diagonal' must be int, not {type(diagonal).__name__}")
    return apply_op(fn, input, diagonal=int(diagonal))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims, the rest zero (``torch.tril``).

    Keeps ``input[..., i, j]`` where ``j - i <= diagonal``.

    Example:
        >>> tril(Tensor([[1, 2], [3, 4]]))
        tensor([[1, 0],
                [3, 4]])
    """
    return _triangle(ops.tril, input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle of the last two dims, the rest zero (``torch.triu``).

    Keeps ``input[..., i, j]`` where ``j - i >= diagonal``.

    Example:
        >>> triu(Tensor([[1, 2], [3, 4]]), diagonal=1)
        tensor([[0, 2],
                [0, 0]])
    """
    return _triangle(ops.triu, input, diagonal)
