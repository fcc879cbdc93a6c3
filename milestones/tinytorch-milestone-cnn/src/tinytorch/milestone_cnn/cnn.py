"""Milestone 1998: convolutional networks read handwritten digits, clothes and natural images.

LeCun, Bottou, Bengio and Haffner's LeNet-5 (1998) read the digits on bank cheques with a
network that shares one small filter across every position of an image. This milestone reruns
that result on the learner's own TinyTorch: the Tensor (01), ReLU (02), Linear (03),
cross-entropy (04), autograd (05), Adam and a cosine schedule (06), the Trainer's loop (07), the
DataLoader and verified datasets (08), and the spatial layers built in module 09 (Conv2d,
MaxPool2d, BatchNorm2d, Flatten).

Claims checked (exit status 0 only when every claim that could be checked holds; the table and
result line come from :mod:`tinytorch.results`, the training recipe from
:func:`tinytorch.training.fit_classifier`):

- full run: TinyDigits test accuracy >= 95%; MNIST >= 99% (LeNet-style, 3 epochs);
  Fashion-MNIST >= 90% (5 epochs; missing files fail the claim with the fix);
  CIFAR-10 >= 75% when its files are present (a small VGG-style network with crop + flip
  augmentation; the run prints its time per epoch). CIFAR-10 absent is *skipped*: the run says
  how to get it, reports the claim with ``"skipped": true`` (never as passed) and still checks the rest.
- ``--quick``: TinyDigits >= 95%; MNIST trained on a 5,000-image subset for one epoch, >= 90%
  (a smoke test of the same code path, not the historical claim).

Every run also measures the CIFAR-10 network's training step on synthetic data and prints the
time a full CIFAR-10 run would take on this machine.

Run: ``python -m tinytorch.milestone_cnn [--quick] [--root DIR] [--seed N] [--only TASK ...] [--threads N]``.
"""

import math
import time

import numpy as np
from rich.markup import escape
from rich.table import Table
from threadpoolctl import threadpool_limits

from tinytorch.activations import ReLU
from tinytorch.data import (
    CIFAR10, MNIST, Compose, DataLoader, DatasetIntegrityError, DatasetNotFoundError, FashionMNIST,
    Normalize, RandomCrop, RandomHorizontalFlip, TinyDigits, data_root,
)
from tinytorch.layers import Linear, Sequential
from tinytorch.losses import cross_entropy
from tinytorch.optim import Adam
from tinytorch.results import Claim, positive_int
from tinytorch.spatial import AvgPool2d, BatchNorm2d, Conv2d, Flatten, MaxPool2d
from tinytorch.tensor import Tensor, manual_seed, no_grad
from tinytorch.training import Trainer, fit_classifier

DESCRIPTION = "1998: convolutional networks read handwritten digits, clothes and natural images."

TASKS = ("tinydigits", "mnist", "fashion", "cifar10")
QUICK_TASKS = ("tinydigits", "mnist")
# Data that cannot be had offline here: absent files skip the claim (never pass it) with the fix.
OPTIONAL = ("cifar10",)

# (task, run) -> minimum test accuracy
TARGETS = {
    ("tinydigits", "full"): 0.95,
    ("tinydigits", "quick"): 0.95,
    ("mnist", "full"): 0.99,
    ("mnist", "quick"): 0.90,
    ("fashion", "full"): 0.90,
    ("cifar10", "full"): 0.75,
}

# Per task and run: network, epochs, batch size, Adam learning rate, training subset size.
CONFIGS = {
    ("tinydigits", "full"): dict(net="tinydigits", epochs=30, batch_size=32, lr=3e-3, subset=None),
    ("tinydigits", "quick"): dict(net="tinydigits", epochs=30, batch_size=32, lr=3e-3, subset=None),
    ("mnist", "full"): dict(net="lenet16", epochs=3, batch_size=64, lr=2e-3, subset=None),
    ("mnist", "quick"): dict(net="lenet16", epochs=1, batch_size=64, lr=2e-3, subset=5_000),
    ("fashion", "full"): dict(net="lenet32", epochs=5, batch_size=64, lr=2e-3, subset=None),
    ("cifar10", "full"): dict(net="cifar", epochs=15, batch_size=64, lr=2e-3, subset=None),
}

INPUT_SHAPES = {"tinydigits": (1, 8, 8), "mnist": (1, 28, 28), "fashion": (1, 28, 28), "cifar10": (3, 32, 32)}

