"""Timing methodology: warm-up, calibrated repeats, robust statistics, paired comparisons.

Three things make a single timing misleading: the first calls are slow (caches, allocator, lazy
work), a fast function is shorter than the timer's resolution, and the machine is shared, so
times are skewed to the right by whatever else runs. Hence: ``warmup`` untimed calls; ``number``
calls per sample, calibrated so a sample lasts at least ``MIN_SAMPLE_SECONDS``; at least
``repeats`` samples and at least ``min_time`` seconds of them; the median and the interquartile
range, with a bootstrap confidence interval of the median; and warnings when the spread says the
measurement is not to be trusted.

Two implementations are compared *paired and interleaved*: each round times A and B back to back
(alternating which goes first), so a slow phase of the machine hits both, and the statistic is the
median of the per-round ratios.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Stats", "BenchmarkResult", "Comparison", "bootstrap_ci", "benchmark", "compare",
           "MIN_SAMPLE_SECONDS", "NOISY_IQR"]

MIN_SAMPLE_SECONDS = 1e-3  # a sample shorter than this is dominated by timer and loop overhead
NOISY_IQR = 0.10  # IQR / median above this: the machine is too busy for the figure to be trusted


def bootstrap_ci(samples, statistic=np.median, confidence=0.95, resamples=2000, seed=0):
    """Percentile bootstrap confidence interval of ``statistic`` over ``samples``.

    All resamples are drawn at once as one ``(resamples, n)`` index array (no Python loop).

    Example:
        >>> lo, hi = bootstrap_ci([1.0, 1.1, 0.9, 1.05, 0.95])
        >>> 0.9 <= lo <= 1.0 <= hi <= 1.1
        True
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"bootstrap_ci needs a non-empty 1-d sequence, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"bootstrap_ci needs finite samples, got {x[~np.isfinite(x)][:3].tolist()} among them")
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 1:
        raise ValueError(f"resamples must be an int >= 1, got {resamples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(int(resamples), x.size))
    values = statistic(x[idx], axis=1)
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha])
    return float(lo), float(hi)
    # END SOLUTION


@dataclass
class Stats:
    """Summary of timing samples (seconds per call)."""

    samples: list = field(repr=False)
    median: float
    iqr: float
    p90: float
    mean: float
    minimum: float
    ci_low: float
    ci_high: float

    @classmethod
    def from_samples(cls, samples, confidence=0.95):
        s = np.asarray(samples, dtype=np.float64)
        if s.size == 0:
            raise ValueError("Stats needs at least one sample")
        q1, med, q3, p90 = np.percentile(s, [25, 50, 75, 90])
        lo, hi = bootstrap_ci(s, confidence=confidence)
        return cls(list(map(float, s)), float(med), float(q3 - q1), float(p90), float(s.mean()),
                   float(s.min()), lo, hi)

    @property
    def relative_iqr(self):
        return self.iqr / self.median if self.median > 0 else 0.0

    def noise_warnings(self):
        """Plain-language reasons not to trust these numbers (empty when they look sound)."""
        notes = []
        if len(self.samples) < 5:
            notes.append(f"only {len(self.samples)} samples: the spread is not estimated reliably")
        if self.relative_iqr > NOISY_IQR:
            notes.append(
                f"noisy: IQR is {100 * self.relative_iqr:.0f}% of the median (> {100 * NOISY_IQR:.0f}%); "
                "close other programs or raise repeats"
            )
        if self.minimum > 0 and self.median / self.minimum > 1.5:
            notes.append(f"the median is {self.median / self.minimum:.1f}x the fastest run: heavy interference")
        return notes


@dataclass
class BenchmarkResult:
    """What :func:`benchmark` measured: ``stats`` per call, how, and any noise warnings."""

    name: str
    stats: Stats
    number: int
    warmup: int
    warnings: list

    def to_dict(self):
        s = self.stats
        return {
            "name": self.name, "number": self.number, "warmup": self.warmup,
            "median": s.median, "iqr": s.iqr, "p90": s.p90, "mean": s.mean, "min": s.minimum,
            "ci95": [s.ci_low, s.ci_high], "samples": s.samples, "warnings": self.warnings,
        }


def _check_count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


def _calibrate(fn, number):
    # Double the calls per sample until one sample lasts MIN_SAMPLE_SECONDS (timeit's autorange).
    if number is not None:
        _check_count("number", number, 1)
        return number
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= MIN_SAMPLE_SECONDS or n >= 1 << 20:
            return n
        n *= 2


