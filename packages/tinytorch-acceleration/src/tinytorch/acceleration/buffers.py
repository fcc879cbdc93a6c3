"""Buffer reuse for large temporaries.

An attention score matrix at batch 8, 4 heads and 256 positions is 8 MiB. Allocating it fresh on
every call is not free: glibc serves blocks above its mmap threshold straight from the OS and hands
them back on free, so each new buffer page-faults once per 4 KiB it touches. A kernel whose
temporary never leaves it can instead take a buffer from a :class:`BufferPool` and get the same
memory back next call, already mapped. Only scratch goes through the pool: every array a kernel
returns (and autograd may keep) is freshly allocated.
"""

from collections import OrderedDict
from contextlib import contextmanager

import numpy as np

__all__ = ["BufferPool", "default_pool", "buffer_reuse", "is_buffer_reuse_enabled"]


class BufferPool:
    """A small least-recently-used cache of scratch arrays keyed by ``(tag, shape, dtype)``.

    ``get`` returns uninitialised memory: callers overwrite it completely. Two live temporaries
    of one kernel need different tags.

    Args:
        max_buffers: how many arrays to keep; the least recently used goes first.

    Example:
        >>> pool = BufferPool()
        >>> a = pool.get("scores", (2, 3), np.float32)
        >>> pool.get("scores", (2, 3), np.float32) is a
        True
        >>> pool.nbytes, pool.hits, pool.misses
        (24, 1, 1)
    """

    def __init__(self, max_buffers=16):
        if not isinstance(max_buffers, int) or max_buffers < 1:
            raise ValueError(f"max_buffers must be a positive int, got {max_buffers!r}")
        self.max_buffers = max_buffers
        self._buffers = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, tag, shape, dtype):
        # BEGIN SOLUTION
        key = (tag, tuple(shape), np.dtype(dtype).str)
        buf = self._buffers.pop(key, None)
        if buf is None:
            self.misses += 1
            buf = np.empty(shape, dtype)
            while len(self._buffers) >= self.max_buffers:
                self._buffers.popitem(last=False)
        else:
            self.hits += 1
        self._buffers[key] = buf
        return buf
        # END SOLUTION

    def clear(self):
        """Drop every buffer (frees the memory)."""
        self._buffers.clear()

    @property
    def nbytes(self):
        return sum(b.nbytes for b in self._buffers.values())


default_pool = BufferPool()
_enabled = True


def is_buffer_reuse_enabled():
    return _enabled


@contextmanager
def buffer_reuse(enabled=True):
    """Turn scratch reuse by the fused kernels on or off inside a ``with`` block (to measure it)."""
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    try:
        yield
    finally:
        _enabled = previous


def scratch(tag, shape, dtype):
    """A scratch array from :data:`default_pool`, or a fresh one when reuse is off."""
    if _enabled:
        return default_pool.get(tag, shape, dtype)
    return np.empty(shape, dtype)
