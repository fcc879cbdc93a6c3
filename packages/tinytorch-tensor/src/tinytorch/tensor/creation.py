"""Creation functions and the global random generator, named as in PyTorch.

All randomness in TinyTorch (initialisation, dropout, shuffling) draws from
``default_generator``; :func:`manual_seed` reseeds it in place, so modules that hold a reference
see the new seed.
"""

import numpy as np

from .tensor import Tensor, _infer_array, _shape_arg, float32, int64

default_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed TinyTorch's global generator (``torch.manual_seed``).

    Example:
        >>> _ = manual_seed(0); a = randn(3)
        >>> _ = manual_seed(0); b = randn(3)
        >>> bool((a == b).data.all())
        True
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative int, got {seed!r}")
    default_generator.bit_generator.state = np.random.PCG64(int(seed)).state
    return default_generator


def get_rng_state():
    """The global generator's state as a JSON-serialisable dict (for checkpoints)."""
    return default_generator.bit_generator.state


def set_rng_state(state):
    """Restore a state returned by :func:`get_rng_state`."""
    default_generator.bit_generator.state = state


def _make(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (``torch.tensor``)."""
    array = _infer_array(data, dtype)
    return _make(array.copy(), requires_grad)


def zeros(*size, dtype=float32, requires_grad=False):
    return _make(np.zeros(_shape_arg(size), dtype=dtype), requires_grad)


def ones(*size, dtype=float32, requires_grad=False):
    return _make(np.ones(_shape_arg(size), dtype=dtype), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; dtype inferred from it as in PyTorch."""
    if dtype is None:
        dtype = _infer_array(fill_value, None).dtype
    return _make(np.full(tuple(size) if not isinstance(size, int) else (size,), fill_value, dtype=dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive); int64 for ints, float32 when any is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = float32 if is_float else int64
    return _make(np.arange(start, end, step).astype(dtype), requires_grad)


def rand(*size, dtype=float32, requires_grad=False):
    """Uniform samples from ``[0, 1)``."""
    return _make(default_generator.random(_shape_arg(size), dtype=np.dtype(dtype).type), requires_grad)


def randn(*size, dtype=float32, requires_grad=False):
    """Standard normal samples."""
    return _make(
        default_generator.standard_normal(_shape_arg(size), dtype=np.dtype(dtype).type), requires_grad
    )


def randint(low, high=None, size=(), dtype=int64):
    """Integers from ``[low, high)`` (``torch.randint``; ``randint(high, size)`` also works)."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    return Tensor._make(default_generator.integers(low, high, size=tuple(size), dtype=dtype))


def zeros_like(t, dtype=None, requires_grad=False):
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return _make(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad)


def rand_like(t, dtype=None, requires_grad=False):
    return rand(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False):
    return randn(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
