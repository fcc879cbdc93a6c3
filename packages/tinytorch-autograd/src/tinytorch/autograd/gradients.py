"""``grad(outputs, inputs)``: gradients returned instead of accumulated (``torch.autograd.grad``).

It runs the same engine as ``backward()`` and leaves every ``.grad`` in the graph as it found
it: the ``.grad`` of each leaf is set aside, :func:`~tinytorch.autograd.backward` fills fresh
ones, the inputs' are read, and everything is put back (also when a rule raises). A non-leaf
input is made a leaf for the duration of the call (its ``grad_fn`` set aside), so its gradient
is collected where the sweep reaches it.
"""

import numpy as np

from tinytorch.tensor import Tensor

from .engine import backward, topological_order

__all__ = ["grad"]


def _as_tuple(value, name):
    if isinstance(value, Tensor):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, Tensor) for v in value):
        return tuple(value)
    raise TypeError(f"grad(): {name} must be a Tensor or a sequence of Tensors, got {type(value).__name__}")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    r"""The sum over ``outputs`` of :math:`v_k^\top \partial y_k / \partial x` for each input.

    Args:
        outputs: a Tensor or a sequence of Tensors :math:`y_k`.
        inputs: the Tensors :math:`x` to differentiate with respect to (leaves or not).
        grad_outputs: the upstream gradients :math:`v_k`, one per output (None for a
            one-element output means 1). Default: None.
        retain_graph: accepted; TinyTorch always keeps the graph.
        create_graph: must be False: the rules are NumPy, so gradients are not differentiable
            again (NotImplementedError).
        allow_unused: return None for an input the outputs do not depend on, instead of a
            RuntimeError. Default: False.
        is_grads_batched: must be False (NotImplementedError).
        materialize_grads: return zeros instead of None for unused inputs (implies
            ``allow_unused``).

    Returns:
        tuple of Tensors (or None), one per input. No ``.grad`` attribute is changed.

    When inputs depend on each other (``h`` and the ``x`` it was computed from), each non-leaf
    input gets a sweep of its own.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> grad((x * x).sum(), x)
        (tensor([2., 4.]),)
        >>> x.grad is None
        True
    """
    if create_graph:
        raise NotImplementedError("grad(): create_graph=True (higher-order gradients) is not "
                                  "supported in TinyTorch: gradient rules run in NumPy")
    if is_grads_batched:
        raise NotImplementedError("grad(): is_grads_batched=True is not supported in TinyTorch")
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs "
                           "(expected one per output)")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors does not require grad (input {i})")
    nested = _nested(inputs)
    if not nested:
        results = _sweep(outputs, grad_outputs, inputs, cut=[x for x in inputs if x.grad_fn is not None])
    else:
        # Some input depends on another: cutting it would hide the paths through it from the
        # inputs below. One sweep for the leaf inputs, one per non-leaf input with only it cut.
        results = list(_sweep(outputs, grad_outputs, inputs, cut=[]))
        for i, x in enumerate(inputs):
            if x.grad_fn is not None:
                results[i] = _sweep(outputs, grad_outputs, inputs, cut=[x])[i]
    found = []
    for i, (x, g) in enumerate(zip(inputs, results)):
        if g is None:
            if materialize_grads:
                g = Tensor._make(np.zeros_like(x.data))
            elif not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been used "
                    "in the graph. Set allow_unused=True if this is the desired behavior.")
        found.append(g)
    return tuple(found)


def _nested(inputs):
    """True when a non-leaf input depends on another input."""
    ids = {id(x) for x in inputs}
    return any(x.grad_fn is not None and any(id(t) in ids for t in topological_order(x)[:-1])
               for x in inputs)


def _sweep(outputs, grad_outputs, inputs, cut):
    """The inputs' gradients from one engine run with the ``cut`` inputs made leaves; every
    ``.grad`` and ``grad_fn`` is restored afterwards, also when a rule raises."""
    saved_fns = [(x, x.grad_fn) for x in cut]
    saved = {}
    try:
        for x in cut:
            x.grad_fn = None  # a leaf for this run: the sweep accumulates into x.grad
        for x in inputs:
            saved.setdefault(id(x), (x, x.grad))
            x.grad = None
        for y in outputs:
            for t in topological_order(y):
                if t.grad_fn is None and id(t) not in saved:
                    saved[id(t)] = (t, t.grad)
                    t.grad = None
        for y, v in zip(outputs, grad_outputs):
            backward(y, v)
        return tuple(x.grad for x in inputs)
    finally:
        for t, g in saved.values():
            t.grad = g
        for x, fn in saved_fns:
            x.grad_fn = fn
