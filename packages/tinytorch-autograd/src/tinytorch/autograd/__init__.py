"""TinyTorch module 05: reverse-mode automatic differentiation.

``backward()`` walks the graph that the forward pass recorded (``Tensor.grad_fn``) once, from the
output to the leaves, calling one gradient rule per op from the table ``GRADIENTS``. Later modules
add rules for their own kernels with :func:`gradient_of` and test them with :func:`gradcheck`.
"""

from importlib.metadata import PackageNotFoundError, version

from . import nn_rules  # noqa: F401  (registers the activation and loss rules)
from .engine import backward, topological_order, unbroadcast
from .gradcheck import GradcheckError, gradcheck
from .rules import GRADIENTS, gradient_of

try:
    __version__ = version("tinytorch-autograd")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "backward", "topological_order", "unbroadcast",
    "GRADIENTS", "gradient_of",
    "gradcheck", "GradcheckError",
]
