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
import time

import numpy as np
from rich.table import Table

import tinytorch.autograd  # noqa: F401  (the engine that loss.backward() runs)
from tinytorch.activations import Sigmoid, Tanh
from tinytorch.layers import Linear, Sequential
from tinytorch.losses import binary_cross_entropy
from tinytorch.optim import SGD
from tinytorch.results import Claim, non_negative_float, positive_int
from tinytorch.tensor import Tensor, manual_seed, no_grad

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)  # (4, 2)
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)  # (4, 1)
LN2 = math.log(2.0)

DESCRIPTION = "1969: a single layer cannot learn XOR; one hidden layer trained by gradient descent can."


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


FULL = {"seeds": 10, "epochs": 1000}
QUICK = {"seeds": 3, "epochs": 300}
SINGLE_ACCURACY_CEILING = 0.75
# The single layer's global minimum is ln 2 = 0.6931 (see py); 0.69 leaves float32 slack.
SINGLE_LOSS_FLOOR = 0.69
HIDDEN_ACCURACY_TARGET = 1.0
# 0.1 means every point is on the right side with probability above ~0.9: solved, not grazed.
HIDDEN_LOSS_CEILING = 0.1


def add_arguments(parser):
    """The options of this milestone besides ``--quick`` and ``--seed``."""
    parser.add_argument("--hidden", type=positive_int, default=4, help="hidden units of part two (default 4)")
    parser.add_argument("--lr", type=non_negative_float, default=0.5, help="SGD learning rate (default 0.5)")
    parser.add_argument("--momentum", type=non_negative_float, default=0.9, help="SGD momentum (default 0.9)")


def run(args, console):
    """Train both networks from every seed, print their tables; return ``(claims, metrics)``."""
    config = QUICK if args.quick else FULL
    seeds = list(range(args.seed, args.seed + config["seeds"]))
    runs, times = [], []
    for seed in seeds:
        start = time.perf_counter()
        runs.append(run_seed(seed, config["epochs"], args.hidden, args.lr, args.momentum))
        times.append(time.perf_counter() - start)

    rows, summary = [], {}
    for name, label in (("single", "single layer 2-1"), ("hidden", f"hidden layer 2-{args.hidden}-1")):
        model = runs[0][name]["model"]
        accs = [r[name]["accuracy"] for r in runs]
        losses = [r[name]["loss"] for r in runs]
        summary[name] = {"accs": accs, "losses": losses}
        rows.append({
            "task": label, "best_accuracy": max(accs), "worst_accuracy": min(accs),
            "loss_range": (min(losses), max(losses)), "params": parameter_count(model),
            "flops": forward_flops(model),
        })
    claims = [
        Claim.check("single_layer_best_accuracy", max(summary["single"]["accs"]), "<=", SINGLE_ACCURACY_CEILING,
                    description="best accuracy of the single layer over the seeds"),
        Claim.check("single_layer_lowest_loss", min(summary["single"]["losses"]), ">=", SINGLE_LOSS_FLOOR,
                    description="lowest final loss of the single layer: stuck at ln 2"),
        Claim.check("hidden_layer_worst_accuracy", min(summary["hidden"]["accs"]), ">=", HIDDEN_ACCURACY_TARGET,
                    description="worst accuracy of the hidden-layer network over the seeds"),
        Claim.check("hidden_layer_highest_loss", max(summary["hidden"]["losses"]), "<=", HIDDEN_LOSS_CEILING,
                    description="highest final loss of the hidden-layer network"),
    ]
    metrics = {
        "seeds": seeds,
        "epochs": config["epochs"],
        "hidden": args.hidden,
        "lr": args.lr,
        "momentum": args.momentum,
        "parameters": rows[1]["params"],  # the network that solves XOR
        "flops_per_sample": rows[1]["flops"],
        "single_parameters": rows[0]["params"],
        "hidden_parameters": rows[1]["params"],
        "single_flops_per_sample": rows[0]["flops"],
        "hidden_flops_per_sample": rows[1]["flops"],
        "single_accuracy_per_seed": summary["single"]["accs"],
        "hidden_accuracy_per_seed": summary["hidden"]["accs"],
        "single_loss_per_seed": [round(v, 6) for v in summary["single"]["losses"]],
        "hidden_loss_per_seed": [round(v, 6) for v in summary["hidden"]["losses"]],
        "ln2": round(LN2, 6),
        "seconds_total": round(sum(times), 4),
        "ms_per_seed": round(1e3 * sum(times) / len(times), 2),
    }
    report(console, rows, metrics, runs[0])
    return claims, metrics


def report(console, rows, metrics, example):
    """The networks' table and seed 0's predictions (the claims table comes from tinytorch.results)."""
    table = Table(title="1969 XOR: one layer vs one hidden layer, trained by gradient descent",
                  title_justify="left")
    for column in ("network", "accuracy", "final loss", "params", "FLOPs/sample"):
        table.add_column(column, justify="left" if column == "network" else "right")
    for row in rows:
        low, high = row["loss_range"]
        acc = f"{row['worst_accuracy']:.0%}" if row["worst_accuracy"] == row["best_accuracy"] else \
            f"{row['worst_accuracy']:.0%}-{row['best_accuracy']:.0%}"
        table.add_row(row["task"], acc, f"{low:.4f}-{high:.4f}", str(row["params"]), str(row["flops"]))
    console.print(table)
    console.print(
        f"{len(metrics['seeds'])} seeds x {metrics['epochs']} full-batch SGD steps "
        f"(lr {metrics['lr']}, momentum {metrics['momentum']}) in {metrics['seconds_total']:.2f} s "
        f"({metrics['ms_per_seed']:.0f} ms per seed for both networks)."
    )

    points = Table(title=f"seed {metrics['seeds'][0]}: what each network predicts, and the hidden representation",
                   title_justify="left")
    for column in ("x1 x2", "target", "single p", "hidden p", "hidden features (tanh)"):
        points.add_column(column, justify="right")
    features = hidden_features(example["hidden"]["model"])
    for i, (x, t) in enumerate(zip(XOR_INPUTS, XOR_TARGETS[:, 0])):
        points.add_row(f"{x[0]:.0f}  {x[1]:.0f}", f"{t:.0f}", f"{example['single']['probs'][i]:.3f}",
                       f"{example['hidden']['probs'][i]:.3f}", " ".join(f"{v:+.2f}" for v in features[i]))
    console.print(points)
    console.print(
        f"The single layer settles at p = 0.5 everywhere, loss ln 2 = {LN2:.4f}: no line separates XOR "
        "(Minsky & Papert, 1969). The hidden layer re-maps the four points so that a line does."
    )
