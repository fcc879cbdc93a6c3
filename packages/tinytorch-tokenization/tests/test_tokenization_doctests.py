"""The Examples in the docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["tinytorch.tokenization.char", "tinytorch.tokenization.bpe"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
