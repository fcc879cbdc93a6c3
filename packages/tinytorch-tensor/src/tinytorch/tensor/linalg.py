"""The linear map ``y = x W^T + b`` as one primitive (``torch.nn.functional.linear``).

A primitive rather than ``x @ W.T + b`` so that its gradient rule (module 05) owns the layout of
the weight's gradient: ``dW = g^T x`` comes out ``(out_features, in_features)`` row-major, like
the weight, and optimizers update both in one contiguous pass.
"""

import numpy as np

from . import ops
from .tensor import Tensor, _record, _run, _same_dtype, matmul
from .dims import ShapeError


def linear(input, weight, bias=None):
    r"""Applies :math:`y = x W^T + b` as one primitive (``torch.nn.functional.linear``).

    Its gradient rule (module 05) returns ``weight``'s gradient in ``weight``'s own
    ``(out_features, in_features)`` row-major layout, so optimizers update contiguous memory.

    Args:
        input: Tensor of shape :math:`(*, H_{in})`.
        weight: Tensor of shape :math:`(H_{out}, H_{in})`.
        bias: Tensor of shape :math:`(H_{out})`, or None.

    Shape:
        Output :math:`(*, H_{out})`.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> x = Tensor([[1.0, 2.0]])
        >>> linear(x, Tensor([[1.0, 0.0], [1.0, 1.0]]), Tensor([0.5, -0.5]))
        tensor([[1.5, 2.5]])
    """
    # The layer's hot path: three float Tensors of one dtype with matching shapes, checked in a
    # few comparisons; anything else takes the careful path, which names the problem.
    if isinstance(input, Tensor) and isinstance(weight, Tensor) and (bias is None or isinstance(bias, Tensor)):
        x, w = input.data, weight.data
        b = None if bias is None else bias.data
        if not (w.ndim == 2 and x.ndim and x.shape[-1] == w.shape[1] and x.dtype is w.dtype
                and x.dtype.kind == "f" and (b is None or (b.dtype is x.dtype and b.shape == w.shape[:1]))):
            return _checked(input, weight, bias)
    else:
        return _checked(input, weight, bias)
    needs_grad = input._requires_grad or weight._requires_grad or (bias is not None and bias._requires_grad)
    return _record(ops.linear, (input, weight, bias), _run(ops.linear, (x, w, b), {}), {}, needs_grad)


def _checked(input, weight, bias):
    """:func:`linear` for anything off its hot path: validates, then runs it, or names the problem."""
    for position, (name, value) in enumerate((("input", input), ("weight", weight), ("bias", bias)), 1):
        if value is None and name == "bias":
            continue
        if not isinstance(value, Tensor):
            raise TypeError(
                f"linear() expects a Tensor {name}, got {type(value).__name__} "
                f"(argument '{name}', position {position}, must be Tensor)"
            )
        if value.data.dtype.kind != "f":
            raise TypeError(f"linear() needs floating point tensors, got {name} of dtype {value.data.dtype}")
    x, w = input.data, weight.data
    if w.ndim == 1:  # PyTorch allows a weight of shape (in_features,): a dot product per row
        out = matmul(input, weight)
        return out if bias is None else out + bias
    if w.ndim != 2:
        raise ShapeError(f"linear: weight must be 1-D or 2-D (out_features, in_features), got shape {w.shape}")
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim else 1
        raise ShapeError(
            f"linear: input of shape {x.shape} does not match weight of shape {w.shape}: expected "
            f"the last input dim to be in_features={w.shape[1]} (mat1 and mat2 shapes cannot be "
            f"multiplied ({rows}x{x.shape[-1] if x.ndim else 1} and {w.shape[1]}x{w.shape[0]}))"
        )
    b = None if bias is None else bias.data
    if b is not None and b.shape not in ((w.shape[0],), ()):
        raise ShapeError(f"linear: bias of shape {b.shape} does not match out_features={w.shape[0]}")
    _same_dtype("linear", *((x, w) if b is None else (x, w, b)))
    needs_grad = input._requires_grad or weight._requires_grad or (bias is not None and bias._requires_grad)
    return _record(ops.linear, (input, weight, bias), _run(ops.linear, (x, w, b), {}), {}, needs_grad)

