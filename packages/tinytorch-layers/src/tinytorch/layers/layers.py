"""The first real layers: ``Linear``, ``Dropout`` and ``LayerNorm``, with their functional forms.

All three are composed from recorded Tensor ops (matmul, mul, mean, sqrt, ...), so module 05's
autograd differentiates them without any rule of their own. Randomness (weight initialisation,
dropout masks) comes from ``tinytorch.tensor.default_generator``, so ``manual_seed`` reproduces it.
"""

import math
import numbers

import numpy as np

from tinytorch.tensor import ShapeError, Tensor, default_generator
from tinytorch.tensor import linear as tensor_linear

from .module import Module, Parameter


class UnsupportedDtypeError(NotImplementedError, TypeError):
    """A layer asked of an integer tensor: PyTorch raises NotImplementedError (a RuntimeError);
    also a TypeError, which TinyTorch raised before."""


def _check_tensor(input, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where} expects a Tensor input, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise UnsupportedDtypeError(f"{where} expects a floating point tensor, got dtype {input.dtype}")


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def linear(input, weight, bias=None):
    r"""Applies an affine map :math:`y = x W^T + b` (``torch.nn.functional.linear``).

    Args:
        input: Tensor of shape :math:`(*, H_{in})`.
        weight: Tensor of shape :math:`(H_{out}, H_{in})`.
        bias: Tensor of shape :math:`(H_{out})` or None.

    Shape:
        - Output: :math:`(*, H_{out})`, the leading dims of ``input`` unchanged.

    Example:
        >>> x = Tensor([[1.0, 2.0]])
        >>> linear(x, Tensor([[1.0, 0.0], [1.0, 1.0]]), Tensor([0.5, -0.5]))
        tensor([[1.5, 2.5]])
    """
    _check_tensor(input, "linear")
    for position, name, value in ((2, "weight", weight), (3, "bias", bias)):
        if not isinstance(value, Tensor) and not (name == "bias" and value is None):
            raise TypeError(
                f"linear(): argument '{name}' (position {position}) must be Tensor, not "
                f"{type(value).__name__}"
            )
    # BEGIN SOLUTION
    # One primitive (module 01's kernel and rule) computes x @ W.T + b and checks the shapes
    # (ShapeError, a RuntimeError as in PyTorch); its rule returns dW in W's own layout.
    return tensor_linear(input, weight, bias)  # (*, in) -> (*, out)
    # END SOLUTION


