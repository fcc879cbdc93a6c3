"""Training throughput: one epoch of the 784-128-64-10 MLP, ours vs PyTorch vs NumPy by hand.

The model of the MLP milestone (109,386 parameters), batch 64, SGD with momentum 0.9, cross-entropy,
one epoch over 60,000 random samples (938 steps). Four ways, same data, same initial weights, in
the same process:

- ``tinytorch``: ``Sequential(Linear, ReLU, Linear, ReLU, Linear)``, ``cross_entropy``,
  ``loss.backward()``, ``SGD.step()`` — the framework's per-op overhead included;
- ``tinytorch Trainer``: the same through ``tinytorch.training.Trainer`` (adds ``loss.item()``
  and bookkeeping per batch);
- ``numpy by hand``: forward, backward and update written out in NumPy, the floor for our design;
- ``torch``: PyTorch 2.13 on one thread (``torch.set_num_threads(1)``), skipped when not installed.

BLAS runs single-threaded for every column (the thread variables are set before NumPy loads) so
the comparison is of frameworks, not thread counts. After an untimed warm-up of ten steps each,
every column is timed ``--repeat`` times, the columns taking turns, and the best epoch of each is
reported, as wall time and as CPU time (steadier on a shared machine). After timing, the
parameters of one tinytorch epoch and one torch epoch from the same start are compared, to show
both computed the same thing.

Run from the repo root: ``python tools/bench/bench_mlp_train.py`` (``--markdown`` prints the table
for docs/performance.md). Never used as a CI gate.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import tinytorch.autograd  # noqa: E402,F401  (the engine that loss.backward() runs)
from tinytorch.activations import ReLU  # noqa: E402
from tinytorch.layers import Linear, Sequential  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.optim import SGD  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.training import Trainer  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

SIZES = (784, 128, 64, 10)
LR, MOMENTUM = 0.01, 0.9


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, SIZES[0]), dtype=np.float32)  # (N, 784)
    y = rng.integers(0, SIZES[-1], size=n)  # (N,)
    return x, y


def initial_weights(seed=0):
    """[(W (out, in), b (out,)), ...] drawn once by tinytorch's Linear init, shared by every column."""
    manual_seed(seed)
    layers = [Linear(i, o) for i, o in zip(SIZES[:-1], SIZES[1:])]
    return [(layer.weight.data.copy(), layer.bias.data.copy()) for layer in layers]


def tinytorch_model(weights):
    linears = [Linear(w.shape[1], w.shape[0]) for w, _ in weights]
    for layer, (w, b) in zip(linears, weights):
        layer.weight.data[...] = w
        layer.bias.data[...] = b
    return Sequential(linears[0], ReLU(), linears[1], ReLU(), linears[2])


def epoch_tinytorch(model, x, y, batch_size):
    opt = SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for i in range(0, len(x), batch_size):
        xb, yb = Tensor(x[i:i + batch_size]), Tensor(y[i:i + batch_size])  # views, no copies
        opt.zero_grad()
        loss = cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()


def epoch_trainer(model, x, y, batch_size):
    batches = [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    trainer = Trainer(model, SGD(model.parameters(), lr=LR, momentum=MOMENTUM), cross_entropy, progress=False)
    trainer.fit(batches, epochs=1)


def epoch_numpy(weights, x, y, batch_size):
    """The same training step written out by hand: what a framework built on NumPy could reach."""
    params = [a.copy() for pair in weights for a in pair]  # W1 b1 W2 b2 W3 b3
    bufs = [None] * len(params)
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        n = len(xb)
        w1, b1, w2, b2, w3, b3 = params
        z1 = xb @ w1.T + b1  # (B, 128)
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2  # (B, 64)
        h2 = np.maximum(z2, 0)
        logits = h2 @ w3.T + b3  # (B, 10)
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        # d loss / d logits for the mean cross-entropy: (softmax - onehot) / B
        p[np.arange(n), yb] -= 1
        g3 = p / n  # (B, 10)
        gh2 = g3 @ w3  # (B, 64)
        gh2 *= z2 > 0
        gh1 = gh2 @ w2  # (B, 128)
        gh1 *= z1 > 0
        grads = [gh1.T @ xb, gh1.sum(0), gh2.T @ h1, gh2.sum(0), g3.T @ h2, g3.sum(0)]
        for k, (param, grad) in enumerate(zip(params, grads)):
            if bufs[k] is None:
                bufs[k] = grad.copy()
            else:
                bufs[k] *= MOMENTUM
                bufs[k] += grad
            param -= LR * bufs[k]
    return params


def torch_model(weights):
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )
    with torch.no_grad():
        for layer, (w, b) in zip([model[0], model[2], model[4]], weights):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return model


