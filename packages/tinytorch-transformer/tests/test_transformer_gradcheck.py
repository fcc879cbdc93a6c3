"""float64 central-difference checks of the whole GPT (composite ops from modules 01-12)."""

import numpy as np
import pytest

from tinytorch.autograd import gradcheck
from tinytorch.tensor import Tensor, manual_seed
from tinytorch.transformer import GPT, GPTConfig

CHECKED = ["wte.weight", "wpe.weight", "h.0.attn.c_attn.weight", "h.0.attn.c_attn.bias",
           "h.1.mlp.c_fc.weight", "h.1.ln_2.weight", "ln_f.bias"]


def _owner(model, name):
    *path, attr = name.split(".")
    module = model
    for part in path:
        module = getattr(module, part)
    return module, attr


@pytest.mark.parametrize("tie", [True, False])
def test_gpt_loss_gradcheck(tie):
    manual_seed(0)
    model = GPT(GPTConfig(vocab_size=7, block_size=6, n_layer=2, n_head=2, n_embd=4, tie_weights=tie)).double()
    rng = np.random.default_rng(1)
    for p in model.parameters():  # larger weights than the 0.02 init, so every path matters
        p.data[...] = rng.standard_normal(p.shape) * 0.5
    x, y = rng.integers(0, 7, size=(2, 5)), rng.integers(0, 7, size=(2, 5))
    owners = [_owner(model, name) for name in CHECKED]

    def loss_of(*values):
        """The loss with the checked parameters replaced by ``values`` (the tied head follows wte)."""
        saved = [m._parameters[a] for m, a in owners]
        try:
            for (m, a), v in zip(owners, values):
                m._parameters[a] = v
            if tie:
                model.lm_head._parameters["weight"] = model.wte._parameters["weight"]
            return model(Tensor(x), targets=Tensor(y))[1]
        finally:
            for (m, a), p in zip(owners, saved):
                m._parameters[a] = p
            if tie:
                model.lm_head._parameters["weight"] = model.wte._parameters["weight"]

    values = [Tensor(m._parameters[a].data.copy(), requires_grad=True) for m, a in owners]
    assert gradcheck(loss_of, *values, projections=3)
