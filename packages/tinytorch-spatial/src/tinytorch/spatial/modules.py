"""The spatial layers as ``Module`` s: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``BatchNorm1d``,
``BatchNorm2d``, ``Dropout2d``, ``Flatten`` (``torch.nn`` names, arguments and defaults)."""

import math
import numbers

import numpy as np

from tinytorch.layers import Module, Parameter
from tinytorch.tensor import Tensor, default_generator

from . import functional as F


def _conv_args(layer, in_channels, out_channels, dtype):
    """``(in_channels, out_channels, dtype)`` of a conv layer, checked: positive ints and a float dtype."""
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    dtype = np.dtype(np.float32 if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"{layer}: dtype must be floating point, got {dtype}")
    return int(in_channels), int(out_channels), dtype


class Conv2d(Module):
    r"""2-d convolution over a batch of images (``torch.nn.Conv2d``).

    .. math::
        \text{out}(n, o) = b_o + \sum_{c=0}^{C_{in}-1} W_{o, c} \star \text{in}(n, c)

    where :math:`\star` is 2-d cross-correlation with the given stride, padding and dilation.
    Each output channel reuses one :math:`C_{in} \times K_h \times K_w` filter at every position
    (weight sharing), so the layer has :math:`C_{out}(C_{in} K_h K_w + 1)` parameters whatever the
    image size. Weights and bias are drawn from :math:`\mathcal{U}(-k, k)`,
    :math:`k = 1/\sqrt{C_{in} K_h K_w}`, as in PyTorch (from ``tinytorch.tensor.default_generator``).

    Args:
        in_channels: channels of the input image.
        out_channels: channels (filters) of the output.
        kernel_size: int or pair.
        stride: int or pair. Default: 1.
        padding: int, pair, ``"valid"`` or ``"same"``: zeros added on both sides. Default: 0.
        dilation: spacing between kernel elements, int or pair. Default: 1.
        bias: learn an additive bias per output channel. Default: True.
        dtype: floating point dtype of the parameters. Default: float32.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)`.
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})`,
          :math:`H_{out} = \lfloor (H + 2p_h - d_h (K_h - 1) - 1) / s_h \rfloor + 1` (same for W).

    Attributes:
        weight: Parameter of shape :math:`(C_{out}, C_{in}, K_h, K_w)`.
        bias: Parameter of shape :math:`(C_{out})`, or None.

    Unlike PyTorch: no ``groups`` or ``padding_mode`` (zero padding only).

    Example:
        >>> from tinytorch.tensor import randn
        >>> m = Conv2d(3, 16, 3, padding=1)
        >>> m(randn(8, 3, 32, 32)).shape
        (8, 16, 32, 32)
        >>> sum(p.numel() for p in m.parameters())
        448
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, dtype=None):
        super().__init__()
        self.in_channels, self.out_channels, dtype = _conv_args("Conv2d", in_channels, out_channels, dtype)
        self.kernel_size = F._pair(kernel_size, "kernel_size", 1)
        self.stride = F._pair(stride, "stride", 1)
        self.dilation = F._pair(dilation, "dilation", 1)
        self.padding = padding if padding in ("same", "valid") else F._pair(padding, "padding")
        F._conv_padding(self.padding, self.kernel_size, self.dilation, self.stride)  # validate now
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels, *self.kernel_size), dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias from :math:`\\mathcal{U}(-k, k)`, :math:`k = 1/\\sqrt{fan_{in}}`."""
        # BEGIN SOLUTION
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        bound = 1.0 / math.sqrt(fan_in)
        self.weight.data[...] = default_generator.uniform(-bound, bound, size=self.weight.shape)
        if self.bias is not None:
            self.bias.data[...] = default_generator.uniform(-bound, bound, size=self.bias.shape)
        # END SOLUTION

    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s


