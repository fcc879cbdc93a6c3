"""Counting parameters and floating point operations.

FLOPs follow ``torch.utils.flop_counter``'s convention: a multiply-add is 2 FLOPs, only matrix
products (matmul, batched matmul, linear) and convolutions are counted, and elementwise ops, bias
additions, reductions and activations count 0. FLOPs are counted by *observing* the ops a forward
pass actually runs (``tinytorch.tensor.register_op_observer``), never by inspecting the module tree,
so a model that calls a layer twice or does a matmul by hand is counted right.

Kernels are identified by their qualified name (``"tinytorch.tensor.ops.matmul"``), so formulas
for kernels of later modules (a fused attention, a quantized matmul) are registered by those
modules with :func:`register_flop_formula` without this module importing them.
"""

import math
import numbers

import numpy as np

from tinytorch.layers import Module
from tinytorch.tensor import Tensor, no_grad, register_op_observer

__all__ = ["count_parameters", "count_flops", "register_flop_formula", "flops_of", "kernel_name"]

_FORMULAS = {}


def kernel_name(fn):
    """The key a kernel's FLOP formula is registered under: ``module.qualname``."""
    if isinstance(fn, str):
        return fn
    if not callable(fn) or not hasattr(fn, "__qualname__"):
        raise TypeError(f"expected a kernel function or its qualified name, got {type(fn).__name__}")
    return f"{fn.__module__}.{fn.__qualname__}"


def register_flop_formula(kernel):
    """Decorator registering ``formula(inputs, **attrs) -> int`` for a kernel.

    ``kernel`` is the kernel function itself or its qualified name; ``inputs`` are the ndarrays
    (or constants) the kernel received and ``attrs`` its keyword arguments, so the formula works in
    the backward phase too, where the forward output is not at hand. It gives forward FLOPs;
    backward FLOPs are derived from the gradients actually computed (see :func:`flops_of`).

    Example:
        >>> @register_flop_formula("example.ops.outer")
        ... def _outer_flops(inputs, **attrs):
        ...     return np.size(inputs[0]) * np.size(inputs[1])
        >>> flops_of("example.ops.outer", (np.ones(3), np.ones(4)), {})
        12
    """
    key = kernel_name(kernel)

    def decorate(formula):
        _FORMULAS[key] = formula
        return formula

    return decorate


@register_flop_formula("tinytorch.tensor.ops.matmul")
def _matmul_flops(inputs, **attrs):
    # (..., n, k) @ (..., k, m): 2·n·k·m per (broadcast) batch element. A 1-d operand counts as a
    # row or a column (torch's counter registers no mv/dot and gives 0 there: a documented difference).
    a, b = np.shape(inputs[0]), np.shape(inputs[1])
    # BEGIN SOLUTION
    n = a[-2] if len(a) > 1 else 1
    m = b[-1] if len(b) > 1 else 1
    batch = np.broadcast_shapes(a[:-2], b[:-2])
    return 2 * math.prod(batch) * n * a[-1] * m
    # END SOLUTION


