"""The MNIST MLP and CNN of Act III (milestones 1986 and 1998), and a short training loop."""

import numpy as np

from tinytorch.activations import ReLU
from tinytorch.layers import Linear, Sequential
from tinytorch.losses import cross_entropy
from tinytorch.optim import Adam
from tinytorch.spatial import BatchNorm2d, Conv2d, Flatten, MaxPool2d
from tinytorch.tensor import Tensor, manual_seed, no_grad


def mnist_mlp():
    return Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))


def mnist_cnn(c1=16):
    return Sequential(
        Conv2d(1, c1, 5, padding=2), BatchNorm2d(c1), ReLU(), MaxPool2d(2),  # (c1, 14, 14)
        Conv2d(c1, 2 * c1, 5), BatchNorm2d(2 * c1), ReLU(), MaxPool2d(2),  # (2 c1, 5, 5)
        Flatten(), Linear(2 * c1 * 5 * 5, 128), ReLU(), Linear(128, 10),
    )


def train(model, images, labels, epochs=1, batch_size=64, lr=2e-3, seed=0):
    """Adam on (N, 1, 28, 28) float32 images; returns the model in eval mode."""
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(labels))
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            cross_entropy(model(Tensor(images[idx])), Tensor(labels[idx])).backward()
            opt.step()
    return model.eval()


def accuracy(model, images, labels, batch_size=500):
    correct = 0
    with no_grad():
        for i in range(0, len(labels), batch_size):
            logits = model(Tensor(images[i:i + batch_size])).data
            correct += int((logits.argmax(axis=1) == labels[i:i + batch_size]).sum())
    return 100.0 * correct / len(labels)
