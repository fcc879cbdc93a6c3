"""The two models of the olympics, their data and their analytic FLOP counts.

- The MNIST CNN: two 5x5 convolutions (8 and 16 filters) with ReLU and 2x2 max pooling, then
  400 -> 128 -> 10 (56,042 parameters), trained here with Adam for a short run.
- The 2017 milestone's Tiny Shakespeare GPT size: vocabulary 65, context 64, 4 layers, 4 heads,
  width 128, 809,856 parameters (random weights: speed and cache exactness do not depend on
  training).
"""

import numpy as np

import tinytorch.autograd  # noqa: F401  (the engine that loss.backward() runs)

from tinytorch.data import MNIST, DataLoader, Normalize
from tinytorch.layers import Linear, ReLU, Sequential
from tinytorch.losses import cross_entropy
from tinytorch.optim import Adam
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.tensor import Tensor, manual_seed, no_grad
from tinytorch.transformer import GPT, GPTConfig

GPT_CONFIG = dict(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128)
MNIST_NORMALIZE = ((0.1307,), (0.3081,))


def build_cnn():
    """The olympics CNN (Example: ``build_cnn()(zeros(2, 1, 28, 28)).shape == (2, 10)``)."""
    return Sequential(
        Conv2d(1, 8, 5, padding=2), ReLU(), MaxPool2d(2),  # (8, 14, 14)
        Conv2d(8, 16, 5), ReLU(), MaxPool2d(2),  # (16, 5, 5)
        Flatten(), Linear(400, 128), ReLU(), Linear(128, 10),
    )


def cnn_flops(batch):
    """Forward FLOPs of :func:`build_cnn` by hand (2 per multiply-add; bias, ReLU, pool not counted)."""
    conv1 = 2 * 1 * 5 * 5 * 8 * 28 * 28
    conv2 = 2 * 8 * 5 * 5 * 16 * 10 * 10
    return batch * (conv1 + conv2 + 2 * 400 * 128 + 2 * 128 * 10)


def build_gpt(seed=0):
    manual_seed(seed)
    return GPT(GPTConfig(**GPT_CONFIG)).eval()


def gpt_flops(batch, seq_len):
    """Forward FLOPs of the GPT by hand: four projections of 12 C² multiply-adds per token and
    layer, the tied head (C · V per token), and two (T × T × C) attention products per layer."""
    c, v, layers = GPT_CONFIG["n_embd"], GPT_CONFIG["vocab_size"], GPT_CONFIG["n_layer"]
    tokens = batch * seq_len
    return tokens * (layers * 24 * c * c + 2 * c * v) + layers * batch * 4 * seq_len * seq_len * c


def mnist_loaders(root, train_subset, test_subset, seed, batch_size=64):
    """Train and test loaders over MNIST from the data root (optionally random subsets)."""
    normalize = Normalize(*MNIST_NORMALIZE)
    train_set = MNIST(root=root, train=True, transform=normalize)
    test_set = MNIST(root=root, train=False, transform=normalize)
    rng = np.random.default_rng(seed)
    for ds, n in ((train_set, train_subset), (test_set, test_subset)):
        if n is not None and n < len(ds):
            keep = np.sort(rng.permutation(len(ds))[:n])
            ds.data, ds.targets = ds.data[keep], ds.targets[keep]
    return (DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed),
            DataLoader(test_set, batch_size=500))


def train(model, loader, epochs, lr, max_steps=None):
    """Adam on cross-entropy for ``epochs`` (at most ``max_steps`` batches each); returns the last
    epoch's mean loss."""
    opt = Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        losses = []
        for step, (x, y) in enumerate(loader):
            if max_steps is not None and step >= max_steps:
                break
            loss = cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return float(np.mean(losses))


def accuracy(model, loader):
    """Test accuracy in eval mode without a graph."""
    model.eval()
    right = total = 0
    with no_grad():
        for x, y in loader:
            right += int((model(x).data.argmax(axis=1) == y.data).sum())
            total += y.shape[0]
    return right / total


def example_batch(batch, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)), Tensor(rng.integers(0, 10, batch))