def _conv_out(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _conv_flops(inputs, stride=(1, 1), padding=(0, 0), dilation=(1, 1), **attrs):
    # 2 · N · C_out · H_out · W_out · C_in · KH · KW, bias not counted (torch's conv_flop_count).
    n, _, h, w = np.shape(inputs[0])
    c_out, c_in, kh, kw = np.shape(inputs[1])
    # BEGIN SOLUTION
    ho = _conv_out(h, kh, stride[0], padding[0], dilation[0])
    wo = _conv_out(w, kw, stride[1], padding[1], dilation[1])
    return 2 * n * c_out * ho * wo * c_in * kh * kw
    # END SOLUTION


def _linear_flops(inputs, **attrs):
    # input (*, in) and weight (out, in): 2 · prod(*) · in · out; the bias is not counted.
    x, w = np.shape(inputs[0]), np.shape(inputs[1])
    return 2 * math.prod(x[:-1]) * w[1] * w[0]


def _attention_flops(inputs, **attrs):
    # q (*, T, D), k (*, S, D), v (*, S, Dv): scores q·kᵀ and weights·v, as torch's sdpa_flop_count
    # (torch registers it for its flash / efficient kernels; its CPU kernel is counted as 0).
    q, k, v = (np.shape(x) for x in inputs[:3])
    batch = math.prod(q[:-2])
    return 2 * batch * q[-2] * k[-2] * q[-1] + 2 * batch * q[-2] * k[-2] * v[-1]


for _name in ("tinytorch.spatial.ops.conv2d", "tinytorch.spatial.ops.conv2d_naive",
              "tinytorch.acceleration.kernels.conv2d_relu"):
    register_flop_formula(_name)(_conv_flops)
for _name in ("tinytorch.tensor.ops.linear", "tinytorch.acceleration.kernels.linear_act"):
    register_flop_formula(_name)(_linear_flops)
register_flop_formula("tinytorch.acceleration.kernels.attention")(_attention_flops)


def _attention_backward_flops(inputs, grads, **attrs):
    # torch's sdpa_backward_flop_count: the scores recomputed, then dScores = dO·Vᵀ, dV = Pᵀ·dO,
    # dQ = dScores·K, dK = dScoresᵀ·Q: 2·B·H·T·S·(3·D + 2·Dv), whatever the kernel keeps.
    q, k, v = (np.shape(x) for x in inputs[:3])
    if not grads:
        return 0
    return 2 * math.prod(q[:-2]) * q[-2] * k[-2] * (3 * q[-1] + 2 * v[-1])


# Kernels whose backward is not "one forward per matrix-operand gradient".
_BACKWARD_FORMULAS = {"tinytorch.acceleration.kernels.attention": _attention_backward_flops}


def _matrix_grads(inputs, grads):
    # Gradients of the two matrix operands (input and weight), told from a bias gradient by shape.
    shapes = {np.shape(inputs[0]), np.shape(inputs[1])}
    return sum(np.shape(g) in shapes for g in grads)


# How many forward-sized products the backward of a kernel runs, from its forward inputs and the
# gradients its rule returned (None ones already dropped): one per gradient of a matrix operand,
# bias gradients are free.
_BACKWARD_PRODUCTS = {"tinytorch.tensor.ops.matmul": lambda inputs, grads: len(grads)}


def flops_of(kernel, inputs, attrs, phase="forward", grads=()):
    """FLOPs of one kernel call, 0 for kernels without a registered formula.

    In the ``"backward"`` phase each computed gradient of a matrix operand costs one forward's
    worth (``dA = dY·Bᵀ`` and ``dB = Aᵀ·dY`` are each as large as ``A·B``), as torch counts
    ``mm`` and ``convolution_backward``.

    Args:
        kernel: the kernel function or its qualified name.
        inputs: the kernel's forward array inputs.
        attrs: its keyword attrs.
        phase: ``"forward"`` or ``"backward"``.
        grads: in the backward phase, the input gradients the rule computed (Nones dropped).

    Example:
        >>> from tinytorch.tensor import ops
        >>> flops_of(ops.matmul, (np.ones((2, 3)), np.ones((3, 4))), {})
        48
    """
    key = kernel_name(kernel)
    formula = _FORMULAS.get(key)
    if formula is None:
        return 0
    if phase == "forward":
        return int(formula(inputs, **attrs))
    grads = grads if isinstance(grads, tuple) else (grads,)
    if key in _BACKWARD_FORMULAS:
        return int(_BACKWARD_FORMULAS[key](inputs, grads, **attrs))
    forward = int(formula(inputs, **attrs))
    products = _BACKWARD_PRODUCTS.get(key, _matrix_grads)(inputs, grads)
    return forward * int(products)


def count_parameters(model, trainable_only=False):
    """Number of scalar parameters in ``model`` (each shared Parameter counted once).

    Args:
        model: a ``Module``.
        trainable_only: count only parameters with ``requires_grad``.

    Example:
        >>> from tinytorch.layers import Linear
        >>> count_parameters(Linear(784, 128))
        100480
    """
    if not isinstance(model, Module):
        raise TypeError(f"count_parameters expects a Module, got {type(model).__name__}")
    # BEGIN SOLUTION
    return sum(
        p.data.size for p in model.parameters() if p.requires_grad or not trainable_only
    )
    # END SOLUTION


def _as_input(x, index):
    if isinstance(x, (Tensor, np.ndarray, numbers.Number, list, tuple)):
        return x if isinstance(x, Tensor) else Tensor(x)
    raise TypeError(f"count_flops: input {index} must be a Tensor or array-like, got {type(x).__name__}")


def count_flops(model, *inputs, **kwargs):
    """Forward FLOPs of ``model(*inputs, **kwargs)``, as torch's ``FlopCounterMode`` counts them.

    The forward pass runs once under ``no_grad`` with an op observer registered; every observed
    matmul and convolution adds its FLOPs. Only the forward is counted (use :class:`Profiler`
    around a training step for backward FLOPs).

    Args:
        model: a ``Module`` or any callable running recorded ops.
        *inputs: its inputs (Tensors, ndarrays or nested lists).

    Returns:
        int: total FLOPs (2 per multiply-add).

    Example:
        >>> from tinytorch.layers import Linear
        >>> count_flops(Linear(784, 128), np.zeros((32, 784), np.float32))
        6422528
    """
    if not callable(model):
        raise TypeError(f"count_flops expects a callable model, got {type(model).__name__}")
    inputs = tuple(_as_input(x, i) for i, x in enumerate(inputs))
    total = 0

    def observe(event):
        nonlocal total
        # BEGIN SOLUTION
        if event.phase == "forward":
            total += flops_of(event.fn, event.inputs, event.attrs)
        # END SOLUTION

    handle = register_op_observer(observe)
    try:
        with no_grad():
            model(*inputs, **kwargs)
    finally:
        handle.remove()
    return total


def human(n, unit=""):
    """``1234567 -> '1.23 M'``: a count with an SI prefix, for tables."""
    if n == 0:
        return f"0 {unit}".rstrip()
    exponent = min(int(math.log10(abs(n)) // 3), 4)
    prefix = ["", "k", "M", "G", "T"][exponent]
    return f"{n / 1000 ** exponent:.3g} {prefix}{unit}".rstrip()
