"""Pruning with ``torch.nn.utils.prune``'s names and behaviour.

Pruning ``module.weight`` re-registers the trainable original as the parameter ``weight_orig``,
adds the 0/1 mask as the buffer ``weight_mask`` and registers a forward pre-hook (the pruning
method itself) that recomputes ``module.weight = weight_orig * weight_mask`` before every forward.
The product is a recorded op, so the gradient reaching ``weight_orig`` is masked as well and pruned
weights stay exactly zero through training. Pruning the same tensor again combines the methods in a
:class:`PruningContainer` that only prunes what is still unpruned; :func:`remove` makes the pruning
permanent (``weight`` becomes a plain parameter holding the masked values).

Masks are chosen exactly as PyTorch chooses them, including which of several tied entries go
(:mod:`tinytorch.compression._topk`). Unlike PyTorch, the random methods draw from
``tinytorch.tensor.default_generator``, so their masks have the right counts but not torch's values.
"""

import numbers
from abc import ABC, abstractmethod

import numpy as np

from tinytorch.layers import Module, Parameter
from tinytorch.tensor import Tensor, default_generator

from ._topk import topk_indices

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
    "RandomStructured", "LnStructured", "CustomFromMask",
    "identity", "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
    "global_unstructured", "custom_from_mask", "remove", "is_pruned",
]


def _validate_amount_init(amount):
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount!r}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
        not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0
    ):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer"
        )


def _nparams_toprune(amount, size):
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(
                f"amount={amount} should be smaller than the number of parameters to prune={size}"
            )
        return int(amount)
    return round(amount * size)  # Python's round half to even, as PyTorch


def _check_structured(t, dim):
    if t.ndim <= 1:
        raise ValueError(
            "Structured pruning can only be applied to multidimensional tensors. "
            f"Found tensor of shape {t.shape} with {t.ndim} dims"
        )
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return dim % t.ndim


def _channel_mask(shape, dim, channels):
    """A float mask of ``shape`` that is 1 on the chosen indices along ``dim``."""
    mask = np.zeros(shape, dtype=np.float32)
    index = [slice(None)] * len(shape)
    index[dim] = channels
    mask[tuple(index)] = 1
    return mask


def _pruning_hooks(module):
    hooks = getattr(module, "_forward_pre_hooks", None)
    if hooks is None:
        raise TypeError(
            f"pruning needs a tinytorch.layers.Module with forward pre-hooks, got {type(module).__name__}"
        )
    return hooks


