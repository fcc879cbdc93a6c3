"""The Examples in the docstrings run and give what they show."""

import doctest

import pytest

from tinytorch.profiling import flops, latency, memory, profiler


@pytest.mark.parametrize("module", [flops, latency, memory, profiler], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
