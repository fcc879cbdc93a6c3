"""``torch.nn.init``: in-place initialisers, aliased from ``tinytorch.layers.init`` (module 03)."""

from tinytorch.layers.init import (
    calculate_gain, constant_, kaiming_normal_, kaiming_uniform_, normal_, ones_, trunc_normal_,
    uniform_, xavier_normal_, xavier_uniform_, zeros_,
)

from .._missing import missing

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]

__getattr__ = missing("torch.nn.init")
