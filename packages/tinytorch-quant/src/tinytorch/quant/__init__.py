"""TinyTorch module 15: quantization.

Real int8 storage: symmetric per-channel int8 weights with float32 scales, per-tensor affine
activations (dynamic, or calibrated with min-max / percentile observers), an exact
int8 × int8 → int32 matmul, ``quantize_dynamic`` / ``quantize_static`` returning quantized copies
of a model, and a safe ``.npz`` format whose file size shows the 4× saving.
"""

from importlib.metadata import PackageNotFoundError, version

from .kernels import int8_matmul, int8_matmul_reference, quantized_conv2d, quantized_linear
from .modules import (
    QuantizedConv2d, QuantizedLinear, fuse_batchnorm, fuse_conv_bn_eval, model_bytes, quantize_dynamic,
    quantize_static,
)
from .observers import (
    MinMaxObserver, PercentileObserver, choose_qparams, dequantize, quantize_per_channel,
    quantize_per_tensor,
)
from .serialization import load, save

try:
    __version__ = version("tinytorch-quant")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "quantize_dynamic", "quantize_static", "QuantizedLinear", "QuantizedConv2d", "model_bytes",
    "fuse_conv_bn_eval", "fuse_batchnorm",
    "int8_matmul", "int8_matmul_reference", "quantized_linear", "quantized_conv2d",
    "choose_qparams", "quantize_per_tensor", "quantize_per_channel", "dequantize",
    "MinMaxObserver", "PercentileObserver", "save", "load",
]
