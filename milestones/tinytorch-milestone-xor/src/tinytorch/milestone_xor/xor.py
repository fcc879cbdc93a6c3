"""The XOR crisis (1969) on TinyTorch: one layer cannot learn XOR, one hidden layer can.

Minsky and Papert proved that a single-layer perceptron computes only linearly separable
functions, and XOR is not one: no line puts (0, 1) and (1, 0) on one side and (0, 0) and
(1, 1) on the other. Here both networks are trained the modern way, by gradient descent on the
binary cross-entropy (autograd computes the gradients, SGD takes the steps):

- ``Linear(2, 1) -> Sigmoid``: the best it can do is predict 0.5 everywhere. The loss is convex
  in its three parameters and, by the symmetry of XOR, its gradient vanishes at ``w = 0,
  b = 0``, so the global minimum is exactly :math:`\\ln 2 \\approx 0.6931`: training converges
  there and accuracy stays at most 3 of 4 points.
- ``Linear(2, H) -> Tanh -> Linear(H, 1) -> Sigmoid``: the hidden layer maps the four points to
  a representation in which they *are* linearly separable, and the output layer separates them.
"""

import math

import numpy as np

import tinytorch.autograd  # noqa: F401  (the engine that loss.backward() runs)
from tinytorch.activations import Sigmoid, Tanh
from tinytorch.layers import Linear, Sequential
from tinytorch.losses import binary_cross_entropy
from tinytorch.optim import SGD
from tinytorch.tensor import Tensor, manual_seed, no_grad

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)  # (4, 2)
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)  # (4, 1)
LN2 = math.log(2.0)


def xor_data():
    """The four XOR points as Tensors: inputs ``(4, 2)`` and 0/1 targets ``(4, 1)``."""
    return Tensor(XOR_INPUTS.copy()), Tensor(XOR_TARGETS.copy())


def single_layer():
    """``Linear(2, 1) -> Sigmoid``: a logistic unit, the differentiable perceptron (3 parameters)."""
    return Sequential(Linear(2, 1), Sigmoid())


def hidden_layer(hidden=4):
    """``Linear(2, hidden) -> Tanh -> Linear(hidden, 1) -> Sigmoid`` (``4 * hidden + 1`` parameters)."""
    if not isinstance(hidden, int) or hidden < 1:
        raise ValueError(f"hidden must be a positive int, got {hidden!r}")
    return Sequential(Linear(2, hidden), Tanh(), Linear(hidden, 1), Sigmoid())


def train(model, epochs, lr=0.5, momentum=0.9):
    """Full-batch gradient descent on the binary cross-entropy of the four XOR points.

    Args:
        model: maps ``(4, 2)`` inputs to ``(4, 1)`` probabilities.
        epochs: number of gradient steps (one per pass over the four points).
        lr: SGD learning rate.
        momentum: SGD momentum.

    Returns:
        list[float]: the loss before each step.
    """
    x, y = xor_data()
    opt = SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = binary_cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def evaluate(model):
    """``(loss, accuracy, probabilities (4,))`` of ``model`` on XOR; a prediction is ``p > 0.5``."""
    x, y = xor_data()
    with no_grad():
        p = model(x)
        loss = binary_cross_entropy(p, y).item()
    probs = p.numpy()[:, 0]
    accuracy = float(np.mean((probs > 0.5) == (XOR_TARGETS[:, 0] > 0.5)))
    return loss, accuracy, probs


def hidden_features(model):
    """The hidden layer's activations for the four points, ``(4, hidden)``: the learned representation."""
    x, _ = xor_data()
    with no_grad():
        return model[1](model[0](x)).numpy()


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def forward_flops(model):
    """Multiply-add FLOPs per sample of the Linear layers (``2 * in * out`` each); activations not counted."""
    return sum(2 * m.in_features * m.out_features for m in model if isinstance(m, Linear))


def run_seed(seed, epochs, hidden, lr, momentum):
    """Train both networks from ``seed``; return one result dict per network."""
    results = {}
    for name, factory in (("single", single_layer), ("hidden", lambda: hidden_layer(hidden))):
        manual_seed(seed)
        model = factory()
        losses = train(model, epochs, lr=lr, momentum=momentum)
        loss, accuracy, probs = evaluate(model)
        results[name] = {"model": model, "loss": loss, "accuracy": accuracy, "probs": probs,
                         "first_loss": losses[0] if losses else loss}
    return results