def dropout(input, p=0.5, training=True):
    r"""Inverted dropout (``torch.nn.functional.dropout``): zero each element with probability ``p``
    and scale the survivors by :math:`1 / (1 - p)`, so the expected value is unchanged.

    Args:
        input: floating point Tensor of any shape.
        p: probability of zeroing an element, in ``[0, 1]``; ``p=1`` gives zeros.
        training: apply dropout; when False, return ``input`` itself.

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0])
        >>> dropout(x, p=0.5, training=False) is x
        True
        >>> dropout(x, p=1.0)
        tensor([0., 0., 0.])
    """
    p = _check_p(p)
    _check_tensor(input, "dropout")
    # BEGIN SOLUTION
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * np.zeros((), dtype=input.dtype)
    # One uniform draw per element; keep where it lands at or above p, so P(keep) = 1 - p.
    keep = default_generator.random(input.shape, dtype=np.float32) >= p
    mask = keep.astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p))  # same shape as input
    return input * mask
    # END SOLUTION


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Layer normalisation over the last ``len(normalized_shape)`` dims
    (``torch.nn.functional.layer_norm``).

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} * \gamma + \beta

    with the mean and the *biased* variance taken over the normalised dims.

    Args:
        input: floating point Tensor of shape :math:`(*, \text{normalized\_shape})`.
        normalized_shape: int or tuple, the trailing shape to normalise over.
        weight: :math:`\gamma`, shape ``normalized_shape``, or None.
        bias: :math:`\beta`, shape ``normalized_shape``, or None.
        eps: added to the variance for numerical stability.

    Example:
        >>> y = layer_norm(Tensor([[1.0, 2.0, 3.0]]), (3,))
        >>> [round(v, 3) for v in y.tolist()[0]]
        [-1.225, 0.0, 1.225]
    """
    normalized_shape = _normalized_shape(normalized_shape, allow_int=False)
    _check_tensor(input, "layer_norm")
    n = len(normalized_shape)
    if input.shape[input.ndim - n:] != normalized_shape or input.ndim < n:
        raise ShapeError(
            f"layer_norm: expected input with trailing shape {normalized_shape}, "
            f"got input of shape {input.shape}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != normalized_shape:
            raise ShapeError(f"layer_norm: {name} of shape {t.shape} does not match {normalized_shape}")
    if input.data.size == 0:  # nothing to normalise: an empty result, as in PyTorch
        return input * 1.0
    # BEGIN SOLUTION
    dims = tuple(range(-n, 0))
    centred = input - input.mean(dim=dims, keepdim=True)  # (*, normalized_shape)
    var = (centred**2).mean(dim=dims, keepdim=True)  # (*, 1, ..., 1), biased
    # one reciprocal square root of the small (*, 1, ..., 1) tensor, then a multiply: the full-size
    # backward of a multiply is two products, that of a division four (and a division)
    out = centred * (var + eps) ** -0.5
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
    # END SOLUTION


def _normalized_shape(shape, allow_int=True):
    """``shape`` as a tuple; the functional form wants a tuple or list, as in PyTorch (the
    ``LayerNorm`` class also takes an int)."""
    if allow_int and isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in shape
    ):
        expected = "an int or a tuple of ints" if allow_int else "a tuple or list of ints"
        raise TypeError(f"normalized_shape must be {expected}, got {shape!r}")
    if not shape or any(s < 0 for s in shape):
        raise ValueError(f"normalized_shape must be non-empty with sizes >= 0, got {tuple(shape)}")
    return tuple(int(s) for s in shape)


class Linear(Module):
    r"""Applies an affine map to the last dim: :math:`y = x W^T + b` (``torch.nn.Linear``).

    Weight and bias are initialised as in PyTorch (Kaiming-uniform with :math:`a=\sqrt{5}`):
    every entry is drawn from :math:`\mathcal{U}(-k, k)` with :math:`k = 1/\sqrt{\text{in\_features}}`,
    using ``tinytorch.tensor.default_generator`` (so ``manual_seed`` makes it reproducible; the
    values differ from PyTorch's, the distribution is the same).

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: if False, the layer learns no additive bias. Default: True.
        dtype: floating point dtype of the parameters. Default: float32.

    Shape:
        - Input: :math:`(*, H_{in})`, any number of leading dims.
        - Output: :math:`(*, H_{out})`.

    Attributes:
        weight: Parameter of shape ``(out_features, in_features)``.
        bias: Parameter of shape ``(out_features,)``, or None.

    Example:
        >>> from tinytorch.tensor import randn
        >>> m = Linear(20, 30)
        >>> m.weight.shape, m.bias.shape
        ((30, 20), (30,))
        >>> m(randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be floating point, got {dtype}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias from :math:`\\mathcal{U}(-1/\\sqrt{in}, 1/\\sqrt{in})`, in place."""
        # BEGIN SOLUTION
        # Keeps the output variance of a layer about a third of its input's for unit-variance
        # inputs (Var U(-k, k) = k^2 / 3 = 1 / (3 in)), independent of the width.
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        w = self.weight.data
        w[...] = default_generator.uniform(-bound, bound, size=w.shape)
        if self.bias is not None:
            self.bias.data[...] = default_generator.uniform(-bound, bound, size=self.bias.shape)
        # END SOLUTION

    def forward(self, input):
        # The linear primitive of module 01: one kernel whose rule owns the weight layout.
        return tensor_linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Dropout(Module):
    r"""Randomly zeroes elements with probability ``p`` during training (``torch.nn.Dropout``).

    Survivors are scaled by :math:`1/(1-p)` (inverted dropout), so evaluation needs no rescaling:
    in ``eval()`` mode the layer returns its input unchanged. Masks come from
    ``tinytorch.tensor.default_generator``.

    Args:
        p: probability of an element being zeroed, in ``[0, 1]``. Default: 0.5.
        inplace: accepted for PyTorch code; unlike PyTorch the result is always a new tensor.

    Shape:
        - Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> from tinytorch.tensor import ones
        >>> m = Dropout(p=0.5)
        >>> sorted(set(m(ones(1000)).tolist()))  # zeros, and survivors scaled by 1 / (1 - p)
        [0.0, 2.0]
        >>> m.eval()(ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = _check_p(p)
        self.inplace = bool(inplace)  # accepted; the result is always a new tensor

    def forward(self, input):
        return dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class LayerNorm(Module):
    r"""Normalises the last dims of each sample to zero mean and unit variance, then applies a
    learned per-element scale and shift (``torch.nn.LayerNorm``).

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} * \gamma + \beta

    Statistics use the biased variance over the last ``len(normalized_shape)`` dims and are the
    same in training and evaluation (unlike BatchNorm, no running statistics).

    Args:
        normalized_shape: int or tuple, the trailing shape of the input to normalise over.
        eps: added to the variance for numerical stability. Default: 1e-5.
        elementwise_affine: learn ``weight`` (:math:`\gamma`, initialised to ones) and ``bias``
            (:math:`\beta`, zeros). Default: True.
        bias: learn the shift :math:`\beta` too (only with ``elementwise_affine``). Default: True.
        dtype: floating point dtype of the parameters. Default: float32.

    Shape:
        - Input: :math:`(*, \text{normalized\_shape})`. Output: same shape.

    Example:
        >>> from tinytorch.tensor import randn
        >>> x = randn(4, 10) * 3 + 5
        >>> y = LayerNorm(10)(x)
        >>> bool((y.mean(dim=-1).abs() < 1e-5).data.all())
        True
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape)
        if not eps >= 0:
            raise ValueError(f"LayerNorm: eps must be >= 0, got {eps!r}")
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
