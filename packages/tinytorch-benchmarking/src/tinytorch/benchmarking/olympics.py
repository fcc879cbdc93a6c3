"""The optimization olympics: tasks, submissions, measured metrics, constraints, a leaderboard.

A :class:`Task` is a held-out data set plus a metric and :class:`Constraints` (TinyMLPerf-style:
e.g. a model of at most 10 MB answering a batch in under 100 ms). A :class:`Submission` is a model
(any ``Module`` or callable returning logits) with a name and the techniques it used.
:func:`evaluate` measures everything on the real object: accuracy on the held-out set, latency
p50 / p90 of one batch (module 19's :func:`benchmark`), model bytes (the arrays of its state dict,
or the measured size of its saved file), peak memory of one batch (``tracemalloc``, which NumPy
reports its buffers to), and for generation tasks tokens per second. The result is a JSON entry
(schema ``tinytorch-olympics/1``) that a :class:`Leaderboard` file keeps, ranked per category.

Tasks are pluggable: :func:`classification_task` and :func:`next_token_task` wrap any held-out
arrays; :func:`mnist_task` builds the MNIST ones from the verified data set.
"""

import json
import os
import platform
import time
import tracemalloc
from dataclasses import asdict, dataclass, field

import numpy as np

from tinytorch.layers import Module
from tinytorch.profiling import atomic_write_text, count_parameters
from tinytorch.tensor import Tensor, no_grad

from .timing import benchmark

__all__ = [
    "SCHEMA", "CATEGORIES", "Constraints", "Task", "Submission", "classification_task", "next_token_task",
    "mnist_task", "evaluate", "validate_entry", "Leaderboard",
]

SCHEMA = "tinytorch-olympics/1"
# category -> (metric, higher is better)
CATEGORIES = {
    "accuracy": ("accuracy", True),
    "speed": ("latency_p50_ms", False),
    "size": ("model_bytes", False),
    "accuracy_per_mb": ("accuracy_per_mb", True),
}
_METRICS = ("accuracy", "latency_p50_ms", "latency_p90_ms", "model_bytes", "peak_memory_bytes",
            "accuracy_per_mb", "parameters", "tokens_per_second")


@dataclass
class Constraints:
    """Limits a valid entry must meet; ``None`` switches a limit off."""

    max_model_bytes: int = 10_000_000
    max_latency_ms: float = 100.0
    min_accuracy: float = None

    def __post_init__(self):
        limits = (("max_model_bytes", lambda v: v >= 1, "a number >= 1"),
                  ("max_latency_ms", lambda v: v > 0, "a number > 0"),
                  ("min_accuracy", lambda v: True, "a number"))
        for name, allowed, expected in limits:
            value = getattr(self, name)
            if value is None:
                continue
            is_number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            if not (is_number and np.isfinite(value) and allowed(value)):
                raise ValueError(f"Constraints: {name} must be None or a finite {expected}, got {value!r}")

    def violations(self, metrics):
        """Plain-language list of the limits ``metrics`` break (empty when valid)."""
        out = []
        if self.max_model_bytes is not None and metrics["model_bytes"] > self.max_model_bytes:
            out.append(f"model is {metrics['model_bytes']:,} bytes > {self.max_model_bytes:,}")
        if self.max_latency_ms is not None and metrics["latency_p50_ms"] >= self.max_latency_ms:
            out.append(f"latency p50 {metrics['latency_p50_ms']:.2f} ms >= {self.max_latency_ms} ms per batch")
        if self.min_accuracy is not None and metrics["accuracy"] < self.min_accuracy:
            out.append(f"accuracy {metrics['accuracy']:.2f}% < {self.min_accuracy}%")
        return out


