"""Op observers: a hook that sees every kernel run through ``apply_op`` and every gradient rule.

Profilers (module 14) register a callback with :func:`register_op_observer`; while one is
registered, each forward kernel and each backward rule is timed and reported as an
:class:`OpEvent`. With no observer registered the only cost is one truth test of :data:`active`.
"""

import time

active = []  # the registered callbacks; never rebound, so importers may hold it


class OpEvent:
    """What one kernel or gradient rule did.

    Attributes:
        name: the kernel's ``__name__`` (``"matmul"``).
        fn: the kernel (for ``"backward"`` events too: the kernel whose rule ran).
        phase: ``"forward"`` or ``"backward"``.
        inputs: tuple of ndarrays: the kernel's array inputs; for ``"backward"``, the upstream
            gradient followed by the kernel's array inputs.
        attrs: the kernel's keyword attrs.
        output: the kernel's result; for ``"backward"``, the tuple of input gradients that
            are not None.
        seconds: wall time of the kernel or rule alone.
    """

    __slots__ = ("name", "fn", "phase", "inputs", "attrs", "output", "seconds")

    def __init__(self, name, fn, phase, inputs, attrs, output, seconds):
        self.name = name
        self.fn = fn
        self.phase = phase
        self.inputs = inputs
        self.attrs = attrs
        self.output = output
        self.seconds = seconds

    def __repr__(self):
        return f"<OpEvent {self.phase} {self.name} {self.seconds * 1e6:.1f} us>"


class ObserverHandle:
    """Returned by :func:`register_op_observer`; ``remove()`` unregisters the callback."""

    __slots__ = ("_callback",)

    def __init__(self, callback):
        self._callback = callback

    def remove(self):
        """Stop calling the callback (idempotent)."""
        for i, cb in enumerate(active):
            if cb is self._callback:
                del active[i]
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def register_op_observer(callback):
    """Call ``callback(event)`` for every op run through ``apply_op`` and every gradient rule.

    Args:
        callback: a function of one :class:`OpEvent`.

    Returns:
        ObserverHandle: ``handle.remove()`` unregisters (also usable as a context manager).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> seen = []
        >>> handle = register_op_observer(lambda e: seen.append((e.phase, e.name)))
        >>> _ = Tensor([1.0, 2.0]) * 3
        >>> handle.remove()
        >>> seen
        [('forward', 'mul')]
    """
    if not callable(callback):
        raise TypeError(f"register_op_observer expects a callable, got {type(callback).__name__}")
    active.append(callback)
    return ObserverHandle(callback)


def _array_inputs(values):
    return tuple(v for v in values if hasattr(v, "dtype") and hasattr(v, "shape"))


def observe_forward(fn, arrays, attrs):
    """Run ``fn(*arrays, **attrs)``, timed, and report it to every observer."""
    start = time.perf_counter()
    out = fn(*arrays, **attrs)
    seconds = time.perf_counter() - start
    event = OpEvent(fn.__name__, fn, "forward", _array_inputs(arrays), attrs, out, seconds)
    for callback in tuple(active):
        callback(event)
    return out


def observe_backward(fn, rule, grad, out, arrays, attrs, kwargs):
    """Run the gradient ``rule`` of kernel ``fn``, timed, and report it to every observer."""
    start = time.perf_counter()
    in_grads = rule(grad, out, *arrays, **kwargs)
    seconds = time.perf_counter() - start
    grads = tuple(g for g in in_grads if g is not None) if isinstance(in_grads, tuple) else in_grads
    event = OpEvent(fn.__name__, fn, "backward", (grad,) + _array_inputs(arrays), attrs, grads, seconds)
    for callback in tuple(active):
        callback(event)
    return in_grads