class MaxPool2d(Module):
    r"""Max over each :math:`K_h \times K_w` window (``torch.nn.MaxPool2d``).

    Args:
        kernel_size: int or pair.
        stride: int or pair. Default: ``kernel_size``.
        padding: implicit :math:`-\infty` padding, at most half the kernel. Default: 0.
        dilation: spacing between window elements. Default: 1.
        ceil_mode: round the output size up instead of down. Default: False.

    Shape:
        - Input: :math:`(N, C, H, W)`. Output: :math:`(N, C, H_{out}, W_{out})`, see
          :func:`tinytorch.spatial.max_pool2d`.

    Unlike PyTorch: no ``return_indices``.

    Example:
        >>> from tinytorch.tensor import randn
        >>> MaxPool2d(2)(randn(8, 16, 28, 28)).shape
        (8, 16, 14, 14)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = F._pool_args(
            "MaxPool2d", kernel_size, stride, padding, dilation)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    r"""Mean over each :math:`K_h \times K_w` window (``torch.nn.AvgPool2d``).

    Args:
        kernel_size: int or pair.
        stride: int or pair. Default: ``kernel_size``.
        padding: implicit zero padding, at most half the kernel. Default: 0.
        ceil_mode: round the output size up instead of down. Default: False.
        count_include_pad: count padded zeros in the divisor. Default: True.

    Shape:
        - Input: :math:`(N, C, H, W)`. Output: :math:`(N, C, H_{out}, W_{out})`.

    Unlike PyTorch: no ``divisor_override``.

    Example:
        >>> from tinytorch.tensor import randn
        >>> AvgPool2d(2)(randn(8, 16, 28, 28)).shape
        (8, 16, 14, 14)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding, _ = F._pool_args("AvgPool2d", kernel_size, stride, padding)
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _BatchNorm(Module):
    """Shared state and forward of :class:`BatchNorm1d` and :class:`BatchNorm2d`; subclasses set
    ``_dims`` (the input ranks they accept) and ``_shape`` (for messages)."""

    _dims = ()
    _shape = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=None, *, device=None, bias=True):
        super().__init__()
        if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        if isinstance(num_features, bool) or not isinstance(num_features, numbers.Integral) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum!r}")
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype))
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = Parameter(np.zeros(self.num_features, dtype))
        else:
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, input):
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in self._dims:
            raise ValueError(
                f"{name} expects input of shape {self._shape}, got {getattr(input, 'shape', input)!r}"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{name}({self.num_features}) got input with {input.shape[1]} channels (shape {input.shape})"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation over the features of a batch of vectors or sequences
    (``torch.nn.BatchNorm1d``).

    The same computation as :class:`BatchNorm2d`, with the statistics taken over N (and L):

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \cdot \gamma + \beta

    Args:
        num_features: :math:`C`, the number of features.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of each new batch in the running estimates; None for a cumulative
            average. Default: 0.1.
        affine: learn :math:`\gamma` and :math:`\beta`. Default: True.
        track_running_stats: keep running estimates for eval mode. Default: True.
        dtype: floating point dtype of parameters and buffers. Default: float32.

    Shape:
        - Input: :math:`(N, C)` or :math:`(N, C, L)`. Output: same shape.

    Example:
        >>> from tinytorch.tensor import randn
        >>> bn = BatchNorm1d(4)
        >>> y = bn(randn(32, 4) * 5 - 2)
        >>> bool(abs(y.mean().item()) < 1e-5), bn
        (True, BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True))
    """

    _dims = (2, 3)
    _shape = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation over the channels of images (``torch.nn.BatchNorm2d``).

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \cdot \gamma + \beta

    In training mode the mean and biased variance come from the batch (over N, H and W, per
    channel) and the running estimates are updated with the unbiased variance:
    ``running = (1 - momentum) · running + momentum · batch``. In eval mode (or with
    ``track_running_stats=False``, always batch statistics) the running estimates normalise.

    Args:
        num_features: :math:`C`, the number of channels.
        eps: added to the variance for stability. Default: 1e-5.
        momentum: weight of each new batch in the running estimates; None for a cumulative
            average over all batches seen. Default: 0.1.
        affine: learn :math:`\gamma` (``weight``, init 1) and :math:`\beta` (``bias``, init 0). Default: True.
        bias: with ``affine``, also learn :math:`\beta` (keyword-only, as in PyTorch 2.13). Default: True.
        track_running_stats: keep ``running_mean``/``running_var`` buffers (init 0 and 1) and
            ``num_batches_tracked``. Default: True.
        dtype: floating point dtype of parameters and buffers. Default: float32.

    Shape:
        - Input: :math:`(N, C, H, W)`. Output: same shape.

    Example:
        >>> from tinytorch.tensor import randn
        >>> bn = BatchNorm2d(16)
        >>> y = bn(randn(8, 16, 5, 5) * 3 + 1)
        >>> bool(abs(y.mean().item()) < 1e-5), bn.running_mean.shape
        (True, (16,))
    """

    _dims = (4,)
    _shape = "(N, C, H, W)"


class Flatten(Module):
    r"""Flatten a contiguous range of dims into one (``torch.nn.Flatten``).

    Args:
        start_dim: first dim to flatten. Default: 1 (keep the batch dim).
        end_dim: last dim to flatten. Default: -1.

    Shape:
        - Input: :math:`(*, S_{start}, \ldots, S_{end}, *)`.
        - Output: :math:`(*, \prod S_i, *)`.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> Flatten()(zeros(32, 1, 5, 5)).shape
        (32, 25)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def forward(self, input):
        if not isinstance(input, Tensor):
            raise TypeError(f"Flatten expects a Tensor input, got {type(input).__name__}")
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout2d(Module):
    r"""Zero whole channels at random (``torch.nn.Dropout2d``), see :func:`dropout2d`.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels barely
    regularises a convolutional layer; dropping entire channels does.

    Args:
        p: probability of zeroing a channel. Default: 0.5.
        inplace: accepted for PyTorch code; unlike PyTorch the result is always a new tensor.

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(N, C, L)`. Output: same shape.

    Example:
        >>> from tinytorch.tensor import ones
        >>> y = Dropout2d(p=0.5)(ones(2, 8, 3, 3))
        >>> sorted(set(y.numpy().reshape(16, 9).max(axis=1).tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = F._check_p(p)
        self.inplace = bool(inplace)  # accepted; the result is always a new tensor

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class AdaptiveAvgPool2d(Module):
    r"""Average pooling to a fixed output size (``torch.nn.AdaptiveAvgPool2d``), see
    :func:`adaptive_avg_pool2d`: ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Args:
        output_size: ``(h, w)``, an int for both, or ``None`` to keep a size.

    Shape:
        - Input: :math:`(N, C, H, W)`. Output: :math:`(N, C, h, w)`.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> AdaptiveAvgPool2d((1, 1))(zeros(2, 8, 7, 7)).shape
        (2, 8, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
