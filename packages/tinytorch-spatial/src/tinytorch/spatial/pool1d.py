"""1-d pooling (``max_pool1d``, ``avg_pool1d``, ``adaptive_avg_pool1d`` and their ``Module`` s) as
the 2-d pooling of a height-1 image, like :mod:`.conv1d_layer`: recorded reshapes around the 2-d
kernels, so the gradients are theirs and there is no loop over positions."""

from tinytorch.layers import Module
from tinytorch.tensor import ShapeError, Tensor

from . import functional as F
from .conv1d_layer import _single

__all__ = ["max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d"]


def _as_image(input, name):
    """``(N, C, L)`` or ``(C, L)`` as ``(N, C, 1, L)``, and whether the input was batched."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor input, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ShapeError(f"{name}: expected 2D (unbatched) or 3D (batched) input, got input of size: "
                         f"{list(input.shape)}")
    batched = input.ndim == 3
    return (input if batched else input.unsqueeze(0)).unsqueeze(2), batched


def _as_sequence(out, batched):
    out = out.squeeze(2)  # (N, C, L_out)
    return out if batched else out.squeeze(0)


def _window(kernel_size, stride, padding):
    kernel = _single(kernel_size, "kernel_size", 1)
    step = kernel if stride is None or stride == () else _single(stride, "stride", 1)
    return kernel, step, _single(padding, "padding")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    r"""Max over each window of ``kernel_size`` samples (``torch.nn.functional.max_pool1d``).

    Shape:
        :math:`(N, C, L)` or :math:`(C, L)` to :math:`(\ldots, L_{out})`,
        :math:`L_{out} = \lfloor (L + 2p - d(K - 1) - 1) / s \rfloor + 1` (ceil with ``ceil_mode``).

    Unlike PyTorch: no ``return_indices``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> max_pool1d(Tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    x, batched = _as_image(input, "max_pool1d")
    kernel, step, pad = _window(kernel_size, stride, padding)
    out = F.max_pool2d(x, (1, kernel), (1, step), (0, pad), (1, _single(dilation, "dilation", 1)), ceil_mode)
    return _as_sequence(out, batched)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    r"""Mean over each window of ``kernel_size`` samples (``torch.nn.functional.avg_pool1d``).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> avg_pool1d(Tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[2., 1.]]])
    """
    x, batched = _as_image(input, "avg_pool1d")
    kernel, step, pad = _window(kernel_size, stride, padding)
    return _as_sequence(F.avg_pool2d(x, (1, kernel), (1, step), (0, pad), ceil_mode, count_include_pad), batched)


def adaptive_avg_pool1d(input, output_size):
    r"""Average pooling to ``output_size`` samples (``torch.nn.functional.adaptive_avg_pool1d``);
    ``adaptive_avg_pool1d(x, 1)`` is the global average over time.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> adaptive_avg_pool1d(Tensor([[[1.0, 3.0, 2.0, 0.0]]]), 1)
        tensor([[[1.5]]])
    """
    x, batched = _as_image(input, "adaptive_avg_pool1d")
    return _as_sequence(F.adaptive_avg_pool2d(x, (1, _single(output_size, "output_size", 1))), batched)


class MaxPool1d(Module):
    r"""Max over each window of ``kernel_size`` samples (``torch.nn.MaxPool1d``; see
    :func:`max_pool1d`). Unlike PyTorch: no ``return_indices``.

    Example:
        >>> from tinytorch.tensor import randn
        >>> MaxPool1d(2)(randn(8, 16, 50)).shape
        (8, 16, 25)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = _window(kernel_size, stride, padding)
        self.dilation = _single(dilation, "dilation", 1)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, input):
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool1d(Module):
    r"""Mean over each window of ``kernel_size`` samples (``torch.nn.AvgPool1d``; see
    :func:`avg_pool1d`).

    Example:
        >>> from tinytorch.tensor import randn
        >>> AvgPool1d(3, stride=2)(randn(8, 16, 50)).shape
        (8, 16, 24)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        kernel, step, pad = _window(kernel_size, stride, padding)
        self.kernel_size, self.stride, self.padding = (kernel,), (step,), (pad,)
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size[0], self.stride[0], self.padding[0], self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    r"""Average pooling to ``output_size`` samples (``torch.nn.AdaptiveAvgPool1d``).

    Example:
        >>> from tinytorch.tensor import randn
        >>> AdaptiveAvgPool1d(1)(randn(8, 16, 50)).shape
        (8, 16, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = _single(output_size, "output_size", 1)

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
