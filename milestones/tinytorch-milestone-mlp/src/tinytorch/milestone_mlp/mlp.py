"""Milestone 1986: a multi-layer perceptron trained by backpropagation reads handwritten digits.

Rumelhart, Hinton and Williams showed that gradients propagated backwards through hidden layers
train networks a single perceptron could never be. This milestone reruns that result on the
learner's own TinyTorch: the Tensor (01), ReLU (02), Linear (03), cross-entropy (04), the autograd
engine (05), Adam and a cosine schedule (06), the Trainer's loop (07) and the DataLoader with
verified datasets (08).

Claims checked (exit status 0 only when all hold; the table and result line come from
:mod:`tinytorch.results`, the training recipe from :func:`tinytorch.training.fit_classifier`):

- full run: TinyDigits test accuracy >= 90%; MNIST test accuracy >= 98% (784-256-128-10, 10 epochs).
- ``--quick``: TinyDigits >= 90%; MNIST trained on a 10,000-image subset for 2 epochs, test >= 90%
  (a smoke test of the same code path, not the historical claim).

Run: ``python -m tinytorch.milestone_mlp [--quick] [--root DIR] [--seed N]``.
"""

import numpy as np
from rich.markup import escape
from rich.table import Table

from tinytorch.activations import ReLU
from tinytorch.data import (
    MNIST, DataLoader, DatasetIntegrityError, DatasetNotFoundError, Normalize, TinyDigits, data_root,
)
from tinytorch.layers import Linear, Module, Sequential
from tinytorch.results import Claim
from tinytorch.tensor import manual_seed
from tinytorch.training import fit_classifier

DESCRIPTION = "1986: a multi-layer perceptron trained by backpropagation reads TinyDigits and MNIST."

# (task, run) -> minimum test accuracy
TARGETS = {
    ("tinydigits", "full"): 0.90,
    ("tinydigits", "quick"): 0.90,
    ("mnist", "full"): 0.98,
    ("mnist", "quick"): 0.90,
}

# Per task and run: layer widths, epochs, batch size, Adam learning rate, training subset size.
CONFIGS = {
    ("tinydigits", "full"): dict(sizes=(64, 128, 10), epochs=40, batch_size=32, lr=3e-3, subset=None),
    ("tinydigits", "quick"): dict(sizes=(64, 128, 10), epochs=40, batch_size=32, lr=3e-3, subset=None),
    ("mnist", "full"): dict(sizes=(784, 256, 128, 10), epochs=10, batch_size=128, lr=1e-3, subset=None),
    ("mnist", "quick"): dict(sizes=(784, 256, 128, 10), epochs=2, batch_size=128, lr=1e-3, subset=10_000),
}

# MNIST training-set pixel mean and standard deviation (of pixel/255).
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class MLP(Module):
    r"""Fully connected network: ``Linear -> ReLU -> ... -> Linear`` on flattened images.

    Args:
        sizes: layer widths, input first and number of classes last, e.g. ``(784, 256, 128, 10)``.

    Shape:
        - Input: :math:`(N, *)` with :math:`\prod * = \text{sizes}[0]` (images are flattened).
        - Output: :math:`(N, \text{sizes}[-1])` logits.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> MLP((64, 32, 10))(zeros(5, 1, 8, 8)).shape
        (5, 10)
    """

    def __init__(self, sizes):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least input and output sizes, got {sizes!r}")
        self.sizes = tuple(int(s) for s in sizes)
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            layers.append(Linear(fan_in, fan_out))
            if i < len(self.sizes) - 2:
                layers.append(ReLU())
        self.net = Sequential(*layers)

    def forward(self, x):
        return self.net(x.reshape(x.shape[0], -1))  # (N, C, H, W) -> (N, C*H*W) -> (N, classes)


def count_parameters(model):
    """Number of scalars in the model's parameters."""
    return int(sum(p.data.size for p in model.parameters()))


def forward_flops(sizes):
    """FLOPs of one sample's forward pass: ``2 * in * out`` per Linear (multiply + add) plus biases."""
    return int(sum(2 * a * b + b for a, b in zip(sizes[:-1], sizes[1:])))


