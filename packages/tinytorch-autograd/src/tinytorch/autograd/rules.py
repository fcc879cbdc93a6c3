"""Gradient rules: one vector-Jacobian product per recorded kernel, in the table ``GRADIENTS``.

A rule has the signature ``rule(grad, out, *inputs, **attrs) -> tuple``:

- ``grad`` is ``dL/dout`` (an ndarray with ``out``'s shape; it may be a read-only broadcast view,
  so rules never write into it),
- ``out`` is the kernel's forward result and ``inputs``/``attrs`` are exactly what the kernel got
  (ndarrays for tensor inputs, plain constants otherwise),
- it returns one entry per positional input: ``dL/dinput`` as an ndarray, or ``None`` for a
  constant or non-differentiable input. Each entry is ``grad`` itself, a view of it, or an
  array the rule has just allocated: the engine takes ownership of new arrays (it adds into them
  in place and hands them to leaves as ``.grad``), so a rule never caches or shares one.

The engine sums broadcast dims away and casts to each input's dtype, so a rule may return a
gradient with the broadcast shape (``grad * b`` for ``a * b``) or a wider dtype. A rule that would
waste work on inputs nobody needs (``X @ W`` with a constant ``X``) may take a keyword
``needs_input_grad`` (a tuple of bools, one per input, as ``ctx.needs_input_grad`` in PyTorch)
and return ``None`` where it is False.

Later packages register rules for their own kernels with :func:`gradient_of`; they never patch
classes or this table's entries for kernels they do not own. This file holds the rules of
module 01's kernels; :mod:`.nn_rules` those of modules 02 and 04 (activations and losses).
"""

import inspect

import numpy as np

from tinytorch.tensor import ops as T

GRADIENTS = {}
SAVED = {}  # kernel -> (rule reads input values, rule reads the output value)
_WANTS_NEEDS_INPUT_GRAD = set()
FRESH = set()  # kernels whose rules return a new, unshared array for every input
_SAVES = {"inputs", "output"}


def gradient_of(kernel, *, saves=("inputs", "output"), fresh=False):
    """Register the decorated function as the gradient rule of ``kernel``.

    Args:
        kernel: a NumPy kernel that is run through ``tinytorch.tensor.apply_op``.
        saves: which forward values the rule reads: ``"inputs"`` and/or ``"output"``. Backward
            raises PyTorch's "modified by an inplace operation" error when one of those was
            written in place after the forward pass; a rule that reads only shapes (``add``,
            ``reshape``) declares ``saves=()``. Default: both, the safe choice.
        fresh: the rule promises that every array it returns was allocated by this call for
            that input alone; the engine may then hand it to a leaf without a copy. Default:
            False (the engine copies), which is always safe.

    Returns:
        a decorator that stores ``rule`` in ``GRADIENTS[kernel]`` and returns it unchanged.
        If the rule accepts a ``needs_input_grad`` keyword, the engine passes it.

    Example:
        >>> from tinytorch.tensor import Tensor, apply_op
        >>> def cube(a):
        ...     return a ** 3
        >>> @gradient_of(cube)
        ... def _cube_rule(grad, out, a):
        ...     return (grad * 3 * a ** 2,)
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> apply_op(cube, x).sum().backward()
        >>> x.grad
        tensor([ 3., 12.])
    """
    if not callable(kernel):
        raise TypeError(f"gradient_of expects the kernel function, got {kernel!r}")
    saves = (saves,) if isinstance(saves, str) else tuple(saves)
    if not set(saves) <= _SAVES:
        raise ValueError(f"saves must name 'inputs' and/or 'output', got {saves!r}")

    def register(rule):
        if not callable(rule):
            raise TypeError(f"a gradient rule must be callable, got {rule!r}")
        GRADIENTS[kernel] = rule
        SAVED[kernel] = ("inputs" in saves, "output" in saves)
        if fresh:
            FRESH.add(kernel)
        else:
            FRESH.discard(kernel)
        try:
            params = inspect.signature(rule).parameters
        except (TypeError, ValueError):  # builtins without a signature
            params = {}
        if "needs_input_grad" in params:
            _WANTS_NEEDS_INPUT_GRAD.add(kernel)
        else:
            _WANTS_NEEDS_INPUT_GRAD.discard(kernel)
        return rule

    return register


