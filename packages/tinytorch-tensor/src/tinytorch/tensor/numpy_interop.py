"""How NumPy arithmetic meets a Tensor: ``ndarray OP tensor`` and ``array += tensor``.

``Tensor.data`` is the ndarray itself (not a Tensor, as it is in PyTorch), so programs that write
``p.data += lr * g`` or ``p.data -= g`` hand NumPy an in-place ufunc with a Tensor operand.
:meth:`NumpyInterop.__array_ufunc__` serves exactly that: the array is updated in place with the
Tensor's values, unrecorded, as PyTorch's ``.data`` updates are. Every other mix of an ndarray
and a Tensor is the Tensor's own operator (``array + t`` is ``t.__radd__(array)``, recorded with
PyTorch's dtype rules), and other NumPy functions on Tensors (``np.exp(t)``) stay a TypeError:
call the Tensor op, or use ``t.numpy()``.

Tensor-with-Tensor arithmetic never reaches NumPy's dispatch, so this adds nothing to the hot path.
"""

import numpy as np

__all__ = ["NumpyInterop"]

# ufunc -> (the Tensor method for `tensor OP other`, the one for `other OP tensor`)
_OPERATORS = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.bitwise_and: ("__and__", "__and__"),
    np.bitwise_or: ("__or__", "__or__"),
    np.bitwise_xor: ("__xor__", "__xor__"),
}
_IN_PLACE = (np.add, np.subtract, np.multiply, np.true_divide, np.power)


class NumpyInterop:
    """The ``__array_ufunc__`` protocol for Tensor (see the module docstring)."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if method != "__call__" or kwargs or len(inputs) != 2 or ufunc not in _OPERATORS:
            return NotImplemented
        first, second = inputs
        if out is not None:
            # `array += tensor`: NumPy calls add(array, tensor, out=(array,)).
            target = out[0] if len(out) == 1 else None
            if type(target) is np.ndarray and first is target and second is self and ufunc in _IN_PLACE:
                return ufunc(target, self.data, out=target)
            return NotImplemented
        if second is self:
            return getattr(self, _OPERATORS[ufunc][1])(first)
        return getattr(self, _OPERATORS[ufunc][0])(second)
