"""TinyTorch module 14: profiling.

Measure before you optimise: parameter counts, FLOPs (torch's convention), a per-op profiler
built on the op observer of module 01, memory of a training step (parameters, gradients,
optimizer state, activations kept for backward, measured peak) and latency with warm-up.
"""

from importlib.metadata import PackageNotFoundError, version

from .flops import count_flops, count_parameters, flops_of, kernel_name, register_flop_formula
from .latency import LatencyStats, measure_latency
from .memory import (
    MemoryReport, activation_bytes, gradient_bytes, optimizer_state_bytes, parameter_bytes,
    training_step_memory,
)
from .profiler import OpStats, Profiler, atomic_write, atomic_write_text

try:
    __version__ = version("tinytorch-profiling")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "count_parameters", "count_flops", "register_flop_formula", "flops_of", "kernel_name",
    "Profiler", "OpStats", "atomic_write", "atomic_write_text",
    "MemoryReport", "parameter_bytes", "gradient_bytes", "optimizer_state_bytes",
    "activation_bytes", "training_step_memory",
    "LatencyStats", "measure_latency",
]
