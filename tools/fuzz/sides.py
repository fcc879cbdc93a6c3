"""The two libraries the fuzzers compare, behind one set of names.

``OURS`` and ``THEIRS`` expose the same functions (TinyTorch's and PyTorch 2.13's), so one op
written as ``lambda L, x: L.softmax(x, dim=1)`` runs on both. A name TinyTorch does not have yet
is None on ``OURS``; ops that need it are left out of the catalogue (and reported as such).
"""

from types import SimpleNamespace

import numpy as np
import torch

import tinytorch.autograd  # noqa: F401  (the engine behind Tensor.backward)
from tinytorch import activations as A
from tinytorch import layers as Ly
from tinytorch import losses as Lo
from tinytorch import tensor as T

F = torch.nn.functional

_FUNCTIONS = {
    # name: (ours, theirs)
    "cat": (T.cat, torch.cat),
    "stack": (T.stack, torch.stack),
    "where": (T.where, torch.where),
    "matmul": (T.matmul, torch.matmul),
    "tril": (getattr(T, "tril", None), torch.tril),
    "triu": (getattr(T, "triu", None), torch.triu),
    "maximum": (getattr(T, "maximum", None), torch.maximum),
    "minimum": (getattr(T, "minimum", None), torch.minimum),
    "concat": (getattr(T, "concat", None), torch.concat),
    "tensor_linear": (getattr(T, "linear", None), F.linear),
    "exp_fn": (getattr(T, "exp", None), torch.exp),
    "sum_fn": (getattr(T, "sum", None), torch.sum),
    "clamp_fn": (getattr(T, "clamp", None), torch.clamp),
    "relu": (A.relu, F.relu),
    "sigmoid": (A.sigmoid, torch.sigmoid),
    "tanh": (A.tanh, torch.tanh),
    "gelu": (A.gelu, F.gelu),
    "softmax": (A.softmax, F.softmax),
    "log_softmax": (A.log_softmax, F.log_softmax),
    "linear": (Ly.linear, F.linear),
    "layer_norm": (Ly.layer_norm, F.layer_norm),
    "dropout": (Ly.dropout, F.dropout),
    "mse_loss": (Lo.mse_loss, F.mse_loss),
    "l1_loss": (getattr(Lo, "l1_loss", None), F.l1_loss),
    "smooth_l1_loss": (getattr(Lo, "smooth_l1_loss", None), F.smooth_l1_loss),
    "cross_entropy": (Lo.cross_entropy, F.cross_entropy),
    "nll_loss": (Lo.nll_loss, F.nll_loss),
    "binary_cross_entropy": (Lo.binary_cross_entropy, F.binary_cross_entropy),
    "binary_cross_entropy_with_logits": (Lo.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits),
}

OURS = SimpleNamespace(name="tinytorch", Tensor=T.Tensor, no_grad=T.no_grad,
                       **{k: v[0] for k, v in _FUNCTIONS.items()})
THEIRS = SimpleNamespace(name="torch", Tensor=torch.Tensor, no_grad=torch.no_grad,
                         **{k: v[1] for k, v in _FUNCTIONS.items()})

_METHODS = ["split", "chunk", "topk", "expand", "repeat", "sin", "cos", "tril", "triu", "amax", "amin", "var",
            "log10", "log1p", "clamp", "std", "unflatten", "swapaxes", "unbind", "roll", "clone", "mT",
            "expand_as", "reshape_as", "view_as", "add_", "sub_", "mul_", "div_", "clamp_", "masked_fill_"]
MISSING = sorted(
    [name for name, (ours, _) in _FUNCTIONS.items() if ours is None]
    + [f"Tensor.{m}" for m in _METHODS if not hasattr(T.Tensor, m)]
)


def ours_tensor(array, requires_grad=False):
    return T.Tensor(np.array(array), requires_grad=requires_grad)


def their_tensor(array, requires_grad=False):
    return torch.tensor(np.array(array), requires_grad=requires_grad)


def to_numpy(value):
    """The data of a TinyTorch or torch tensor (or a plain value) as an ndarray."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, T.Tensor):
        return value.data
    return np.asarray(value)


def dtype_name(value):
    """``"float64"``-style name of either library's tensor dtype."""
    if isinstance(value, torch.Tensor):
        return str(value.dtype).replace("torch.", "")
    return np.dtype(value.dtype).name


def _maker(make):
    def t(data, dtype=None, requires_grad=False):
        array = np.asarray(data, dtype=dtype)
        return make(array, requires_grad)
    return t


OURS.t = _maker(lambda a, rg: T.Tensor(a, requires_grad=rg))
THEIRS.t = _maker(lambda a, rg: torch.tensor(a, requires_grad=rg))
OURS.tensor = T.tensor
THEIRS.tensor = torch.tensor
OURS.is_tensor = lambda v: isinstance(v, T.Tensor)
THEIRS.is_tensor = lambda v: isinstance(v, torch.Tensor)
