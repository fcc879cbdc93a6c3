"""The Examples in the docstrings run and give what they show."""

import doctest

import pytest

from tinytorch.memoization import decode, generation, kv_cache


@pytest.mark.parametrize("module", [decode, generation, kv_cache], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
