"""Loss functions and their callable classes.

Each function checks its arguments, then runs one fused NumPy kernel from
:mod:`tinytorch.losses.ops` through :func:`~tinytorch.tensor.apply_op` (``nll_loss`` is composed
of recorded Tensor ops). The classes are plain callables (``Module`` arrives in module 03): they
hold the options and ``__call__(input, target)`` runs ``forward``.

Class weights of the cross-entropy and NLL losses are composed in :mod:`.class_weights`.
Deliberate difference from ``torch.nn.functional``: ``mse_loss`` raises on a shape mismatch
instead of broadcasting with a warning.
"""

import numpy as np

from tinytorch.activations import log_softmax
from tinytorch.tensor import ShapeError, Tensor, apply_op

from . import ops
from .class_weights import check_class_weight, weighted_class_loss, weighted_probability_loss

__all__ = [
    "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
]

_REDUCTIONS = ("none", "mean", "sum")


class DtypeError(RuntimeError, TypeError):
    """A tensor of the wrong dtype: PyTorch raises RuntimeError; also a TypeError, which
    TinyTorch raised before, so code catching either keeps working."""


class UnsupportedDtypeError(NotImplementedError, TypeError):
    """A loss asked of integer tensors: PyTorch raises NotImplementedError ("not implemented for
    'Long'"); also a TypeError."""


class OptionError(RuntimeError, ValueError):
    """An option out of its range where PyTorch raises RuntimeError; also a ValueError."""


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


def _check_tensor(fn_name, arg_name, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn_name}: {arg_name} must be a Tensor, got {type(value).__name__}")


def _float_input(fn_name, input):
    _check_tensor(fn_name, "input", input)
    if input.dtype.kind != "f":
        raise UnsupportedDtypeError(
            f"{fn_name}: input must be a floating point tensor, got dtype {input.dtype}"
        )
    return input


def _same_shape(fn_name, input, target):
    if input.shape != target.shape:
        raise ShapeError(
            f"{fn_name}: target shape {tuple(target.shape)} must equal input shape "
            f"{tuple(input.shape)}"
        )


def _float_target(fn_name, target):
    if target.dtype.kind != "f":
        raise DtypeError(f"{fn_name}: target must be a floating point tensor, got dtype {target.dtype}")


def _like_input(fn_name, arg_name, value, input):
    """A weight as an ndarray in the input's dtype; it is a constant, never differentiated."""
    if value is None:
        return None
    array = np.asarray(value.data if isinstance(value, Tensor) else value, dtype=input.dtype)
    try:
        shape = np.broadcast_shapes(array.shape, input.shape)
    except ValueError:
        shape = None
    if shape != tuple(input.shape):  # a weight may never make the loss larger than the input
        raise RuntimeError(
            f"{fn_name}: {arg_name} of shape {array.shape} does not broadcast to the input shape "
            f"{tuple(input.shape)}"
        )
    return array


