"""The Tensor: an n-dimensional array that remembers which op produced it.

A ``Tensor`` wraps one ``numpy.ndarray`` (``.data``). Every op runs a NumPy kernel from
:mod:`tinytorch.tensor.ops` through :func:`apply_op`; when grad mode is on and an input
``requires_grad``, the result keeps a :class:`Node` ``(kernel, inputs, attrs)`` in ``grad_fn``.
This package records *that* a result came from an op and never how to differentiate it: the rules
live in module 05 (``tinytorch.autograd``), which ``backward()`` imports lazily.

There is one recording path, :func:`_record`: ``apply_op`` and the arithmetic operators both end
there, after the dtype policy (:mod:`.dtypes`) has cast the operands, so a node always describes
exactly the computation that produced its output. The methods live beside the functions of the
same name, one file per idea: :mod:`.elementwise`, :mod:`.reductions`, :mod:`.shape`,
:mod:`.inplace`.
"""

import numpy as np

from . import grad_mode as _grad_mode
from . import inplace as _inplace
from . import ops
from .activation_methods import ActivationMethods
from .device import CPU, as_device, device
from .dims import ShapeError, normalize_dim
from .dtypes import SUPPORTED, as_dtype, float32, infer_array, result_type
from .elementwise import ElementwiseMethods
from .inplace import InplaceMethods
from .like_methods import LikeMethods
from .matrix import MatrixMethods
from .norms import NormMethods
from .numpy_interop import NumpyInterop
from .observers import active as _observers
from .observers import observe_forward as _observe_forward
from .predicates import PredicateMethods
from .reductions import ReductionMethods
from .selection import SelectionMethods
from .shape import ShapeMethods
from .sorting import SortMethods

_new_object = object.__new__


class Node:
    """How a tensor was made: the kernel, its inputs (Tensors or constants) and keyword attrs.

    ``versions`` holds each Tensor input's version counter when the op ran and ``out_version``
    the output's, so that backward can refuse to use values that an in-place op changed since;
    ``writes`` is the global count of in-place writes then (unchanged: nothing to check).
    """

    __slots__ = ("fn", "inputs", "attrs", "versions", "out_version", "writes")

    def __init__(self, fn, inputs, attrs):
        self.fn = fn
        self.inputs = inputs
        self.attrs = attrs
        self.versions = tuple([x._version if isinstance(x, Tensor) else 0 for x in inputs])
        self.out_version = 0
        self.writes = _inplace.writes  # no in-place write since: nothing to check in backward

    @property
    def name(self):
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def __repr__(self):
        return f"<Node {self.name}>"


