"""TinyTorch milestone 1957: Rosenblatt's perceptron.

Run it with ``python -m tinytorch.milestone_perceptron [--quick]`` or
``tito milestone run perceptron``.
"""

from importlib.metadata import PackageNotFoundError, version

from .perceptron import (
    accuracy, forward_flops, make_perceptron, make_separable, parameter_count, predict, step,
    train_perceptron, update_flops, xor_data,
)

try:
    __version__ = version("tinytorch-milestone-perceptron")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "make_separable", "xor_data", "make_perceptron", "step", "predict", "accuracy",
    "train_perceptron", "forward_flops", "update_flops", "parameter_count",
]
