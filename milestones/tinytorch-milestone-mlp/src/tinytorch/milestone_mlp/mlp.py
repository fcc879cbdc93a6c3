"""Milestone 1986: a multi-layer perceptron trained by backpropagation reads handwritten digits.

Rumelhart, Hinton and Williams showed that gradients propagated backwards through hidden layers
train networks a single perceptron could never be. This milestone reruns that result on the
learner's own TinyTorch: the Tensor (01), ReLU (02), Linear (03), cross-entropy (04), the autograd
engine (05), Adam and a cosine schedule (06), the Trainer's loop (07) and the DataLoader with
verified datasets (08).

Claims checked (exit status 0 only when all hold):

- full run: TinyDigits test accuracy >= 90%; MNIST test accuracy >= 98% (784-256-128-10, 10 epochs).
- ``--quick``: TinyDigits >= 90%; MNIST trained on a 10,000-image subset for 2 epochs, test >= 90%
  (a smoke test of the same code path, not the historical claim).

Run: ``python -m tinytorch.milestone_mlp [--quick] [--root DIR] [--seed N]``.
"""

import argparse
import json
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from tinytorch.activations import ReLU
from tinytorch.data import (
    MNIST, DataLoader, DatasetIntegrityError, DatasetNotFoundError, Normalize, TinyDigits, data_root,
)
from tinytorch.layers import Linear, Module, Sequential
from tinytorch.losses import cross_entropy
from tinytorch.optim import Adam
from tinytorch.optim.lr_scheduler import CosineAnnealingLR
from tinytorch.tensor import manual_seed
from tinytorch.training import Trainer, accuracy

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


def make_trainer(model, epochs, steps_per_epoch, lr):
    """Adam with a cosine-annealed learning rate stepped after every batch, scoring accuracy."""
    optimizer = Adam(model.parameters(), lr=lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
    # epoch_logger's lines stand in for the progress bar, so a terminal and CI see the same output.
    return Trainer(model, optimizer, cross_entropy, scheduler=scheduler, scheduler_interval="step",
                   metrics={"accuracy": accuracy}, progress=False)


def epoch_logger(epochs, log):
    """``on_epoch_end`` hook printing loss and time: every epoch of a short run, every 10th of a long one."""
    def on_epoch_end(trainer, record):
        if epochs <= 10 or record["epoch"] % 10 == 0:
            log(f"  epoch {record['epoch']}/{epochs}: loss {record['train_loss']:.4f}, "
                f"{record['train_seconds']:.2f} s")
    return on_epoch_end


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
    """Train and test one task; returns a result dict (claim + metrics)."""
    run = "quick" if quick else "full"
    cfg = CONFIGS[(task, run)]
    target = TARGETS[(task, run)]
    claim = f"{task}_test_accuracy" + ("_quick" if quick else "")
    result = {"task": task, "claim": claim, "target": target, "passed": False, "accuracy": None,
              "parameters": None, "flops_per_sample": forward_flops(cfg["sizes"]), "train_seconds": None,
              "epoch_seconds": [], "error": None, "config": {k: v for k, v in cfg.items() if k != "sizes"},
              "sizes": list(cfg["sizes"])}
    try:
        train_set, test_set = _datasets(task, root, cfg["subset"], seed)
    except (DatasetNotFoundError, DatasetIntegrityError) as exc:
        result["error"] = str(exc)
        log(f"[bold red]{task}: data unavailable[/bold red]\n{exc}")
        return result
    manual_seed(seed)
    model = MLP(cfg["sizes"])
    result["parameters"] = count_parameters(model)
    train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, seed=seed)
    test_loader = DataLoader(test_set, batch_size=1000)
    log(f"{task}: {len(train_set)} train / {len(test_set)} test, MLP {'-'.join(map(str, cfg['sizes']))}, "
        f"{result['parameters']:,} parameters")
    trainer = make_trainer(model, cfg["epochs"], len(train_loader), cfg["lr"])
    start = time.perf_counter()
    history = trainer.fit(train_loader, cfg["epochs"], on_epoch_end=epoch_logger(cfg["epochs"], log))
    result["train_seconds"] = time.perf_counter() - start
    result["epoch_seconds"] = [round(t, 3) for t in history["train_seconds"]]
    result["final_loss"] = history["train_loss"][-1]
    result["accuracy"] = trainer.evaluate(test_loader)["accuracy"]
    result["passed"] = result["accuracy"] >= target
    return result


def _table(results, quick, wall):
    table = Table(title=f"1986 MLP (backprop){' -- QUICK run, reduced claims' if quick else ''}",
                  title_justify="left")
    for column in ("task", "test acc", "target", "params", "fwd FLOPs/sample", "train", "per epoch", "result"):
        table.add_column(column, justify="left" if column in ("task", "result") else "right")
    for r in results:
        acc = "-" if r["accuracy"] is None else f"{100 * r['accuracy']:.2f}%"
        per_epoch = f"{np.mean(r['epoch_seconds']):.2f} s" if r["epoch_seconds"] else "-"
        train_time = "-" if r["train_seconds"] is None else f"{r['train_seconds']:.1f} s"
        params = "-" if r["parameters"] is None else f"{r['parameters']:,}"
        table.add_row(r["task"], acc, f">= {100 * r['target']:.0f}%", params, f"{r['flops_per_sample']:,}",
                      train_time, per_epoch, "[green]PASS[/green]" if r["passed"] else "[red]FAIL[/red]")
    table.caption = f"total wall time {wall:.1f} s"
    return table


def main(argv=None):
    """Run the milestone; returns 0 only when every claim is met."""
    parser = argparse.ArgumentParser(prog="python -m tinytorch.milestone_mlp", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI (seconds, lower MNIST bar)")
    parser.add_argument("--root", default=None, help="data root (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
    parser.add_argument("--seed", type=int, default=0, help="seed for initialisation and shuffling")
    args = parser.parse_args(argv)

    console = Console(highlight=False, width=max(Console().width, 100))
    console.print(f"[bold]1986 MLP milestone[/bold] ({'quick' if args.quick else 'full'} run, "
                  f"data root {data_root(args.root)})")
    start = time.perf_counter()
    results = [run_task(task, args.quick, args.root, args.seed, console.print) for task in ("tinydigits", "mnist")]
    wall = time.perf_counter() - start
    console.print(_table(results, args.quick, wall))

    for r in results:
        if not r["passed"]:
            if r["accuracy"] is None:
                console.print(f"[red]claim {r['claim']} failed:[/red] no result, the data was unavailable "
                              f"(see the message above).")
            else:
                short = 100 * (r["target"] - r["accuracy"])
                console.print(f"[red]claim {r['claim']} failed:[/red] test accuracy "
                              f"{100 * r['accuracy']:.2f}% is {short:.2f} points below the target "
                              f"{100 * r['target']:.0f}%.")
    passed = all(r["passed"] for r in results)
    claims = {r["claim"]: {"value": r["accuracy"], "target": r["target"], "passed": r["passed"]} for r in results}
    metrics = {"wall_seconds": round(wall, 3)}
    for r in results:
        for key in ("parameters", "flops_per_sample", "train_seconds", "epoch_seconds", "sizes", "error"):
            value = r[key]
            metrics[f"{r['task']}_{key}"] = round(value, 3) if isinstance(value, float) else value
    line = {"milestone": "mlp", "passed": passed, "quick": args.quick, "claims": claims, "metrics": metrics}
    # plain print: the result line must not be wrapped or styled by rich
    print("TINYTORCH_RESULT " + json.dumps(line), flush=True)
    return 0 if passed else 1
