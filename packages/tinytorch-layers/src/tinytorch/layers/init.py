r"""Weight initialisation in place (``torch.nn.init``).

Every function fills ``tensor.data`` in place without recording an op and returns the tensor, so
``init.zeros_(layer.bias)`` works on a Parameter that requires grad. Random draws come from
``tinytorch.tensor.default_generator``, or the ``generator=`` given (``manual_seed`` reproduces
them; the values differ from PyTorch's, the distributions are the same).

The scaled initialisers use the fans of a weight :math:`(\text{out}, \text{in}, *k)`:
:math:`\text{fan\_in} = \text{in} \cdot \prod k` and :math:`\text{fan\_out} = \text{out} \cdot \prod k`
(so a ``Linear`` weight ``(out, in)`` has ``fan_in = in``), exactly as PyTorch computes them.
"""

import math
import numbers

import numpy as np

from tinytorch.activations.ops import ndtr
from tinytorch.tensor import Tensor, default_generator

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    r"""The recommended gain for a nonlinearity: the factor that keeps activations' variance.

    ===================  ====================================================
    nonlinearity         gain
    ===================  ====================================================
    linear, conv, sigmoid  :math:`1`
    tanh                 :math:`5 / 3`
    relu                 :math:`\sqrt{2}`
    leaky_relu           :math:`\sqrt{2 / (1 + \text{negative\_slope}^2)}` (slope ``param``, 0.01)
    selu                 :math:`3 / 4`
    ===================  ====================================================

    Example:
        >>> round(calculate_gain("tanh"), 4), round(calculate_gain("leaky_relu", 0.2), 4)
        (1.6667, 1.3868)
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _check(tensor, where):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where} expects a Tensor, got {type(tensor).__name__}")
    return tensor.data


def _rng(generator):
    """``generator`` (a ``numpy.random.Generator``; ``tinytorch.tensor.Generator`` is one) or the
    global one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a tinytorch.tensor.Generator, got {type(generator).__name__}")
    return generator


def _fill(tensor, values):
    tensor.data[...] = values  # in place: optimizers and views keep seeing the same array
    return tensor


def _fans(tensor):
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(shape)})"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill with :math:`\mathcal{U}(a, b)`.

    Example:
        >>> w = uniform_(Tensor(np.zeros(1000, np.float32)), -0.5, 0.5)
        >>> bool(w.data.min() >= -0.5 and w.data.max() < 0.5)
        True
    """
    data = _check(tensor, "uniform_")
    return _fill(tensor, _rng(generator).uniform(a, b, size=data.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill with :math:`\mathcal{N}(\text{mean}, \text{std}^2)`."""
    data = _check(tensor, "normal_")
    return _fill(tensor, _rng(generator).normal(mean, std, size=data.shape))


def _inverse_normal_cdf(p, lo, hi, steps=64):
    """Solve ``Phi(x) = p`` for x in [lo, hi] elementwise by bisection (Phi is monotone)."""
    lo = np.full(p.shape, lo, np.float64)
    hi = np.full(p.shape, hi, np.float64)
    for _ in range(steps):  # each pass halves every interval at once: 64 passes, any array size
        mid = 0.5 * (lo + hi)
        below = ndtr(mid) < p
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)




def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill with :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to :math:`[a, b]`.

    By inverting the CDF, as PyTorch does: draw :math:`u \sim \mathcal{U}(\Phi(\alpha),
    \Phi(\beta))` with :math:`\alpha = (a - \text{mean}) / \text{std}` (and :math:`\beta` likewise)
    and return :math:`\text{mean} + \text{std} \cdot \Phi^{-1}(u)`, so every value lies in
    :math:`[a, b]` however far into the tails the bounds are. ``a`` and ``b`` are absolute
    values, not multiples of ``std``.

    Example:
        >>> w = trunc_normal_(Tensor(np.zeros(500, np.float32)), std=0.02, a=-0.04, b=0.04)
        >>> bool(abs(w.data).max() <= 0.04)
        True
    """
    data = _check(tensor, "trunc_normal_")
    if std <= 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    alpha, beta = (a - mean) / std, (b - mean) / std
    lo_p, hi_p = (0.5 * math.erfc(-v / math.sqrt(2.0)) for v in (alpha, beta))
    p = _rng(generator).uniform(lo_p, hi_p, size=data.shape)
    x = _inverse_normal_cdf(p, max(alpha, -40.0), min(beta, 40.0))
    return _fill(tensor, np.clip(mean + std * x, a, b))


def constant_(tensor, val):
    """Fill with the value ``val``."""
    _check(tensor, "constant_")
    return _fill(tensor, val)


def ones_(tensor):
    """Fill with 1."""
    return constant_(tensor, 1)


def zeros_(tensor):
    """Fill with 0."""
    return constant_(tensor, 0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Glorot uniform: :math:`\mathcal{U}(-a, a)`, :math:`a = \text{gain} \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`.

    Example:
        >>> w = xavier_uniform_(Tensor(np.zeros((30, 20), np.float32)))
        >>> bool(abs(w.data).max() <= math.sqrt(6 / 50))
        True
    """
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Glorot normal: :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`."""
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _fan(tensor, mode)
    if fan == 0:
        raise ValueError("Initializing zero-element tensors is a no-op")
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He uniform: :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain} \sqrt{3 / \text{fan\_mode}}`.

    ``a`` is the negative slope of the leaky ReLU that follows (``nonlinearity="leaky_relu"``);
    ``Linear`` itself uses ``a = sqrt(5)``, which gives :math:`b = 1 / \sqrt{\text{fan\_in}}`.

    Example:
        >>> w = kaiming_uniform_(Tensor(np.zeros((64, 16, 3, 3), np.float32)), nonlinearity="relu")
        >>> bool(abs(w.data).max() <= math.sqrt(2) * math.sqrt(3 / 144))
        True
    """
    data = _check(tensor, "kaiming_uniform_")
    if data.size == 0:
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He normal: :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} / \sqrt{\text{fan\_mode}}`."""
    data = _check(tensor, "kaiming_normal_")
    if data.size == 0:
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)
