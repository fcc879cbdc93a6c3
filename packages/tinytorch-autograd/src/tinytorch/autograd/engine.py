"""The reverse-mode engine: topological order, one pass of gradient rules, leaf accumulation.

A forward pass leaves a graph behind: every recorded result holds ``grad_fn = Node(kernel, inputs,
attrs)`` (see :mod:`tinytorch.tensor`). :func:`backward` walks that graph once, from the output
back to the leaves, calling the rule ``GRADIENTS[kernel]`` of each node exactly once:

1. order the tensors that need a gradient so that every consumer comes before its inputs
   (iterative depth-first search: no recursion limit, each tensor visited once);
2. sweep that order, keeping the gradient of each intermediate in a local dict (never on the
   tensor), summing the contributions of every use of a tensor before its own rule runs;
3. undo broadcasting and cast to the input's dtype in one place, so rules never have to;
4. accumulate into ``.grad`` of leaves (tensors with ``requires_grad`` and no ``grad_fn``), as
   PyTorch does: a second ``backward()`` adds to the first.
"""

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor import inplace as _inplace
from tinytorch.tensor.inplace import last_write
from tinytorch.tensor.observers import active as _observers
from tinytorch.tensor.observers import observe_backward as _observe_backward

from .rules import _WANTS_NEEDS_INPUT_GRAD, FRESH, GRADIENTS, SAVED


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: undo NumPy broadcasting of an input of that shape.

    Broadcasting prepends dims and stretches size-1 dims; the gradient of a stretched input is
    the sum over the copies it was stretched into.

    Args:
        grad (ndarray): gradient with the broadcast (output) shape.
        shape (tuple): the input's shape.

    Returns:
        ndarray: ``grad`` itself when the shapes already agree, else a new array of ``shape``.

    Example:
        >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
        [[12.0], [12.0]]
    """
    # BEGIN SOLUTION
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):
        # A rule returned fewer dims (e.g. a 0-d gradient for a broadcast scalar): stretch it.
        return np.broadcast_to(grad, shape).copy()
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes, keepdims=True).reshape(shape)
    # END SOLUTION


def topological_order(root):
    """Tensors that ``root`` depends on through ops that need gradients, inputs first.

    Only tensors with ``requires_grad`` are followed: constants and ``no_grad`` results are not
    part of the graph. Each tensor appears once however often it is reused, so the walk is linear
    in the size of the graph. Iterative, so a 10,000-op chain does not hit the recursion limit.

    Args:
        root (Tensor): the tensor ``backward()`` starts from.

    Returns:
        list[Tensor]: every tensor appears after all of its inputs; ``root`` is last.
    """
    # BEGIN SOLUTION
    order = []
    expanded = set()
    # (tensor, done): a tensor is pushed once to expand its inputs, and once more to be emitted
    # after all of them (post-order). It is marked when expanded, not when pushed: an input
    # pushed early by one consumer may be reached again below another consumer, and must then be
    # expanded there so that it is emitted before that consumer too.
    stack = [(root, False)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in expanded:
            continue
        expanded.add(id(t))
        stack.append((t, True))
        node = t.grad_fn
        if node is None:
            continue
        for x in node.inputs:
            if isinstance(x, Tensor) and x._requires_grad and id(x) not in expanded:
                stack.append((x, False))
    return order
    # END SOLUTION


def backward(tensor, gradient=None):
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf ``tensor`` depends on.

    ``Tensor.backward(gradient)`` calls this. For an output ``y`` and upstream gradient ``v``
    (``dL/dy``), each leaf ``x`` receives ``x.grad += v · dy/dx`` (a vector-Jacobian product).

    Args:
        tensor (Tensor): the output; it must require grad.
        gradient (Tensor or array-like, optional): ``dL/dtensor`` with ``tensor``'s shape.
            May be omitted only for a one-element output, where it defaults to 1.

    Raises:
        RuntimeError: ``tensor`` does not require grad; a non-scalar output without
            ``gradient`` (PyTorch's message); a ``gradient`` of the wrong shape; an op in the
            graph that has no gradient rule (the message names the kernel).

    Unlike PyTorch, the graph is not freed after the call: calling ``backward`` twice on the same
    graph works and accumulates twice (``retain_graph`` is always on).

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """
    # BEGIN SOLUTION
    if not isinstance(tensor, Tensor):
        raise TypeError(f"backward expects a Tensor, got {type(tensor).__name__}")
    if not tensor._requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn "
            "(was it computed under no_grad(), or from tensors without requires_grad=True?)"
        )
    data = tensor.data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs "
                f"(output has shape {data.shape}; pass backward(gradient) of that shape)"
            )
        grad = np.ones(data.shape, dtype=data.dtype)
    else:
        grad = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if grad.shape != data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {grad.shape} and "
                f"output[0] has a shape of {data.shape}"
            )
        if grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)

    # Ownership by construction: `owned` holds the ids of tensors whose gradient array this call
    # allocated itself (a sum of contributions, an unbroadcast, a cast or a 0-d wrap). Only those
    # are ever added to in place or handed to a leaf without a copy; an array a rule returned may
    # be shared (a view of `grad`, a forward input, a constant), so it is never written to.
    grads = {id(tensor): grad}
    owned = {id(tensor)} if gradient is None else set()
    rules = GRADIENTS
    wants_needs = _WANTS_NEEDS_INPUT_GRAD
    for t in reversed(topological_order(tensor)):
        g = grads.pop(id(t), None)
        if g is None:  # nothing downstream depended on t differentiably
            continue
        node = t.grad_fn
        if node is None:
            _accumulate_leaf(t, g, id(t) in owned)
            continue
        fn = node.fn
        rule = rules.get(fn)
        if rule is None:
            raise RuntimeError(
                f"no gradient rule for {fn.__module__}.{fn.__qualname__}: register one with "
                "@tinytorch.autograd.gradient_of(kernel)"
            )
        inputs = node.inputs
        if node.writes != _inplace.writes:  # some tensor was written in place since the forward
            _check_versions(t, node)
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        kwargs = node.attrs
        if fn in wants_needs:
            needs = tuple([isinstance(x, Tensor) and x._requires_grad for x in inputs])
            kwargs = {"needs_input_grad": needs, **kwargs}
        if _observers:
            in_grads = _observe_backward(fn, rule, g, t.data, arrays, node.attrs, kwargs)
        else:
            in_grads = rule(g, t.data, *arrays, **kwargs)
        if len(in_grads) != len(inputs):
            raise RuntimeError(
                f"gradient rule for {fn.__module__}.{fn.__qualname__} returned "
                f"{len(in_grads)} gradients for {len(inputs)} inputs"
            )
        rule_fresh = fn in FRESH  # the rule's own promise: new arrays, one per input
        for x, gx in zip(inputs, in_grads):
            if gx is None or not isinstance(x, Tensor) or not x._requires_grad:
                continue
            xdata = x.data
            fresh = rule_fresh
            if type(gx) is not np.ndarray:  # NumPy returns scalars for 0-d results
                gx = np.asarray(gx)
                fresh = gx.ndim == 0
            if gx.shape != xdata.shape:
                gx = unbroadcast(gx, xdata.shape)  # allocates
                fresh = True
            if gx.dtype != xdata.dtype:
                gx = gx.astype(xdata.dtype)
                fresh = True
            k = id(x)
            prev = grads.get(k)
            if prev is None:
                grads[k] = gx
                if fresh:
                    owned.add(k)
            elif k in owned:
                np.add(prev, gx, out=prev)
            else:
                total = prev + gx  # a new array: ours from now on (0-d: NumPy gives a scalar)
                grads[k] = total if type(total) is np.ndarray else np.asarray(total)
                owned.add(k)
    # END SOLUTION