class BasePruningMethod(ABC):
    """Base class of every pruning method (``torch.nn.utils.prune.BasePruningMethod``).

    A subclass sets ``PRUNING_TYPE`` ("unstructured", "structured" or "global") and implements
    :meth:`compute_mask`; :meth:`apply` does the re-registration, and the method object is the
    forward pre-hook that keeps ``module.<name>`` equal to ``<name>_orig * <name>_mask``.
    """

    _tensor_name = None
    PRUNING_TYPE = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """A float 0/1 ndarray shaped like ``t``, zero where ``default_mask`` is zero."""

    def apply_mask(self, module):
        """``<name>_orig * <name>_mask`` as a recorded Tensor op (gradients reach the original)."""
        # BEGIN SOLUTION
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return orig * mask
        # END SOLUTION

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``; returns the (possibly combined) method."""
        hooks = _pruning_hooks(module)
        old = [(key, hook) for key, hook in hooks.items()
               if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        if len(old) > 1:
            raise RuntimeError(f"more than one pruning hook acts on {name!r}")
        method = cls(*args, **kwargs)
        method._tensor_name = name
        orig = getattr(module, name)
        if importance_scores is not None and tuple(importance_scores.shape) != tuple(orig.shape):
            raise ValueError(
                f"importance_scores should have the same shape as parameter {name} of "
                f"{type(module).__name__}: got {tuple(importance_scores.shape)}, expected {tuple(orig.shape)}"
            )
        scores = np.asarray(importance_scores if importance_scores is not None else orig.data)
        if old:
            key, previous = old[0]
            if not isinstance(previous, PruningContainer):
                previous = PruningContainer(previous)
            previous.add_pruning_method(method)
            container, method = previous, previous
            default_mask = getattr(module, name + "_mask").data.copy()
        else:
            if not isinstance(orig, Parameter):
                raise TypeError(f"{type(module).__name__}.{name} is not a Parameter and cannot be pruned")
            container = None
            default_mask = np.ones(orig.shape, dtype=np.float32)
        mask = method.compute_mask(scores, default_mask=default_mask)
        if container is None:
            del module._parameters[name]
            module.register_parameter(name + "_orig", orig)
        else:
            del hooks[key]
        module.register_buffer(name + "_mask", Tensor(mask.astype(orig.dtype, copy=False)))
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask this method computes for it (no module involved)."""
        t = np.asarray(t)
        scores = t if importance_scores is None else np.asarray(importance_scores)
        default_mask = np.ones(t.shape, np.float32) if default_mask is None else np.asarray(default_mask)
        return t * self.compute_mask(scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: ``<name>`` becomes a Parameter holding the masked values."""
        weight = self.apply_mask(module).data
        if self._tensor_name in module.__dict__:
            delattr(module, self._tensor_name)
        orig = module._parameters.pop(self._tensor_name + "_orig")
        orig.data = weight
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


class PruningContainer(BasePruningMethod):
    """A sequence of pruning methods applied one after another to the same tensor; each new one
    only chooses among the entries (or channels) that are still unpruned."""

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(
                f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                f"to PruningContainer {self}. Found '{method._tensor_name}'"
            )
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        method = self._pruning_methods[-1]
        new_mask = np.array(default_mask, dtype=np.float32)
        if method.PRUNING_TYPE == "unstructured":
            index = default_mask == 1  # the new method sees the unpruned entries, flattened
        elif method.PRUNING_TYPE == "structured":
            dim = _check_structured(t, method.dim)
            other = tuple(d for d in range(t.ndim) if d != dim)
            index = [slice(None)] * t.ndim
            index[dim] = default_mask.sum(axis=other) != 0  # channels not yet pruned
            index = tuple(index)
        elif method.PRUNING_TYPE == "global":
            index = (slice(None),) * t.ndim
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE!r}")
        new_mask[index] = method.compute_mask(t[index], default_mask=default_mask[index])
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (useful to make a module look pruned)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return np.array(default_mask, dtype=np.float32)

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` entries (an int count or a fraction) chosen uniformly at random."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        k = _nparams_toprune(self.amount, t.size)
        mask = np.array(default_mask, dtype=np.float32)
        if k:
            prob = default_generator.random(t.size)
            mask.reshape(-1)[topk_indices(prob, k, largest=True)] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value (an int count or a fraction)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        # BEGIN SOLUTION
        k = _nparams_toprune(self.amount, t.size)
        mask = np.array(default_mask, dtype=np.float32)
        if k:
            mask.reshape(-1)[topk_indices(np.abs(t).reshape(-1), k, largest=False)] = 0
        return mask
        # END SOLUTION

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim``, chosen at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        dim = _check_structured(t, self.dim)
        size = t.shape[dim]
        k = _nparams_toprune(self.amount, size)
        if k == 0:
            return np.array(default_mask, dtype=np.float32)
        keep = topk_indices(default_generator.random(size), size - k, largest=True)
        return _channel_mask(t.shape, dim, keep) * default_mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


def _ln_norm(t, n, dim):
    """``torch.norm(t, p=n)`` over every dim except ``dim`` (one value per channel)."""
    other = tuple(d for d in range(t.ndim) if d != dim)
    a = np.abs(t.astype(np.float64))
    if n == "fro" or n == 2:
        return np.sqrt((a * a).sum(axis=other))
    if n == np.inf:
        return a.max(axis=other)
    if n == -np.inf:
        return a.min(axis=other)
    if n == 0:
        return np.count_nonzero(a, axis=other).astype(np.float64)
    if n == 1:
        return a.sum(axis=other)
    return (a ** n).sum(axis=other) ** (1.0 / n)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` with the smallest L``n`` norm."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _validate_amount_init(amount)
        if not (n == "fro" or (isinstance(n, numbers.Real) and not isinstance(n, bool))):
            raise ValueError(f"n must be a number, inf, -inf or 'fro', got {n!r}")
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        dim = _check_structured(t, self.dim)
        size = t.shape[dim]
        k = _nparams_toprune(self.amount, size)
        if k == 0:
            return np.array(default_mask, dtype=np.float32)
        # PyTorch computes the norms in the tensor's dtype; so do we, for the same ties.
        # BEGIN SOLUTION
        norm = _ln_norm(t, self.n, dim).astype(t.dtype if t.dtype.kind == "f" else np.float32)
        keep = topk_indices(norm, size - k, largest=True)
        return _channel_mask(t.shape, dim, keep) * default_mask
        # END SOLUTION

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given 0/1 ``mask`` is zero."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise ValueError(f"mask of shape {self.mask.shape} does not match tensor of shape {default_mask.shape}")
        return default_mask * self.mask.astype(np.float32)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Apply :class:`Identity` to ``module.<name>``; returns ``module``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune ``amount`` random entries of ``module.<name>``; returns ``module``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    r"""Prune the ``amount`` entries of ``module.<name>`` with the smallest :math:`|w|`
    (``torch.nn.utils.prune.l1_unstructured``).

    Args:
        module: the module holding the tensor.
        name: the parameter's name, e.g. ``"weight"``.
        amount: a fraction in ``[0, 1]`` (rounded half to even) or a count.
        importance_scores: rank entries by these instead of the weights (same shape).

    Returns:
        ``module``, with ``<name>_orig``, ``<name>_mask`` and a pre-hook.

    Example:
        >>> from tinytorch.layers import Linear
        >>> m = l1_unstructured(Linear(4, 2), "weight", amount=0.5)
        >>> sorted(k for k in m.state_dict())
        ['bias', 'weight_mask', 'weight_orig']
        >>> int((m.weight.data == 0).sum())
        4
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune ``amount`` random channels of ``module.<name>`` along ``dim``; returns ``module``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the ``amount`` channels along ``dim`` with the smallest L``n`` norm
    (``torch.nn.utils.prune.ln_structured``); ``dim=0`` on a weight prunes output neurons.
    Returns ``module``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    """Prune ``module.<name>`` where ``mask`` is zero; returns ``module``."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the given ``(module, name)`` pairs as one pool: ``L1Unstructured`` with
    ``amount=0.2`` removes the 20% smallest weights across all of them together
    (``torch.nn.utils.prune.global_unstructured``)."""
    if isinstance(parameters, (str, bytes)) or not hasattr(parameters, "__iter__"):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = {} if importance_scores is None else importance_scores
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    scores = np.concatenate([
        np.asarray(importance_scores.get((m, n), getattr(m, n)).data).reshape(-1)
        for m, n in parameters
    ]) if parameters else np.empty(0, np.float32)
    default = np.concatenate([
        (getattr(m, n + "_mask").data if hasattr(m, n + "_mask") else np.ones(getattr(m, n).shape)).reshape(-1)
        for m, n in parameters
    ]).astype(np.float32) if parameters else np.empty(0, np.float32)
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
            f"Found method {pruning_method} of type {method.PRUNING_TYPE}"
        )
    final = PruningContainer(method).compute_mask(scores, default)
    start = 0
    for module, name in parameters:
        size = getattr(module, name).data.size
        custom_from_mask(module, name, final[start:start + size].reshape(getattr(module, name).shape))
        start += size


def remove(module, name):
    """Make the pruning of ``module.<name>`` permanent and drop ``_orig``, ``_mask`` and the hook.

    Raises:
        ValueError: ``module.<name>`` is not pruned.
    """
    hooks = _pruning_hooks(module)
    for key, hook in hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {type(module).__name__} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether ``module`` or any sub-module carries a pruning hook."""
    for _, sub in module.named_modules():
        for hook in getattr(sub, "_forward_pre_hooks", {}).values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
