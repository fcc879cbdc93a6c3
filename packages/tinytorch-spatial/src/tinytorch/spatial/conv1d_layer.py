"""1-d convolution (``torch.nn.functional.conv1d``, ``torch.nn.Conv1d``) as a 2-d one of height 1.

A sequence :math:`(N, C, L)` is an image :math:`(N, C, 1, L)` and a :math:`(C_{out}, C_{in}, K)`
filter a :math:`(C_{out}, C_{in}, 1, K)` one, so ``conv1d`` reshapes, runs :func:`conv2d`'s
im2col + GEMM kernel, and reshapes back. The reshapes are recorded ops, so the gradient is
``conv2d``'s rule and nothing new; there is no loop over positions.
"""

import math
import numbers

import numpy as np

from tinytorch.layers import Module, Parameter
from tinytorch.tensor import ShapeError, Tensor, default_generator

from . import functional as F
from .modules import _conv_args

__all__ = ["conv1d", "Conv1d"]


def _single(value, name, minimum=0):
    """``value`` (an int or a 1-tuple) as an int of at least ``minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple of ints, got {value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int or a 1-tuple of ints, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    r"""1-d convolution (cross-correlation) over a batch of sequences (``F.conv1d``).

    .. math::
        \text{out}(n, o, t) = b_o + \sum_{c, k} W_{o, c, k}\, \text{in}(n, c, s t + d k - p)

    Args:
        input: Tensor of shape :math:`(N, C_{in}, L)`, or :math:`(C_{in}, L)` unbatched.
        weight: Tensor of shape :math:`(C_{out}, C_{in}, K)`.
        bias: Tensor of shape :math:`(C_{out})` or None.
        stride, dilation: int. Default: 1.
        padding: int, ``"valid"`` or ``"same"`` (zeros; for ``"same"`` with an even total, the
            extra zero goes on the right, as in PyTorch). Default: 0.

    Shape:
        - Output: :math:`(N, C_{out}, L_{out})`,
          :math:`L_{out} = \lfloor (L + 2p - d (K - 1) - 1) / s \rfloor + 1`.

    Unlike PyTorch: no ``groups``.

    Example:
        >>> from tinytorch.tensor import ones
        >>> conv1d(ones(1, 2, 4), ones(1, 2, 3))
        tensor([[[6., 6.]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"conv1d expects a Tensor input, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ShapeError(
            f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
            f"{list(input.shape)}"
        )
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        raise ShapeError(
            f"conv1d expects weight of shape (C_out, C_in, K), got {getattr(weight, 'shape', weight)!r}"
        )
    stride = _single(stride, "stride", 1)
    dilation = _single(dilation, "dilation", 1)
    batched = input.ndim == 3
    x = input.unsqueeze(2) if batched else input.unsqueeze(0).unsqueeze(2)  # (N, C, 1, L)
    if padding == "same":
        if stride != 1:
            raise ValueError(f"padding='same' needs stride 1, got stride {stride}")
        total = dilation * (weight.shape[2] - 1)
        x = F.pad(x, (total // 2, total - total // 2))  # the odd zero on the right, as PyTorch
        padding = 0
    elif padding == "valid":
        padding = 0
    padding = _single(padding, "padding")
    out = F.conv2d(x, weight.unsqueeze(2), bias, (1, stride), (0, padding), (1, dilation))
    out = out.squeeze(2)  # (N, C_out, L_out)
    return out if batched else out.squeeze(0)


class Conv1d(Module):
    r"""1-d convolution over a batch of sequences (``torch.nn.Conv1d``).

    Weights and bias are drawn from :math:`\mathcal{U}(-k, k)`, :math:`k = 1/\sqrt{C_{in} K}`,
    as in PyTorch (from ``tinytorch.tensor.default_generator``).

    Args:
        in_channels: channels of the input sequence.
        out_channels: channels (filters) of the output.
        kernel_size: int.
        stride: int. Default: 1.
        padding: int, ``"valid"`` or ``"same"``. Default: 0.
        dilation: int. Default: 1.
        bias: learn an additive bias per output channel. Default: True.
        dtype: floating point dtype of the parameters. Default: float32.

    Shape:
        - Input: :math:`(N, C_{in}, L)` or :math:`(C_{in}, L)`.
        - Output: :math:`(N, C_{out}, L_{out})`, see :func:`conv1d`.

    Attributes:
        weight: Parameter of shape :math:`(C_{out}, C_{in}, K)`.
        bias: Parameter of shape :math:`(C_{out})`, or None.

    Unlike PyTorch: no ``groups`` or ``padding_mode`` (zero padding only).

    Example:
        >>> from tinytorch.tensor import randn
        >>> m = Conv1d(16, 33, 3, stride=2)
        >>> m(randn(20, 16, 50)).shape
        (20, 33, 24)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, dtype=None):
        super().__init__()
        self.in_channels, self.out_channels, dtype = _conv_args("Conv1d", in_channels, out_channels, dtype)
        self.kernel_size = (_single(kernel_size, "kernel_size", 1),)
        self.stride = (_single(stride, "stride", 1),)
        self.dilation = (_single(dilation, "dilation", 1),)
        if padding in ("same", "valid"):
            if padding == "same" and self.stride != (1,):
                raise ValueError(f"padding='same' needs stride 1, got stride {self.stride[0]}")
            self.padding = padding
        else:
            self.padding = (_single(padding, "padding"),)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels, self.kernel_size[0]), dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias from :math:`\\mathcal{U}(-k, k)`, :math:`k = 1/\\sqrt{fan_{in}}`."""
        bound = 1.0 / math.sqrt(self.in_channels * self.kernel_size[0])
        self.weight.data[...] = default_generator.uniform(-bound, bound, size=self.weight.shape)
        if self.bias is not None:
            self.bias.data[...] = default_generator.uniform(-bound, bound, size=self.bias.shape)

    def forward(self, input):
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return conv1d(input, self.weight, self.bias, self.stride[0], padding, self.dilation[0])

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0,), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