# Training-set pixel statistics (of pixel/255) used to normalise the inputs.
NORMALIZE = {
    "mnist": ((0.1307,), (0.3081,)),
    "fashion": ((0.2860,), (0.3530,)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}


def build_model(name):
    """The networks of this milestone, as ``Sequential`` stacks.

    - ``tinydigits``: two 3x3 convolutions on the 8x8 digits, one pooling, two linear layers.
    - ``lenet16`` / ``lenet32``: LeNet-style: 5x5 conv (16 or 32 filters, padding 2) - BN - ReLU -
      2x2 max pool - 5x5 conv (32 or 64) - BN - ReLU - pool - fc 128 - fc 10.
    - ``cifar``: VGG-style: three stages of 3x3 conv - BN - ReLU - 2x2 max pool (32, 64, 128
      filters), then fc 256 - fc 10.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> build_model("lenet16")(zeros(2, 1, 28, 28)).shape
        (2, 10)
    """
    if name == "tinydigits":
        return Sequential(
            Conv2d(1, 16, 3, padding=1), ReLU(),  # (16, 8, 8)
            Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),  # (32, 4, 4)
            Flatten(), Linear(32 * 4 * 4, 64), ReLU(), Linear(64, 10),
        )
    if name in ("lenet16", "lenet32"):
        c1 = 16 if name == "lenet16" else 32
        return Sequential(
            Conv2d(1, c1, 5, padding=2), BatchNorm2d(c1), ReLU(), MaxPool2d(2),  # (c1, 14, 14)
            Conv2d(c1, 2 * c1, 5), BatchNorm2d(2 * c1), ReLU(), MaxPool2d(2),  # (2 c1, 5, 5)
            Flatten(), Linear(2 * c1 * 5 * 5, 128), ReLU(), Linear(128, 10),
        )
    if name == "cifar":
        return Sequential(
            Conv2d(3, 32, 3, padding=1), BatchNorm2d(32), ReLU(), MaxPool2d(2),  # (32, 16, 16)
            Conv2d(32, 64, 3, padding=1), BatchNorm2d(64), ReLU(), MaxPool2d(2),  # (64, 8, 8)
            Conv2d(64, 128, 3, padding=1), BatchNorm2d(128), ReLU(), MaxPool2d(2),  # (128, 4, 4)
            Flatten(), Linear(128 * 4 * 4, 256), ReLU(), Linear(256, 10),
        )
    raise ValueError(f"unknown network {name!r}; expected one of tinydigits, lenet16, lenet32, cifar")


def count_parameters(model):
    """Number of scalars in the model's parameters."""
    return int(sum(p.data.size for p in model.parameters()))


def layer_profile(model, input_shape):
    """Per layer of a ``Sequential``: output shape, parameters, forward FLOPs and activation bytes.

    FLOPs count a multiply-add as 2: a convolution costs ``2 · C_in · K_h · K_w · C_out · H_out ·
    W_out`` (+ one add per output for the bias), a linear layer ``2 · in · out + out``; batch
    norm 2 per element (scale and shift after folding), ReLU 1, a pool ``K_h · K_w`` per output.
    Feature-map bytes are float32 activations of one sample.

    Returns:
        list of dicts with keys ``layer, shape, params, flops, bytes``.
    """
    rows = []
    x = Tensor(np.zeros((1, *input_shape), np.float32))
    with no_grad():
        for layer in model:
            y = layer(x)
            out = int(np.prod(y.shape[1:]))
            params = sum(p.data.size for p in layer.parameters()) if hasattr(layer, "parameters") else 0
            if isinstance(layer, Conv2d):
                kh, kw = layer.kernel_size
                flops = 2 * layer.in_channels * kh * kw * out + (out if layer.bias is not None else 0)
            elif isinstance(layer, Linear):
                flops = 2 * layer.in_features * layer.out_features + layer.out_features
            elif isinstance(layer, BatchNorm2d):
                flops = 2 * out
            elif isinstance(layer, (MaxPool2d, AvgPool2d)):
                flops = layer.kernel_size[0] * layer.kernel_size[1] * out
            elif isinstance(layer, Flatten):
                flops = 0
            else:  # elementwise activation
                flops = out
            rows.append({"layer": type(layer).__name__, "shape": tuple(y.shape[1:]), "params": int(params),
                         "flops": int(flops), "bytes": 4 * out})
            x = y
    return rows


def measure_step(net, input_shape, batch_size, steps=4, warmup=1, seed=0):
    """Seconds per training step (median of ``steps``) of ``net`` on synthetic data of the given shape."""
    manual_seed(seed)
    model = build_model(net)
    trainer = Trainer(model, Adam(model.parameters(), lr=1e-3), cross_entropy, progress=False)
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((batch_size, *input_shape)).astype(np.float32))
    y = Tensor(rng.integers(0, 10, batch_size))
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        trainer.train_epoch([(x, y)])  # an epoch of one batch: exactly one training step
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def train_transform(task, seed):
    """Batch transform of the training images: normalisation, plus crop + flip for CIFAR-10."""
    normalize = Normalize(*NORMALIZE[task])
    if task != "cifar10":
        return normalize
    gen = np.random.default_rng(seed + 1)
    return Compose([RandomCrop(32, padding=4, generator=gen), RandomHorizontalFlip(generator=gen), normalize])