def _class_targets(fn_name, input, target, ignore_index):
    """Check ``input`` (N, C, d1, ...) or (C,) against integer ``target`` (N, d1, ...) or ()."""
    _float_input(fn_name, input)
    _check_tensor(fn_name, "target", target)
    if target.dtype not in (np.int64, np.uint8):
        raise DtypeError(
            f"{fn_name}: target must hold integer class indices (dtype int64 or uint8, as in "
            f"PyTorch), got dtype {target.dtype}"
            + ("; class-probability targets must be floating point with the input's shape "
               f"{tuple(input.shape)}" if fn_name == "cross_entropy" else "")
        )
    if input.ndim == 0:
        raise ShapeError(f"{fn_name}: input must have a class dim, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    expected = input.shape[:class_dim] + input.shape[class_dim + 1:]
    if target.shape != expected:
        raise ShapeError(
            f"{fn_name}: target shape {tuple(target.shape)} does not match input shape "
            f"{tuple(input.shape)} (expected target shape {expected}: the input without its "
            f"class dim {class_dim})"
        )
    t = target.data
    n_classes = input.shape[class_dim]
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        values = np.unique(t[bad])
        shown = ", ".join(str(v) for v in values[:10]) + (", ..." if len(values) > 10 else "")
        raise IndexError(
            f"{fn_name}: target values [{shown}] are out of range for {n_classes} classes "
            f"(expected 0 <= target < {n_classes}, or ignore_index={ignore_index})"
        )
    return t, class_dim


def mse_loss(input, target, reduction="mean"):
    r"""Mean squared error: :math:`\ell_i = (x_i - y_i)^2`, then reduced.

    Both ``input`` and ``target`` are differentiable, as in PyTorch. Unlike PyTorch, shapes must
    match exactly (PyTorch broadcasts with a warning, which hides ``(N, 1)`` vs ``(N,)`` bugs).

    Args:
        input: predictions, any shape.
        target: same shape as ``input``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Example:
        >>> mse_loss(Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 0.0, 0.0]))
        tensor(4.3333335)
    """
    _check_reduction(reduction)
    _float_input("mse_loss", input)
    _check_tensor("mse_loss", "target", target)
    _same_shape("mse_loss", input, target)
    # an integer or bool target takes the input's float dtype (PyTorch's promotion rule)
    dtype = input.dtype
    if target.dtype.kind == "f":
        dtype = np.promote_types(input.dtype, target.dtype)
    return apply_op(ops.mse_loss, input.to(dtype), target.to(dtype), reduction=reduction)


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    r"""Cross-entropy between logits and integer class targets, fused with log-softmax.

    .. math::
        \ell_n = -(1 - \varepsilon) \log p_{n, y_n} - \frac{\varepsilon}{C} \sum_c \log p_{n, c},
        \qquad \log p_n = \text{log\_softmax}(x_n)

    over the class dim, with :math:`\varepsilon` = ``label_smoothing``. Targets equal to
    ``ignore_index`` contribute 0 and are left out of the ``"mean"`` count; when all are ignored
    the mean is ``nan`` with zero gradients, as in PyTorch. A floating point ``target`` of the
    input's shape holds class probabilities instead:
    :math:`\ell_n = -\sum_c \tilde y_{n, c} \log p_{n, c}` with
    :math:`\tilde y = (1 - \varepsilon) y + \varepsilon / C`, differentiable in both arguments
    (``"mean"`` divides by the number of samples). With a class ``weight`` each sample's loss is
    scaled by its target's weight and ``"mean"`` divides by the sum of the weights of the targets
    that are not ignored, as in PyTorch (see :mod:`tinytorch.losses.class_weights`).

    Args:
        input: logits, :math:`(N, C)`, :math:`(N, C, d_1, \ldots)` or :math:`(C,)`.
        target: integer class indices :math:`(N)`, :math:`(N, d_1, \ldots)` or :math:`()`,
            each in :math:`[0, C)` or equal to ``ignore_index``; or class probabilities shaped
            like ``input``.
        weight: optional ``(C,)`` Tensor of class weights, in the input's dtype.
        ignore_index: target value that is skipped. Default: -100.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        label_smoothing: :math:`\varepsilon \in [0, 1]`.

    Shape:
        - Output: scalar, or the target's shape with ``reduction="none"``.

    Example:
        >>> logits = Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> cross_entropy(logits, Tensor([0, 2]))
        tensor(0.6690786)
        >>> cross_entropy(logits, Tensor([0, -100]), reduction="none")
        tensor([0.23954484, 0.        ])
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise OptionError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if (isinstance(target, Tensor) and isinstance(input, Tensor) and target.dtype.kind == "f"
            and target.shape == input.shape and input.ndim > 0):
        return _cross_entropy_probabilities(input, target, weight, reduction, float(label_smoothing))
    t, class_dim = _class_targets("cross_entropy", input, target, ignore_index)
    if weight is not None:
        w = check_class_weight("cross_entropy", weight, input, class_dim)
        return weighted_class_loss(log_softmax(input, class_dim), t, w, class_dim=class_dim,
                                   ignore_index=ignore_index, reduction=reduction,
                                   label_smoothing=float(label_smoothing))
    if reduction == "mean" and not np.any(t != ignore_index):
        # Every target ignored: PyTorch's 0 / 0 = nan loss but zero gradients. The sum over no
        # targets is 0 with a zero gradient; adding a constant nan leaves that gradient alone.
        total = apply_op(ops.cross_entropy, input, target=t, ignore_index=ignore_index,
                         label_smoothing=float(label_smoothing), reduction="sum")
        return total + float("nan")
    return apply_op(ops.cross_entropy, input, target=t, ignore_index=ignore_index,
                    label_smoothing=float(label_smoothing), reduction=reduction)


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing):
    """Cross-entropy against class probabilities, composed from recorded ops (log-softmax,
    multiply, sum), so both ``input`` and ``target`` get gradients with no rule of their own."""
    _float_input("cross_entropy", input)
    class_dim = 0 if input.ndim == 1 else 1
    if label_smoothing > 0:
        target = target * (1.0 - label_smoothing) + label_smoothing / input.shape[class_dim]
    if weight is not None:
        w = check_class_weight("cross_entropy", weight, input, class_dim)
        return weighted_probability_loss(log_softmax(input, class_dim), target, w,
                                         class_dim=class_dim, reduction=reduction)
    loss = -(log_softmax(input, class_dim) * target).sum(dim=class_dim)  # (N, d1, ...)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of log-probabilities: :math:`\ell_n = -x_{n, y_n}`.

    ``cross_entropy(x, y)`` equals ``nll_loss(log_softmax(x, 1), y)``. Built from recorded Tensor
    ops (gather, multiply, sum), so it needs no gradient rule of its own. A class ``weight``
    scales each sample by its target's weight; ``"mean"`` then divides by the sum of those weights
    over the targets that are not ignored, as in PyTorch.

    Args:
        input: log-probabilities, :math:`(N, C)`, :math:`(N, C, d_1, \ldots)` or :math:`(C,)`.
        target: integer class indices shaped like ``input`` without its class dim.
        weight: optional ``(C,)`` Tensor of class weights, in the input's dtype.
        ignore_index: target value that is skipped. Default: -100.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Example:
        >>> nll_loss(Tensor([[-0.5, -1.0], [-2.0, -0.1]]), Tensor([0, 1]))
        tensor(0.3)
    """
    _check_reduction(reduction)
    t, class_dim = _class_targets("nll_loss", input, target, ignore_index)
    if weight is not None:
        w = check_class_weight("nll_loss", weight, input, class_dim)
        return weighted_class_loss(input, t, w, class_dim=class_dim, ignore_index=ignore_index,
                                   reduction=reduction)
    valid = t != ignore_index  # (N, d1, ...)
    index = np.expand_dims(np.where(valid, t, 0), class_dim)  # (N, 1, d1, ...)
    picked = input.gather(class_dim, index).squeeze(class_dim)  # (N, d1, ...)
    loss = picked * Tensor(-valid.astype(input.dtype))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    count = np.count_nonzero(valid)
    if count == 0:  # all ignored: nan loss with zero gradients, as in PyTorch
        return loss.sum() + float("nan")
    return loss.sum() * (1.0 / int(count))  # a Python float keeps the input's dtype


def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    r"""Binary cross-entropy of probabilities: :math:`\ell_i = -w_i [y_i \log x_i + (1 - y_i) \log(1 - x_i)]`.

    Each log is clamped at -100 (as in PyTorch), so a confident wrong answer costs 100, not inf.
    ``target`` and ``weight`` are not differentiated (PyTorch does not differentiate BCE by its
    target either). Prefer :func:`binary_cross_entropy_with_logits`, which is stable.

    Args:
        input: probabilities in [0, 1], any shape.
        target: same shape as ``input``, values in [0, 1].
        weight: optional rescaling weight broadcast to the input.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Example:
        >>> binary_cross_entropy(Tensor([0.5, 1.0]), Tensor([1.0, 0.0]), reduction="none")
        tensor([  0.6931472, 100.       ])
    """
    _check_reduction(reduction)
    _float_input("binary_cross_entropy", input)
    _check_tensor("binary_cross_entropy", "target", target)
    _float_target("binary_cross_entropy", target)
    _same_shape("binary_cross_entropy", input, target)
    for name, values in (("input", input.data), ("target", target.data)):
        # NaN fails both comparisons, so a NaN probability is refused too (as in PyTorch)
        if values.size and not (values.min() >= 0 and values.max() <= 1):
            raise RuntimeError(
                f"binary_cross_entropy: all elements of {name} should be between 0 and 1, got "
                f"values in [{values.min()}, {values.max()}]"
                + (" (apply sigmoid, or use binary_cross_entropy_with_logits)"
                   if name == "input" else "")
            )
    weight = _like_input("binary_cross_entropy", "weight", weight, input)
    return apply_op(ops.binary_cross_entropy, input,
                    target=target.data.astype(input.dtype, copy=False), weight=weight,
                    reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction="mean",
                                     pos_weight=None):
    r"""Binary cross-entropy on logits, fused with the sigmoid and stable for any logit.

    .. math::
        \ell_i = w_i \left[(1 - y_i)\, x_i + (1 + (p - 1)\, y_i)\, \text{softplus}(-x_i)\right]

    which equals :math:`-w_i [p\, y_i \log \sigma(x_i) + (1 - y_i) \log(1 - \sigma(x_i))]` with
    :math:`p` = ``pos_weight``; :math:`\text{softplus}(-x) = \log(1 + e^{-|x|}) + \max(-x, 0)` never
    overflows. ``input`` and ``target`` are differentiable; ``weight`` and ``pos_weight`` are not.

    Args:
        input: logits, any shape.
        target: same shape as ``input``, values in [0, 1].
        weight: optional rescaling weight broadcast to the input.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        pos_weight: optional weight of positive examples, broadcast along the last (class) dim.

    Example:
        >>> binary_cross_entropy_with_logits(Tensor([0.0, 1000.0]), Tensor([1.0, 1.0]),
        ...                                  reduction="none")
        tensor([0.6931472, 0.       ])
    """
    _check_reduction(reduction)
    fn_name = "binary_cross_entropy_with_logits"
    _float_input(fn_name, input)
    _check_tensor(fn_name, "target", target)
    _float_target(fn_name, target)
    _same_shape(fn_name, input, target)
    weight = _like_input(fn_name, "weight", weight, input)
    pos_weight = _like_input(fn_name, "pos_weight", pos_weight, input)
    return apply_op(ops.binary_cross_entropy_with_logits, input, target.to(input.dtype),
                    weight=weight, pos_weight=pos_weight, reduction=reduction)


class _Loss:
    """Callable holding a loss's options: ``__call__(input, target)`` runs ``forward``.

    Not a ``Module`` (module 03 comes later), but it answers the ``Module`` calls that training
    scripts make on a loss: ``to``, ``cpu``, ``train``, ``eval``.
    """

    training = True

    def __init__(self, reduction="mean"):
        _check_reduction(reduction)
        self.reduction = reduction

    def __call__(self, input, target):
        return self.forward(input, target)

    def to(self, *args, **kwargs):
        """``Module.to`` for a loss: the CPU is the only device (another is a RuntimeError) and a
        dtype casts the floating point weights, as PyTorch casts a loss's buffers. Returns self."""
        Tensor(np.zeros(0, np.float32)).to(*args, **kwargs)  # checks the device and dtype arguments
        for name in ("weight", "pos_weight"):
            value = getattr(self, name, None)
            if isinstance(value, Tensor) and value.dtype.kind == "f":
                setattr(self, name, value.to(*args, **kwargs))
        return self

    def cpu(self):
        return self

    def train(self, mode=True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class MSELoss(_Loss):
    r"""Mean squared error between ``input`` and ``target`` (see :func:`mse_loss`).

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.

    Shape:
        - Input: :math:`(*)`; Target: :math:`(*)`, the same shape.
        - Output: scalar, or :math:`(*)` with ``reduction="none"``.

    Example:
        >>> loss = MSELoss()
        >>> loss(Tensor([[0.0, 2.0]]), Tensor([[1.0, 1.0]]))
        tensor(1.)
    """

    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    r"""Cross-entropy between logits and integer class targets (see :func:`cross_entropy`).

    Args:
        weight: optional ``(C,)`` Tensor of class weights. Default: None.
        ignore_index: target value that is skipped. Default: -100.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.
        label_smoothing: :math:`\varepsilon \in [0, 1]`. Default: 0.

    Unlike PyTorch, the options after ``weight`` are keyword-only.

    Shape:
        - Input: :math:`(N, C)`, :math:`(N, C, d_1, \ldots)` or :math:`(C,)` logits.
        - Target: :math:`(N)`, :math:`(N, d_1, \ldots)` or :math:`()` int class indices.
        - Output: scalar, or the target's shape with ``reduction="none"``.

    Example:
        >>> loss = CrossEntropyLoss(label_smoothing=0.1)
        >>> loss
        CrossEntropyLoss(ignore_index=-100, reduction='mean', label_smoothing=0.1)
        >>> loss(Tensor([[0.0, 0.0]]), Tensor([1]))
        tensor(0.6931472)
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise OptionError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self):
        return (f"ignore_index={self.ignore_index}, reduction={self.reduction!r}, "
                f"label_smoothing={self.label_smoothing}")


class NLLLoss(_Loss):
    r"""Negative log-likelihood of log-probabilities (see :func:`nll_loss`).

    Args:
        weight: optional ``(C,)`` Tensor of class weights. Default: None.
        ignore_index: target value that is skipped. Default: -100.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.

    Shape:
        - Input: :math:`(N, C)`, :math:`(N, C, d_1, \ldots)` or :math:`(C,)` log-probabilities.
        - Target: the input's shape without the class dim, int class indices.
        - Output: scalar, or the target's shape with ``reduction="none"``.

    Example:
        >>> NLLLoss(reduction="sum")(Tensor([[-1.0, -2.0], [-3.0, -4.0]]), Tensor([1, 0]))
        tensor(5.)
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)

    def extra_repr(self):
        return f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"


class BCELoss(_Loss):
    r"""Binary cross-entropy of probabilities (see :func:`binary_cross_entropy`).

    Args:
        weight: optional rescaling weight broadcast to the input.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.

    Shape:
        - Input: :math:`(*)` probabilities; Target: :math:`(*)`, the same shape.
        - Output: scalar, or :math:`(*)` with ``reduction="none"``.

    Example:
        >>> BCELoss()(Tensor([0.5, 0.5]), Tensor([0.0, 1.0]))
        tensor(0.6931472)
    """

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid and binary cross-entropy in one stable step (see
    :func:`binary_cross_entropy_with_logits`).

    Args:
        weight: optional rescaling weight broadcast to the input.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``. Default: ``"mean"``.
        pos_weight: optional weight of positive examples, one per class (last dim).

    Shape:
        - Input: :math:`(*)` logits; Target: :math:`(*)`, the same shape.
        - Output: scalar, or :math:`(*)` with ``reduction="none"``.

    Example:
        >>> loss = BCEWithLogitsLoss(pos_weight=Tensor([3.0]))
        >>> loss(Tensor([[0.0], [0.0]]), Tensor([[1.0], [0.0]]))
        tensor(1.3862944)
    """

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)
