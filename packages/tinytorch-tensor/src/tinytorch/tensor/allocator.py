"""Keep freed array memory for reuse, as PyTorch's caching allocator does (glibc only).

A training step allocates and frees the same large activation buffers every iteration. glibc's
default malloc serves blocks above a dynamic threshold (a few MiB at most) with ``mmap`` and
returns freed memory to the kernel, so every step page-faults the buffers back in: about 15,000
minor faults and 80 ms of system time per step of the GPT benchmark (``tools/bench/bench_gpt.py``).
:func:`keep_freed_memory` raises the mmap threshold to 32 MiB and the trim threshold to 1 GiB, so
freed blocks stay in the process and the next step reuses them. The price is PyTorch's: resident
memory stays near its peak.

It runs once when ``tinytorch.tensor`` is imported, only with glibc, and not when the
environment already tunes malloc (``GLIBC_TUNABLES`` names ``malloc``) or
``TINYTORCH_MALLOC=system`` asks for glibc's defaults.
"""

import ctypes
import os
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # bytes: blocks below it come from the heap and are reused
TRIM_THRESHOLD = 1 << 30  # bytes of free heap top kept before any is returned to the kernel


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        version = libc.gnu_get_libc_version  # glibc only (musl has none)
        libc.mallopt
    except (OSError, AttributeError):
        return None
    version.restype = ctypes.c_char_p
    return libc


def keep_freed_memory(environ=os.environ):
    """Set glibc's mmap and trim thresholds (see the module docstring).

    Returns:
        bool: True when both were set; False when skipped (not glibc, ``TINYTORCH_MALLOC=system``,
        malloc already tuned through ``GLIBC_TUNABLES``) or refused by glibc.
    """
    if environ.get("TINYTORCH_MALLOC", "") == "system" or "malloc" in environ.get("GLIBC_TUNABLES", ""):
        return False
    libc = _glibc()
    if libc is None:
        return False
    # mallopt returns 1 on success; fixing the mmap threshold also stops glibc adapting it
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