def _dims(dim, ndim):
    """Reduction ``dim`` (None, int or tuple, possibly negative) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        return tuple(sorted(d % ndim for d in dim)) if ndim else ()
    return (dim % ndim,) if ndim else ()


def _unreduce(x, ndim, dim, keepdim):
    """Give a reduced array back its reduced dims as size 1, so it broadcasts to the input."""
    if keepdim or ndim == 0:
        return x
    return np.reshape(x, _kept_shape(x, ndim, dim))


def _kept_shape(x, ndim, dim):
    axes = _dims(dim, ndim)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return tuple(shape)


# ----- elementwise arithmetic --------------------------------------------------------------------


@gradient_of(T.add, saves=())
def add_rule(grad, out, a, b):
    # BEGIN SOLUTION
    return grad, grad
    # END SOLUTION


@gradient_of(T.sub, saves=())
def sub_rule(grad, out, a, b, needs_input_grad=(True, True)):
    # BEGIN SOLUTION
    return grad, (-grad if needs_input_grad[1] else None)
    # END SOLUTION


@gradient_of(T.mul, saves="inputs")
def mul_rule(grad, out, a, b, needs_input_grad=(True, True)):
    # BEGIN SOLUTION
    return (
        grad * b if needs_input_grad[0] else None,
        grad * a if needs_input_grad[1] else None,
    )
    # END SOLUTION


@gradient_of(T.div)
def div_rule(grad, out, a, b, needs_input_grad=(True, True)):
    # BEGIN SOLUTION
    ga = grad / b if needs_input_grad[0] else None
    # d(a/b)/db = -a/b**2 = -out/b
    gb = -grad * out / b if needs_input_grad[1] else None
    return ga, gb
    # END SOLUTION


@gradient_of(T.pow)
def pow_rule(grad, out, a, b, needs_input_grad=(True, True)):
    """d(a**b)/da = b * a**(b-1) (0 where b == 0); d(a**b)/db = a**b * log(a) (0 where a == 0, b >= 0).

    The masks follow PyTorch, so ``x ** 0`` and ``0 ** y`` have finite gradients.
    """
    # BEGIN SOLUTION
    ga = gb = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if needs_input_grad[0]:
            if np.isscalar(b) and b == 2:  # the common square: skip the power
                ga = grad * (2 * a)
            else:
                ga = grad * np.where(b == 0, 0, b * np.power(a, b - 1))
        if needs_input_grad[1]:
            gb = grad * np.where((a == 0) & (np.asarray(b) >= 0), 0, out * np.log(a))
    return ga, gb
    # END SOLUTION


@gradient_of(T.neg, saves=())
def neg_rule(grad, out, a):
    # BEGIN SOLUTION
    return (-grad,)
    # END SOLUTION


@gradient_of(T.matmul, saves="inputs")
def matmul_rule(grad, out, a, b, needs_input_grad=(True, True)):
    """Gradients of ``a @ b`` for 1-d, 2-d and batched (broadcast) operands.

    ``dA = dOut @ B^T`` and ``dB = A^T @ dOut``; a 1-d operand is treated as a row (``a``) or a
    column (``b``) and the added dim removed again. A 2-d ``b`` under a batched ``a`` (a linear
    layer over ``(B, T, C)``) folds the batch dims into one GEMM instead of summing B products.
    """
    # BEGIN SOLUTION
    ga = gb = None
    if a.ndim == 1 and b.ndim == 1:  # dot product: out and grad are 0-d
        return (grad * b if needs_input_grad[0] else None, grad * a if needs_input_grad[1] else None)
    if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
        g = grad[..., None, :]  # (..., 1, m)
        if needs_input_grad[0]:
            ga = (g @ np.swapaxes(b, -1, -2))[..., 0, :]  # (..., k); engine sums the batch
        if needs_input_grad[1]:
            gb = a[:, None] * g  # (..., k, m)
        return ga, gb
    if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
        g = grad[..., :, None]  # (..., n, 1)
        if needs_input_grad[0]:
            ga = g * b  # (..., n, k)
        if needs_input_grad[1]:
            gb = (np.swapaxes(a, -1, -2) @ g)[..., 0]  # (..., k)
        return ga, gb
    if b.ndim == 2 and a.ndim > 2:
        # (..., n, k) @ (k, m): one (N, k) @ (k, m) GEMM per direction.
        k, m = b.shape
        n = int(np.prod(a.shape[:-1]))
        g2 = grad.reshape(n, m)  # (N, m)
        if needs_input_grad[0]:
            ga = (g2 @ b.T).reshape(a.shape)
        if needs_input_grad[1]:
            gb = a.reshape(n, k).T @ g2  # (k, m)
        return ga, gb
    if needs_input_grad[0]:
        ga = grad @ np.swapaxes(b, -1, -2)
    if needs_input_grad[1]:
        gb = np.swapaxes(a, -1, -2) @ grad
    return ga, gb
    # END SOLUTION


@gradient_of(T.linear, saves="inputs", fresh=True)
def linear_rule(grad, out, input, weight, bias=None, needs_input_grad=(True, True, True)):
    """``y = x W^T + b``: ``dx = g W``, ``dW = g^T x``, ``db = sum(g)`` over the batch.

    ``dW`` is computed as ``g^T @ x``, an ``(out, in)`` C-contiguous array: the weight's own
    layout, so the optimizer's elementwise updates walk memory in order.
    """
    # BEGIN SOLUTION
    n_out, n_in = weight.shape
    n = grad.size // n_out if n_out else int(np.prod(input.shape[:-1]))  # rows of the batch
    g2 = grad.reshape(n, n_out)  # (N, out)
    gx = gw = gb = None
    if needs_input_grad[0]:
        gx = (g2 @ weight).reshape(input.shape)  # (N, in) -> (*, in)
    if needs_input_grad[1]:
        gw = g2.T @ input.reshape(n, n_in)  # (out, N) @ (N, in) -> (out, in)
    if bias is not None and needs_input_grad[2]:
        gb = g2.sum(axis=0)  # (out,)
    return gx, gw, gb
    # END SOLUTION


# ----- elementwise math --------------------------------------------------------------------------


@gradient_of(T.exp, saves="output")
def exp_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad * out,)
    # END SOLUTION


@gradient_of(T.log, saves="inputs")
def log_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad / a,)
    # END SOLUTION


@gradient_of(T.log10, saves="inputs")
def log10_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad / (a * np.log(10.0)).astype(grad.dtype, copy=False),)
    # END SOLUTION


@gradient_of(T.log1p, saves="inputs")
def log1p_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad / (1 + a),)
    # END SOLUTION


@gradient_of(T.sqrt, saves="output")
def sqrt_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad / (2 * out),)
    # END SOLUTION


@gradient_of(T.abs, saves="inputs")
def abs_rule(grad, out, a):
    """Gradient ``sign(a)``: 0 at ``a == 0``, as in PyTorch."""
    # BEGIN SOLUTION
    return (grad * np.sign(a),)
    # END SOLUTION


@gradient_of(T.tanh, saves="output")
def tanh_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad * (1 - out * out),)
    # END SOLUTION


@gradient_of(T.sin, saves="inputs")
def sin_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad * np.cos(a),)
    # END SOLUTION


@gradient_of(T.cos, saves="inputs")
def cos_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad * -np.sin(a),)
    # END SOLUTION


@gradient_of(T.clip, saves="inputs")
def clip_rule(grad, out, a, min=None, max=None):
    """Gradient 1 where ``min <= a <= max`` (boundaries included, as ``torch.clamp``), else 0."""
    # BEGIN SOLUTION
    if min is None and max is None:
        return (grad,)
    if min is None:
        inside = a <= max
    elif max is None:
        inside = a >= min
    else:
        inside = (a >= min) & (a <= max)
    return (grad * inside,)
    # END SOLUTION


# ----- reductions --------------------------------------------------------------------------------


@gradient_of(T.sum, saves=())
def sum_rule(grad, out, a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    # Every input element contributed once: broadcast back without materialising the copies.
    return (np.broadcast_to(_unreduce(grad, a.ndim, dim, keepdim), a.shape),)
    # END SOLUTION


@gradient_of(T.mean, saves=())
def mean_rule(grad, out, a, dim=None, keepdim=False):
    # BEGIN SOLUTION
    count = a.size // out.size if out.size else 1
    g = _unreduce(grad, a.ndim, dim, keepdim) / np.asarray(count, dtype=grad.dtype)
    return (np.broadcast_to(g, a.shape),)
    # END SOLUTION


@gradient_of(T.var, saves="inputs")
def var_rule(grad, out, a, dim=None, keepdim=False, correction=1):
    """d var / d a_i = 2 (a_i - mean) / (N - correction) over the N reduced elements."""
    # BEGIN SOLUTION
    count = a.size // out.size if out.size else 1
    axes = _dims(dim, a.ndim)
    centered = a - a.mean(axis=axes, keepdims=True)
    with np.errstate(divide="ignore"):
        scale = np.divide(2.0, count - correction, dtype=np.float64)
    return (_unreduce(grad, a.ndim, dim, keepdim) * scale.astype(grad.dtype) * centered,)
    # END SOLUTION


@gradient_of(T.std, saves=("inputs", "output"))
def std_rule(grad, out, a, dim=None, keepdim=False, correction=1):
    """d std / d a_i = (a_i - mean) / ((N - correction) std), and 0 where std is 0 (PyTorch)."""
    # BEGIN SOLUTION
    count = a.size // out.size if out.size else 1
    centered = a - a.mean(axis=_dims(dim, a.ndim), keepdims=True)
    s = _unreduce(out, a.ndim, dim, keepdim)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(s == 0, 0, _unreduce(grad, a.ndim, dim, keepdim) / (s * (count - correction)))
    return (scale.astype(grad.dtype, copy=False) * centered,)
    # END SOLUTION


def _extreme_rule(grad, out, a, dim, keepdim):
    # Ties share the gradient equally (PyTorch's amax/amin convention).
    axes = _dims(dim, a.ndim)
    hit = a == _unreduce(out, a.ndim, dim, keepdim)
    count = hit.sum(axis=axes, keepdims=True).astype(grad.dtype)
    return (hit * (_unreduce(grad, a.ndim, dim, keepdim) / count),)


@gradient_of(T.amax)
def amax_rule(grad, out, a, dim=None, keepdim=False):
    """Ties share the gradient equally, as ``torch.amax`` (``max(dim)`` goes through gather)."""
    # BEGIN SOLUTION
    return _extreme_rule(grad, out, a, dim, keepdim)
    # END SOLUTION


@gradient_of(T.amin)
def amin_rule(grad, out, a, dim=None, keepdim=False):
    """Ties share the gradient equally, as ``torch.amin``."""
    # BEGIN SOLUTION
    return _extreme_rule(grad, out, a, dim, keepdim)
    # END SOLUTION


@gradient_of(T.gather, saves=())
def gather_rule(grad, out, a, dim, index):
    """Scatter-add ``grad`` back to the gathered positions (repeated indices add up)."""
    # BEGIN SOLUTION
    dim = dim % a.ndim
    if index.size == 0:
        return (np.zeros(a.shape, dtype=grad.dtype),)
    # negative indices count from the end; NumPy's take_along_axis broadcasts index dims of size 1
    index = index % a.shape[dim]  # out has index's shape; index may be smaller than a elsewhere
    if index.shape[dim] == 1:
        # One pick per lane (max(dim), cross-entropy targets): no index can repeat.
        ga = np.zeros(a.shape, dtype=grad.dtype)
        lanes = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
        np.put_along_axis(ga[lanes], index, grad, axis=dim)
        return (ga,)
    # Flat position of every picked element: index along `dim`, own coordinate elsewhere.
    strides = np.cumprod((a.shape[1:] + (1,))[::-1])[::-1]  # element strides of a C array
    flat = index * strides[dim]
    for d in range(a.ndim):
        if d != dim:
            coord = np.arange(index.shape[d]).reshape([-1 if i == d else 1 for i in range(a.ndim)])
            flat = flat + coord * strides[d]
    ga = np.bincount(flat.ravel(), weights=grad.ravel(), minlength=a.size)
    return (ga.reshape(a.shape).astype(grad.dtype, copy=False),)
    # END SOLUTION


# ----- shape and views ---------------------------------------------------------------------------


@gradient_of(T.reshape, saves=())
def reshape_rule(grad, out, a, shape):
    # BEGIN SOLUTION
    return (np.reshape(grad, a.shape),)
    # END SOLUTION


@gradient_of(T.permute, saves=())
def permute_rule(grad, out, a, dims):
    # BEGIN SOLUTION
    if a.ndim == 2:  # a transpose is its own inverse
        return (grad.T,) if dims[0] % 2 == 1 else (grad,)
    inverse = np.argsort([d % a.ndim for d in dims]) if a.ndim else ()
    return (np.transpose(grad, tuple(inverse)),)
    # END SOLUTION


def _is_basic_index(index):
    """True for an index of ints, slices, None and Ellipsis only: a view, no element repeats."""
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if p is None or p is Ellipsis or isinstance(p, slice):
            continue
        if isinstance(p, (int, np.integer)) and not isinstance(p, (bool, np.bool_)):
            continue
        return False
    return True


def _has_int_array(index):
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu":
            return True
    return False


def _scatter_rows(flat, rows_grad, n_rows, dtype):
    """Sum the rows of ``rows_grad`` (K, D) into ``n_rows`` slots at ``flat`` (K,) -> (n_rows, D).

    Sorting the indices and reducing runs of equal ones (``np.add.reduceat``) is about twice as
    fast as ``np.add.at`` for rows; 1-d gradients use ``np.bincount``.
    """
    if rows_grad.shape[1] == 1:
        out = np.bincount(flat, weights=rows_grad[:, 0], minlength=n_rows)
        return out.astype(dtype, copy=False)[:, None]
    order = np.argsort(flat, kind="stable")
    sorted_idx = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))
    out = np.zeros((n_rows, rows_grad.shape[1]), dtype=dtype)
    out[sorted_idx[starts]] = np.add.reduceat(rows_grad[order], starts, axis=0)
    return out


@gradient_of(T.getitem, saves=())
def getitem_rule(grad, out, a, index):
    """Put ``grad`` back where the elements came from; repeated integer indices add up.

    Basic indices (ints, slices, None, Ellipsis) and boolean masks cannot repeat an element, so
    the gradient is assigned; integer arrays on the leading dims are scatter-added by sorting
    (or ``bincount``), anything else by ``np.add.at``.
    """
    # BEGIN SOLUTION
    if _is_basic_index(index) or not _has_int_array(index):
        ga = np.zeros(a.shape, dtype=grad.dtype)
        ga[index] = grad
        return (ga,)
    parts = index if isinstance(index, tuple) else (index,)
    k = len(parts)
    if k <= a.ndim and all(
        isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu" for p in parts
    ):
        # a[i0, i1, ..., i_{k-1}] with integer arrays on the first k dims: the result is
        # (broadcast index shape, *a.shape[k:]), i.e. rows of the trailing block.
        lead = a.shape[:k]
        arrays = np.broadcast_arrays(*[np.asarray(p) for p in parts])
        flat = np.ravel_multi_index(arrays, lead, mode="wrap").ravel()  # wrap = negative indices
        n_rows = int(np.prod(lead))
        if flat.size == 0:
            return (np.zeros(a.shape, dtype=grad.dtype),)
        rows = np.reshape(grad, (flat.size, -1))  # (K, D)
        ga = _scatter_rows(flat, rows, n_rows, grad.dtype)
        return (ga.reshape(a.shape),)
    ga = np.zeros(a.shape, dtype=grad.dtype)
    np.add.at(ga, index, grad)
    return (ga,)
    # END SOLUTION


@gradient_of(T.index_put, saves=())
def index_put_rule(grad, out, a, value, index, needs_input_grad=(True, True)):
    """``out = a`` with ``out[index] = value``: ``a`` gets ``grad`` outside the written region,
    ``value`` the written region (summed back to its shape by the engine)."""
    # BEGIN SOLUTION
    ga = None
    if needs_input_grad[0]:
        ga = np.array(grad, copy=True)
        ga[index] = 0
    gv = grad[index] if needs_input_grad[1] else None
    return ga, gv
    # END SOLUTION


@gradient_of(T.contiguous_copy, saves=())
def contiguous_copy_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad,)
    # END SOLUTION


@gradient_of(T.roll, saves=())
def roll_rule(grad, out, a, shifts, dims):
    # BEGIN SOLUTION
    back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
    return (np.roll(grad, back, axis=dims),)
    # END SOLUTION


@gradient_of(T.contiguous, saves=())
def contiguous_rule(grad, out, a):
    # BEGIN SOLUTION
    return (grad,)
    # END SOLUTION


@gradient_of(T.astype, saves=())
def astype_rule(grad, out, a, dtype):
    # BEGIN SOLUTION
    return (grad,)  # the engine casts back to a's dtype
    # END SOLUTION


@gradient_of(T.expand, saves=())
def expand_rule(grad, out, a, shape):
    # BEGIN SOLUTION
    return (grad,)  # the engine sums the broadcast dims away (unbroadcast)
    # END SOLUTION


@gradient_of(T.repeat, saves=())
def repeat_rule(grad, out, a, repeats):
    """Sum the tiles: view ``grad`` as ``(r0, s0, r1, s1, ...)`` and reduce the ``r`` axes."""
    # BEGIN SOLUTION
    shape = (1,) * (len(repeats) - a.ndim) + a.shape  # a with the new leading dims
    tiled = []
    for r, n in zip(repeats, shape):
        tiled += [r, n]
    summed = np.reshape(grad, tiled).sum(axis=tuple(range(0, 2 * len(shape), 2)))
    return (np.reshape(summed, a.shape),)
    # END SOLUTION


@gradient_of(T.tril, saves=())
def tril_rule(grad, out, a, diagonal=0):
    # BEGIN SOLUTION
    return (np.tril(grad, diagonal),)
    # END SOLUTION


@gradient_of(T.triu, saves=())
def triu_rule(grad, out, a, diagonal=0):
    # BEGIN SOLUTION
    return (np.triu(grad, diagonal),)
    # END SOLUTION


# ----- selection and joining ---------------------------------------------------------------------


@gradient_of(T.masked_fill, saves=())
def masked_fill_rule(grad, out, a, mask, value):
    # BEGIN SOLUTION
    return (np.where(mask, np.zeros((), dtype=grad.dtype), grad),)
    # END SOLUTION


@gradient_of(T.where, saves=())
def where_rule(grad, out, a, b, condition, needs_input_grad=(True, True)):
    # BEGIN SOLUTION
    zero = np.zeros((), dtype=grad.dtype)
    return (
        np.where(condition, grad, zero) if needs_input_grad[0] else None,
        np.where(condition, zero, grad) if needs_input_grad[1] else None,
    )
    # END SOLUTION


@gradient_of(T.cat, saves=())
def cat_rule(grad, out, *arrays, dim=0):
    # BEGIN SOLUTION
    sizes = [x.shape[dim] for x in arrays]
    return tuple(np.split(grad, np.cumsum(sizes)[:-1], axis=dim))
    # END SOLUTION


@gradient_of(T.stack, saves=())
def stack_rule(grad, out, *arrays, dim=0):
    # BEGIN SOLUTION
    return tuple(np.moveaxis(grad, dim, 0))
    # END SOLUTION