def _sample(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def benchmark(fn, warmup=3, repeats=20, min_time=0.0, number=None, name=None):
    """Time ``fn()`` with warm-up, calibrated calls per sample and robust statistics.

    Args:
        fn: a callable of no arguments (wrap arguments with a lambda).
        warmup: untimed calls first.
        repeats: minimum number of samples.
        min_time: keep sampling until the samples add up to at least this many seconds.
        number: calls per sample; ``None`` calibrates it (each sample >= 1 ms).
        name: label for reports (default: ``fn.__name__``).

    Returns:
        BenchmarkResult: seconds per call as :class:`Stats`, plus ``warnings``.

    Example:
        >>> r = benchmark(lambda: sum(range(100)), warmup=1, repeats=5)
        >>> r.stats.minimum <= r.stats.median <= r.stats.p90, len(r.stats.samples)
        (True, 5)
    """
    if not callable(fn):
        raise TypeError(f"benchmark expects a callable, got {type(fn).__name__}")
    _check_count("warmup", warmup, 0)
    _check_count("repeats", repeats, 1)
    if not (isinstance(min_time, (int, float)) and math.isfinite(min_time) and min_time >= 0):
        raise ValueError(f"min_time must be a finite number of seconds >= 0, got {min_time!r}")
    # BEGIN SOLUTION
    for _ in range(warmup):
        fn()
    number = _calibrate(fn, number)
    samples, spent = [], 0.0
    while len(samples) < repeats or spent < min_time:
        samples.append(_sample(fn, number))
        spent += samples[-1] * number
    # END SOLUTION
    stats = Stats.from_samples(samples)
    notes = stats.noise_warnings()
    if stats.median * number < MIN_SAMPLE_SECONDS / 2:
        notes.append(f"samples of {stats.median * number * 1e6:.0f} us are near the timer's resolution")
    return BenchmarkResult(name or getattr(fn, "__name__", "fn"), stats, number, warmup, notes)


@dataclass
class Comparison:
    """Paired comparison: ``ratio`` = candidate time / baseline time (median of per-round ratios).

    ``speedup = 1 / ratio``; ``ci`` is the bootstrap interval of the median ratio, and
    ``significant`` says whether it excludes 1.
    """

    baseline: BenchmarkResult
    candidate: BenchmarkResult
    ratios: list = field(repr=False)
    ratio: float
    ci: tuple
    warnings: list

    @property
    def speedup(self):
        return 1.0 / self.ratio

    @property
    def significant(self):
        return not (self.ci[0] <= 1.0 <= self.ci[1])

    def to_dict(self):
        return {"baseline": self.baseline.to_dict(), "candidate": self.candidate.to_dict(),
                "ratio": self.ratio, "speedup": self.speedup, "ci95": list(self.ci),
                "significant": self.significant, "ratios": self.ratios, "warnings": self.warnings}


def compare(baseline, candidate, warmup=3, repeats=20, min_time=0.0, number=None,
            names=("baseline", "candidate")):
    """Time two implementations in interleaved rounds and report their ratio.

    Example:
        >>> c = compare(lambda: sorted(range(2000)), lambda: list(range(2000)), repeats=7)
        >>> len(c.ratios), c.ci[0] <= c.ratio <= c.ci[1], c.speedup == 1 / c.ratio
        (7, True, True)
    """
    if isinstance(names, str) or len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(f"compare: names must be two strings (baseline, candidate), got {names!r}")
    for label, fn in zip(names, (baseline, candidate)):
        if not callable(fn):
            raise TypeError(f"compare: {label} must be callable, got {type(fn).__name__}")
    _check_count("warmup", warmup, 0)
    _check_count("repeats", repeats, 1)
    # BEGIN SOLUTION
    for _ in range(warmup):
        baseline()
        candidate()
    n_a, n_b = _calibrate(baseline, number), _calibrate(candidate, number)
    a, b, spent = [], [], 0.0
    while len(a) < repeats or spent < min_time:
        if len(a) % 2 == 0:  # ABBA order: drift within a round hits both sides alike
            a.append(_sample(baseline, n_a))
            b.append(_sample(candidate, n_b))
        else:
            b.append(_sample(candidate, n_b))
            a.append(_sample(baseline, n_a))
        spent += a[-1] * n_a + b[-1] * n_b
    ratios = np.asarray(b) / np.asarray(a)
    # END SOLUTION
    results = [
        BenchmarkResult(label, Stats.from_samples(s), n, warmup, Stats.from_samples(s).noise_warnings())
        for label, s, n in zip(names, (a, b), (n_a, n_b))
    ]
    ci = bootstrap_ci(ratios)
    notes = [f"{r.name}: {w}" for r in results for w in r.warnings]
    if ci[0] <= 1.0 <= ci[1]:
        notes.append("the 95% interval of the ratio contains 1: no significant difference")
    return Comparison(results[0], results[1], list(map(float, ratios)), float(np.median(ratios)), ci, notes)
