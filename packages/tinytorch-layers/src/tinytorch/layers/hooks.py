"""Forward hooks: callables that a :class:`~tinytorch.layers.Module` runs around ``forward``.

``register_forward_pre_hook`` and ``register_forward_hook`` store a hook under a fresh id and
return a :class:`RemovableHandle`; ``handle.remove()`` takes it out again, as in
``torch.utils.hooks``. Hooks are how later modules change a layer's behaviour without patching its
class (pruning recomputes ``weight`` from ``weight_orig * weight_mask`` before every forward).
"""

import itertools

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes one hook from the dicts that hold it (``torch.utils.hooks.RemovableHandle``).

    Example:
        >>> hooks = {}
        >>> handle = RemovableHandle(hooks)
        >>> hooks[handle.id] = print
        >>> handle.remove()
        >>> hooks
        {}
    """

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.id = next(_ids)
        self._dicts = [hooks_dict] + ([] if extra_dict is None else list(extra_dict))

    def remove(self):
        for d in self._dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
