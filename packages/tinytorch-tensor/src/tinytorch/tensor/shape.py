"""Shapes and views: ``reshape``, ``permute``, ``squeeze``, ``expand``, ``split``, ``cat`` ...

Each function is also the Tensor method of the same name. Most of these are views: NumPy returns
an array that shares memory with the input, so they cost no copy (``repeat``, ``cat``,
``contiguous`` on a non-contiguous input and fancy indexing do copy).
"""

import numpy as np

from . import ops
from . import tensor as _t
from .dims import ShapeError, normalize_dim
from .dtypes import result_type


def _shape_arg(shape):
    """Accept both ``f(2, 3)`` and ``f((2, 3))``; sizes may be ints or 0-d integer Tensors."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if type(n) is not int:  # the common case costs one type check per dim
            return tuple(_size(n, shape) for n in shape)
    return shape


def _size(n, shape):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, _t.Tensor)):
        raise TypeError(f"a shape must be ints, got {type(n).__name__} {n!r} in {tuple(shape)}")
    return n.__index__() if isinstance(n, _t.Tensor) else int(n)


def reshape(input, *shape):
    shape = _shape_arg(shape)
    try:
        return _t.apply_op(ops.reshape, input, shape=shape)
    except ValueError:
        raise ShapeError(
            f"shape '{list(shape)}' is invalid for input of size {input.data.size}: "
            f"cannot reshape {input.data.shape} into {shape}"
        ) from None


def view(input, *shape):
    """Same data, new shape, never a copy (``torch.Tensor.view``).

    Raises RuntimeError where the shape cannot be had without copying (as after a transpose);
    use :func:`reshape` there.
    """
    out = reshape(input, *shape)
    if input.data.size and not np.shares_memory(out.data, input.data):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): shape {input.data.shape} with "
            f"strides {input.data.strides}. Use .reshape(...) instead."
        )
    return out


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input.data.shape
    if not shape:
        normalize_dim(start_dim, 0), normalize_dim(end_dim, 0)
        return reshape(input, 1)
    start, end = normalize_dim(start_dim, len(shape)), normalize_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(input, *shape[:start], int(np.prod(shape[start:end + 1])), *shape[end + 1:])


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1, inferred from that dim alone)."""
    shape = input.data.shape
    d = normalize_dim(dim, len(shape))
    sizes = list(_shape_arg((sizes,)) if not isinstance(sizes, (tuple, list)) else _shape_arg(tuple(sizes)))
    known = int(np.prod([n for n in sizes if n != -1]))
    if sizes.count(-1) == 1 and known:
        sizes[sizes.index(-1)] = shape[d] // known
    if sizes.count(-1) or int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    return reshape(input, *shape[:d], *sizes, *shape[d + 1:])


