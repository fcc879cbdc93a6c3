"""Quantized layers and the model-level conversions ``quantize_dynamic`` / ``quantize_static``.

A quantized layer keeps its weight as an ``int8`` buffer ``qweight`` with ``float32`` per-channel
scales ``weight_scale`` (so ``state_dict()`` holds the int8 arrays and a saved model really is
about 4× smaller) and computes through the exact integer kernels of :mod:`tinytorch.quant.kernels`.
Code that reads ``layer.weight`` directly (a GPT slicing its packed q/k/v projection) gets the
dequantized float32 weight, so it stays correct instead of multiplying by raw int8 codes. The
layers are for inference: they hold no Parameters and their kernels have no gradient rule.
"""

import copy

import numpy as np

from tinytorch.layers import Identity, Linear, Module, Sequential
from tinytorch.spatial import BatchNorm2d, Conv2d
from tinytorch.tensor import Tensor, apply_op, no_grad

from .kernels import quantized_conv2d, quantized_linear
from .observers import MinMaxObserver, dequantize, quantize_per_channel

__all__ = [
    "QuantizedLinear", "QuantizedConv2d", "quantize_dynamic", "quantize_static", "model_bytes",
    "fuse_conv_bn_eval", "fuse_batchnorm",
]


def _check_input(input, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where} expects a Tensor input, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{where} expects a floating point input, got dtype {input.dtype}")


class _Quantized(Module):
    """Shared buffers: ``qweight`` (int8), ``weight_scale`` (float32), ``bias``, activation qparams."""

    def _init_buffers(self, weight, bias, activation):
        q, scales = quantize_per_channel(weight, axis=0)
        self.register_buffer("qweight", Tensor(q, dtype=np.int8))
        self.register_buffer("weight_scale", Tensor(scales))
        self.register_buffer("bias", None if bias is None else Tensor(np.asarray(bias, np.float32)))
        # Static layers: the calibrated input scale and zero point; dynamic layers: none.
        if activation is None:
            self.register_buffer("input_scale", None)
            self.register_buffer("input_zero_point", None)
        else:
            scale, zero_point = activation
            self.register_buffer("input_scale", Tensor(np.array(scale, np.float32)))
            self.register_buffer("input_zero_point", Tensor(np.array(zero_point, np.int64)))

    def _qparams(self):
        if self.input_scale is None:
            return {}
        return {"scale": float(self.input_scale.data), "zero_point": int(self.input_zero_point.data)}

    def _bias(self):
        return None if self.bias is None else self.bias.data

    @property
    def weight(self):
        """The dequantized float32 weight, a new Tensor (what the int8 codes and scales represent)."""
        return Tensor(dequantize(self.qweight.data, self.weight_scale.data, axis=0))

    @property
    def mode(self):
        return "dynamic" if self.input_scale is None else "static"


class QuantizedLinear(_Quantized):
    """``Linear`` with an int8 weight (like ``torch.ao.nn.quantized.dynamic.Linear``).

    Built from a float layer with :meth:`from_float`. ``weight`` is ``(out_features, in_features)``
    int8, symmetric per output row; the input is quantized per tensor (dynamic: from each batch's
    range; static: calibrated). Differs from torch: int8 activations instead of uint8, and
    ``weight`` is the dequantized float weight (torch's ``weight()`` returns the quantized one).

    Example:
        >>> from tinytorch.tensor import randn
        >>> float_layer = Linear(16, 4)
        >>> q = QuantizedLinear.from_float(float_layer)
        >>> q.qweight.dtype, q.weight_scale.dtype, q(randn(2, 16)).shape
        (dtype('int8'), dtype('float32'), (2, 4))
    """

    def __init__(self, in_features, out_features, bias=True, activation=None):
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        # Zero codes (scale 1): a shell to load_state_dict into, drawing nothing from the RNG.
        self._init_buffers(np.zeros((self.out_features, self.in_features), np.float32),
                           np.zeros(self.out_features, np.float32) if bias else None, activation)

    @classmethod
    def from_float(cls, mod, activation=None):
        """Quantize a float ``Linear``; ``activation`` is ``(scale, zero_point)`` for static mode."""
        if not isinstance(mod, Linear):
            raise TypeError(f"QuantizedLinear.from_float expects a Linear, got {type(mod).__name__}")
        q = cls.__new__(cls)
        Module.__init__(q)
        q.in_features, q.out_features = mod.in_features, mod.out_features
        q._init_buffers(mod.weight.data, None if mod.bias is None else mod.bias.data, activation)
        return q

    def forward(self, input):
        _check_input(input, "QuantizedLinear")
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ValueError(
                f"QuantizedLinear: input of shape {input.shape} does not match in_features={self.in_features}"
            )
        return apply_op(quantized_linear, input, self.qweight.data, self.weight_scale.data, self._bias(),
                        **self._qparams())

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, mode={self.mode}")


