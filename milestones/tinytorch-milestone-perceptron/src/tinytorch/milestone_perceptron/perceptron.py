"""Rosenblatt's perceptron (1957) on TinyTorch: a Linear layer, a step function, and his rule.

The perceptron computes :math:`\\hat y = H(w \\cdot x + b)` with the Heaviside step :math:`H` and
learns online, one sample at a time, with no gradients at all:

.. math::
    w \\leftarrow w + \\eta (y - \\hat y) x, \\qquad b \\leftarrow b + \\eta (y - \\hat y)

With labels in {0, 1}, :math:`y - \\hat y` is 0 on a correct prediction and +-1 on a mistake, so
the weights move only when the machine errs, towards the misclassified point. Rosenblatt's
convergence theorem: on linearly separable data this stops after finitely many mistakes. On data
that no line separates (XOR), it never stops.
"""

import numpy as np

from tinytorch.layers import Linear
from tinytorch.tensor import Tensor, default_generator, no_grad

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([0, 1, 1, 0], dtype=np.float32)


def make_separable(n, seed, margin=0.1):
    """``n`` points in ``[-1, 1]^2`` labelled by a random line, none closer to it than ``margin``.

    Args:
        n: number of points.
        seed: seed of the NumPy generator that draws the line and the points.
        margin: minimum distance of every point from the true separating line.

    Returns:
        ``(x, y)``: float32 arrays of shapes ``(n, 2)`` and ``(n,)``, labels in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])  # unit normal of the true line
    offset = rng.uniform(-0.3, 0.3)
    points = np.empty((0, 2))
    while len(points) < n:
        # Oversample and keep the points outside the margin band (about 85% of them).
        candidates = rng.uniform(-1, 1, size=(2 * n, 2))  # (2n, 2)
        distance = candidates @ normal + offset  # (2n,) signed distance to the line
        points = np.concatenate([points, candidates[np.abs(distance) >= margin]])
    points = points[:n]
    labels = (points @ normal + offset > 0).astype(np.float32)
    return points.astype(np.float32), labels


def xor_data():
    """The four points of XOR and their labels: ``(x (4, 2), y (4,))``."""
    return XOR_INPUTS.copy(), XOR_TARGETS.copy()


def step(z):
    """Heaviside step on a Tensor: 1.0 where ``z >= 0``, else 0.0 (same shape, float32)."""
    return (z >= 0).float()


def predict(layer, x):
    """Perceptron outputs for a batch ``x`` (N, in) as a float32 ndarray of shape (N,)."""
    with no_grad():
        return step(layer(Tensor(x))).numpy()[:, 0]


def accuracy(layer, x, y):
    """Fraction of samples in ``x`` (N, in) whose prediction equals the label in ``y`` (N,)."""
    return float((predict(layer, x) == y).mean())


def make_perceptron(in_features=2):
    """A single-output ``Linear`` layer: weight (1, in_features), bias (1,)."""
    return Linear(in_features, 1)


def train_perceptron(layer, x, y, lr=0.1, max_epochs=100):
    """Rosenblatt's online learning rule, applied by hand (no autograd).

    Each epoch visits the samples once in a random order drawn from
    ``tinytorch.tensor.default_generator`` and updates the layer in place on every mistake.
    Training stops after the first epoch without a mistake, or after ``max_epochs``.

    Args:
        layer: a ``Linear(in_features, 1)``.
        x: float32 ndarray (N, in_features).
        y: float32 ndarray (N,), labels in {0, 1}.
        lr: the learning rate :math:`\\eta`.
        max_epochs: upper bound on passes over the data.

    Returns:
        list of dicts, one per epoch: ``{"epoch", "mistakes", "accuracy"}`` where accuracy is
        measured on ``(x, y)`` after the epoch.
    """
    inputs = Tensor(x)  # (N, in)
    history = []
    with no_grad():
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            # The rule is sequential by nature: each update changes the next prediction, so the
            # samples of an epoch cannot be processed as one batch.
            for i in default_generator.permutation(len(x)):
                sample = inputs[i:i + 1]  # (1, in)
                error = float(y[i]) - step(layer(sample)).item()  # 0 when right, +-1 when wrong
                if error != 0.0:
                    layer.weight += (lr * error) * sample  # (1, in)
                    layer.bias += lr * error  # (1,)
                    mistakes += 1
            history.append({"epoch": epoch, "mistakes": mistakes, "accuracy": accuracy(layer, x, y)})
            if mistakes == 0:
                break
    return history


def forward_flops(layer):
    """FLOPs of one forward pass per sample, counted from the weight's shape.

    Each of the ``out`` outputs takes ``in`` multiplies and ``in`` adds (``in - 1`` for the dot
    product, one for the bias): ``2 * in * out``. The step is a comparison, not counted.
    """
    out_features, in_features = layer.weight.shape
    return 2 * in_features * out_features


def update_flops(layer):
    """FLOPs of one application of the learning rule: ``lr * error`` (1), times ``x`` (``in``),
    added to ``w`` (``in``) and to ``b`` (1), for each of the ``out`` outputs."""
    out_features, in_features = layer.weight.shape
    return (2 * in_features + 2) * out_features


def parameter_count(layer):
    return sum(p.numel() for p in layer.parameters())
