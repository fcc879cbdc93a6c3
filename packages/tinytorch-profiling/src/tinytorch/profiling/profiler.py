"""A per-op profiler built on the op observer of module 01.

While a :class:`Profiler` is active every kernel run through ``apply_op`` (and every gradient rule
the autograd engine runs) reports its name, phase, inputs, output and kernel wall time; the
profiler aggregates them per (kernel, phase) into calls, time, FLOPs and bytes moved.
"""

import errno
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass

import numpy as np

from tinytorch.tensor import register_op_observer

from .flops import flops_of, human, kernel_name

__all__ = ["Profiler", "OpStats", "atomic_write", "atomic_write_text"]

_SORT_KEYS = ("seconds", "calls", "flops", "bytes_in", "bytes_out")


@dataclass
class OpStats:
    """Aggregated statistics of one kernel in one phase."""

    name: str
    phase: str
    kernel: str = ""
    calls: int = 0
    seconds: float = 0.0
    flops: int = 0
    bytes_in: int = 0
    bytes_out: int = 0

    @property
    def gflops_per_second(self):
        """Achieved throughput, 0 for kernels without FLOPs or without measurable time."""
        return self.flops / self.seconds / 1e9 if self.seconds > 0 else 0.0


def _nbytes(values):
    if isinstance(values, np.ndarray):
        return values.nbytes
    if isinstance(values, (tuple, list)):
        return sum(v.nbytes for v in values if isinstance(v, np.ndarray))
    return 0


def atomic_write(path, write, mode="wb"):
    """Create or replace ``path`` all at once: ``write(file)`` fills a temp file in the same
    folder, which is flushed, synced and renamed over ``path``; on any error it is removed and
    ``path`` is left as it was. The file gets the usual permissions (0666 minus the umask)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):  # else mkstemp's error would name the temp file, not the target
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} to write into does not exist", path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1], dir=folder)
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda f: f.write(text), mode="w")


class Profiler:
    """Context manager that records every op run inside it (like ``torch.profiler.profile``).

    Args:
        record_backward: also record the gradient rules run by ``backward()``. Default: True.

    Attributes:
        wall_seconds: wall time between entering and leaving the context.

    Example:
        >>> from tinytorch.tensor import randn
        >>> w = randn(8, 4, requires_grad=True)
        >>> with Profiler() as prof:
        ...     (randn(16, 8) @ w).sum().backward()
        >>> stats = {(s.name, s.phase): s for s in prof.key_averages()}
        >>> stats["matmul", "forward"].flops, stats["matmul", "backward"].flops  # 2 * 16 * 8 * 4
        (1024, 1024)
    """

    def __init__(self, record_backward=True):
        self.record_backward = bool(record_backward)
        self.wall_seconds = 0.0
        self._stats = {}
        self._handle = None
        self._start = None

    def _observe(self, event):
        if event.phase == "backward" and not self.record_backward:
            return
        kernel = kernel_name(event.fn)
        key = (kernel, event.phase)
        stats = self._stats.get(key)
        if stats is None:
            stats = self._stats[key] = OpStats(event.name, event.phase, kernel)
        stats.calls += 1
        stats.seconds += event.seconds
        if event.phase == "forward":
            stats.flops += flops_of(kernel, event.inputs, event.attrs)
        else:  # inputs are (upstream grad, *forward inputs); output the computed input grads
            stats.flops += flops_of(kernel, event.inputs[1:], event.attrs, "backward", event.output)
        stats.bytes_in += _nbytes(event.inputs)
        stats.bytes_out += _nbytes(event.output)

    def __enter__(self):
        if self._handle is not None:
            raise RuntimeError("Profiler is already active; it cannot be entered twice")
        self._stats = {}
        self._handle = register_op_observer(self._observe)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall_seconds = time.perf_counter() - self._start
        self._handle.remove()
        self._handle = None
        return False

    def key_averages(self, sort_by="seconds"):
        """Per-(kernel, phase) :class:`OpStats`, largest ``sort_by`` first."""
        if sort_by not in _SORT_KEYS:
            raise ValueError(f"sort_by must be one of {_SORT_KEYS}, got {sort_by!r}")
        return sorted(self._stats.values(), key=lambda s: getattr(s, sort_by), reverse=True)

    @property
    def total_flops(self):
        return sum(s.flops for s in self._stats.values())

    @property
    def op_seconds(self):
        """Time spent inside kernels; the rest of ``wall_seconds`` is Python and framework overhead."""
        return sum(s.seconds for s in self._stats.values())

    def to_dict(self):
        """Everything recorded, as plain JSON-ready data."""
        return {
            "wall_seconds": self.wall_seconds,
            "op_seconds": self.op_seconds,
            "total_flops": self.total_flops,
            "ops": [asdict(s) for s in self.key_averages()],
        }

    def export_json(self, path):
        """Write :meth:`to_dict` to ``path`` atomically."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    def table(self, sort_by="seconds", row_limit=10, title="Top ops"):
        """A ``rich.table.Table`` of the top ``row_limit`` ops by ``sort_by``."""
        from rich.table import Table

        table = Table(title=title)
        for column in ("op", "phase", "calls", "time (ms)", "% time", "FLOPs", "GFLOP/s",
                       "bytes in", "bytes out"):
            table.add_column(column, justify="left" if column in ("op", "phase") else "right")
        total = self.op_seconds or 1.0
        for s in self.key_averages(sort_by)[:row_limit]:
            table.add_row(
                s.name, s.phase, str(s.calls), f"{s.seconds * 1e3:.3f}",
                f"{100 * s.seconds / total:.1f}", human(s.flops), f"{s.gflops_per_second:.2f}",
                human(s.bytes_in, "B"), human(s.bytes_out, "B"),
            )
        return table

    def print_table(self, sort_by="seconds", row_limit=10, console=None):
        """Print :meth:`table` with rich (to ``console`` when given)."""
        from rich.console import Console

        (console or Console()).print(self.table(sort_by, row_limit))

