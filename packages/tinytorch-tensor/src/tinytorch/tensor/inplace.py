"""In-place ops and the version counter that keeps them from corrupting gradients.

Every in-place write (``x[i] = v``, ``x += y``, ``x.add_(y)``, ``x.zero_()`` ...) bumps the
tensor's ``_version``. A recorded op remembers the versions of its inputs, and backward refuses
(with PyTorch's message) to use a value that was modified since, instead of returning a silently
wrong gradient. Under grad mode an in-place op on a tensor in the graph (or with an operand that
requires grad, as ``z[0:1] = w``) is itself recorded, as PyTorch does: the tensor takes the new
node as its ``grad_fn``, and its previous history lives on in a snapshot of its old value.
Unlike PyTorch, views do not share a version counter with their base.
"""

import weakref

import numpy as np

from . import grad_mode as _grad_mode
from . import ops
from . import tensor as _t
from .dims import ShapeError
from .dtypes import category, result_type
from .generator import _generator

# id(tensor) -> (weak reference, name of the last in-place op on it), for backward's error
# message. Keyed by id because Tensor.__eq__ is elementwise; entries go when the tensor does.
_last_write = {}

_UFUNCS = {ops.add: np.add, ops.sub: np.subtract, ops.mul: np.multiply, ops.div: np.true_divide}


writes = 0  # in-place writes so far, to any tensor: backward skips its checks while unchanged


def _bump(t, name):
    global writes
    writes += 1
    t._version += 1
    key = id(t)
    entry = _last_write.get(key)
    if entry is not None and entry[0]() is t:
        _last_write[key] = (entry[0], name)
        return

    def forget(ref, key=key):
        if _last_write.get(key, (None,))[0] is ref:
            del _last_write[key]

    _last_write[key] = (weakref.ref(t, forget), name)


def last_write(t):
    """The name of the last in-place op that wrote to ``t``, or None."""
    entry = _last_write.get(id(t))
    return entry[1] if entry is not None and entry[0]() is t else None


def _snapshot(t):
    """A tensor holding ``t``'s current value and history: what consumers of the old ``t`` saw."""
    old = _t.Tensor._make(t.data.copy())
    old._requires_grad = t._requires_grad
    old.grad_fn = t.grad_fn
    old._version = t._version
    return old


def _recording(t, operands):
    if not _grad_mode.enabled:
        return False
    if not (t._requires_grad or any(isinstance(o, _t.Tensor) and o._requires_grad for o in operands)):
        return False
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Do it inside `with no_grad():`, or on a clone.)"
        )
    if t.data.dtype.kind != "f":
        raise RuntimeError(f"an in-place op that requires grad needs a floating point tensor, got {t.data.dtype}")
    return True


def _take_over(t, new, name):
    """Write the recorded result ``new`` into ``t`` in place and make ``t`` that result."""
    np.copyto(t.data, new.data)
    _bump(t, name)
    node = new.grad_fn
    if node is not None:
        node.out_version = t._version
    t.grad_fn = node
    t._requires_grad = new._requires_grad


def _check_cast(t, dtype, name):
    if category(dtype) > category(t.data.dtype):
        raise RuntimeError(
            f"result type {dtype} can't be cast to the desired output type {t.data.dtype} (in {name})"
        )


def _arith_(t, kernel, other, name):
    """``t = kernel(t, other)`` in place: ``+=``, ``add_`` and friends."""
    if _recording(t, (other,)):
        new = _t._binary(kernel, _snapshot(t), other)
        _check_cast(t, new.data.dtype, name)
        _take_over(t, new, name)
        return t
    value = other.data if isinstance(other, _t.Tensor) else other
    dtype = result_type(t.data, value)
    _check_cast(t, np.dtype(np.float32) if kernel is ops.div else dtype, name)
    try:
        _UFUNCS[kernel](t.data, value, out=t.data, casting="unsafe")
    except ValueError:
        raise ShapeError(
            f"{name}: output with shape {t.data.shape} doesn't match the broadcast shape of "
            f"{t.data.shape} and {np.shape(value)}"
        ) from None
    _bump(t, name)
    return t


def setitem(t, index, value):
    """``t[index] = value``; recorded when ``value`` requires grad or ``t`` is in the graph."""
    index = _unwrap(index)
    if _recording(t, (value,)):
        new = _t.apply_op(ops.index_put, _snapshot(t), value, index=index)
        _take_over(t, new, "__setitem__")
        return
    t.data[index] = value.data if isinstance(value, _t.Tensor) else value
    _bump(t, "__setitem__")


def _unwrap(index):
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, _t.Tensor) else i for i in index)
    return index.data if isinstance(index, _t.Tensor) else index


def add_(t, other, *, alpha=1):
    return _arith_(t, ops.add, other if alpha == 1 else other * alpha, "add_")


def sub_(t, other, *, alpha=1):
    return _arith_(t, ops.sub, other if alpha == 1 else other * alpha, "sub_")


def mul_(t, other):
    return _arith_(t, ops.mul, other, "mul_")


def div_(t, other):
    return _arith_(t, ops.div, other, "div_")


def clamp_(t, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if _recording(t, ()):
        _take_over(t, _snapshot(t).clamp(min, max), "clamp_")
        return t
    _check_cast(t, result_type(t.data, *[v for v in (min, max) if v is not None]), "clamp_")
    np.clip(t.data, min, max, out=t.data)
    _bump(t, "clamp_")
    return t


def copy_(t, src):
    """Copy ``src`` (broadcast, cast to ``t``'s dtype) into ``t``; differentiable w.r.t. ``src``."""
    setitem(t, Ellipsis, src)
    return t


def fill_(t, value):
    setitem(t, Ellipsis, value)
    return t


def zero_(t):
    setitem(t, Ellipsis, 0)
    return t


def masked_fill_(t, mask, value):
    if _recording(t, (value,)):
        _take_over(t, _snapshot(t).masked_fill(mask, value), "masked_fill_")
        return t
    mask = mask.data if isinstance(mask, _t.Tensor) else mask
    np.copyto(t.data, value.data if isinstance(value, _t.Tensor) else value, where=np.broadcast_to(mask, t.data.shape))
    _bump(t, "masked_fill_")
    return t


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std^2) from ``generator`` (default: the default generator)."""
    sample = _generator(generator).normal(mean, std, size=t.data.shape)
    setitem(t, Ellipsis, sample.astype(t.data.dtype))
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    """Fill with samples of U(a, b) from ``generator`` (default: the default generator)."""
    sample = _generator(generator).uniform(a, b, size=t.data.shape)
    setitem(t, Ellipsis, sample.astype(t.data.dtype))
    return t


class InplaceMethods:
    """The in-place ops as Tensor methods and operators."""

    __slots__ = ()
    __setitem__ = setitem
    add_ = add_
    sub_ = sub_
    mul_ = mul_
    div_ = div_
    clamp_ = clip_ = clamp_
    copy_ = copy_
    fill_ = fill_
    zero_ = zero_
    masked_fill_ = masked_fill_
    normal_ = normal_
    uniform_ = uniform_

    def __iadd__(self, other):
        return _arith_(self, ops.add, other, "__iadd__")

    def __isub__(self, other):
        return _arith_(self, ops.sub, other, "__isub__")

    def __imul__(self, other):
        return _arith_(self, ops.mul, other, "__imul__")

    def __itruediv__(self, other):
        return _arith_(self, ops.div, other, "__itruediv__")