def _datasets(task, root, subset, seed):
    if task == "tinydigits":
        return TinyDigits(root=root, train=True), TinyDigits(root=root, train=False)
    cls = {"mnist": MNIST, "fashion": FashionMNIST, "cifar10": CIFAR10}[task]
    train_set = cls(root=root, train=True, transform=train_transform(task, seed))
    test_set = cls(root=root, train=False, transform=Normalize(*NORMALIZE[task]))
    if subset is not None:
        keep = np.random.default_rng(seed).permutation(len(train_set))[:subset]
        train_set.data, train_set.targets = train_set.data[keep], train_set.targets[keep]
    return train_set, test_set


def _how_to_get(task, root):
    folder = data_root(root)
    if task == "cifar10":
        return (f"CIFAR-10 is not in {folder / 'cifar-10'}. Get it with `tito data fetch cifar10` "
                "(or `python -c \"from tinytorch.data import fetch; fetch('cifar10')\"`), which downloads "
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (170 MB) and checks its sha256; "
                f"offline, put cifar-10-python.tar.gz into {folder / 'cifar-10'} yourself.")
    if task == "fashion":
        return (f"Fashion-MNIST is not in {folder / 'fashion-mnist'} nor /usr/share/datasets/fashion-mnist. "
                "Install the Debian package (`apt-get install dataset-fashion-mnist`) or copy the four "
                f"official *-ubyte.gz files into {folder / 'fashion-mnist'}.")
    return f"{task}: see `tito data list` for where its files go under {folder}."


def run_task(task, quick, root, seed, log):
    """Train and test one task; return its :class:`~tinytorch.results.Claim` and its metrics.

    Missing files fail the claim with the fix, except CIFAR-10's (:data:`OPTIONAL`), which are
    not to be had offline: its claim is skipped, never passed, and says how to get them.
    """
    run = "quick" if quick else "full"
    cfg = CONFIGS[(task, run)]
    target = TARGETS[(task, run)]
    name = f"{task}_test_accuracy" + ("_quick" if quick else "")
    description = f"{task} test accuracy, network {cfg['net']}, {cfg['epochs']} epochs"
    manual_seed(seed)
    model = build_model(cfg["net"])
    profile = layer_profile(model, INPUT_SHAPES[task])
    metrics = {"net": cfg["net"], "parameters": count_parameters(model),
               "flops_per_sample": sum(r["flops"] for r in profile),
               "activation_bytes_per_sample": sum(r["bytes"] for r in profile),
               "train_seconds": None, "epoch_seconds": [], "final_loss": None, "error": None, "profile": profile}
    try:
        train_set, test_set = _datasets(task, root, cfg["subset"], seed)
    except DatasetNotFoundError as exc:
        metrics["error"] = str(exc).splitlines()[0]
        how = _how_to_get(task, root)
        if task in OPTIONAL:
            log(f"[yellow]{task}: files absent, claim skipped.[/yellow] {escape(how)}")
            return Claim.skip(name, ">=", target, how, description=description), metrics
        log(f"[bold red]{task}: data unavailable[/bold red]\n{escape(str(exc))}")
        return Claim.check(name, None, ">=", target, description=description, reason=f"{exc} {how}"), metrics
    except DatasetIntegrityError as exc:
        metrics["error"] = str(exc)
        log(f"[bold red]{task}: data failed verification[/bold red]\n{escape(str(exc))}")
        return Claim.check(name, None, ">=", target, description=description, reason=str(exc)), metrics
    train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, seed=seed)
    test_loader = DataLoader(test_set, batch_size=500)
    log(f"{task}: {len(train_set)} train / {len(test_set)} test, network {cfg['net']}, "
        f"{metrics['parameters']:,} parameters, {metrics['flops_per_sample']:,} FLOPs/sample")
    fit = fit_classifier(model, train_loader, test_loader, epochs=cfg["epochs"], lr=cfg["lr"], log=log)
    metrics.update(train_seconds=round(fit["train_seconds"], 3), final_loss=round(fit["final_loss"], 6),
                   epoch_seconds=[round(t, 3) for t in fit["epoch_seconds"]])
    log(f"  test accuracy {100 * fit['accuracy']:.2f}% (target {100 * target:.0f}%)")
    return Claim.check(name, fit["accuracy"], ">=", target, description=description), metrics


