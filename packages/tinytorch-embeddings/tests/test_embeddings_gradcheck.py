"""Float64 gradient checks (central differences) of the embedding rule."""

import numpy as np
import pytest

from tinytorch.autograd import GRADIENTS, gradcheck
from tinytorch.embeddings import Embedding, LearnedPositionalEmbedding, embedding, ops
from tinytorch.tensor import Tensor


def test_every_kernel_has_a_rule():
    for name in ops.__all__:
        assert getattr(ops, name) in GRADIENTS, f"no gradient rule for tinytorch.embeddings.ops.{name}"


# The padding row's gradient is zero by definition, not by calculus, so the ids below never use
# it (3 and -3 are absent): the check then covers the rule's masking of an unused row.
@pytest.mark.parametrize("padding_idx", [None, 3, -2])
def test_embedding_gradcheck_with_repeats(padding_idx):
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((5, 3)), dtype="float64", requires_grad=True)
    ids = Tensor([[0, 2, 2, 4], [2, 1, 0, 0]])
    # A nonlinear head so that repeated rows must really add up (not just be counted).
    assert gradcheck(lambda w: (embedding(ids, w, padding_idx=padding_idx) ** 2).sum(dim=-1), w)


def test_module_gradcheck_through_a_composite():
    emb = Embedding(7, 4, dtype="float64")
    wpe = LearnedPositionalEmbedding(5, 4, dtype="float64")
    ids = Tensor([[6, 6, 1, 0, 3]])
    assert gradcheck(lambda t, p: (embedding(ids, t) + p[:5]).tanh(), emb.weight, wpe.weight)


def test_random_projection_on_a_real_table():
    rng = np.random.default_rng(1)
    w = Tensor(rng.standard_normal((300, 32)), dtype="float64", requires_grad=True)
    ids = rng.integers(0, 300, size=(8, 64))
    ids = Tensor(np.where(ids == 5, 6, ids))  # padding id 5 never appears (see above)
    assert gradcheck(lambda w: embedding(ids, w, padding_idx=5).sin(), w, projections=6)
