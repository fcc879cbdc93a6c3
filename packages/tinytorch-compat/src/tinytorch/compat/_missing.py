"""The error for a ``torch`` name the facade does not have: which TinyTorch module would own it.

Every facade module ends with ``__getattr__ = missing("torch.nn")`` (PEP 562), so ``torch.nn.LSTM``
raises ``AttributeError: TinyTorch has no torch.nn.LSTM yet ...`` instead of a bare "module has no
attribute", and names outside the course (CUDA, AMP, distributed, ONNX, bfloat16) say so.
"""

import re

__all__ = ["missing", "missing_message", "OUT_OF_SCOPE"]

OUT_OF_SCOPE = "CUDA, AMP/GradScaler, distributed, ONNX and bfloat16 are out of scope for TinyTorch"

# Qualified names (or their first component after the facade module) that are out of scope.
_OUT_OF_SCOPE = re.compile(
    r"^torch\.(cuda|amp|autocast|distributed|onnx|bfloat16|mps|xpu|GradScaler|"
    r"nn\.parallel|nn\.DataParallel|nn\.SyncBatchNorm|backends\.cudnn\.\w+|cuda\.\w+)(\.|$)"
)

# (pattern on the qualified name, owning module); the first match wins.
_OWNERS = [
    (r"^torch\.(save|load)$", "tinytorch.training (module 07)"),
    (r"^torch\.(autograd|func)\b", "tinytorch.autograd (module 05)"),
    (r"^torch\.(set_num_interop_threads|get_num_interop_threads|compile|jit)\b", "tinytorch.acceleration (module 18)"),
    (r"^torch\.nn\.(functional\.)?.*([Ll]oss|_loss|kl_div|cross_entropy)\w*$", "tinytorch.losses (module 04)"),
    (r"^torch\.nn\.(functional\.)?(conv|Conv|max_pool|MaxPool|avg_pool|AvgPool|adaptive|Adaptive|"
     r"batch_norm|BatchNorm|instance_norm|InstanceNorm|group_norm|GroupNorm|dropout[123]d|"
     r"Dropout[13]d|pad|ZeroPad|ReflectionPad|interpolate|Upsample|unfold|fold|Unfold|Fold|"
     r"pixel_shuffle|PixelShuffle)", "tinytorch.spatial (module 09)"),
    (r"^torch\.nn\.(functional\.)?(embedding|Embedding)", "tinytorch.embeddings (module 11)"),
    (r"^torch\.nn\.(functional\.)?(scaled_dot_product_attention|multi_head_attention|"
     r"MultiheadAttention)", "tinytorch.attention (module 12)"),
    (r"^torch\.nn\.(Transformer\w*)", "tinytorch.transformer (module 13)"),
    (r"^torch\.nn\.(RNN|LSTM|GRU)\w*", "a recurrent-network module (not in the course yet)"),
    (r"^torch\.nn\.functional\.", "tinytorch.activations (module 02) or tinytorch.layers (module 03)"),
    (r"^torch\.nn\.init\.", "tinytorch.layers.init (module 03)"),
    (r"^torch\.nn\.utils\.", "tinytorch.training (module 07)"),
    (r"^torch\.nn\.[A-Z]\w*(LU|Sigmoid|Tanh|Softmax|Softmin|Softplus|Softsign|Mish|Shrink|Threshold)$",
     "tinytorch.activations (module 02), as a Module in tinytorch.layers (module 03)"),
    (r"^torch\.nn\.", "tinytorch.layers (module 03)"),
    (r"^torch\.optim\.", "tinytorch.optim (module 06)"),
    (r"^torch\.utils\.data\.", "tinytorch.data (module 08)"),
    (r"^torchvision\.", "tinytorch.data (module 08)"),
    (r"^torch\.", "tinytorch.tensor (module 01)"),
]


def missing_message(qualified):
    """The text of the AttributeError for the facade name ``qualified`` (e.g. ``"torch.nn.LSTM"``)."""
    if _OUT_OF_SCOPE.match(qualified):
        return f"TinyTorch has no {qualified}: {OUT_OF_SCOPE} (TinyTorch runs on the CPU in float32/float64)"
    for pattern, owner in _OWNERS:
        if re.match(pattern, qualified):
            return f"TinyTorch has no {qualified} yet; it would belong in {owner}"
    return f"TinyTorch has no {qualified} yet"


def missing(module_name):
    """A module-level ``__getattr__`` for the facade module ``module_name`` (e.g. ``"torch.nn"``)."""

    def __getattr__(name):
        if name.startswith("__") and name.endswith("__"):  # dunder probes (copy, pickle, doctest)
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        raise AttributeError(missing_message(f"{module_name}.{name}"))

    return __getattr__
