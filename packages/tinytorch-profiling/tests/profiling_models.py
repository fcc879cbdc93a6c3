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
