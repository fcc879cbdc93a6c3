"""Grad mode: whether ops performed now are recorded for autograd.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context managers
and as decorators, as in PyTorch; decorating a generator function applies the mode each time the
generator runs (not just while it is created). The mode is global (PyTorch's is per thread).
"""

import functools
import inspect

enabled = True  # read by apply_op; change it only through the functions below


def is_grad_enabled():
    """Whether ops performed now are recorded for autograd (``torch.is_grad_enabled``)."""
    return enabled


def _set(mode):
    global enabled
    enabled = bool(mode)


class _GradMode:
    """Base of the context managers: set a mode on enter, restore the previous one on exit."""

    mode = True

    def __enter__(self):
        self._prev = enabled
        _set(self.mode)
        return self

    def __exit__(self, *exc):
        _set(self._prev)
        return False

    def _fresh(self):
        return type(self)()

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"{type(self).__name__} decorates a function, got {type(func).__name__}")
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func):
        # Each resumption of the generator runs under the mode, and the caller's mode comes back
        # at every yield (what PyTorch's decorator does for generators).
        @functools.wraps(func)
        def generator(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self._fresh():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self._fresh():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self._fresh():
                            response = gen.throw(exc)
                    else:
                        with self._fresh():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator


class no_grad(_GradMode):
    """Turn op recording off (``torch.no_grad``), as a context manager or decorator.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> with no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):
    """Turn op recording back on inside ``no_grad`` (``torch.enable_grad``)."""

    mode = True


class inference_mode(_GradMode):
    """``torch.inference_mode(mode=True)``: like ``no_grad`` when ``mode`` is True.

    Unlike PyTorch, results are ordinary tensors (no "inference tensor" restrictions).
    """

    def __init__(self, mode=True):
        self.mode = not mode

    def _fresh(self):
        return inference_mode(not self.mode)


class set_grad_enabled(_GradMode):
    """Set grad mode to ``mode`` now (``torch.set_grad_enabled``).

    Called as a function it changes the mode for good; used in ``with`` it restores the previous
    mode on exit; as a decorator it applies ``mode`` inside the function only.

    Example:
        >>> with set_grad_enabled(False):
        ...     is_grad_enabled()
        False
        >>> is_grad_enabled()
        True
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled expects a bool, got {type(mode).__name__}")
        self._prev = enabled
        self.mode = mode
        _set(mode)

    def __enter__(self):
        return self

    def __call__(self, func):
        _set(self._prev)  # decorating: the mode applies inside the function only
        return super().__call__(func)

    def _fresh(self):
        fresh = _GradMode()
        fresh.mode = self.mode
        return fresh
