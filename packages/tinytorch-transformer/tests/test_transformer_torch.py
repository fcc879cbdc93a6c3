"""Differential test against the same pre-norm GPT written in PyTorch, loaded with our weights."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tinytorch.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.transformer import GPT, GPTConfig  # noqa: E402

nn = torch.nn


class TorchBlock(nn.Module):
    def __init__(self, C, H, bias):
        super().__init__()
        self.H = H
        self.ln_1, self.ln_2 = nn.LayerNorm(C, bias=bias), nn.LayerNorm(C, bias=bias)
        self.c_attn, self.attn_proj = nn.Linear(C, 3 * C, bias=bias), nn.Linear(C, C, bias=bias)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C, bias=bias), nn.Linear(4 * C, C, bias=bias)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.H)
        att = att.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(nn.functional.gelu(self.c_fc(self.ln_2(x))))


class TorchGPT(nn.Module):
    def __init__(self, V, T, L, H, C, bias, tie):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.h = nn.ModuleList([TorchBlock(C, H, bias) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C, bias=bias)
        self.lm_head = nn.Linear(C, V, bias=False)
        if tie:
            self.lm_head.weight = self.wte.weight

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return logits, nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())


def _torch_name(name):
    return name.replace("attn.c_attn", "c_attn").replace("attn.c_proj", "attn_proj") \
        .replace("mlp.c_fc", "c_fc").replace("mlp.c_proj", "mlp_proj")


@pytest.mark.parametrize("bias, tie", [(True, True), (False, False)])
def test_gpt_matches_torch_logits_loss_and_every_gradient(bias, tie):
    manual_seed(0)
    cfg = GPTConfig(vocab_size=13, block_size=8, n_layer=2, n_head=2, n_embd=16, bias=bias, tie_weights=tie)
    ours = GPT(cfg)
    rng = np.random.default_rng(0)
    for p in ours.parameters():  # away from the init so that layer norms and biases matter
        p.data[...] += 0.1 * rng.standard_normal(p.shape).astype(np.float32)
    theirs = TorchGPT(13, 8, 2, 2, 16, bias, tie)
    state = {_torch_name(k): torch.tensor(v) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)
    x, y = rng.integers(0, 13, size=(3, 8)), rng.integers(0, 13, size=(3, 8))
    logits, loss = ours(Tensor(x), targets=Tensor(y))
    tlogits, tloss = theirs(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(logits.data, tlogits.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-5)
    loss.backward()
    tloss.backward()
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, tparams[_torch_name(name)].grad.numpy(), rtol=1e-3, atol=1e-6,
                                   err_msg=name)
