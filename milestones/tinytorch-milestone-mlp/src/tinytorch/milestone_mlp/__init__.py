"""TinyTorch milestone 1986: a backprop-trained MLP reads TinyDigits and MNIST.

Run it with ``python -m tinytorch.milestone_mlp [--quick]`` or ``tito milestone run mlp``.
"""

from importlib.metadata import PackageNotFoundError, version

from .mlp import CONFIGS, MLP, TARGETS, count_parameters, forward_flops, run, run_task

try:
    __version__ = version("tinytorch-milestone-mlp")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["run", "run_task", "MLP", "count_parameters", "forward_flops", "TARGETS", "CONFIGS"]
