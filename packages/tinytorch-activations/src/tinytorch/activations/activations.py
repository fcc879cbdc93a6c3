"""Activation functions and their callable classes.

The functions take and return :class:`~tinytorch.tensor.Tensor`; each runs one NumPy kernel from
:mod:`tinytorch.activations.ops` through :func:`~tinytorch.tensor.apply_op`, so module 05 can
differentiate it. The classes are plain callables (``Module`` arrives in module 03), so
``Sequential(Linear(2, 4), ReLU(), Linear(4, 1))`` composes them like any layer.
"""

import numpy as np

from tinytorch.tensor import Tensor, apply_op, where
from tinytorch.tensor import ops as tensor_ops

from . import ops

__all__ = [
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "leaky_relu", "silu",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax",
]

_APPROXIMATIONS = ("none", "tanh")


def _float_input(fn_name, input, keep_int=False, float_only=False):
    """Check that ``input`` is a Tensor; give integer and bool tensors a float32 copy, or refuse
    them (``float_only``) with PyTorch's NotImplementedError ("not implemented for 'Long'")."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn_name}() expects a Tensor, got {type(input).__name__}")
    kind = input.data.dtype.kind
    if kind == "f" or (keep_int and kind in "iu"):
        return input
    if float_only:
        raise NotImplementedError(
            f"{fn_name}() is not implemented for dtype {input.data.dtype} (as in PyTorch); "
            "convert with .float() first"
        )
    return Tensor(input.data.astype(np.float32))


def _check_int_dim(fn_name, dim):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{fn_name}() needs an int dim, got {dim!r}")


def _check_dim(fn_name, dim, ndim):
    _check_int_dim(fn_name, dim)
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{fn_name}(): dim {dim} is out of range for a tensor with {ndim} dims "
            f"(expected a dim in [{-n}, {n - 1}])"
        )
    return int(dim)


def _check_approximate(approximate):
    if approximate not in _APPROXIMATIONS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def relu(input):
    r"""Rectified linear unit, elementwise: :math:`\text{ReLU}(x) = \max(0, x)`.

    Integer tensors keep their dtype (as in PyTorch); bool tensors are refused (RuntimeError).

    Example:
        >>> relu(Tensor([-1.0, 0.0, 2.5]))
        tensor([0. , 0. , 2.5])
    """
    if isinstance(input, Tensor) and input.data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    input = _float_input("relu", input, keep_int=True)
    return apply_op(ops.relu, input)


def sigmoid(input):
    r"""Logistic sigmoid, elementwise: :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Computed from :math:`e^{-|x|}`, so it never overflows and keeps relative precision in both
    tails. Integer and bool tensors become float32.

    Example:
        >>> sigmoid(Tensor([0.0, 1000.0, -1000.0]))
        tensor([0.5, 1. , 0. ])
    """
    input = _float_input("sigmoid", input)
    return apply_op(ops.sigmoid, input)


def tanh(input):
    r"""Hyperbolic tangent, elementwise: :math:`\tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})`.

    Records ``tinytorch.tensor.ops.tanh``, the same kernel as ``Tensor.tanh()``.

    Example:
        >>> tanh(Tensor([0.0, 100.0]))
        tensor([0., 1.])
    """
    input = _float_input("tanh", input)
    return apply_op(tensor_ops.tanh, input)


def gelu(input, approximate="none"):
    r"""Gaussian error linear unit, elementwise: :math:`\text{GELU}(x) = x \, \Phi(x)`.

    With ``approximate="none"``, :math:`\Phi(x) = \tfrac12 (1 + \text{erf}(x / \sqrt 2))` is the
    standard normal CDF; with ``approximate="tanh"`` it is replaced by
    :math:`\tfrac12 (1 + \tanh(\sqrt{2/\pi} (x + 0.044715 x^3)))` (GPT-2's form). NumPy has no
    ``erf``: ``tinytorch.activations.ops.ndtr`` computes Phi from a fitted polynomial, without
    branches (float64: 3e-14 relative for |x| < 8; float32: 2e-7 absolute).

    Args:
        input: a floating point Tensor (integer and bool tensors raise NotImplementedError, as in PyTorch).
        approximate: ``"none"`` or ``"tanh"``.

    Example:
        >>> gelu(Tensor([-1.0, 0.0, 1.0]))
        tensor([-0.15865524,  0.        ,  0.8413448 ])
    """
    _check_approximate(approximate)
    input = _float_input("gelu", input, float_only=True)
    return apply_op(ops.gelu, input, approximate=approximate)


def leaky_relu(input, negative_slope=0.01):
    r"""Leaky ReLU, elementwise: :math:`x` for :math:`x > 0`, else :math:`\text{negative\_slope} \cdot x`.

    Composed from recorded ops (``where`` of the two pieces), so it needs no gradient rule of
    its own; the gradient at 0 is ``negative_slope``, as in PyTorch.

    Example:
        >>> leaky_relu(Tensor([-2.0, 0.0, 3.0]), 0.1)
        tensor([-0.2,  0. ,  3. ])
    """
    input = _float_input("leaky_relu", input, float_only=True)
    return where(input.data > 0, input, input * float(negative_slope))


def silu(input):
    r"""SiLU (swish), elementwise: :math:`x \, \sigma(x)`, composed from :func:`sigmoid`.

    Example:
        >>> silu(Tensor([0.0]))
        tensor([0.])
    """
    input = _float_input("silu", input, float_only=True)
    return input * sigmoid(input)


def _softmax_like(fn_name, kernel, input, dim):
    input = _float_input(fn_name, input, float_only=True)
    dim = _check_dim(fn_name, dim, input.ndim)
    if input.ndim == 0:
        # NumPy has no axis 0 on a scalar; a 0-d tensor is a single class
        return apply_op(kernel, input.reshape(1), dim=0).reshape(())
    return apply_op(kernel, input, dim=dim)


def softmax(input, dim):
    r"""Softmax along ``dim``: :math:`\text{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}`.

    Computed as :math:`e^{x_i - m} / \sum_j e^{x_j - m}` with :math:`m = \max_j x_j`, which gives the
    same value and never overflows. Unlike PyTorch, ``dim`` is required (PyTorch's implicit dim is
    deprecated).

    Args:
        input: a floating point Tensor (integer and bool tensors raise NotImplementedError, as in PyTorch).
        dim: the dim whose entries sum to 1 (negative dims count from the end).

    Example:
        >>> softmax(Tensor([[1.0, 1.0], [0.0, 1000.0]]), dim=1)
        tensor([[0.5, 0.5],
                [0. , 1. ]])
    """
    return _softmax_like("softmax", ops.softmax, input, dim)


def log_softmax(input, dim):
    r"""Logarithm of the softmax along ``dim``: :math:`x_i - \log \sum_j e^{x_j}`.

    Uses the log-sum-exp trick :math:`\log \sum_j e^{x_j} = m + \log \sum_j e^{x_j - m}`, so it is
    finite even where ``softmax`` underflows to 0 (``log(softmax(x))`` would give ``-inf``).
    ``dim`` is required.

    Example:
        >>> log_softmax(Tensor([0.0, 1000.0]), dim=0)
        tensor([-1000.,     0.])
    """
    return _softmax_like("log_softmax", ops.log_softmax, input, dim)


class _Activation:
    """Callable wrapper around a function: ``__call__`` runs ``forward``, as ``torch.nn.Module``."""

    def __call__(self, input):
        return self.forward(input)

    def extra_repr(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class ReLU(_Activation):
    r"""Applies :math:`\text{ReLU}(x) = \max(0, x)` elementwise.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Example:
        >>> m = ReLU()
        >>> m(Tensor([-2.0, 3.0]))
        tensor([0., 3.])
    """

    def forward(self, input):
        return relu(input)


class Sigmoid(_Activation):
    r"""Applies :math:`\sigma(x) = 1 / (1 + e^{-x})` elementwise, without overflow.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Example:
        >>> Sigmoid()(Tensor([0.0]))
        tensor([0.5])
    """

    def forward(self, input):
        return sigmoid(input)


class Tanh(_Activation):
    r"""Applies :math:`\tanh(x)` elementwise.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Example:
        >>> Tanh()(Tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input):
        return tanh(input)


class GELU(_Activation):
    r"""Applies :math:`\text{GELU}(x) = x \, \Phi(x)` elementwise (see :func:`gelu`).

    Args:
        approximate: ``"none"`` for the exact erf form, ``"tanh"`` for the tanh approximation.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input.

    Example:
        >>> m = GELU(approximate="tanh")
        >>> m
        GELU(approximate='tanh')
        >>> m(Tensor([1.0]))
        tensor([0.841192])
    """

    def __init__(self, approximate="none"):
        _check_approximate(approximate)
        self.approximate = approximate

    def forward(self, input):
        return gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(_Activation):
    r"""Applies softmax along ``dim``, so that the entries along it are positive and sum to 1.

    .. math:: \text{Softmax}(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \quad m = \max_j x_j

    Unlike PyTorch, ``dim`` is required (PyTorch's implicit dim is deprecated).

    Args:
        dim: the dim along which softmax is computed.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input, values in [0, 1].

    Example:
        >>> m = Softmax(dim=-1)
        >>> m
        Softmax(dim=-1)
        >>> m(Tensor([[0.0, 0.0, 0.0, 0.0]]))
        tensor([[0.25, 0.25, 0.25, 0.25]])
    """

    def __init__(self, dim):
        _check_int_dim("Softmax", dim)
        self.dim = dim

    def forward(self, input):
        return softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(_Activation):
    r"""Applies :math:`\log \text{Softmax}(x)` along ``dim`` with the log-sum-exp trick.

    .. math:: \text{LogSoftmax}(x)_i = (x_i - m) - \log \sum_j e^{x_j - m}, \quad m = \max_j x_j

    ``dim`` is required.

    Args:
        dim: the dim along which log-softmax is computed.

    Shape:
        - Input: :math:`(*)`, any shape.
        - Output: :math:`(*)`, same shape as the input, values <= 0.

    Example:
        >>> LogSoftmax(dim=0)(Tensor([0.0, 0.0]))
        tensor([-0.6931472, -0.6931472])
    """

    def __init__(self, dim):
        _check_int_dim("LogSoftmax", dim)
        self.dim = dim

    def forward(self, input):
        return log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
