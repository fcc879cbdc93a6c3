"""The Examples in the docstrings run and give what they show."""

import doctest

import pytest

from tinytorch.spatial import conv1d_layer, functional, modules, pool1d, resize


@pytest.mark.parametrize("module", [functional, modules, conv1d_layer, pool1d, resize], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
