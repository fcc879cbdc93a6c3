"""TinyTorch milestone 1969: the XOR crisis.

Run it with ``python -m tinytorch.milestone_xor [--quick]`` or ``tito milestone run xor``.
"""

from importlib.metadata import PackageNotFoundError, version

from .xor import (
    LN2, evaluate, forward_flops, hidden_features, hidden_layer, parameter_count, run_seed, single_layer, train,
    xor_data,
)

try:
    __version__ = version("tinytorch-milestone-xor")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "xor_data", "single_layer", "hidden_layer", "train", "evaluate", "hidden_features",
    "parameter_count", "forward_flops", "run_seed", "LN2",
]
