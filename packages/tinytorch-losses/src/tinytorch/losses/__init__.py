"""TinyTorch module 04: loss functions."""

from importlib.metadata import PackageNotFoundError, version

from . import ops

try:
    __version__ = version("tinytorch-losses")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["ops"]
