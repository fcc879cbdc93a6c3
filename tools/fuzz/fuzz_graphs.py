"""Seeded random-graph gradient fuzzer: TinyTorch against PyTorch 2.13, in float64.

Each graph starts from one or two float64 leaves of random small shapes (0 to 3 dims, sizes
0 to 4), applies a few random ops from :mod:`fuzz_catalogue` (every public differentiable op of
modules 01-04), and runs each op on both libraries with the same values. It then checks

1. every forward result: shape, dtype and values (``rtol=1e-7``, NaNs equal);
2. that TinyTorch raises exactly where torch does (a crash on valid input is a failure);
3. the leaves' gradients after ``backward`` from the last node with a random upstream gradient;
4. the leaves' gradients after a second ``backward`` from a random node with a new upstream
   gradient (accumulation into ``.grad``).

The first problem ends a graph and is reported with a reproducer: the exact leaf values and the
ops, as Python lines that run on either library. Usage::

    python tools/fuzz/fuzz_graphs.py --graphs 10000 --seed 0
"""

import argparse
import sys
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_catalogue import OPS  # noqa: E402
from sides import MISSING, OURS, THEIRS, dtype_name, ours_tensor, their_tensor, to_numpy  # noqa: E402

RTOL, ATOL = 1e-7, 1e-9


class Pair:
    """One graph node: the TinyTorch and the torch tensor that should hold the same values."""

    __slots__ = ("ours", "theirs", "name")

    def __init__(self, ours, theirs, name):
        self.ours, self.theirs, self.name = ours, theirs, name

    @property
    def shape(self):
        return tuple(self.ours.shape)


@dataclass
class Problem:
    kind: str  # "crash", "raises", "accepts", "forward", "grad", "grad-accumulate"
    op: str
    message: str
    reproducer: str

    def key(self):
        """What makes two problems the same bug: the exception and where it was raised for a
        crash (whatever op came before), the op and kind of check otherwise."""
        if self.kind == "crash":
            first = self.message.splitlines()[0]
            where = first[first.rfind(" (at "):] if " (at " in first else first[:200]
            return (self.kind, "backward" if self.op.startswith("backward") else self.op,
                    first.split(":", 1)[0], where)
        if self.kind in ("accepts", "torch-backward"):
            return (self.kind, self.op, self.message.splitlines()[0][:200])
        return (self.kind, self.op)

    def __str__(self):
        return f"[{self.kind}] {self.op}: {self.message}\n--- reproducer ---\n{self.reproducer}"


@dataclass
class Report:
    seed: int
    ops: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skipped: int = 0  # op draws both libraries refused (the generator's invalid arguments)


def _random_shape(rng):
    nd = int(rng.choice([0, 1, 2, 2, 3, 3]))
    return tuple(int(n) for n in rng.choice([0, 1, 2, 3, 4], size=nd, p=[0.04, 0.2, 0.3, 0.26, 0.2]))