def _resolve_padding(padding, kernel, dilation):
    if padding == "valid":
        return (0, 0)
    if padding == "same":  # Conv2d only accepts 'same' when it comes out symmetric
        return tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    return tuple(padding)


class QuantizedConv2d(_Quantized):
    """``Conv2d`` with an int8 weight (C_out, C_in, KH, KW), symmetric per output channel.

    Built from a float layer with :meth:`from_float`; input quantized per tensor as in
    :class:`QuantizedLinear`. torch's ``quantize_dynamic`` leaves convolutions in float; ours
    quantizes them too.

    Example:
        >>> from tinytorch.tensor import randn
        >>> q = QuantizedConv2d.from_float(Conv2d(3, 8, 3, padding=1))
        >>> q(randn(2, 3, 10, 10)).shape
        (2, 8, 10, 10)
    """

    @classmethod
    def from_float(cls, mod, activation=None):
        """Quantize a float ``Conv2d``; ``activation`` is ``(scale, zero_point)`` for static mode."""
        if not isinstance(mod, Conv2d):
            raise TypeError(f"QuantizedConv2d.from_float expects a Conv2d, got {type(mod).__name__}")
        q = cls.__new__(cls)
        Module.__init__(q)
        q.in_channels, q.out_channels = mod.in_channels, mod.out_channels
        q.kernel_size, q.stride, q.dilation = mod.kernel_size, mod.stride, mod.dilation
        q.padding = _resolve_padding(mod.padding, mod.kernel_size, mod.dilation)
        q._init_buffers(mod.weight.data, None if mod.bias is None else mod.bias.data, activation)
        return q

    def forward(self, input):
        _check_input(input, "QuantizedConv2d")
        return apply_op(quantized_conv2d, input, self.qweight.data, self.weight_scale.data, self._bias(),
                        stride=self.stride, padding=self.padding, dilation=self.dilation,
                        **self._qparams())

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, mode={self.mode}")


_DEFAULT_SPEC = (Linear, Conv2d)
_QUANTIZED = {Linear: QuantizedLinear, Conv2d: QuantizedConv2d}


def _spec(qconfig_spec):
    spec = _DEFAULT_SPEC if qconfig_spec is None else tuple(qconfig_spec)
    bad = [s for s in spec if s not in _QUANTIZED]
    if bad:
        raise ValueError(f"qconfig_spec may hold Linear and Conv2d only, got {bad}")
    return spec


def _shared_parameters(model):
    # ids of Parameters registered in more than one module (a GPT's head tied to its embedding)
    seen, shared = set(), set()
    for module in model.modules():
        for p in module._parameters.values() if isinstance(module, Module) else ():
            if p is not None:
                (shared if id(p) in seen else seen).add(id(p))
    return shared


