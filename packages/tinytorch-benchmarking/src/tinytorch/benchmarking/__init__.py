"""TinyTorch module 19: benchmarking.

Methodology as much as measurement: warm-up, calibrated repeats, medians with IQR and bootstrap
confidence intervals, paired interleaved comparisons with noise warnings, reports (rich table,
JSON, PNG), and the optimization-olympics harness: tasks, submissions, constraints, a leaderboard.
"""

from importlib.metadata import PackageNotFoundError, version

from .olympics import (
    CATEGORIES, SCHEMA, Constraints, Leaderboard, Submission, Task, classification_task, evaluate,
    mnist_task, next_token_task, validate_entry,
)
from .report import format_seconds, have_matplotlib, plot_results, results_json, results_table, save_json
from .timing import BenchmarkResult, Comparison, Stats, benchmark, bootstrap_ci, compare

try:
    __version__ = version("tinytorch-benchmarking")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "benchmark", "compare", "bootstrap_ci", "Stats", "BenchmarkResult", "Comparison",
    "results_table", "results_json", "save_json", "plot_results", "have_matplotlib", "format_seconds",
    "SCHEMA", "CATEGORIES", "Constraints", "Task", "Submission", "classification_task",
    "next_token_task", "mnist_task", "evaluate", "validate_entry", "Leaderboard",
]
