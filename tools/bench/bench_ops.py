"""Per-op framework overhead: microseconds per call for small ops, against NumPy and PyTorch.

On a (16, 16) float32 input the arithmetic takes well under a microsecond, so what is measured is
the cost of the framework around it: argument checks, dtype rules, wrapping the result, and (with
``requires_grad``) recording the graph node. Every column is measured in the same process with
``timeit``: the columns of a row take turns for ``--repeat`` rounds (so they see the same machine
load) and the best run of each is kept. PyTorch runs single-threaded; its columns are left out
when it is not installed.

Run from the repo root: ``python tools/bench/bench_ops.py`` (or ``tox -e bench``);
``--markdown`` prints the table for docs/performance.md. The target (DESIGN §8): ours within 2x
of raw NumPy and no slower than PyTorch per op. Never used as a CI gate.
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor import linear as tt_linear

try:
    from tinytorch.activations import relu as tt_relu
except ImportError:  # module 02 not installed: the relu row is skipped
    tt_relu = None

try:
    import torch
except ImportError:
    torch = None


def calibrate(fn, min_time=0.01):
    """A ``timeit`` timer for ``fn()`` and a loop count that makes one run take ``min_time``."""
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < min_time:
        number *= 4
    return timer, number


def best_us(fns, repeat):
    """Best time per call in microseconds of each ``fns[key]()``.

    The timers take turns, one run each per round, so that every column sees the same machine
    load over time (a fair comparison on a shared box); the minimum over rounds is kept.
    """
    timers = {key: calibrate(fn) for key, fn in fns.items()}
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for key, (timer, number) in timers.items():
            best[key] = min(best[key], timer.timeit(number) / number * 1e6)
    return best


def cases():
    """(name, {library: factory(x, y) -> zero-argument callable}) for each benchmarked op.

    Every callable is a single lambda around the op, so each column pays the same Python call.
    """
    same = ("numpy", "ours", "torch")  # the same expression works on all three array types
    rows = [
        ("a + b", dict.fromkeys(same, lambda x, y: (lambda: x + y))),
        ("a * b", dict.fromkeys(same, lambda x, y: (lambda: x * y))),
        ("a @ b", dict.fromkeys(same, lambda x, y: (lambda: x @ y))),
        ("a.sum()", dict.fromkeys(same, lambda x, y: (lambda: x.sum()))),
        ("a.exp()", {
            "numpy": lambda x, y: (lambda: np.exp(x)),
            "ours": lambda x, y: (lambda: x.exp()),
            "torch": lambda x, y: (lambda: x.exp()),
        }),
        ("a.reshape(-1)", dict.fromkeys(same, lambda x, y: (lambda: x.reshape(-1)))),
        ("a * 2.0", dict.fromkeys(same, lambda x, y: (lambda: x * 2.0))),
        ("linear(a, b)", {
            "numpy": lambda x, y: (lambda: x @ y.T),
            "ours": lambda x, y: (lambda: tt_linear(x, y)),
            "torch": lambda x, y: (lambda: torch.nn.functional.linear(x, y)),
        }),
    ]
    if tt_relu is not None:
        rows.append(("relu(a)", {
            "numpy": lambda x, y: (lambda: np.maximum(x, 0)),
            "ours": lambda x, y: (lambda: tt_relu(x)),
            "torch": lambda x, y: (lambda: torch.relu(x)),
        }))
    return rows


def run(size, repeat):
    """Measure every op; returns one dict per op of microseconds per call."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(np.float32)
    b = rng.standard_normal((size, size)).astype(np.float32)
    inputs = {"numpy": (a, b)}
    for grad, suffix in ((False, ""), (True, "_grad")):
        inputs["ours" + suffix] = (Tensor(a, requires_grad=grad), Tensor(b, requires_grad=grad))
        if torch is not None:
            inputs["torch" + suffix] = (torch.from_numpy(a.copy()).requires_grad_(grad),
                                        torch.from_numpy(b.copy()).requires_grad_(grad))
    if torch is not None:
        torch.set_num_threads(1)
    results = []
    for name, factories in cases():
        fns = {column: factories[column.removesuffix("_grad")](*xy)
               for column, xy in inputs.items()}
        results.append({"op": name, **best_us(fns, repeat)})
    return results


COLUMNS = [
    ("op", "op", "{}"),
    ("numpy", "NumPy µs", "{:.2f}"),
    ("ours", "ours µs", "{:.2f}"),
    ("ours_grad", "ours+grad µs", "{:.2f}"),
    ("torch", "torch µs", "{:.2f}"),
    ("torch_grad", "torch+grad µs", "{:.2f}"),
    ("ours/numpy", "ours/NumPy", "{:.1f}x"),
    ("ours/torch", "ours/torch", "{:.2f}x"),
    ("grad/torch", "ours+grad/torch+grad", "{:.2f}x"),
]


def with_ratios(results):
    for row in results:
        row["ours/numpy"] = row["ours"] / row["numpy"]
        if "torch" in row:
            row["ours/torch"] = row["ours"] / row["torch"]
            row["grad/torch"] = row["ours_grad"] / row["torch_grad"]
    return results


def format_table(results, markdown=False):
    cols = [c for c in COLUMNS if any(c[0] in r for r in results)]
    cells = [[c[1] for c in cols]] + [
        [c[2].format(r[c[0]]) if c[0] in r else "-" for c in cols] for r in results
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in cells]
        lines.insert(1, "|" + "|".join("---" for _ in cols) + "|")
        return "\n".join(lines)
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="per-op overhead of TinyTorch vs NumPy and PyTorch")
    parser.add_argument("--size", type=int, default=16, help="inputs are (size, size) float32")
    parser.add_argument("--repeat", type=int, default=15,
                        help="timing rounds; the best per column is kept")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    if args.size < 1 or args.repeat < 1:
        parser.error(f"--size and --repeat must be >= 1, got {args.size} and {args.repeat}")

    results = with_ratios(run(args.size, args.repeat))
    versions = f"NumPy {np.__version__}, Python {platform.python_version()}"
    versions += f", PyTorch {torch.__version__} (1 thread)" if torch is not None else \
        ", PyTorch not installed (torch columns left out)"
    print(f"per-call time, ({args.size}, {args.size}) float32, best of {args.repeat}; {versions}")
    if tt_relu is None:
        print("relu left out: tinytorch-activations is not installed")
    print(format_table(results, markdown=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
