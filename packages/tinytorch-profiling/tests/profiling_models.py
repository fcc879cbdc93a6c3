"""Small models built the same way in TinyTorch and in PyTorch, for the FLOP comparisons."""

import math

from tinytorch.activations import ReLU, softmax
from tinytorch.layers import Linear, Module, Sequential
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d


def mlp():
    return Sequential(Linear(784, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))


def cnn():
    return Sequential(
        Conv2d(1, 8, 3, padding=1), ReLU(), MaxPool2d(2),
        Conv2d(8, 16, 3, stride=2), ReLU(), Flatten(), Linear(16 * 6 * 6, 10),
    )


class SelfAttention(Module):
    """Multi-head self-attention from matmul + softmax: q, k, v projections, scores, output."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = Linear(dim, 3 * dim)
        self.proj = Linear(dim, dim)

    def forward(self, x):
        b, t, c = x.shape
        hd = c // self.heads
        q, k, v = (
            self.qkv(x)[..., i * c:(i + 1) * c].reshape(b, t, self.heads, hd).transpose(1, 2)
            for i in range(3)
        )  # each (B, H, T, hd)
        weights = softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)  # (B, H, T, T)
        out = (weights @ v).transpose(1, 2).reshape(b, t, c)
        return self.proj(out)


def torch_models(torch):
    nn = torch.nn

    class TorchSelfAttention(nn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)

        def forward(self, x):
            b, t, c = x.shape
            hd = c // self.heads
            q, k, v = (
                self.qkv(x)[..., i * c:(i + 1) * c].reshape(b, t, self.heads, hd).transpose(1, 2)
                for i in range(3)
            )
            weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)
            return self.proj((weights @ v).transpose(1, 2).reshape(b, t, c))

    return {
        "mlp": lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                     nn.Linear(64, 10)),
        "cnn": lambda: nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 6 * 6, 10),
        ),
        "attention": lambda: TorchSelfAttention(32, 4),
    }


def torch_gpt(torch, vocab_size, block_size, n_layer, n_head, n_embd):
    """nanoGPT's architecture in PyTorch (tied head, GELU MLP, attention from matmul + softmax)."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
            self.c_attn, self.attn_proj = nn.Linear(n_embd, 3 * n_embd), nn.Linear(n_embd, n_embd)
            self.c_fc, self.mlp_proj = nn.Linear(n_embd, 4 * n_embd), nn.Linear(4 * n_embd, n_embd)

        def forward(self, x):
            b, t, c = x.shape
            hd = c // n_head
            q, k, v = (y.reshape(b, t, n_head, hd).transpose(1, 2) for y in self.c_attn(self.ln_1(x)).split(c, -1))
            scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
            scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
            y = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(b, t, c)
            x = x + self.attn_proj(y)
            return x + self.mlp_proj(torch.nn.functional.gelu(self.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab_size, n_embd), nn.Embedding(block_size, n_embd)
            self.h = nn.ModuleList(Block() for _ in range(n_layer))
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return GPT()