class Tensor(ElementwiseMethods, ReductionMethods, ShapeMethods, InplaceMethods, ActivationMethods,
             PredicateMethods, SortMethods, MatrixMethods, SelectionMethods, LikeMethods,
             NormMethods, NumpyInterop):
    """An n-dimensional array with PyTorch's names and NumPy inside.

    Args:
        data: a number, nested sequence, ``numpy.ndarray`` or Tensor.
        dtype: dtype to convert to. Default: inferred as ``torch.tensor`` does
            (Python floats -> float32, ints -> int64, bools -> bool; ndarrays keep theirs).
        requires_grad: record ops on this tensor so that ``backward()`` can fill ``.grad``.
            Only floating point tensors may require gradients.

    Unlike ``torch.tensor``, an ndarray that already has the requested dtype is wrapped without a
    copy (as ``torch.as_tensor`` does); use :func:`tinytorch.tensor.tensor` for a copy.
    Deliberately unlike ``torch.Tensor``, ``Tensor([1, 2])`` is int64 (the ``torch.tensor`` rule)
    and sizes as arguments (``Tensor(2, 3)``, PyTorch's legacy uninitialised constructor) are a
    TypeError naming ``empty``/``zeros``; ``Tensor()`` is an empty float32 tensor, as in PyTorch.

    Example:
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> (x @ x.T).sum(dim=1)
        tensor([16., 36.])
    """

    __slots__ = ("data", "_requires_grad", "grad", "grad_fn", "_version", "__weakref__")
    __hash__ = object.__hash__

    def __init__(self, data=(), dtype=None, requires_grad=False):
        if isinstance(dtype, int) and not isinstance(dtype, bool):
            raise TypeError(
                f"Tensor({data!r}, {dtype!r}, ...): sizes as arguments (PyTorch's legacy "
                f"constructor) are not supported; write empty({data!r}, {dtype!r}, ...) or "
                f"zeros({data!r}, {dtype!r}, ...), or Tensor(data) for data"
            )
        self.data = infer_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._requires_grad = False
        self._version = 0
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
        t._version = 0
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
        if not value and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use detach() instead"
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
    def device(self):
        return CPU

    is_cuda = False

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):
        return self.permute(*reversed(range(self.data.ndim)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def size(self, dim=None):
        if dim is None:
            return self.data.shape
        return self.data.shape[normalize_dim(dim, self.data.ndim)] if self.data.ndim else 1

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    nelement = numel

    def element_size(self):
        return self.data.itemsize

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar "
                f"(shape {self.data.shape}; item() needs exactly one element)"
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

    def clone(self):
        """A copy of the data that stays in the graph (``torch.Tensor.clone``)."""
        return apply_op(ops.contiguous_copy, self)

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(other)`` or ``to(device, dtype)``, as in PyTorch.

        Returns ``self`` when nothing changes (``copy=True`` forces a copy). The only device is
        the CPU: any other is a RuntimeError. ``to(None)`` changes nothing.
        """
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        if "device" in kwargs:
            args = (kwargs.pop("device"),) + args
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if arg is None:
                continue
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, device) or (isinstance(arg, str) and not _is_dtype_name(arg)):
                as_device(arg)  # the CPU, or a RuntimeError
            else:
                dtype = as_dtype(arg)
        if dtype is None or as_dtype(dtype) == self.data.dtype:
            return self.clone() if copy else self
        return apply_op(ops.astype, self, dtype=as_dtype(dtype))

    def cpu(self):
        return self

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def bool(self):
        return self.to(np.bool_)

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    def backward(self, gradient=None):
        """Fill ``.grad`` of every leaf this tensor depends on (needs module 05)."""
        try:
            from tinytorch.autograd import backward
        except ImportError:
            raise RuntimeError("backward() needs tinytorch-autograd (module 05)") from None
        backward(self, gradient)

    # ----- Python protocol ----------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.size == 0 and self.data.ndim != 1:
            extra += f", size={self.data.shape}"
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
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
                f"Boolean value of Tensor with more than one value is ambiguous "
                f"(the truth value of a tensor with {self.data.size} elements)"
            )
        return bool(self.data)

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self.data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars (shape {self.data.shape})"
            )
        return self.data.item()

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    # ----- arithmetic (the hot path: straight to _binary) ----------------------------------------
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
        return _binary(ops.matmul, self, other)

    def __rmatmul__(self, other):
        return _binary(ops.matmul, other, self)

    def __neg__(self):
        if self.data.dtype.kind == "b":
            raise TypeError("negation, the `-` operator, on a bool tensor is not supported; use ~")
        return apply_op(ops.neg, self)

    def __abs__(self):
        return self.abs()

    # ----- comparisons and logic (never recorded) -----------------------------------------------
    def __eq__(self, other):
        return Tensor._make(np.equal(self.data, _operand(other)))

    def __ne__(self, other):
        return Tensor._make(np.not_equal(self.data, _operand(other)))

    def __lt__(self, other):
        return Tensor._make(np.less(self.data, _operand(other)))

    def __le__(self, other):
        return Tensor._make(np.less_equal(self.data, _operand(other)))

    def __gt__(self, other):
        return Tensor._make(np.greater(self.data, _operand(other)))

    def __ge__(self, other):
        return Tensor._make(np.greater_equal(self.data, _operand(other)))

    def __invert__(self):
        return Tensor._make(np.invert(self.data))

    def __and__(self, other):
        return Tensor._make(np.bitwise_and(self.data, _operand(other)))

    def __or__(self, other):
        return Tensor._make(np.bitwise_or(self.data, _operand(other)))

    def __xor__(self, other):
        return Tensor._make(np.bitwise_xor(self.data, _operand(other)))

    eq = __eq__
    ne = __ne__
    lt = __lt__
    le = __le__
    gt = __gt__
    ge = __ge__


def _is_dtype_name(name):
    """True for a dtype name ("float32"), False for anything else (a device name)."""
    try:
        return np.dtype(name) in SUPPORTED
    except TypeError:
        return False


def _operand(x):
    return x.data if isinstance(x, Tensor) else x


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
        Tensor: the result; it has ``grad_fn = Node(fn, inputs, attrs)`` when grad mode is on,
        any input requires grad and the result is floating point.
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
    return _record(fn, inputs, _run(fn, arrays, attrs), attrs, needs_grad)
    # END SOLUTION


def _run(fn, arrays, attrs):
    """Run a kernel, timed and reported when an op observer is registered."""
    return _observe_forward(fn, arrays, attrs) if _observers else fn(*arrays, **attrs)


def _record(fn, inputs, array, attrs, needs_grad):
    """The one recording path: wrap a kernel's result and attach its node when needed."""
    # BEGIN SOLUTION
    out = _new_object(Tensor)  # Tensor._make, inlined: this runs once per op
    out.data = array if type(array) is np.ndarray else np.asarray(array)
    out.grad = None
    out._version = 0
    if needs_grad and _grad_mode.enabled and out.data.dtype.kind == "f":
        out._requires_grad = True
        out.grad_fn = Node(fn, inputs, attrs)
    else:
        out._requires_grad = False
        out.grad_fn = None
    return out
    # END SOLUTION


_NO_ATTRS = {}  # shared by every binary node: attrs are never mutated
_MATMUL = ops.matmul


def _binary(fn, a, b):
    """Arithmetic on two operands: PyTorch's dtype policy, then the recording path."""
    if isinstance(a, Tensor):
        x, needs_grad = a.data, a._requires_grad
    else:
        x, needs_grad = (a if type(a) is float or type(a) is int else _scalar_operand(fn, a)), False
    if isinstance(b, Tensor):
        y, needs_grad = b.data, needs_grad or b._requires_grad
    else:
        y = b if type(b) is float or type(b) is int else _scalar_operand(fn, b)
    # The training hot path needs no promotion: two float arrays of one dtype, or a float array
    # and a Python number (NumPy treats it as weak, as PyTorch does). Anything else asks the
    # table, so that NumPy computes in exactly the dtype PyTorch would produce.
    tx, ty = type(x), type(y)
    if tx is np.ndarray:
        simple = x.dtype.kind == "f" and (y.dtype is x.dtype if ty is np.ndarray else ty is float or ty is int)
    else:
        simple = ty is np.ndarray and y.dtype.kind == "f" and (tx is float or tx is int)
    if not simple or fn is _MATMUL:
        if fn is _MATMUL:
            _matmul_operands(a, b, x, y)
        x, y = _promote(fn, x, y)
    try:
        array = _observe_forward(fn, (x, y), _NO_ATTRS) if _observers else fn(x, y)
        return _record(fn, (a, b), array, _NO_ATTRS, needs_grad)
    except ValueError:
        raise ShapeError(_shape_error(fn, a, b)) from None


def _scalar_operand(fn, x):
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass
        return x.item()  # NumPy scalars count as Python numbers, as in PyTorch
    if isinstance(x, (bool, int, float, np.ndarray)):
        return x
    raise TypeError(
        f"unsupported operand type for {fn.__name__}: 'Tensor' and '{type(x).__name__}' "
        "(expected a Tensor or a Python number)"
    )


def _promote(fn, x, y):
    """Cast array operands to PyTorch's result dtype; Python numbers stay weak."""
    dtype = result_type(x, y)
    if dtype.kind != "f" and fn is ops.div:
        dtype = float32  # true division of integers gives the default float dtype
    if fn is ops.pow and dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if isinstance(x, np.ndarray) and x.dtype != dtype:
        x = x.astype(dtype)
    if isinstance(y, np.ndarray) and y.dtype != dtype:
        y = y.astype(dtype)
    return x, y


def _matmul_operands(a, b, x, y):
    for position, (name, value) in enumerate((("input", a), ("other", b)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"matmul(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
            )
    _same_dtype("matmul", x, y)


def _same_dtype(name, *arrays):
    dtypes = [a.dtype for a in arrays if isinstance(a, np.ndarray)]
    if len(set(dtypes)) > 1:
        raise RuntimeError(
            f"{name}: expected both operands to have the same dtype, but got "
            f"{' and '.join(str(d) for d in dtypes)} (PyTorch does not promote here; cast one)"
        )


def matmul(input, other):
    """Matrix product with NumPy/PyTorch broadcasting of batch dims (``torch.matmul``).

    Shape:
        ``(*, n, k) @ (*, k, m) -> (*, n, m)``; 1-d operands are treated as in ``torch.matmul``.
    """
    return _binary(ops.matmul, input, other)


def _shape_of(x):
    return tuple(x.shape) if isinstance(x, (Tensor, np.ndarray)) else type(x).__name__


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
            f"matmul: shapes {sa} and {sb} cannot be multiplied: {sa[-1]} (last dim of the first) "
            f"!= {k_b} ({which} dim of the second)"
        )
    return f"matmul: batch dims of {sa} and {sb} cannot be broadcast together"
