"""The random-graph gradient fuzzer in CI: 0 crashes and 0 mismatches against torch 2.13.

Each test runs 50 seeded graphs; ``--fuzz-graphs N`` (or ``$TINYTORCH_FUZZ_GRAPHS``) sets how
many in all. A failure prints each distinct problem with a reproducer.
"""

import pytest

pytest.importorskip("torch")

from fuzz_graphs import run  # noqa: E402


def test_random_graphs_match_torch(graph_seeds):
    reports, counts = run(graph_seeds)
    assert sum(counts.values()) > 3 * len(graph_seeds), "the generator ran suspiciously few ops"
    problems = {}
    for r in reports:
        for p in r.problems:
            problems.setdefault(p.key(), (r.seed, p))
    if problems:
        text = "\n\n".join(f"seed {seed}: {p}" for seed, p in problems.values())
        pytest.fail(f"{len(problems)} distinct problem(s) in seeds {graph_seeds.start}..{graph_seeds.stop - 1}:\n\n{text}",
                    pytrace=False)


def test_every_op_kind_runs():
    from fuzz_catalogue import OPS

    _, counts = run(range(10_000, 10_150))
    assert set(OPS) - set(counts) == set(), "op kinds the generator never managed to run"
