"""Latency with warm-up and robust statistics (the minimal version; module 19 has the full one).

The first calls of anything are slow (caches, allocator, lazy imports), and the distribution of
run times is skewed by the rest of the machine, so: run ``warmup`` calls untimed, time ``repeats``
calls one by one with ``time.perf_counter``, and report the median and the interquartile range
rather than a mean and a standard deviation.
"""

import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LatencyStats", "measure_latency"]


@dataclass
class LatencyStats:
    """Per-call wall times in seconds and their summary."""

    samples: list = field(repr=False)
    median: float
    iqr: float
    p90: float
    minimum: float

    @classmethod
    def from_samples(cls, samples):
        s = np.asarray(samples, dtype=np.float64)
        if s.size == 0:
            raise ValueError("LatencyStats needs at least one sample")
        q1, med, q3, p90 = np.percentile(s, [25, 50, 75, 90])
        return cls(list(map(float, s)), float(med), float(q3 - q1), float(p90), float(s.min()))


def measure_latency(fn, *args, warmup=3, repeats=20, **kwargs):
    """Time ``fn(*args, **kwargs)``: ``warmup`` untimed calls, then ``repeats`` timed ones.

    Example:
        >>> stats = measure_latency(sum, range(1000), warmup=1, repeats=5)
        >>> len(stats.samples), stats.minimum <= stats.median <= stats.p90
        (5, True)
    """
    if not callable(fn):
        raise TypeError(f"measure_latency expects a callable, got {type(fn).__name__}")
    for name, value, low in (("warmup", warmup, 0), ("repeats", repeats, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"measure_latency: {name} must be an int >= {low}, got {value!r}")
    # BEGIN SOLUTION
    for _ in range(warmup):
        fn(*args, **kwargs)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        samples.append(time.perf_counter() - t0)
    return LatencyStats.from_samples(samples)
    # END SOLUTION