def permute(input, *dims):
    dims = _shape_arg(dims)
    ndim = input.data.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    axes = tuple(normalize_dim(d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got dims {dims})")
    return _t.apply_op(ops.permute, input, dims=axes)


def transpose(input, dim0, dim1):
    # BEGIN SOLUTION
    ndim = input.data.ndim
    dims = list(range(ndim))
    d0, d1 = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
    if ndim == 0:
        return input
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return _t.apply_op(ops.permute, input, dims=tuple(dims))
    # END SOLUTION


def squeeze(input, dim=None):
    """Drop size-1 dims (only ``dim`` if given; a ``dim`` whose size is not 1 is kept)."""
    # BEGIN SOLUTION
    shape = input.data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {normalize_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return reshape(input, new)
    # END SOLUTION


def unsqueeze(input, dim):
    # BEGIN SOLUTION
    shape = list(input.data.shape)
    shape.insert(normalize_dim(dim, len(shape), extra=1), 1)
    return reshape(input, tuple(shape))
    # END SOLUTION


def expand(input, *sizes):
    """A broadcast view of ``input`` with ``sizes`` (``-1`` keeps a dim); no data is copied.

    New dims may only be added in front; only size-1 dims may grow (``torch.Tensor.expand``).
    """
    sizes = _shape_arg(sizes)
    shape = input.data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({len(shape)})"
        )
    target = []
    for i, n in enumerate(sizes):
        have = shape[i - lead] if i >= lead else None
        if have is None and n < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
        if n == -1 and have is not None:
            n = have
        elif have not in (None, 1, n):
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({have}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
        target.append(n)
    return _t.apply_op(ops.expand, input, shape=tuple(target))


def expand_as(input, other):
    return expand(input, *other.shape)


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim, copying (``torch.Tensor.repeat``)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input.data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor (got {len(sizes)} repeats for a {input.data.ndim}-d tensor)"
        )
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension in repeats {list(sizes)}")
    return _t.apply_op(ops.repeat, input, repeats=sizes)


def roll(input, shifts, dims=None):
    """Rotate elements along ``dims`` by ``shifts`` (``torch.roll``); flattened when dims is None."""
    if dims is None:
        return reshape(_t.apply_op(ops.roll, flatten(input), shifts=int(shifts), dims=0), input.data.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    axes = tuple(normalize_dim(d, input.data.ndim) for d in dims)
    return _t.apply_op(ops.roll, input, shifts=tuple(int(s) for s in shifts), dims=axes)


def _triangle(kernel, input, diagonal):
    name = kernel.__name__
    if not isinstance(input, _t.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {input.data.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'diagonal' must be int, not {type(diagonal).__name__}")
    return _t.apply_op(kernel, input, diagonal=int(diagonal))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims, the rest zero (``torch.tril``).

    Keeps ``input[..., i, j]`` where ``j - i <= diagonal``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> tril(Tensor([[1, 2], [3, 4]]))
        tensor([[1, 0],
                [3, 4]])
    """
    return _triangle(ops.tril, input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle of the last two dims, the rest zero (``torch.triu``).

    Keeps ``input[..., i, j]`` where ``j - i >= diagonal``.
    """
    return _triangle(ops.triu, input, diagonal)


def split(input, split_size_or_sections, dim=0):
    """Views of consecutive pieces along ``dim`` (``torch.split``).

    An int gives pieces of that size (the last may be smaller); a list gives the exact sizes,
    which must sum to the size of ``dim``.
    """
    if input.data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = normalize_dim(dim, input.data.ndim)
    n = input.data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes) or np.sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    else:
        size = split_size_or_sections
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"split_size must be an int or a list of ints, got {size!r}")
        if size < 0 or (size == 0 and n != 0):
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] if n else [0]
    lead = (slice(None),) * d
    pieces, start = [], 0
    for s in sizes:
        pieces.append(getitem(input, lead + (slice(start, start + s),)))
        start += s
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size along ``dim`` (``torch.chunk``)."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
        raise TypeError(f"chunk expects an int number of chunks, got {chunks!r}")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = input.data.shape[normalize_dim(dim, input.data.ndim)]
    if n == 0:  # PyTorch returns `chunks` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


def unbind(input, dim=0):
    d = normalize_dim(dim, input.data.ndim)
    lead = (slice(None),) * d
    return tuple(getitem(input, lead + (i,)) for i in range(input.data.shape[d]))


def contiguous(input):
    if input.data.flags.c_contiguous:
        return input
    return _t.apply_op(ops.contiguous, input)


def _unwrap_index(index):
    """An index with every Tensor in it (alone or inside a tuple) replaced by its ndarray."""
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, _t.Tensor) else i for i in index)
    return index.data if isinstance(index, _t.Tensor) else index


def getitem(input, index):
    index = _unwrap_index(index)
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, slice) and part.step is not None and part.step <= 0:
            raise ValueError(f"step must be greater than zero (got slice step {part.step})")
    return _t.apply_op(ops.getitem, input, index=index)


def _joined(name, tensors, dim, extra):
    if isinstance(tensors, _t.Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be a tuple or list of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:  # PyTorch's classes: ValueError from cat, RuntimeError from stack
        raise (ValueError if name == "cat" else RuntimeError)(f"{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, _t.Tensor):
            raise TypeError(f"{name}(): expected Tensor as element {i}, but got {type(t).__name__}")
    ndim = tensors[0].data.ndim
    if name == "cat":
        for i, t in enumerate(tensors):
            if t.data.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = normalize_dim(dim, ndim, extra=extra)
    dtype = result_type(*[t.data for t in tensors])
    arrays = [t.data.astype(dtype, copy=False) for t in tensors]
    return tensors, arrays, d


def _join(kernel, tensors, dim, extra, shape_message):
    """Record ``kernel`` (cat or stack) over ``tensors``; a NumPy size mismatch becomes a ShapeError."""
    tensors, arrays, d = _joined(kernel.__name__, tensors, dim, extra)
    needs_grad = any(t._requires_grad for t in tensors)
    attrs = {"dim": d}
    try:
        return _t._record(kernel, tuple(tensors), _t._run(kernel, arrays, attrs), attrs, needs_grad)
    except ValueError:
        raise ShapeError(shape_message(d, [t.data.shape for t in tensors])) from None


def cat(tensors, dim=0):
    """Join tensors along an existing ``dim`` (``torch.cat``); dtypes promote as in PyTorch."""
    return _join(ops.cat, tensors, dim, 0, lambda d, shapes: (
        f"cat: sizes of tensors must match except in dimension {d}, got shapes {shapes}"))


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new ``dim`` (``torch.stack``)."""
    return _join(ops.stack, tensors, dim, 1, lambda d, shapes: (
        f"stack expects each tensor to be equal size, got shapes {shapes}"))


class ShapeMethods:
    """The functions above as Tensor methods."""

    __slots__ = ()
    reshape = reshape
    view = view
    view_as = view_as
    reshape_as = reshape_as
    flatten = flatten
    unflatten = unflatten
    permute = permute
    transpose = swapaxes = transpose
    squeeze = squeeze
    unsqueeze = unsqueeze
    expand = expand
    expand_as = expand_as
    repeat = repeat
    roll = roll
    tril = tril
    triu = triu
    split = split
    chunk = chunk
    unbind = unbind
    contiguous = contiguous
    __getitem__ = getitem
