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

import time

import numpy as np
from rich.table import Table

from tinytorch.layers import Linear
from tinytorch.results import Claim, non_negative_float
from tinytorch.tensor import Tensor, default_generator, manual_seed, no_grad

DESCRIPTION = "1957: Rosenblatt's perceptron learns a linear separator, and cannot learn XOR."

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


FULL = {"n_train": 1000, "n_test": 1000, "max_epochs": 200, "xor_epochs": 100}
QUICK = {"n_train": 400, "n_test": 500, "max_epochs": 100, "xor_epochs": 25}
TRAIN_TARGET = 1.0
TEST_TARGET = 0.98
XOR_CEILING = 0.75


def add_arguments(parser):
    """The options of this milestone besides ``--quick`` and ``--seed``."""
    parser.add_argument("--lr", type=non_negative_float, default=0.1, help="learning rate of the rule (default 0.1)")


def run(args, console):
    """Run both experiments, print their table; return ``(claims, metrics)``."""
    config = QUICK if args.quick else FULL

    # Part one: separable data. Train and test come from the same line, with different points.
    manual_seed(args.seed)
    x, y = make_separable(config["n_train"] + config["n_test"], seed=args.seed)
    x_train, y_train = x[:config["n_train"]], y[:config["n_train"]]
    x_test, y_test = x[config["n_train"]:], y[config["n_train"]:]
    layer = make_perceptron(2)
    start = time.perf_counter()
    history = train_perceptron(layer, x_train, y_train, lr=args.lr, max_epochs=config["max_epochs"])
    separable_time = time.perf_counter() - start
    train_acc = accuracy(layer, x_train, y_train)
    start = time.perf_counter()
    test_acc = accuracy(layer, x_test, y_test)  # one batched forward pass
    batched_time = time.perf_counter() - start

    # Part two: XOR, same machine, same rule, fresh weights.
    manual_seed(args.seed)
    x_xor, y_xor = xor_data()
    xor_layer = make_perceptron(2)
    start = time.perf_counter()
    xor_history = train_perceptron(
        xor_layer, x_xor, y_xor, lr=args.lr, max_epochs=config["xor_epochs"]
    )
    xor_time = time.perf_counter() - start
    xor_best = max(h["accuracy"] for h in xor_history)

    params = parameter_count(layer)
    flops = forward_flops(layer)
    updates = sum(h["mistakes"] for h in history)
    xor_updates = sum(h["mistakes"] for h in xor_history)
    rows = [
        {"task": "separable train", "points": len(x_train), "accuracy": train_acc,
         "epochs": len(history), "updates": updates, "time": separable_time},
        {"task": "separable test", "points": len(x_test), "accuracy": test_acc,
         "epochs": None, "updates": None, "time": None},
        {"task": "XOR, best epoch", "points": len(x_xor), "accuracy": xor_best,
         "epochs": len(xor_history), "updates": xor_updates, "time": xor_time},
    ]
    claims = [
        Claim.check("separable_train_accuracy", train_acc, ">=", TRAIN_TARGET,
                    description="training accuracy on linearly separable points"),
        Claim.check("separable_test_accuracy", test_acc, ">=", TEST_TARGET,
                    description="accuracy on held-out points from the same line"),
        Claim.check("xor_best_accuracy", xor_best, "<=", XOR_CEILING,
                    description="best epoch's accuracy on XOR: no line separates it"),
    ]
    weight, bias = layer.weight.numpy()[0], layer.bias.numpy()
    metrics = {
        "parameters": params,
        "parameter_bytes": sum(p.numel() * p.dtype.itemsize for p in layer.parameters()),
        "flops_per_sample": flops,
        "update_flops": update_flops(layer),
        "separable_epochs": len(history),
        "separable_updates": updates,
        "separable_converged": history[-1]["mistakes"] == 0,
        "separable_seconds": round(separable_time, 4),
        "microseconds_per_online_step": round(separable_time / (len(history) * len(x_train)) * 1e6, 2),
        "microseconds_per_batched_prediction": round(batched_time / len(x_test) * 1e6, 3),
        "xor_epochs": len(xor_history),
        "xor_updates": xor_updates,
        "xor_mistakes_last_epoch": xor_history[-1]["mistakes"],
        "xor_seconds": round(xor_time, 4),
        "learned_line": [round(float(v), 4) for v in (weight[0], weight[1], bias[0])],
        "n_train": len(x_train),
        "n_test": len(x_test),
        "lr": args.lr,
        "seed": args.seed,
    }
    report(console, rows, metrics)
    return claims, metrics


def report(console, rows, metrics):
    """The experiment table and what it shows (the claims table comes from tinytorch.results)."""
    table = Table(title="1957 perceptron: Rosenblatt's rule on TinyTorch", title_justify="left")
    columns = ("experiment", "points", "accuracy", "epochs", "updates", "params", "FLOPs/sample", "time")
    for column in columns:
        table.add_column(column, justify="left" if column == "experiment" else "right", no_wrap=True)
    for row in rows:
        table.add_row(
            row["task"], str(row["points"]), f"{row['accuracy']:.2%}",
            "" if row["epochs"] is None else str(row["epochs"]),
            "" if row["updates"] is None else str(row["updates"]),
            str(metrics["parameters"]), str(metrics["flops_per_sample"]),
            "" if row["time"] is None else f"{row['time'] * 1e3:.0f} ms",
        )
    console.print(table)
    w1, w2, b = metrics["learned_line"]
    console.print(
        f"Learned line: {w1:+.3f}·x1 {w2:+.3f}·x2 {b:+.3f} = 0. "
        f"{metrics['parameters']} parameters ({metrics['parameter_bytes']} bytes), "
        f"{metrics['flops_per_sample']} FLOPs per prediction, {metrics['update_flops']} per update: "
        "compute and memory grow linearly with the input size."
    )
    online = metrics["microseconds_per_online_step"]
    batched = metrics["microseconds_per_batched_prediction"]
    console.print(
        f"One online step (predict + rule) took {online:.1f} µs for {metrics['flops_per_sample']} "
        f"FLOPs; predicting the {metrics['n_test']} test points as one batch took {batched:.3f} µs "
        f"per point ({online / max(batched, 1e-6):.0f}x less): per-call overhead, not arithmetic, "
        "sets the speed of small models."
    )
    console.print(
        f"XOR: still {metrics['xor_mistakes_last_epoch']} mistake(s) in epoch {metrics['xor_epochs']}; "
        "no line separates XOR, so the rule never settles (Minsky & Papert, 1969)."
    )