def _swap(model, spec, activations, prefix="", shared=frozenset()):
    """Replace, depth first, every module of a type in ``spec`` by its quantized twin.

    A layer whose weight is tied to another module stays float: quantizing it would store the
    weight twice (the int8 copy and the float original) and untie them.
    """
    for name, child in list(model._modules.items()):
        if child is None:
            continue
        path = f"{prefix}{name}"
        kind = next((t for t in spec if type(child) is t), None)
        if kind is not None and id(child.weight) in shared:
            continue
        if kind is not None:
            setattr(model, name, _QUANTIZED[kind].from_float(child, activations.get(path)))
        elif isinstance(child, Module):  # module 02's activations are not Modules: no children
            _swap(child, spec, activations, path + ".", shared)


def fuse_conv_bn_eval(conv, bn):
    r"""A new ``Conv2d`` equal to ``bn(conv(x))`` in eval mode (``torch.nn.utils.fusion`` name).

    With :math:`g = \gamma / \sqrt{\sigma^2 + \epsilon}` per channel:
    :math:`W' = g W`, :math:`b' = g (b - \mu) + \beta`. Folding before quantizing removes the
    batch norm's arrays and lets the per-channel weight scales absorb :math:`g`. Both modules
    must be in eval mode (``AssertionError`` otherwise, as torch).
    """
    if not isinstance(conv, Conv2d) or not isinstance(bn, BatchNorm2d):
        raise TypeError(f"fuse_conv_bn_eval expects (Conv2d, BatchNorm2d), got "
                        f"({type(conv).__name__}, {type(bn).__name__})")
    if conv.training or bn.training:
        raise AssertionError("fuse_conv_bn_eval: Fusion only for eval! (call .eval() on both modules)")
    return _fold(conv, bn)


def _fold(conv, bn):
    # fuse_batchnorm folds regardless of mode: the quantized model it prepares is inference-only.
    if bn.num_features != conv.out_channels:
        raise ValueError(f"fuse_conv_bn_eval: BatchNorm2d({bn.num_features}) cannot follow a Conv2d "
                         f"with {conv.out_channels} output channels")
    if bn.running_mean is None:
        raise ValueError("fuse_conv_bn_eval needs a BatchNorm2d that tracks running statistics")
    fused = copy.deepcopy(conv)
    g = 1.0 / np.sqrt(bn.running_var.data.astype(np.float64) + bn.eps)
    if bn.weight is not None:
        g = g * bn.weight.data
    bias = conv.bias.data if conv.bias is not None else np.zeros(conv.out_channels)
    new_bias = g * (bias - bn.running_mean.data) + (bn.bias.data if bn.bias is not None else 0.0)
    fused.weight.data[...] = conv.weight.data * g[:, None, None, None]
    if fused.bias is None:
        fused.bias = type(conv.weight)(np.zeros(conv.out_channels, conv.weight.dtype))
    fused.bias.data[...] = new_bias
    return fused


def fuse_batchnorm(model):
    """Fold every ``BatchNorm2d`` that directly follows a ``Conv2d`` in a ``Sequential``, in place.

    The batch norm is replaced by ``Identity`` (so indices and state-dict names stay put).
    """
    for container in model.modules():
        if not isinstance(container, Sequential):
            continue
        names = list(container._modules)
        for a, b in zip(names, names[1:]):
            conv, bn = container._modules[a], container._modules[b]
            if isinstance(conv, Conv2d) and isinstance(bn, BatchNorm2d) and bn.track_running_stats:
                setattr(container, a, _fold(conv, bn))
                setattr(container, b, Identity())
    return model


