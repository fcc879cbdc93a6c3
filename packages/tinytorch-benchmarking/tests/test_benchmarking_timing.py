"""Timing methodology: statistics by hand, call counts, interleaving, noise warnings."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.benchmarking import Stats, benchmark, bootstrap_ci, compare


def test_stats_by_hand():
    s = Stats.from_samples([1.0, 2.0, 3.0, 4.0, 5.0])
    assert s.median == 3.0 and s.iqr == 2.0 and s.minimum == 1.0 and s.mean == 3.0
    assert s.p90 == pytest.approx(4.6)
    assert s.ci_low <= 3.0 <= s.ci_high
    with pytest.raises(ValueError, match="at least one sample"):
        Stats.from_samples([])


def test_bootstrap_ci_of_constant_samples_is_a_point_and_input_checks():
    assert bootstrap_ci([2.5] * 10) == (2.5, 2.5)
    with pytest.raises(ValueError, match=r"non-empty 1-d sequence, got shape \(0,\)"):
        bootstrap_ci([])
    with pytest.raises(ValueError, match="confidence must be in"):
        bootstrap_ci([1.0], confidence=1.5)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(1e-6, 1.0), min_size=2, max_size=40), st.integers(0, 100))
def test_bootstrap_ci_lies_within_the_range_of_the_samples(samples, seed):
    lo, hi = bootstrap_ci(samples, seed=seed)
    assert min(samples) <= lo <= hi <= max(samples)


def test_noise_warnings():
    tight = Stats.from_samples(np.full(20, 1.0) + np.linspace(0, 0.01, 20))
    assert tight.noise_warnings() == []
    noisy = Stats.from_samples([1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 1.0, 2.5])
    notes = noisy.noise_warnings()
    assert any(n.startswith("noisy: IQR is") for n in notes)
    assert any("only 3 samples" in n for n in Stats.from_samples([1.0, 1.0, 1.0]).noise_warnings())


def test_benchmark_counts_warmup_number_and_repeats():
    calls = []
    r = benchmark(lambda: calls.append(1), warmup=4, repeats=6, number=5, name="append")
    assert len(calls) == 4 + 6 * 5
    assert r.name == "append" and r.number == 5 and len(r.stats.samples) == 6
    assert any("timer's resolution" in w for w in r.warnings)  # 5 appends last far below 1 ms


def test_benchmark_calibrates_number_and_honours_min_time(monkeypatch):
    # A fake clock: every call of fn takes exactly 10 us, so the counts are deterministic.
    from tinytorch.benchmarking import timing

    clock = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])

    def fn():
        clock[0] += 1e-5

    r = benchmark(fn, warmup=0, repeats=3)
    assert r.number == 128  # 64 calls = 0.64 ms < 1 ms <= 128 calls = 1.28 ms
    assert r.stats.median == pytest.approx(1e-5)
    r = benchmark(fn, warmup=0, repeats=2, min_time=0.03)
    assert len(r.stats.samples) == 24  # 24 samples of 1.28 ms are the first to reach 30 ms


def test_benchmark_rejects_bad_arguments():
    with pytest.raises(TypeError, match="expects a callable, got int"):
        benchmark(3)
    with pytest.raises(ValueError, match="repeats must be an int >= 1, got 0"):
        benchmark(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="min_time must be a finite"):
        benchmark(lambda: None, min_time=float("nan"))
    with pytest.raises(ValueError, match="number must be an int >= 1"):
        benchmark(lambda: None, number=0)


def test_compare_interleaves_abba_and_reports_the_median_ratio():
    log = []
    c = compare(lambda: log.append("a"), lambda: log.append("b"), warmup=1, repeats=4, number=1)
    assert "".join(log) == "ab" + "ab" + "ba" + "ab" + "ba"  # warm-up, then ABBA rounds
    assert c.ratio == pytest.approx(np.median(np.array(c.candidate.stats.samples) /
                                              np.array(c.baseline.stats.samples)))
    assert c.speedup == pytest.approx(1 / c.ratio)
    assert c.to_dict()["significant"] == c.significant
    with pytest.raises(TypeError, match="candidate must be callable"):
        compare(lambda: None, None)
