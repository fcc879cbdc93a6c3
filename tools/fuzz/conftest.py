"""pytest setup for the fuzzers: their helper modules import by name, and the number of random
graphs is ``--fuzz-graphs N`` or ``$TINYTORCH_FUZZ_GRAPHS`` (default 300, seconds on one core)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_GRAPHS = 300


def pytest_addoption(parser):
    parser.addoption("--fuzz-graphs", type=int, default=None,
                     help=f"random graphs for tools/fuzz (default ${{TINYTORCH_FUZZ_GRAPHS}} or {DEFAULT_GRAPHS})")
    parser.addoption("--fuzz-seed", type=int, default=0, help="first seed of the random graphs (default 0)")


def fuzz_graphs(config):
    value = config.getoption("--fuzz-graphs")
    if value is None:
        value = int(os.environ.get("TINYTORCH_FUZZ_GRAPHS", DEFAULT_GRAPHS))
    return value


def pytest_generate_tests(metafunc):
    if "graph_seeds" in metafunc.fixturenames:
        n, first = fuzz_graphs(metafunc.config), metafunc.config.getoption("--fuzz-seed")
        chunk = 50
        ranges = [range(first + i, first + min(i + chunk, n)) for i in range(0, n, chunk)]
        metafunc.parametrize("graph_seeds", ranges, ids=[f"seeds{r.start}-{r.stop - 1}" for r in ranges])
