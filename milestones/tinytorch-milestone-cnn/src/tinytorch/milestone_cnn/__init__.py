"""TinyTorch milestone 1998: LeNet-style CNNs read TinyDigits, MNIST, Fashion-MNIST and CIFAR-10.

Run it with ``python -m tinytorch.milestone_cnn [--quick]`` or ``tito milestone run cnn``.
"""

from importlib.metadata import PackageNotFoundError, version

from .cnn import CONFIGS, TARGETS, build_model, count_parameters, layer_profile, measure_step, run, run_task

try:
    __version__ = version("tinytorch-milestone-cnn")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["run", "run_task", "build_model", "layer_profile", "count_parameters", "measure_step",
           "TARGETS", "CONFIGS"]
