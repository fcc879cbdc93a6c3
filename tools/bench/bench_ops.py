"""Per-op framework overhead: microseconds per call for small ops, against NumPy and PyTorch.

On a (16, 16) float32 input the arithmetic takes well under a microsecond, so what is measured is
the cost of the framework around it: argument checks, dtype rules, wrapping the result, and (with
``requires_grad``) recording the graph node. Every column is measured in the same process with
``timeit`` (best of ``--repeat`` runs, each long enough to be timed reliably); PyTorch runs
single-threaded and its columns are left out when it is not installed.

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

try:
    from tinytorch.activations import relu as tt_relu
except ImportError:  # module 02 not installed: the relu row is skipped
    tt_relu = None

try:
    import torch
except ImportError:
    torch = None


def best_us(fn, repeat, min_time=0.02):
    """Best time per call of ``fn()`` in microseconds (``timeit``, best of ``repeat`` runs)."""
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < min_time:  # grow the loop until one run takes min_time
        number *= 4
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def cases(size):
    """(name, numpy fn, ours fn(inputs), torch fn(inputs)) for each benchmarked op."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(np.float32)
    b = rng.standard_normal((size, size)).astype(np.float32)
    rows = [
        ("a + b", lambda: a + b, lambda x, y: x + y),
        ("a * b", lambda: a * b, lambda x, y: x * y),
        ("a @ b", lambda: a @ b, lambda x, y: x @ y),
        ("a.sum()", lambda: a.sum(), lambda x, y: x.sum()),
    ]
    if tt_relu is not None:
        rows.append(("relu(a)", lambda: np.maximum(a, 0), "relu"))
    return a, b, rows


def run(size, repeat):
    """Measure every op; returns a list of dicts of microseconds per call (None: not measured)."""
    a, b, rows = cases(size)
    ours = {False: (Tensor(a), Tensor(b)),
            True: (Tensor(a, requires_grad=True), Tensor(b, requires_grad=True))}
    if torch is not None:
        torch.set_num_threads(1)
        theirs = {grad: (torch.from_numpy(a.copy()).requires_grad_(grad),
                         torch.from_numpy(b.copy()).requires_grad_(grad)) for grad in (False, True)}
    results = []
    for name, np_fn, op in rows:
        ours_op = (lambda x, y: tt_relu(x)) if op == "relu" else op
        torch_op = (lambda x, y: torch.relu(x)) if op == "relu" else op
        row = {"op": name, "numpy": best_us(np_fn, repeat)}
        for grad in (False, True):
            x, y = ours[grad]
            row[f"ours{'_grad' if grad else ''}"] = best_us(lambda: ours_op(x, y), repeat)
            if torch is not None:
                tx, ty = theirs[grad]
                row[f"torch{'_grad' if grad else ''}"] = best_us(lambda: torch_op(tx, ty), repeat)
        results.append(row)
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
    parser.add_argument("--repeat", type=int, default=7, help="timeit repeats; the best is kept")
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
