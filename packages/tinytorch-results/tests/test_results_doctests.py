"""The Examples in the docstrings run and give what they show."""

import doctest
from importlib import import_module

import pytest


@pytest.mark.parametrize("name", ["claims", "line", "schema", "table"])
def test_docstring_examples(name):
    result = doctest.testmod(import_module(f"tinytorch.results.{name}"), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
