"""``torch.autograd``: ``grad`` from module 05 and the grad-mode switches from module 01.

``Tensor.backward`` is the usual entry point; :func:`grad` returns gradients without touching
``.grad`` (see :mod:`tinytorch.autograd.gradients`).
"""

from tinytorch.autograd.gradients import grad
from tinytorch.tensor import enable_grad, inference_mode, no_grad, set_grad_enabled

from ._missing import missing

__all__ = ["grad", "no_grad", "enable_grad", "inference_mode", "set_grad_enabled"]

__getattr__ = missing("torch.autograd")
