"""Every docstring Example in the installed packages runs and prints what it shows.

The examples are run on the installed modules (not on files collected by path), so that classes
keep their identity across the `tinytorch` namespace portions.
"""

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = [
    "tensor", "activations", "layers", "losses", "autograd", "optim", "training", "data", "spatial",
    "tokenization", "embeddings", "attention", "transformer",
    "profiling", "quant", "compression", "memoization", "acceleration", "benchmarking",
    "results", "compat", "cli",
    "milestone_perceptron", "milestone_xor", "milestone_mlp", "milestone_cnn", "milestone_transformer",
    "milestone_olympics",
]


def submodules(name):
    package = importlib.import_module(f"tinytorch.{name}")
    found = [package]
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not info.name.endswith("__main__"):
            found.append(importlib.import_module(info.name))
    return found


@pytest.mark.parametrize("name", PACKAGES)
def test_docstring_examples(name):
    pytest.importorskip(f"tinytorch.{name}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    failed = attempted = 0
    for module in submodules(name):
        result = doctest.testmod(module, optionflags=flags, report=True)
        failed += result.failed
        attempted += result.attempted
    assert failed == 0, f"{failed} of {attempted} docstring examples failed in tinytorch.{name}"
