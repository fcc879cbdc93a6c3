"""TinyTorch module 09: spatial layers.

Convolution (im2col + one GEMM, with a naive loop version beside it for teaching; 1-d convolution
as a 2-d one of height 1), max and average pooling, batch normalisation (1-d and 2-d), channel
dropout, ``Flatten`` and resizing by interpolation, with ``torch.nn`` names. Importing the package
registers the gradient rules of its kernels (:mod:`tinytorch.spatial.ops`) with autograd.
"""

from importlib.metadata import PackageNotFoundError, version

from . import ops
from .conv1d_layer import Conv1d, conv1d
from .functional import (
    adaptive_avg_pool2d, avg_pool2d, batch_norm, conv2d, dropout2d, max_pool2d, pad,
)
from .resize import Upsample, interpolate
from .pool1d import (
    AdaptiveAvgPool1d, AvgPool1d, MaxPool1d, adaptive_avg_pool1d, avg_pool1d, max_pool1d,
)
from .modules import (
    AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout2d, Flatten, MaxPool2d,
)

try:
    __version__ = version("tinytorch-spatial")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d",
    "Dropout2d", "Flatten", "Upsample", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d",
    "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "dropout2d", "pad",
    "interpolate", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
    "ops",
]
