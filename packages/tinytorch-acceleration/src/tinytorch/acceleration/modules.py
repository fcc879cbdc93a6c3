"""Module forms of the fused kernels, and :func:`accelerate`, which rewrites a model to use them.

:func:`accelerate` walks a model and replaces, by building new children (never by patching
classes): ``Linear`` followed by ReLU / GELU / Tanh / Sigmoid inside a ``Sequential`` with one
:class:`FusedLinear` (the activation becomes ``Identity``), ``Conv2d`` followed by ReLU with
:class:`FusedConv2dReLU`, every ``LayerNorm`` with :class:`FusedLayerNorm`, and the transformer's
MLP and causal self-attention (module 13's layout, without dropout on the attention weights) with
the fused blocks of :mod:`tinytorch.acceleration.blocks`. The new layers share the old ones'
Parameters, so optimizers and state dicts keep working.
"""

import copy

from tinytorch import activations as A
from tinytorch.layers import GELU, Identity, LayerNorm, Linear, Module, ReLU, Sequential, Sigmoid, Tanh
from tinytorch.spatial import Conv2d

from . import functional as F
from .blocks import FusedCausalSelfAttention, FusedMLP

__all__ = ["FusedLinear", "FusedLayerNorm", "FusedConv2dReLU", "accelerate"]


def _retyped(module, cls):
    """A new ``cls`` instance with ``module``'s attributes: the same Parameters, buffers and
    children, in registries of its own."""
    new = cls.__new__(cls)
    for key, value in module.__dict__.items():
        new.__dict__[key] = value.copy() if isinstance(value, (dict, set)) else value
    return new


class FusedLinear(Linear):
    r"""``Linear`` with its activation fused in: :math:`y = \mathrm{act}(x W^T + b)`.

    Args:
        in_features, out_features, bias: as :class:`tinytorch.layers.Linear`.
        activation: ``"relu"``, ``"gelu"``, ``"tanh"``, ``"sigmoid"`` or ``"none"``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> FusedLinear(3, 2, activation="relu")(Tensor([[1.0, 2.0, 3.0]])).shape
        (1, 2)
    """

    def __init__(self, in_features, out_features, bias=True, activation="relu"):
        super().__init__(in_features, out_features, bias=bias)
        self.activation = activation

    @classmethod
    def from_linear(cls, linear, activation):
        """A FusedLinear sharing ``linear``'s Parameters."""
        fused = _retyped(linear, cls)
        fused.activation = activation
        return fused

    def forward(self, input):
        return F.linear_act(input, self.weight, self.bias, self.activation)

    def extra_repr(self):
        return super().extra_repr() + f", activation={self.activation!r}"


class FusedLayerNorm(LayerNorm):
    """``LayerNorm`` computed by one fused kernel with one gradient rule."""

    @classmethod
    def from_layer_norm(cls, ln):
        return _retyped(ln, cls)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class FusedConv2dReLU(Conv2d):
    """``Conv2d`` followed by ReLU, fused (the ReLU runs in place on the convolution's output)."""

    @classmethod
    def from_conv(cls, conv):
        if isinstance(conv.padding, str):
            raise ValueError("FusedConv2dReLU needs numeric padding, not 'same'/'valid'")
        return _retyped(conv, cls)

    def forward(self, input):
        return F.conv2d_relu(input, self.weight, self.bias, self.stride, self.padding, self.dilation)


def _activation_name(layer):
    if isinstance(layer, (ReLU, A.ReLU)):
        return "relu"
    if isinstance(layer, (Tanh, A.Tanh)):
        return "tanh"
    if isinstance(layer, (Sigmoid, A.Sigmoid)):
        return "sigmoid"
    if isinstance(layer, (GELU, A.GELU)) and getattr(layer, "approximate", "none") == "none":
        return "gelu"
    return None


def _children(module):
    return {name: child for name, child in module._modules.items() if child is not None}


def _is_gpt_mlp(m):
    kids = _children(m)
    gelu = kids.get("gelu", getattr(m, "gelu", None))  # module 02's GELU is a plain attribute
    return (set(kids) - {"gelu"} == {"c_fc", "c_proj", "dropout"} and type(kids["c_fc"]) is Linear
            and type(kids["c_proj"]) is Linear and _activation_name(gelu) == "gelu")


def _is_gpt_attention(m):
    kids = _children(m)
    return (set(kids) == {"c_attn", "c_proj", "resid_dropout"} and type(kids["c_attn"]) is Linear
            and hasattr(m, "n_head") and getattr(m, "attn_dropout", None) == 0.0)


def _rewrite(module):
    for name, child in list(module._modules.items()):
        if isinstance(child, Module):
            _rewrite(child)
        if type(child) is LayerNorm:
            module._modules[name] = FusedLayerNorm.from_layer_norm(child)
        elif isinstance(child, Module) and not isinstance(child, (FusedMLP, FusedCausalSelfAttention)):
            if _is_gpt_mlp(child):
                module._modules[name] = FusedMLP.from_module(child)
            elif _is_gpt_attention(child):
                module._modules[name] = FusedCausalSelfAttention.from_module(child)
    if isinstance(module, Sequential):
        names = list(module._modules)
        for first, second in zip(names, names[1:]):
            a, b = module._modules[first], module._modules[second]
            act = _activation_name(b)
            if act is None:
                continue
            if type(a) is Linear:
                module._modules[first] = FusedLinear.from_linear(a, act)
                module._modules[second] = Identity()
            elif type(a) is Conv2d and act == "relu" and not isinstance(a.padding, str):
                module._modules[first] = FusedConv2dReLU.from_conv(a)
                module._modules[second] = Identity()
    return module


def accelerate(model, inplace=False):
    """Rewrite ``model`` to use the fused layers; returns the rewritten model.

    Args:
        model: a :class:`~tinytorch.layers.Module`.
        inplace: rewrite ``model`` itself (sharing its Parameters) instead of a deep copy.

    Example:
        >>> from tinytorch.layers import Linear, ReLU, Sequential
        >>> accelerate(Sequential(Linear(4, 8), ReLU(), Linear(8, 2)))
        Sequential(
          (0): FusedLinear(in_features=4, out_features=8, bias=True, activation='relu')
          (1): Identity()
          (2): Linear(in_features=8, out_features=2, bias=True)
        )
    """
    if not isinstance(model, Module):
        raise TypeError(f"accelerate expects a Module, got {type(model).__name__}")
    return _rewrite(model if inplace else copy.deepcopy(model))
