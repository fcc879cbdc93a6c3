"""``torch.nn.functional``: the functional forms, aliased from the modules that define them."""

from tinytorch.activations import gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, tanh
from tinytorch.attention import scaled_dot_product_attention
from tinytorch.embeddings import embedding
from tinytorch.layers import dropout, layer_norm, linear
from tinytorch.losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, kl_div, l1_loss, mse_loss,
    nll_loss, smooth_l1_loss,
)
from tinytorch.spatial import (
    adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, batch_norm, conv1d, conv2d,
    dropout2d, interpolate, max_pool1d, max_pool2d, pad,
)
from tinytorch.tensor import one_hot

from .._missing import missing

__all__ = [
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "leaky_relu", "silu",
    "linear", "dropout", "dropout2d", "layer_norm", "embedding", "scaled_dot_product_attention",
    "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "pad",
    "interpolate", "one_hot", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
    "mse_loss", "l1_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
]

__getattr__ = missing("torch.nn.functional")
