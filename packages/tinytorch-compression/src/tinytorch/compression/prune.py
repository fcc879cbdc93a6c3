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

import numpy as np

from .methods import (
    BasePruningMethod, CustomFromMask, Identity, L1Unstructured, LnStructured, PruningContainer,
    RandomStructured, RandomUnstructured, _pruning_hooks,
)

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
    "RandomStructured", "LnStructured", "CustomFromMask",
    "identity", "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
    "global_unstructured", "custom_from_mask", "remove", "is_pruned",
]


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
    raise ValueError(
        f"Parameter '{name}' of module {type(module).__name__} has to be pruned before pruning can be removed"
    )


def is_pruned(module):
    """Whether ``module`` or any sub-module carries a pruning hook."""
    for _, sub in module.named_modules():
        for hook in getattr(sub, "_forward_pre_hooks", {}).values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