@dataclass
class Task:
    """A held-out evaluation set: ``inputs[i]`` should be classified as ``targets[i]``.

    For next-token tasks ``inputs`` are ``(N, T)`` token windows and ``targets`` the ``(N, T)``
    next tokens; ``prompts`` and ``max_new_tokens`` add a generation benchmark.
    """

    name: str
    inputs: np.ndarray = field(repr=False)
    targets: np.ndarray = field(repr=False)
    batch_size: int = 64
    constraints: Constraints = field(default_factory=Constraints)
    description: str = ""
    prompts: np.ndarray = field(default=None, repr=False)
    max_new_tokens: int = 0

    def __post_init__(self):
        if len(self.inputs) != len(self.targets) or len(self.targets) == 0:
            raise ValueError(f"Task {self.name!r}: need as many targets as inputs (got {len(self.inputs)} "
                             f"inputs, {len(self.targets)} targets), and at least one")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"Task {self.name!r}: batch_size must be a positive int, got {self.batch_size!r}")

    def batch(self):
        """The batch latency and memory are measured on: the first ``batch_size`` inputs."""
        return self.inputs[:self.batch_size]

    def accuracy(self, predict):
        """Percent of targets equal to the argmax of ``predict(inputs)`` over the last dim."""
        correct = 0
        for i in range(0, len(self.targets), 500):
            logits = predict(self.inputs[i:i + 500])
            correct += int((logits.argmax(axis=-1) == self.targets[i:i + 500]).sum())
        return 100.0 * correct / self.targets.size


def classification_task(name, inputs, targets, batch_size=64, constraints=None, description=""):
    """A task classifying ``inputs`` (float32) into integer ``targets``."""
    return Task(name, np.asarray(inputs, np.float32), np.asarray(targets, np.int64), batch_size,
                constraints or Constraints(), description)


