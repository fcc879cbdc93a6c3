"""Activation layers that are :class:`~tinytorch.layers.Module`\\ s (``torch.nn.ReLU`` and friends).

Module 02 writes the activations before ``Module`` exists, as plain callables. Real PyTorch code
relies on ``isinstance(nn.ReLU(), nn.Module)`` (``model.apply(init_fn)``, ``named_modules()``,
forward hooks), so module 03 gives each one a ``Module`` form here that calls module 02's function:
the maths lives in one place, and ``tinytorch.compat.nn`` exposes these classes.
"""

from tinytorch import activations as A

from .module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax", "LeakyReLU", "SiLU"]


class ReLU(Module):
    r"""Applies :math:`\max(0, x)` elementwise (see :func:`tinytorch.activations.relu`).

    Shape:
        - Input: :math:`(*)`. Output: :math:`(*)`, the same shape.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> ReLU()(Tensor([-2.0, 3.0]))
        tensor([0., 3.])
        >>> isinstance(ReLU(), Module)
        True
    """

    def forward(self, input):
        return A.relu(input)


class Sigmoid(Module):
    r"""Applies :math:`1 / (1 + e^{-x})` elementwise (see :func:`tinytorch.activations.sigmoid`).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> Sigmoid()(Tensor([0.0]))
        tensor([0.5])
    """

    def forward(self, input):
        return A.sigmoid(input)


class Tanh(Module):
    r"""Applies :math:`\tanh(x)` elementwise.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> Tanh()(Tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input):
        return A.tanh(input)


class GELU(Module):
    r"""Applies :math:`x \, \Phi(x)` elementwise (see :func:`tinytorch.activations.gelu`).

    Args:
        approximate: ``"none"`` (exact) or ``"tanh"``. Default: ``"none"``.

    Example:
        >>> GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate="none"):
        super().__init__()
        A.GELU(approximate)  # validates the option with module 02's message
        self.approximate = approximate

    def forward(self, input):
        return A.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    r"""Softmax along ``dim`` (see :func:`tinytorch.activations.softmax`); ``dim`` is required.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> Softmax(dim=-1)(Tensor([[0.0, 0.0]]))
        tensor([[0.5, 0.5]])
    """

    def __init__(self, dim):
        super().__init__()
        A.Softmax(dim)  # validates dim
        self.dim = dim

    def forward(self, input):
        return A.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    r"""Log-softmax along ``dim`` (see :func:`tinytorch.activations.log_softmax`).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> LogSoftmax(dim=0)(Tensor([0.0, 0.0]))
        tensor([-0.6931472, -0.6931472])
    """

    def __init__(self, dim):
        super().__init__()
        A.LogSoftmax(dim)
        self.dim = dim

    def forward(self, input):
        return A.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LeakyReLU(Module):
    r"""Applies :math:`\max(0, x) + \text{negative\_slope} \cdot \min(0, x)` elementwise
    (see :func:`tinytorch.activations.leaky_relu`).

    Args:
        negative_slope: the slope for negative inputs. Default: 0.01.
        inplace: accepted for PyTorch code; the result is always a new tensor.

    Example:
        >>> LeakyReLU(0.2)
        LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = bool(inplace)

    def forward(self, input):
        return A.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class SiLU(Module):
    r"""Applies :math:`x \, \sigma(x)` elementwise (see :func:`tinytorch.activations.silu`).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> SiLU()(Tensor([0.0]))
        tensor([0.])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def forward(self, input):
        return A.silu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""
