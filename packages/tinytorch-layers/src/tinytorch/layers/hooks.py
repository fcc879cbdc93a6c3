"""Forward hooks: callables that a :class:`~tinytorch.layers.Module` runs around ``forward``.

``register_forward_pre_hook`` and ``register_forward_hook`` store a hook under a fresh id and
return a :class:`RemovableHandle`; ``handle.remove()`` takes it out again, as in
``torch.utils.hooks``. Hooks are how later modules change a layer's behaviour without patching its
class (pruning recomputes ``weight`` from ``weight_orig * weight_mask`` before every forward).
"""

import itertools

__all__ = ["RemovableHandle", "ForwardHooks"]

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


class ForwardHooks:
    """The hook half of :class:`~tinytorch.layers.Module`: registration and the hooked call.

    ``Module.__init__`` creates the five ordered dicts these methods use; ``Module.__call__``
    calls :meth:`_call_with_hooks` only when a hook is registered.
    """

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Run ``hook(module, args)`` before every forward; it may return new args (a non-tuple
        is wrapped in one). With ``with_kwargs``: ``hook(module, args, kwargs)`` may return
        ``(args, kwargs)``. Returns a handle whose ``remove()`` unregisters the hook."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=[self._forward_pre_hooks_with_kwargs])
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Run ``hook(module, args, output)`` after every forward; it may return a new output.
        With ``with_kwargs``: ``hook(module, args, kwargs, output)``. With ``always_call`` the
        hook also runs when forward raises. Returns a handle whose ``remove()`` unregisters it."""
        handle = RemovableHandle(self._forward_hooks, extra_dict=[
            self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def _call_with_hooks(self, args, kwargs):
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        called = set()
        try:
            output = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    result = hook(self, args, kwargs, output)
                else:
                    result = hook(self, args, output)
                if result is not None:
                    output = result
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            hook(self, args, kwargs, None)
                        else:
                            hook(self, args, None)
                    except Exception:  # the original error is the one worth reporting
                        pass
            raise
        return output