def next_token_task(name, tokens, block_size, batch_size=8, constraints=None, windows=None,
                    prompt_length=None, max_new_tokens=32, description=""):
    """A language task: next-token accuracy on windows of held-out ``tokens``, plus generation.

    Args:
        tokens: 1-d int array of held-out token ids.
        block_size: window length T.
        windows: how many non-overlapping windows to score (default: all that fit).
        prompt_length, max_new_tokens: the generation benchmark (``batch_size`` prompts of
            ``prompt_length`` tokens, default ``min(8, block_size)``).
    """
    if prompt_length is None and isinstance(block_size, (int, np.integer)):
        prompt_length = min(8, block_size)
    for arg, value, lowest in (("block_size", block_size, 1), ("prompt_length", prompt_length, 1),
                               ("max_new_tokens", max_new_tokens, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lowest:
            raise ValueError(f"next_token_task: {arg} must be an int >= {lowest}, got {value!r}")
    if prompt_length > block_size:
        raise ValueError(f"next_token_task: prompt_length {prompt_length} exceeds block_size {block_size}")
    tokens = np.asarray(tokens, np.int64)
    if tokens.ndim != 1:
        raise ValueError(f"next_token_task: tokens must be a 1-d sequence of ids, got shape {tokens.shape}")
    n = (len(tokens) - 1) // block_size
    if windows is not None:
        n = min(n, windows)
    if n < 1:
        raise ValueError(f"next_token_task: {len(tokens)} tokens do not fill one window of {block_size} + 1")
    starts = np.arange(n) * block_size
    idx = starts[:, None] + np.arange(block_size)  # (N, T)
    return Task(name, tokens[idx], tokens[idx + 1], batch_size, constraints or Constraints(), description,
                prompts=tokens[idx[:batch_size, :prompt_length]], max_new_tokens=int(max_new_tokens))


def mnist_task(model_kind="cnn", root=None, batch_size=64, constraints=None):
    """The MNIST test set (10,000 images, ``(N, 1, 28, 28)`` in [0, 1]) as task ``mnist-<kind>``."""
    from tinytorch.data import MNIST

    if model_kind not in ("mlp", "cnn"):
        raise ValueError(f"mnist_task: model_kind must be 'mlp' or 'cnn', got {model_kind!r}")
    test = MNIST(root=root, train=False)
    x = test.data[:, None].astype(np.float32) / 255.0
    return classification_task(f"mnist-{model_kind}", x, test.targets, batch_size, constraints,
                               "MNIST test set, 10,000 held-out images")


@dataclass
class Submission:
    """An entry: a model for a task, who made it and how.

    ``model`` is a ``Module`` or a callable mapping an input batch (ndarray) to logits; a
    ``(logits, loss)`` tuple (a GPT's forward) is fine. ``model_bytes`` defaults to the bytes of
    the model's state-dict arrays; pass the measured size of its saved file instead when the
    submission is judged on that. ``generate(prompts, max_new_tokens)`` is used by generation tasks.
    """

    name: str
    model: object
    author: str = "anonymous"
    techniques: list = field(default_factory=list)
    model_bytes: int = None
    generate: object = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"Submission: name must be a non-empty str, got {self.name!r}")
        if isinstance(self.techniques, str) or not all(isinstance(t, str) for t in self.techniques):
            raise TypeError(f"Submission {self.name!r}: techniques must be a list of str, got {self.techniques!r}")
        self.techniques = list(self.techniques)
        mb = self.model_bytes
        if mb is not None and (isinstance(mb, bool) or not isinstance(mb, (int, np.integer)) or mb < 0):
            raise ValueError(f"Submission {self.name!r}: model_bytes must be None or an int >= 0, got {mb!r}")
        if self.generate is not None and not callable(self.generate):
            raise TypeError(f"Submission {self.name!r}: generate must be callable, got {type(self.generate).__name__}")


def _predictor(model):
    def predict(x):
        with no_grad():
            out = model(Tensor(x))
        if isinstance(out, tuple):
            out = out[0]
        return out.data if isinstance(out, Tensor) else np.asarray(out)
    return predict


def _peak_bytes(fn):
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was:
            tracemalloc.stop()
    return max(peak - start, 0)


def evaluate(submission, task, warmup=2, repeats=15):
    """Measure ``submission`` on ``task``; returns a leaderboard entry (a JSON-ready dict)."""
    if not isinstance(submission, Submission):
        raise TypeError(f"evaluate expects a Submission, got {type(submission).__name__}")
    if not callable(submission.model):
        raise TypeError(f"submission {submission.name!r}: model must be callable")
    predict = _predictor(submission.model)
    batch = task.batch()
    latency = benchmark(lambda: predict(batch), warmup=warmup, repeats=repeats, number=1)
    is_module = isinstance(submission.model, Module)
    if submission.model_bytes is not None:
        nbytes = int(submission.model_bytes)
    elif is_module:
        nbytes = sum(a.nbytes for a in submission.model.state_dict().values())
    else:
        raise ValueError(f"submission {submission.name!r}: give model_bytes for a model that is not a Module")
    accuracy = task.accuracy(predict)
    metrics = {
        "accuracy": accuracy,
        "latency_p50_ms": latency.stats.median * 1e3,
        "latency_p90_ms": latency.stats.p90 * 1e3,
        "model_bytes": nbytes,
        "peak_memory_bytes": _peak_bytes(lambda: predict(batch)),
        "accuracy_per_mb": accuracy / (nbytes / 1e6) if nbytes else 0.0,
        "parameters": count_parameters(submission.model) if is_module else None,
        "tokens_per_second": None,
    }
    if task.prompts is not None and task.max_new_tokens and submission.generate is not None:
        gen = benchmark(lambda: submission.generate(task.prompts, task.max_new_tokens),
                        warmup=1, repeats=max(3, repeats // 5), number=1)
        metrics["tokens_per_second"] = task.prompts.shape[0] * task.max_new_tokens / gen.stats.median
    violations = task.constraints.violations(metrics)
    return {
        "schema": SCHEMA, "task": task.name, "submission": submission.name, "author": submission.author,
        "techniques": list(submission.techniques), "metrics": metrics,
        "constraints": asdict(task.constraints), "violations": violations, "valid": not violations,
        "latency_warnings": latency.warnings, "batch_size": task.batch_size,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "environment": {"python": platform.python_version(), "numpy": np.__version__,
                        "machine": platform.machine()},
    }


def validate_entry(entry):
    """Raise ``ValueError`` naming the first problem when ``entry`` is not a valid result."""
    if not isinstance(entry, dict):
        raise ValueError(f"an entry must be a JSON object, got {type(entry).__name__}")
    if entry.get("schema") != SCHEMA:
        raise ValueError(f"entry schema {entry.get('schema')!r}, expected {SCHEMA!r}")
    for key, kind in (("task", str), ("submission", str), ("metrics", dict), ("valid", bool),
                      ("violations", list)):
        if not isinstance(entry.get(key), kind):
            raise ValueError(f"entry field {key!r} must be a {kind.__name__}, got {entry.get(key)!r}")
    for metric in _METRICS:
        value = entry["metrics"].get(metric)
        if metric not in entry["metrics"] or not (value is None or isinstance(value, (int, float))):
            raise ValueError(f"entry {entry['submission']!r}: metric {metric!r} missing or not a number")
    return entry


class Leaderboard:
    """A local leaderboard file (JSON), written atomically, ranked per task and category.

    Loading is all-or-nothing: a file that is not a valid leaderboard raises ``ValueError`` and
    is never overwritten. Adding an entry replaces an older one with the same task and name.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.entries = []
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                try:
                    data = json.load(f)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{self.path}: not a leaderboard file ({exc})") from None
            if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("entries"), list):
                raise ValueError(f"{self.path}: not a {SCHEMA} leaderboard")
            try:
                self.entries = [validate_entry(e) for e in data["entries"]]
            except ValueError as exc:
                raise ValueError(f"{self.path}: {exc}") from None

    def add(self, entry):
        """Validate, insert (replacing the same task + submission) and save atomically."""
        validate_entry(entry)
        self.entries = [e for e in self.entries
                        if (e["task"], e["submission"]) != (entry["task"], entry["submission"])]
        self.entries.append(entry)
        atomic_write_text(self.path, json.dumps({"schema": SCHEMA, "entries": self.entries}, indent=2) + "\n")

    def tasks(self):
        return sorted({e["task"] for e in self.entries})

    def ranking(self, task, category):
        """Valid entries of ``task`` best first in ``category`` (ties keep insertion order)."""
        if category not in CATEGORIES:
            raise ValueError(f"category must be one of {sorted(CATEGORIES)}, got {category!r}")
        metric, higher = CATEGORIES[category]
        valid = [e for e in self.entries if e["task"] == task and e["valid"]]
        return sorted(valid, key=lambda e: -e["metrics"][metric] if higher else e["metrics"][metric])

    def winners(self, task):
        """``{category: submission name}`` for ``task`` (categories without valid entries left out)."""
        winners = {}
        for category in CATEGORIES:
            ranked = self.ranking(task, category)
            if ranked:
                winners[category] = ranked[0]["submission"]
        return winners

    def table(self, task):
        """A ``rich.table.Table`` of every entry of ``task`` with its rank in each category."""
        from rich.table import Table

        ranks = {c: {e["submission"]: i + 1 for i, e in enumerate(self.ranking(task, c))} for c in CATEGORIES}
        table = Table(title=f"Olympics leaderboard: {task}",
                      caption="ranks: accuracy, speed, size, accuracy per MB (valid entries only)")
        for column in ("submission", "acc %", "p50 ms", "p90 ms", "bytes", "peak B", "acc/MB", "ranks",
                       "status"):
            table.add_column(column, justify="left" if column in ("submission", "status") else "right")
        entries = sorted((e for e in self.entries if e["task"] == task),
                         key=lambda e: ranks["accuracy"].get(e["submission"], 10**9))
        for e in entries:
            m = e["metrics"]
            places = " ".join(str(ranks[c].get(e["submission"], "-")) for c in CATEGORIES)
            table.add_row(
                e["submission"], f"{m['accuracy']:.2f}", f"{m['latency_p50_ms']:.2f}", f"{m['latency_p90_ms']:.2f}",
                f"{m['model_bytes']:,}", f"{m['peak_memory_bytes']:,}", f"{m['accuracy_per_mb']:.1f}", places,
                "valid" if e["valid"] else "; ".join(e["violations"]),
            )
        return table
