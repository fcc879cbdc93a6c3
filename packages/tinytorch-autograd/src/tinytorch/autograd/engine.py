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
from tinytorch.tensor.observers import active as _observers
from tinytorch.tensor.observers import observe_backward as _observe_backward

from .rules import _WANTS_NEEDS_INPUT_GRAD, GRADIENTS


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

    grads = {id(tensor): grad}
    # Ownership, so that no gradient is ever copied or added to in place needlessly, and no array
    # is ever modified while someone else holds it. `owned`: ids of tensors whose gradient array
    # this call allocated and nobody else references (it may be added to in place and handed to
    # a leaf as its .grad). `seen`: ids of every array stored in `grads` so far; a rule may return
    # those (or views of them) to several inputs, so they are never owned.
    owned = {id(tensor)} if gradient is None else set()
    seen = {id(grad)}
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
        for x, gx in zip(inputs, in_grads):
            if gx is None or not isinstance(x, Tensor) or not x._requires_grad:
                continue
            xdata = x.data
            converted = gx.shape != xdata.shape or gx.dtype != xdata.dtype
            if converted:  # unbroadcast and astype allocate: the result is ours
                if gx.shape != xdata.shape:
                    gx = unbroadcast(gx, xdata.shape)
                gx = gx.astype(xdata.dtype, copy=False)
            k = id(x)
            prev = grads.get(k)
            if prev is None:
                # Ownership matters for leaves (no copy into .grad) and for later fan-in sums;
                # it is decided here only for leaves, and on the second contribution otherwise.
                if converted or (
                    x.grad_fn is None and _allocated_by_rule(gx, t, arrays, in_grads, seen)
                ):
                    owned.add(k)
                grads[k] = gx
                seen.add(id(gx))
            elif k in owned:
                np.add(prev, gx, out=prev)
            elif converted or _allocated_by_rule(gx, t, arrays, in_grads, seen):
                np.add(gx, prev, out=gx)
                grads[k] = gx
                seen.add(id(gx))
                owned.add(k)
            else:
                total = prev + gx
                grads[k] = total
                seen.add(id(total))  # it will be handed to x's rule, which may pass it on
                owned.add(k)
    # END SOLUTION


def _allocated_by_rule(gx, t, arrays, in_grads, seen):
    """Whether the rule of ``t`` allocated ``gx`` for one input alone, so that nobody else holds it.

    True for a new base array that is not a gradient passed around before (``seen``: ids of
    every array stored in the gradient dict, including the one handed to this rule), not one of
    the node's forward arrays, and not returned, or viewed, for another input of the same rule.
    """
    if gx.base is not None or id(gx) in seen or gx is t.data:
        return False
    for a in arrays:
        if a is gx:
            return False
    if len(in_grads) > 1:
        count = 0
        for other in in_grads:
            if other is gx:
                count += 1
            elif other is not None and getattr(other, "base", None) is gx:
                return False
        return count == 1
    return True


def _accumulate_leaf(leaf, g, owned):
    """``leaf.grad += g``; the first time, ``.grad`` gets an array of its own (never an alias)."""
    if leaf.grad is None:
        if not owned or not g.flags.writeable:
            g = np.array(g, dtype=leaf.data.dtype, copy=True)
        leaf.grad = Tensor._make(g)
    elif leaf.grad.data.flags.writeable and leaf.grad.data.shape == g.shape:
        np.add(leaf.grad.data, g, out=leaf.grad.data)
    else:
        leaf.grad = Tensor._make(leaf.grad.data + g)