def _check_versions(t, node):
    """Refuse to differentiate through values an in-place op changed after they were recorded.

    An input is checked when the rule reads input values, or when a recorded in-place op has
    since rewired its ``grad_fn`` (the history it had when used is gone); the output is checked
    when the rule reads it.
    """
    reads_inputs, reads_output = SAVED.get(node.fn, (True, True))
    if reads_output and t._version != node.out_version:
        _modified(t, node, "its output", t._version, node.out_version)
    for i, (x, v) in enumerate(zip(node.inputs, node.versions)):
        if isinstance(x, Tensor) and x._version != v and (
            reads_inputs or (x.grad_fn is not None and x.grad_fn.out_version > v)
        ):
            _modified(x, node, f"input {i}", x._version, v)


def _modified(x, node, which, now, expected):
    op = last_write(x) or "an in-place op"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{x.data.dtype} tensor of shape {list(x.data.shape)}], {which} of "
        f"{node.fn.__name__}, is at version {now}; expected version {expected} instead. "
        f"It was modified by {op}; do the in-place op on a clone(), or after backward()."
    )


def _accumulate_leaf(leaf, g, owned):
    """``leaf.grad += g``; the first time, ``.grad`` gets an array of its own (never an alias)
    laid out like ``leaf.data``."""
    if leaf.grad is None:
        if not owned or not g.flags.writeable or g.base is not None or g.strides != leaf.data.strides:
            # A copy in the leaf's own memory layout: the optimizer then updates parameter and
            # gradient in one contiguous pass, whatever layout the rule produced.
            copy = np.empty_like(leaf.data)
            np.copyto(copy, g)
            g = copy
        leaf.grad = Tensor._make(g)
    elif leaf.grad.data.flags.writeable and leaf.grad.data.shape == g.shape:
        np.add(leaf.grad.data, g, out=leaf.grad.data)
    else:
        leaf.grad = Tensor._make(leaf.grad.data + g)
