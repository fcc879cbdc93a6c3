"""``x.relu()``, ``x.sigmoid()``, ``x.softmax(dim)``, ``x.log_softmax(dim)``: module 02 as methods.

PyTorch code calls activations as Tensor methods as often as functions. The functions belong to
module 02 (``tinytorch.activations``), which module 01 may not import when it loads (a module never
imports a later one). So these methods import module 02 when they are called, the same sanctioned
lazy import that ``Tensor.backward`` uses for module 05: nothing patches the class from outside,
and without tinytorch-activations installed the call raises a RuntimeError naming the
distribution to install.
"""

__all__ = ["ActivationMethods"]


def _activations(method):
    """Module 02, or a RuntimeError naming it when it is not installed."""
    try:
        from tinytorch import activations
    except ImportError:
        raise RuntimeError(
            f"Tensor.{method}() needs tinytorch-activations (module 02); install it, "
            "or call the kernel through apply_op yourself"
        ) from None
    return activations


class ActivationMethods:
    """Tensor methods that call module 02's functions of the same name."""

    __slots__ = ()

    def relu(self):
        """``max(x, 0)`` elementwise (``torch.Tensor.relu``; see ``tinytorch.activations.relu``)."""
        return _activations("relu").relu(self)

    def sigmoid(self):
        """``1 / (1 + exp(-x))`` elementwise (``torch.Tensor.sigmoid``)."""
        return _activations("sigmoid").sigmoid(self)

    def softmax(self, dim):
        """Softmax along ``dim`` (``torch.Tensor.softmax``); ``dim`` is required, as in module 02."""
        return _activations("softmax").softmax(self, dim)

    def log_softmax(self, dim):
        """Log-softmax along ``dim`` (``torch.Tensor.log_softmax``); ``dim`` is required."""
        return _activations("log_softmax").log_softmax(self, dim)
