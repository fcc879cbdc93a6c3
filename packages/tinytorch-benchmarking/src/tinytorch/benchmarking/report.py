"""Reports of benchmark results: a rich table, JSON (written atomically) and a PNG plot."""

import json
import os

from tinytorch.profiling import atomic_write, atomic_write_text

from .timing import BenchmarkResult, Comparison

__all__ = ["results_table", "results_json", "save_json", "plot_results", "have_matplotlib", "format_seconds"]


def format_seconds(seconds):
    """``0.000123 -> '123 us'``: seconds with a readable unit."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _check(results):
    if isinstance(results, (BenchmarkResult, Comparison)):
        results = [results]
    results = list(results)
    for r in results:
        if not isinstance(r, (BenchmarkResult, Comparison)):
            raise TypeError(f"expected BenchmarkResult or Comparison objects, got {type(r).__name__}")
    return results


def results_table(results, title="Benchmark"):
    """A ``rich.table.Table``: one row per result (comparisons give both sides and the ratio)."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("name", "median", "IQR", "95% CI of median", "p90", "calls x samples", "vs baseline", "notes"):
        table.add_column(column, justify="left" if column in ("name", "notes") else "right")

    def row(r, versus=""):
        s = r.stats
        table.add_row(r.name, format_seconds(s.median), format_seconds(s.iqr),
                      f"{format_seconds(s.ci_low)} - {format_seconds(s.ci_high)}", format_seconds(s.p90),
                      f"{r.number} x {len(s.samples)}", versus, "; ".join(r.warnings))

    for r in _check(results):
        if isinstance(r, Comparison):
            row(r.baseline, "1.00x")
            lo, hi = r.ci
            row(r.candidate, f"{r.ratio:.3f}x [{lo:.3f}, {hi:.3f}]")
        else:
            row(r)
    return table


def results_json(results):
    """The results as JSON-ready dicts (``to_dict`` of each)."""
    return [r.to_dict() for r in _check(results)]


def save_json(results, path):
    """Write :func:`results_json` to ``path`` atomically (temp file + ``os.replace``)."""
    atomic_write_text(path, json.dumps(results_json(results), indent=2) + "\n")


def have_matplotlib():
    """Whether :func:`plot_results` can run here."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def plot_results(results, path, title="Benchmark"):
    """Box plot of every result's samples (ms per call) saved as a PNG, written atomically.

    Raises ``ImportError`` naming the missing package when matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plot_results needs matplotlib (pip install matplotlib)") from exc
    flat = []
    for r in _check(results):
        flat += [r.baseline, r.candidate] if isinstance(r, Comparison) else [r]
    if not flat:
        raise ValueError("plot_results: no results to plot")
    fig, ax = plt.subplots(figsize=(max(4, 1.4 * len(flat)), 3.5))
    try:
        ax.boxplot([[t * 1e3 for t in r.stats.samples] for r in flat], showfliers=True)
        ax.set_xticks(range(1, len(flat) + 1), [r.name for r in flat], rotation=20, ha="right")
        ax.set_ylabel("ms per call")
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        path = os.fspath(path)
        atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))
    finally:
        plt.close(fig)
    return path
