"""The pruning methods behind :mod:`tinytorch.compression.prune` (``torch.nn.utils.prune``'s classes).

Each method computes a 0/1 mask for a tensor (:meth:`BasePruningMethod.compute_mask`);
:meth:`BasePruningMethod.apply` re-registers ``<name>`` as ``<name>_orig`` + ``<name>_mask`` and
installs the method as the forward pre-hook that recomputes ``<name>``. Masks are chosen exactly
as PyTorch chooses them, ties included (:mod:`tinytorch.compression._topk`).
"""

import numbers
from abc import ABC, abstractmethod

import numpy as np

from tinytorch.layers import Parameter
from tinytorch.tensor import Tensor, default_generator

from ._topk import topk_indices

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
    "RandomStructured", "LnStructured", "CustomFromMask",
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