def quantize_dynamic(model, qconfig_spec=None, dtype=np.int8, inplace=False, fuse=True):
    """Quantize the weights of every ``Linear`` and ``Conv2d`` to int8 (``torch.ao.quantization``).

    Activations are quantized on the fly from each batch's range. Returns a quantized copy; the
    float model is untouched (``inplace=True`` converts it in place instead). Differs from torch:
    ``Conv2d`` is quantized by default too, after folding the batch norms that follow it; a layer
    whose weight is tied to another module (a GPT's output head) stays float.

    Args:
        model: a ``Module``.
        qconfig_spec: the layer types to quantize, a subset of ``{Linear, Conv2d}``.
        dtype: only ``int8``.
        inplace: convert ``model`` itself.
        fuse: fold ``Conv2d -> BatchNorm2d`` pairs first (:func:`fuse_batchnorm`); the result
            then computes in eval mode, as quantized models do.

    Example:
        >>> from tinytorch.layers import Sequential
        >>> float_model = Sequential(Linear(4, 8), Linear(8, 2))
        >>> q = quantize_dynamic(float_model)
        >>> type(q[0]).__name__, type(float_model[0]).__name__, q.state_dict()["0.qweight"].dtype
        ('QuantizedLinear', 'Linear', dtype('int8'))
    """
    if not isinstance(model, Module):
        raise TypeError(f"quantize_dynamic expects a Module, got {type(model).__name__}")
    if np.dtype(dtype) != np.int8:
        raise ValueError(f"quantize_dynamic supports dtype int8 only, got {np.dtype(dtype)}")
    spec = _spec(qconfig_spec)
    target = model if inplace else copy.deepcopy(model)
    if type(target) in spec:
        return _QUANTIZED[type(target)].from_float(target)
    if fuse and Conv2d in spec:
        fuse_batchnorm(target)
    _swap(target, spec, {}, shared=_shared_parameters(target))
    return target


def quantize_static(model, calibration_data, observer=MinMaxObserver, qconfig_spec=None, fuse=True):
    """Quantize weights and calibrate every quantized layer's input range on sample batches.

    The float model runs (in eval mode, without gradients) on each batch of
    ``calibration_data`` with an observer watching each layer's input; each quantized layer then
    uses the observed ``(scale, zero_point)`` instead of measuring every batch.

    Args:
        model: a ``Module`` (not modified).
        calibration_data: iterable of input batches (Tensors or arrays), or of ``(input, target)``.
        observer: ``MinMaxObserver``, ``PercentileObserver`` or a zero-argument factory.
        qconfig_spec, fuse: as in :func:`quantize_dynamic`.
    """
    if not isinstance(model, Module):
        raise TypeError(f"quantize_static expects a Module, got {type(model).__name__}")
    spec = _spec(qconfig_spec)
    calibrated = copy.deepcopy(model)
    calibrated.eval()
    if fuse and Conv2d in spec:
        fuse_batchnorm(calibrated)
    watched = {name: m for name, m in calibrated.named_modules() if type(m) in spec}
    if not callable(observer) or isinstance(observer, MinMaxObserver):
        raise TypeError(f"quantize_static: observer must make a new observer per layer (a class or a "
                        f"function such as lambda: PercentileObserver(99.9)), got {observer!r}")
    observers = {name: observer() for name in watched}
    handles = [
        m.register_forward_pre_hook(lambda mod, args, obs=observers[name]: obs(args[0].data))
        for name, m in watched.items()
    ]
    batches = 0
    with no_grad():
        for batch in calibration_data:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            calibrated(x if isinstance(x, Tensor) else Tensor(x))
            batches += 1
    for h in handles:
        h.remove()
    if batches == 0:
        raise ValueError("quantize_static: calibration_data gave no batches")
    activations = {name: obs.calculate_qparams() for name, obs in observers.items()}
    if type(calibrated) in spec:
        return _QUANTIZED[type(calibrated)].from_float(calibrated, activations[""])
    _swap(calibrated, spec, activations, shared=_shared_parameters(calibrated))
    return calibrated


def model_bytes(model):
    """Bytes of every array in ``model.state_dict()`` (what a saved model must hold)."""
    if not isinstance(model, Module):
        raise TypeError(f"model_bytes expects a Module, got {type(model).__name__}")
    return sum(a.nbytes for a in model.state_dict().values())
