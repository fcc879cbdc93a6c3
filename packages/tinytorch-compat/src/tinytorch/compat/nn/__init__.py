"""``torch.nn``: layers, containers, activation layers and losses, aliased from their modules.

Layers and containers come from module 03 (``tinytorch.layers``, with module 02's activations as
``Module`` layers there), spatial layers from module 09, ``Embedding`` from module 11,
``MultiheadAttention`` from module 12 and the loss classes from module 04.
"""

from tinytorch.attention import MultiheadAttention
from tinytorch.embeddings import Embedding
from tinytorch.layers import (
    GELU, Dropout, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, Module, ModuleDict,
    ModuleList, Parameter, ReLU, Sequential, Sigmoid, SiLU, Softmax, Tanh,
)
from tinytorch.losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss,
)
from tinytorch.spatial import (
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d,
    Conv2d, Dropout2d, Flatten, MaxPool1d, MaxPool2d, Upsample,
)

from .._missing import missing
from . import functional, init, utils

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Identity",
    "Linear", "Dropout", "Dropout2d", "LayerNorm", "Embedding", "MultiheadAttention",
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d", "Flatten",
    "Upsample", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax", "LeakyReLU", "SiLU",
    "MSELoss", "L1Loss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "KLDivLoss",
    "functional", "init", "utils",
]

__getattr__ = missing("torch.nn")