def epoch_torch(model, x, y, batch_size):
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    for i in range(0, len(x), batch_size):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[i:i + batch_size]), yt[i:i + batch_size])
        loss.backward()
        opt.step()


def best_seconds(columns, repeat):
    """Best wall and CPU time of each ``run()`` in ``columns`` over ``repeat`` rounds.

    The columns take turns within each round, so a burst of load on a shared machine hits all of
    them rather than whichever happened to be running. Every column runs on one thread, so CPU
    time (``time.process_time``) is the steadier measure when other jobs compete for the cores.
    """
    wall = {name: [] for name in columns}
    cpu = {name: [] for name in columns}
    for _ in range(repeat):
        for name, run in columns.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {name: (min(wall[name]), min(cpu[name])) for name in columns}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=60_000, help="samples per epoch (default 60000)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="epochs timed per column; best reported (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)

    x, y = make_data(args.samples)
    weights = initial_weights()
    steps = -(-args.samples // args.batch_size)
    epochs = {
        "tinytorch": lambda xs, ys: epoch_tinytorch(tinytorch_model(weights), xs, ys, args.batch_size),
        "tinytorch Trainer": lambda xs, ys: epoch_trainer(tinytorch_model(weights), xs, ys, args.batch_size),
        "numpy by hand": lambda xs, ys: epoch_numpy(weights, xs, ys, args.batch_size),
    }
    if torch is not None:
        torch.set_num_threads(1)
        epochs["torch (1 thread)"] = lambda xs, ys: epoch_torch(torch_model(weights), xs, ys, args.batch_size)

    # Warm-up (untimed): first calls pay one-off costs (PyTorch's kernel dispatch set-up, caches).
    warm = 10 * args.batch_size
    for run in epochs.values():
        run(x[:warm], y[:warm])
    columns = {name: (lambda run=run: run(x, y)) for name, run in epochs.items()}
    seconds = best_seconds(columns, args.repeat)

    # Same computation? One epoch each from the same start, then compare the first weight matrix.
    check = ""
    if torch is not None:
        ours, theirs = tinytorch_model(weights), torch_model(weights)
        epoch_tinytorch(ours, x, y, args.batch_size)
        epoch_torch(theirs, x, y, args.batch_size)
        diff = float(np.abs(ours[0].weight.data - theirs[0].weight.detach().numpy()).max())
        check = f"max |W1 ours - W1 torch| after one epoch: {diff:.2e}"

    reference = seconds.get("torch (1 thread)")
    header = f"{args.samples} samples, batch {args.batch_size} ({steps} steps), best of {args.repeat}; " \
             f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch is not None else "") + \
             f", {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    names = ("implementation", "wall s/epoch", "CPU s/epoch", "wall ms/step", "vs torch (wall)", "vs torch (CPU)")
    if args.markdown:
        print(f"<!-- {header} -->")
        print("| " + " | ".join(names) + " |")
        print("|" + "---|" * len(names))
    else:
        print(header)
        print(f"{names[0]:<20}" + "".join(f"{n:>17}" for n in names[1:]))
    for name, (wall, cpu) in seconds.items():
        ratios = [f"{wall / reference[0]:.2f}x", f"{cpu / reference[1]:.2f}x"] if reference else ["n/a", "n/a"]
        cells = [f"{wall:.2f}", f"{cpu:.2f}", f"{1e3 * wall / steps:.2f}", *ratios]
        if args.markdown:
            print(f"| {name} | " + " | ".join(cells) + " |")
        else:
            print(f"{name:<20}" + "".join(f"{c:>17}" for c in cells))
    if check:
        print(check)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
