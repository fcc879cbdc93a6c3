"""Structured pruning that really shrinks layers.

Masking (``prune.ln_structured``) zeroes whole neurons but keeps every matrix its full size, so
nothing gets faster. Here the neurons (rows of a ``Linear``'s weight) or channels (filters of a
``Conv2d``) with the smallest norm are *removed*: the producer's weight and bias lose those rows,
a normalisation layer in between (BatchNorm2d, LayerNorm-like ``num_features``) loses those
entries, and the consumer's weight loses the matching input columns. Every GEMM in the forward and
backward pass becomes smaller, which is what turns sparsity into speed.

Layers are recognised by their attributes (``in_features``/``out_features`` for Linear,
``in_channels``/``out_channels`` for Conv2d), so this module needs no convolution code of its own.
The Parameters are replaced by new ones: build the optimizer after shrinking.
"""

import numpy as np

from tinytorch.layers import Parameter
from tinytorch.tensor import Tensor

from .methods import LnStructured, _ln_norm

__all__ = ["channel_norms", "select_channels", "shrink_outputs", "shrink_inputs", "shrink_norm", "prune_channels"]


def _weight(module, role):
    weight = getattr(module, "weight", None)
    if not isinstance(weight, Parameter):
        raise TypeError(
            f"{role} {type(module).__name__} has no weight Parameter (is it still masked? call prune.remove first)"
        )
    return weight


def channel_norms(module, n=2):
    """The L``n`` norm of each output neuron / channel of ``module.weight`` (one per row of dim 0).

    Example:
        >>> from tinytorch.layers import Linear
        >>> layer = Linear(2, 2)
        >>> layer.weight.data[...] = [[3.0, 4.0], [0.0, 1.0]]
        >>> channel_norms(layer).tolist()
        [5.0, 1.0]
    """
    return _ln_norm(_weight(module, "producer").data, n, 0)


def select_channels(module, amount, n=2):
    """Sorted indices of the output channels to *keep*: the ones ``ln_structured(module, "weight",
    amount, n, dim=0)`` would leave unpruned (same choice, ties included)."""
    w = _weight(module, "producer").data
    mask = LnStructured(amount, n, dim=0).compute_mask(w, np.ones(w.shape, np.float32))
    return np.flatnonzero(mask.reshape(w.shape[0], -1).any(axis=1))


def _check_keep(keep, size, what):
    keep = np.asarray(keep, dtype=np.int64).reshape(-1)
    if keep.size == 0:
        raise ValueError(f"cannot shrink {what} to zero channels")
    if keep.min() < 0 or keep.max() >= size or np.unique(keep).size != keep.size:
        raise ValueError(f"channels to keep must be distinct indices in [0, {size}), got {keep.tolist()}")
    return np.sort(keep)


def shrink_outputs(module, keep):
    """Keep only output channels ``keep`` of a Linear or Conv2d (rows of weight, entries of bias)."""
    weight = _weight(module, "producer")
    keep = _check_keep(keep, weight.shape[0], f"{type(module).__name__} outputs")
    module.weight = Parameter(np.ascontiguousarray(weight.data[keep]))
    if getattr(module, "bias", None) is not None:
        module.bias = Parameter(module.bias.data[keep].copy())
    for attr in ("out_features", "out_channels"):
        if hasattr(module, attr):
            setattr(module, attr, int(keep.size))
    return module


def shrink_inputs(module, keep, group=1):
    """Keep only the inputs of a Linear or Conv2d that come from producer channels ``keep``.

    ``group`` is the number of consecutive inputs per producer channel: 1 after a Linear or for a
    Conv2d consumer, ``H * W`` for a Linear reading a flattened ``(C, H, W)`` feature map.
    """
    weight = _weight(module, "consumer")
    if group < 1 or weight.shape[1] % group:
        raise ValueError(f"group={group} does not divide the consumer's {weight.shape[1]} inputs")
    keep = _check_keep(keep, weight.shape[1] // group, f"{type(module).__name__} inputs")
    # BEGIN SOLUTION
    columns = (keep[:, None] * group + np.arange(group)).reshape(-1)  # (kept * group,)
    module.weight = Parameter(np.ascontiguousarray(weight.data[:, columns]))
    # END SOLUTION
    for attr in ("in_features", "in_channels"):
        if hasattr(module, attr):
            setattr(module, attr, int(columns.size) if attr == "in_features" else int(keep.size))
    return module


def shrink_norm(module, keep):
    """Keep only entries ``keep`` of a per-channel normalisation layer (BatchNorm2d or similar):
    its affine weight and bias and its running statistics."""
    keep = _check_keep(keep, module.num_features, type(module).__name__)
    for name in ("weight", "bias"):
        p = getattr(module, name, None)
        if p is not None:
            setattr(module, name, Parameter(p.data[keep].copy()))
    for name in ("running_mean", "running_var"):
        b = getattr(module, name, None)
        if b is not None:
            setattr(module, name, Tensor(b.data[keep].copy()))
    module.num_features = int(keep.size)
    return module


def prune_channels(producer, consumer, amount, n=2, norm=None, group=1):
    r"""Remove the ``amount`` output channels of ``producer`` with the smallest L``n`` norm, and the
    inputs of ``consumer`` they fed (and their entries of the normalisation layer ``norm``).

    Args:
        producer: Linear or Conv2d whose outputs are pruned.
        consumer: Linear or Conv2d that reads them.
        amount: fraction in ``[0, 1]`` or count of channels to remove.
        n: norm order. Default: 2.
        norm: optional BatchNorm2d between the two.
        group: inputs of ``consumer`` per producer channel (``H * W`` after a ``Flatten``).

    Returns:
        the kept channel indices (an int64 ndarray).

    Example:
        >>> from tinytorch.layers import Linear
        >>> a, b = Linear(4, 6), Linear(6, 3)
        >>> keep = prune_channels(a, b, amount=0.5)
        >>> a.weight.shape, b.weight.shape, len(keep)
        ((3, 4), (3, 3), 3)
    """
    keep = select_channels(producer, amount, n)
    n_out = _weight(producer, "producer").shape[0]
    if _weight(consumer, "consumer").shape[1] != n_out * group:
        raise ValueError(
            f"consumer expects {consumer.weight.shape[1]} inputs but the producer gives "
            f"{n_out} channels x group {group}"
        )
    shrink_outputs(producer, keep)
    if norm is not None:
        shrink_norm(norm, keep)
    shrink_inputs(consumer, keep, group)
    return keep
