"""Where the bytes of a training step go: parameters, gradients, optimizer state, activations.

Parameters, gradients and optimizer state are the arrays those objects hold. Activations are what
autograd keeps for backward: every array reachable from the loss through the recorded graph
(each ``Node``'s inputs and array attrs), counted once per underlying buffer (a view keeps its
whole base alive, so the base is what is counted) and excluding the parameters themselves.

The peak of a step is *measured*, not estimated: NumPy reports every data buffer it allocates to
``tracemalloc``, so tracing the step and reading the traced peak gives the largest number of bytes
that were alive at once above what existed when the step began: activations, temporaries inside
kernels (im2col matrices), gradients and optimizer updates. Adding the resident state of before
(parameters, gradients, optimizer state) gives the step's peak memory.
"""

import tracemalloc
from dataclasses import asdict, dataclass

import numpy as np

from tinytorch.layers import Module
from tinytorch.tensor import Tensor

from .flops import human

__all__ = [
    "MemoryReport", "parameter_bytes", "gradient_bytes", "optimizer_state_bytes",
    "activation_bytes", "training_step_memory",
]


def _check_module(model, where):
    if not isinstance(model, Module):
        raise TypeError(f"{where} expects a Module, got {type(model).__name__}")


def _root(array):
    # The buffer that really holds the bytes: follow .base through views.
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def parameter_bytes(model):
    """Bytes held by ``model``'s parameters (shared parameters once)."""
    _check_module(model, "parameter_bytes")
    return sum(p.data.nbytes for p in model.parameters())


def gradient_bytes(model):
    """Bytes held by the ``.grad`` of ``model``'s parameters (0 where ``grad`` is None)."""
    _check_module(model, "gradient_bytes")
    return sum(p.grad.data.nbytes for p in model.parameters() if p.grad is not None)


def optimizer_state_bytes(optimizer):
    """Bytes of the arrays in ``optimizer.state`` (momentum buffers, Adam's two moments).

    Works with any optimizer whose ``state`` maps parameters to dicts of arrays, as
    ``tinytorch.optim`` and ``torch.optim`` do; scalars such as the step count are not counted.
    """
    state = getattr(optimizer, "state", None)
    if not isinstance(state, dict):
        raise TypeError(
            f"optimizer_state_bytes expects an optimizer with a dict .state, got {type(optimizer).__name__}"
        )
    total = 0
    for per_param in state.values():
        for value in per_param.values():
            if isinstance(value, Tensor):
                value = value.data
            if isinstance(value, np.ndarray):
                total += value.nbytes
    return total


def activation_bytes(output, exclude=()):
    """Bytes the recorded graph behind ``output`` keeps alive for backward.

    Args:
        output: a Tensor (usually the loss) or a sequence of Tensors.
        exclude: Tensors whose buffers are not counted (by default the graph's leaves that
            require grad, the parameters, are excluded; pass anything else to leave out here).

    Example:
        >>> from tinytorch.tensor import randn, zeros
        >>> w = randn(100, 10, requires_grad=True)  # a leaf that requires grad: not an activation
        >>> y = (zeros(32, 100) @ w).exp()  # matmul keeps x for dW; exp keeps its (32, 10) input
        >>> activation_bytes(y)  # 4 * (32 * 100 + 32 * 10)
        14080
    """
    outputs = [output] if isinstance(output, Tensor) else output
    if not isinstance(outputs, (list, tuple)) or not all(isinstance(t, Tensor) for t in outputs):
        raise TypeError(f"activation_bytes expects a Tensor or a sequence of Tensors, got {output!r:.80}")
    skip = {id(_root(t.data)) for t in exclude}
    # BEGIN SOLUTION
    buffers = {}  # id(root buffer) -> nbytes, for every array the graph holds
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    visited = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        arrays = [v for v in node.attrs.values() if isinstance(v, np.ndarray)]
        for x in node.inputs:
            if isinstance(x, Tensor):
                if x.grad_fn is not None:
                    stack.append(x.grad_fn)
                elif x.requires_grad:  # a parameter (also behind views such as weight.T)
                    skip.add(id(_root(x.data)))
                    continue
                arrays.append(x.data)
            elif isinstance(x, np.ndarray):
                arrays.append(x)
        for a in arrays:
            root = _root(a)
            buffers[id(root)] = root.nbytes
    return sum(n for key, n in buffers.items() if key not in skip)
    # END SOLUTION


@dataclass
class MemoryReport:
    """Bytes of one training step; ``peak`` is measured with tracemalloc (see module docs)."""

    parameters: int
    gradients: int
    optimizer_state: int
    activations: int
    peak_increase: int
    peak: int

    def to_dict(self):
        return asdict(self)

    def table(self, title="Memory of a training step"):
        """A ``rich.table.Table`` with one row per kind of memory."""
        from rich.table import Table

        table = Table(title=title)
        table.add_column("memory")
        table.add_column("bytes", justify="right")
        table.add_column("human", justify="right")
        for key, value in asdict(self).items():
            table.add_row(key.replace("_", " "), f"{value:,}", human(value, "B"))
        return table


def training_step_memory(model, step, optimizer=None):
    """Run one training step and account for its memory.

    Args:
        model: the ``Module`` being trained.
        step: a callable running the forward pass and returning the loss Tensor; this function
            then calls ``loss.backward()`` and ``optimizer.step()`` itself, so that the
            activations can be counted between forward and backward.
        optimizer: the optimizer, stepped after backward when given.

    Returns:
        MemoryReport: parameters, gradients and optimizer state after the step, the activations
        the forward kept for backward, ``peak_increase`` (traced peak above the start of the step)
        and ``peak`` (``peak_increase`` plus what was resident before: parameters, gradients,
        optimizer state).
    """
    _check_module(model, "training_step_memory")
    resident = parameter_bytes(model) + gradient_bytes(model)
    if optimizer is not None:
        resident += optimizer_state_bytes(optimizer)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        loss = step()
        if not isinstance(loss, Tensor):
            raise TypeError(f"training_step_memory: step() must return the loss Tensor, got {type(loss).__name__}")
        activations = activation_bytes(loss, exclude=list(model.parameters()))
        loss.backward()
        if optimizer is not None:
            optimizer.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    state = optimizer_state_bytes(optimizer) if optimizer is not None else 0
    increase = max(peak - start, 0)
    return MemoryReport(
        parameters=parameter_bytes(model), gradients=gradient_bytes(model), optimizer_state=state,
        activations=activations, peak_increase=increase, peak=resident + increase,
    )