def cifar_estimate(log):
    """Measure the CIFAR-10 network's step on synthetic data; estimate a full run's duration."""
    cfg = CONFIGS[("cifar10", "full")]
    step = measure_step(cfg["net"], INPUT_SHAPES["cifar10"], cfg["batch_size"])
    steps_per_epoch = math.ceil(50_000 / cfg["batch_size"])
    epoch = step * steps_per_epoch
    total = epoch * cfg["epochs"]
    log(f"CIFAR-10 network: {1e3 * step:.0f} ms per training step (batch {cfg['batch_size']}, synthetic data) "
        f"-> about {epoch / 60:.1f} min per epoch, {total / 60:.0f} min for the full {cfg['epochs']}-epoch run "
        "on this machine.")
    return {"step_ms": round(1e3 * step, 1), "epoch_seconds_estimate": round(epoch, 1),
            "full_run_minutes_estimate": round(total / 60, 1)}


def _fmt_bytes(n):
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.2f} MiB"


def _profile_table(task, result):
    table = Table(title=f"{task}: network {result['net']}, per layer (one sample)", title_justify="left")
    for column in ("layer", "output", "params", "FLOPs", "feature map"):
        table.add_column(column, justify="left" if column in ("layer", "output") else "right")
    for r in result["profile"]:
        table.add_row(r["layer"], "x".join(map(str, r["shape"])), f"{r['params']:,}", f"{r['flops']:,}",
                      _fmt_bytes(r["bytes"]))
    table.add_row("total", "", f"{result['parameters']:,}", f"{result['flops_per_sample']:,}",
                  _fmt_bytes(result["activation_bytes_per_sample"]))
    return table


def _systems_table(tasks, quick):
    table = Table(title=f"1998 CNN (LeNet){' -- QUICK run, reduced claims' if quick else ''}: systems",
                  title_justify="left")
    for column in ("task", "network", "params", "FLOPs/sample", "train", "per epoch", "final loss"):
        table.add_column(column, justify="left" if column in ("task", "network") else "right")
    for task, m in tasks.items():
        table.add_row(task, m["net"], f"{m['parameters']:,}", f"{m['flops_per_sample']:,}",
                      "-" if m["train_seconds"] is None else f"{m['train_seconds']:.1f} s",
                      f"{np.mean(m['epoch_seconds']):.1f} s" if m["epoch_seconds"] else "-",
                      "-" if m["final_loss"] is None else f"{m['final_loss']:.4f}")
    return table


def add_arguments(parser):
    """The options of this milestone besides ``--quick`` and ``--seed``."""
    parser.add_argument("--root", default=None, help="data root (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
    parser.add_argument("--only", nargs="+", choices=TASKS, help="run only these tasks")
    parser.add_argument("--threads", type=positive_int, default=1,
                        help="BLAS threads (default 1: the convolutions' GEMMs are small, batch-chunked "
                             "ones, which two threads slow down badly on a busy 2-core machine)")


def _tasks(args):
    tasks = QUICK_TASKS if args.quick else TASKS
    return tuple(t for t in tasks if t in args.only) if args.only else tasks


def check_args(args, parser):
    """Refuse an ``--only`` that leaves nothing to run."""
    if not _tasks(args):
        parser.error(f"--only {' '.join(args.only)}: none of these run in a {'quick' if args.quick else 'full'} "
                     f"run (a quick run has {', '.join(QUICK_TASKS)})")


def run(args, console):
    """Train and test every task; return ``(claims, metrics)`` for :func:`tinytorch.results.milestone_main`."""
    tasks = _tasks(args)
    console.print(f"[bold]1998 CNN milestone[/bold] ({'quick' if args.quick else 'full'} run, "
                  f"data root {escape(str(data_root(args.root)))})")
    claims, done = [], {}
    with threadpool_limits(limits=args.threads):
        for task in tasks:
            claim, done[task] = run_task(task, args.quick, args.root, args.seed, console.print)
            claims.append(claim)
        estimate = None if args.quick else cifar_estimate(console.print)
    for task, m in done.items():
        console.print(_profile_table(task, m))
    console.print(_systems_table(done, args.quick))
    metrics = {f"{task}_{key}": value for task, m in done.items() for key, value in m.items() if key != "profile"}
    main_task = "mnist" if "mnist" in done else tasks[0]
    metrics.update(parameters=done[main_task]["parameters"], flops_per_sample=done[main_task]["flops_per_sample"])
    if estimate is not None:
        metrics.update({f"cifar10_{k}": v for k, v in estimate.items()})
    return claims, metrics