class Graph:
    """The state of one random graph: its nodes (``pool``), leaves and reproducer lines."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.pool, self.leaves, self.lines = [], [], []
        self._count = 0

    def _name(self, prefix):
        self._count += 1
        return f"{prefix}{self._count}"

    def leaf(self, shape):
        values = self.rng.standard_normal(shape)
        p = Pair(ours_tensor(values, True), their_tensor(values, True), self._name("x"))
        self.leaves.append(p)
        self.lines.append(f"{p.name} = leaf({values.tolist()!r})")
        return p

    def const(self, array):
        array = np.asarray(array)
        p = Pair(ours_tensor(array), their_tensor(array), self._name("c"))
        self.lines.append(f"{p.name} = tensor({array.tolist()!r})  # {array.dtype}")
        return p

    def partner(self, shape):
        """A node broadcast-compatible with ``shape``: an existing one (fan-in) or a new leaf."""
        fits = [p for p in self.pool if _broadcastable(p.shape, shape)]
        if fits and self.rng.random() < 0.5:
            return fits[int(self.rng.integers(len(fits)))]
        other = [1 if self.rng.random() < 0.25 else n for n in shape]
        r = self.rng.random()
        if other and r < 0.2:
            other = other[int(self.rng.integers(1, len(other) + 1)):]
        elif r < 0.3 and len(other) < 4:
            other = [int(self.rng.integers(1, 3))] + other
        return self.leaf(tuple(other))

    def partner_exact(self, shape):
        fits = [p for p in self.pool if p.shape == tuple(shape)]
        if fits and self.rng.random() < 0.5:
            return fits[int(self.rng.integers(len(fits)))]
        return self.leaf(tuple(shape))

    def pick(self):
        """A node to apply the next op to, most often one of the latest (deep chains)."""
        if self.rng.random() < 0.7:
            return self.pool[-1 - int(self.rng.integers(min(3, len(self.pool))))]
        return self.pool[int(self.rng.integers(len(self.pool)))]


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def compare(ours, theirs):
    """None when the two results agree (shape, dtype, values), else what differs."""
    if tuple(ours.shape) != tuple(theirs.shape):
        return f"shape {tuple(ours.shape)} vs torch {tuple(theirs.shape)}"
    if dtype_name(ours) != dtype_name(theirs):
        return f"dtype {dtype_name(ours)} vs torch {dtype_name(theirs)}"
    a, b = to_numpy(ours), to_numpy(theirs)
    try:
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
    except AssertionError as e:
        return "values differ:" + str(e).split("Mismatched", 1)[-1][:600]
    return None


def _grad_problem(graph):
    for leaf in graph.leaves:
        ours, theirs = leaf.ours.grad, leaf.theirs.grad
        if ours is None and theirs is None:
            continue
        if ours is None or theirs is None:
            present = ours if ours is not None else theirs
            if not np.any(to_numpy(present)):
                continue  # a zero gradient and no gradient mean the same
            return f"{leaf.name}.grad is {'None' if ours is None else 'set'} in ours, " \
                   f"{'None' if theirs is None else 'set'} in torch"
        diff = compare(ours, theirs)
        if diff:
            return f"{leaf.name}.grad: {diff}"
    return None


def _short(exc):
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno} in {tb[-1].name})" if tb else ""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}{where}"


def run_graph(seed, max_ops=7):
    """Build, run and check one random graph; returns a :class:`Report`."""
    g = Graph(seed)
    report = Report(seed)
    for _ in range(int(g.rng.integers(1, 3))):
        g.pool.append(g.leaf(_random_shape(g.rng)))
    names = sorted(OPS)
    weights = np.array([OPS[n][1] for n in names])
    weights = weights / weights.sum()
    results = []
    for _ in range(int(g.rng.integers(2, max_ops + 1))):
        x = g.pick()
        name = str(g.rng.choice(names, p=weights))
        call = OPS[name][0](g, x)
        if call is None:
            continue
        text = call.text.format(*[a.name if isinstance(a, Pair) else repr(a) for a in call.args])
        ours_args = [a.ours if isinstance(a, Pair) else a for a in call.args]
        their_args = [a.theirs if isinstance(a, Pair) else a for a in call.args]
        their_exc = our_exc = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                theirs = call.fn(THEIRS, *their_args)
            except Exception as e:  # noqa: BLE001
                their_exc = e
            try:
                ours = call.fn(OURS, *ours_args)
            except Exception as e:  # noqa: BLE001
                our_exc = e
        line = f"y = {text}"
        if their_exc is not None:
            if our_exc is None:
                report.problems.append(Problem("accepts", name, f"torch raises {_short(their_exc)}; ours returns a result",
                                               "\n".join(g.lines + [line])))
                return report
            report.skipped += 1
            continue
        report.ops.append(name)
        if our_exc is not None:
            report.problems.append(Problem("crash", name, _short(our_exc), "\n".join(g.lines + [line])))
            return report
        diff = compare(ours, theirs)
        if diff:
            report.problems.append(Problem("forward", name, diff, "\n".join(g.lines + [line])))
            return report
        node = Pair(ours, theirs, g._name("t"))
        g.lines.append(f"{node.name} = {text}")
        results.append(node)
        if ours.dtype.kind == "f" and ours.requires_grad:
            g.pool.append(node)
    differentiable = [p for p in results if p.ours.requires_grad and p.theirs.requires_grad]
    if not differentiable:
        return report
    for step, out in enumerate([differentiable[-1], differentiable[int(g.rng.integers(len(differentiable)))]]):
        upstream = g.rng.standard_normal(out.shape)
        line = f"{out.name}.backward({upstream.tolist()!r})"
        kind = "grad" if step == 0 else "grad-accumulate"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.theirs.backward(their_tensor(upstream), retain_graph=True)
            except Exception as e:  # noqa: BLE001
                report.problems.append(Problem("torch-backward", "backward", _short(e), "\n".join(g.lines + [line])))
                return report
            try:
                out.ours.backward(ours_tensor(upstream))
            except Exception as e:  # noqa: BLE001
                report.problems.append(Problem("crash", f"backward after {report.ops[-1]}", _short(e),
                                               "\n".join(g.lines + [line])))
                return report
        g.lines.append(line)
        diff = _grad_problem(g)
        if diff:
            last = report.ops[-1] if report.ops else "?"
            report.problems.append(Problem(kind, f"graph ending in {last}", diff, "\n".join(g.lines)))
            return report
    return report


def run(seeds, max_ops=7):
    """Run one graph per seed; returns (reports, op counts)."""
    reports = [run_graph(s, max_ops) for s in seeds]
    counts = Counter(op for r in reports for op in r.ops)
    return reports, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graphs", type=int, default=300, help="number of random graphs (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; graph i uses seed + i")
    parser.add_argument("--max-ops", type=int, default=7, help="most ops per graph (default 7)")
    parser.add_argument("--show", type=int, default=5, help="distinct problems to print in full")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reports, counts = run(range(args.seed, args.seed + args.graphs), args.max_ops)
    seconds = time.perf_counter() - start
    problems = [(r.seed, p) for r in reports for p in r.problems]
    kinds = Counter(p.kind for _, p in problems)
    distinct = {}
    for seed, p in problems:
        distinct.setdefault(p.key(), (seed, p, []))[2].append(seed)
    print(f"{args.graphs} graphs (seeds {args.seed}..{args.seed + args.graphs - 1}), "
          f"{sum(counts.values())} ops over {len(counts)} op kinds in {seconds:.1f} s")
    if MISSING:
        print(f"not in TinyTorch yet, so not fuzzed: {', '.join(MISSING)}")
    never = sorted(set(OPS) - set(counts))
    if never:
        print(f"op kinds never run: {', '.join(never)}")
    print(f"problems: {len(problems)} graphs ({dict(kinds) or 'none'}), {len(distinct)} distinct")
    for i, (key, (seed, p, seeds)) in enumerate(sorted(distinct.items(), key=lambda kv: -len(kv[1][2]))):
        print(f"\n#{i + 1} in {len(seeds)} graphs (first seed {seed}): [{p.kind}] {p.op}: {p.message.splitlines()[0]}")
        if i < args.show:
            print(p.reproducer)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
