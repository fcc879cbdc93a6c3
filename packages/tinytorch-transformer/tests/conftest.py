import pytest

from tinytorch.tensor import manual_seed
from tinytorch.transformer import GPT, GPTConfig


@pytest.fixture
def tiny():
    """A 2-layer GPT small enough for exhaustive tests."""
    manual_seed(0)
    return GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8))