def _datasets(task, root, subset, seed):
    if task == "tinydigits":
        return TinyDigits(root=root, train=True), TinyDigits(root=root, train=False)
    normalize = Normalize(MNIST_MEAN, MNIST_STD)
    train_set = MNIST(root=root, train=True, transform=normalize)
    test_set = MNIST(root=root, train=False, transform=normalize)
    if subset is not None:
        keep = np.random.default_rng(seed).permutation(len(train_set))[:subset]
        train_set.data, train_set.targets = train_set.data[keep], train_set.targets[keep]
    return train_set, test_set


def run_task(task, quick, root, seed, log):
    """Train and test one task; return its :class:`~tinytorch.results.Claim` and its metrics."""
    run = "quick" if quick else "full"
    cfg = CONFIGS[(task, run)]
    target = TARGETS[(task, run)]
    name = f"{task}_test_accuracy" + ("_quick" if quick else "")
    description = f"{task} test accuracy, MLP {'-'.join(map(str, cfg['sizes']))}, {cfg['epochs']} epochs"
    metrics = {"sizes": list(cfg["sizes"]), "parameters": None, "flops_per_sample": forward_flops(cfg["sizes"]),
               "train_seconds": None, "epoch_seconds": [], "final_loss": None, "error": None}
    try:
        train_set, test_set = _datasets(task, root, cfg["subset"], seed)
    except (DatasetNotFoundError, DatasetIntegrityError) as exc:
        metrics["error"] = str(exc)
        log(f"[bold red]{task}: data unavailable[/bold red]\n{escape(str(exc))}")
        return Claim.check(name, None, ">=", target, description=description, reason=str(exc)), metrics
    manual_seed(seed)
    model = MLP(cfg["sizes"])
    metrics["parameters"] = count_parameters(model)
    train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, seed=seed)
    test_loader = DataLoader(test_set, batch_size=1000)
    log(f"{task}: {len(train_set)} train / {len(test_set)} test, MLP {'-'.join(map(str, cfg['sizes']))}, "
        f"{metrics['parameters']:,} parameters")
    fit = fit_classifier(model, train_loader, test_loader, epochs=cfg["epochs"], lr=cfg["lr"], log=log)
    metrics.update(train_seconds=round(fit["train_seconds"], 3), final_loss=round(fit["final_loss"], 6),
                   epoch_seconds=[round(t, 3) for t in fit["epoch_seconds"]])
    return Claim.check(name, fit["accuracy"], ">=", target, description=description), metrics


def _systems_table(tasks, quick):
    table = Table(title=f"1986 MLP (backprop){' -- QUICK run, reduced claims' if quick else ''}: systems",
                  title_justify="left")
    for column in ("task", "network", "params", "fwd FLOPs/sample", "train", "per epoch", "final loss"):
        table.add_column(column, justify="left" if column in ("task", "network") else "right")
    for task, m in tasks.items():
        table.add_row(task, "-".join(map(str, m["sizes"])),
                      "-" if m["parameters"] is None else f"{m['parameters']:,}", f"{m['flops_per_sample']:,}",
                      "-" if m["train_seconds"] is None else f"{m['train_seconds']:.1f} s",
                      f"{np.mean(m['epoch_seconds']):.2f} s" if m["epoch_seconds"] else "-",
                      "-" if m["final_loss"] is None else f"{m['final_loss']:.4f}")
    return table


def add_arguments(parser):
    """The options of this milestone besides ``--quick`` and ``--seed``."""
    parser.add_argument("--root", default=None, help="data root (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")


def run(args, console):
    """Train and test every task; return ``(claims, metrics)`` for :func:`tinytorch.results.milestone_main`."""
    console.print(f"[bold]1986 MLP milestone[/bold] ({'quick' if args.quick else 'full'} run, "
                  f"data root {escape(str(data_root(args.root)))})")
    claims, tasks = [], {}
    for task in ("tinydigits", "mnist"):
        claim, tasks[task] = run_task(task, args.quick, args.root, args.seed, console.print)
        claims.append(claim)
    console.print(_systems_table(tasks, args.quick))
    metrics = {f"{task}_{key}": value for task, m in tasks.items() for key, value in m.items()}
    metrics.update(parameters=tasks["mnist"]["parameters"], flops_per_sample=tasks["mnist"]["flops_per_sample"])
    return claims, metrics
