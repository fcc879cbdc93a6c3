"""MNIST MLP epoch: where the time of one epoch of the 1986 milestone goes.

On the real MNIST training set (60,000 images, shared data folder or ``$TINYTORCH_DATA_DIR``),
in one process:

- ``loader, batched``: one epoch of ``DataLoader(MNIST(transform=Normalize), batch_size=128,
  shuffle=True)`` -- each batch is one fancy index into the uint8 array (``__getitems__``);
- ``loader, per sample``: the same epoch through ``__getitem__`` + ``default_collate``, the path a
  dataset without ``__getitems__`` takes (PyTorch's default);
- ``train epoch, tinytorch``: one epoch of the milestone model (784-256-128-10 ReLU MLP, Adam,
  cross-entropy, batch 128) including the loader;
- ``train epoch, torch``: the same model and optimiser in PyTorch 2.13 on one thread, fed from the
  same arrays (skipped when torch is not installed).

BLAS threads are set before NumPy loads (``--blas-threads``, default 1): on a shared 2-core
machine OpenBLAS threads that spin against other processes can make one GEMM 10-30x slower, so
run it with 1 and 2 to see what your machine does. Each row is the best of ``--repeat`` runs.
Run from the repo root: ``python tools/bench/bench_mlp_mnist.py [--blas-threads N] [--markdown]``.
Never used as a CI gate.
"""

import os
import sys


def _blas_threads(argv):
    for i, arg in enumerate(argv):
        if arg == "--blas-threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--blas-threads="):
            return arg.split("=", 1)[1]
    return "1"


for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _blas_threads(sys.argv[1:])

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from tinytorch.data import MNIST, DataLoader, Normalize, default_collate  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.milestone_mlp import MLP  # noqa: E402
from tinytorch.milestone_mlp.mlp import MNIST_MEAN, MNIST_STD  # noqa: E402
from tinytorch.optim import Adam  # noqa: E402
from tinytorch.tensor import manual_seed  # noqa: E402

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def loader_epoch(loader):
    def run():
        for _x, _y in loader:
            pass
    return run


def tinytorch_epoch(train_set, batch_size):
    manual_seed(0)
    model = MLP((784, 256, 128, 10))
    optimizer = Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=0)

    def run():
        for x, y in loader:
            loss = cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return run


def torch_epoch(train_set, batch_size):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    images = torch.from_numpy(((train_set.data.reshape(-1, 784) / 255.0 - MNIST_MEAN) / MNIST_STD)
                              .astype(np.float32))
    labels = torch.from_numpy(train_set.targets)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def run():
        order = torch.from_numpy(rng.permutation(len(labels)))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(images[idx]), labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blas-threads", default="1", help="OpenBLAS/OMP/MKL threads (set before NumPy loads)")
    parser.add_argument("--root", default=None, help="data root (default $TINYTORCH_DATA_DIR, else ../shared/datasets)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)

    root = args.root or os.environ.get("TINYTORCH_DATA_DIR") or SHARED
    train_set = MNIST(root=root, train=True, transform=Normalize(MNIST_MEAN, MNIST_STD))
    n = len(train_set)
    rows = []
    batched = best_of(loader_epoch(DataLoader(train_set, batch_size=args.batch_size, shuffle=True, seed=0)),
                      args.repeat)
    rows.append(("loader, batched (__getitems__)", batched))
    per_sample = best_of(loader_epoch(DataLoader(train_set, batch_size=args.batch_size, shuffle=True, seed=0,
                                                 collate_fn=default_collate)), 1)
    rows.append(("loader, per sample (__getitem__ + collate)", per_sample))
    ours = best_of(tinytorch_epoch(train_set, args.batch_size), args.repeat)
    rows.append(("train epoch, tinytorch (incl. loader)", ours))
    theirs_fn = torch_epoch(train_set, args.batch_size)
    theirs = best_of(theirs_fn, args.repeat) if theirs_fn is not None else None
    if theirs is not None:
        rows.append(("train epoch, torch 2.13 (1 thread)", theirs))

    header = f"MNIST MLP epoch: {n} images, batch {args.batch_size}, BLAS threads {args.blas_threads}"
    if args.markdown:
        print(f"{header}\n\n| what | seconds | images/s |\n|---|---:|---:|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.3f} | {n / seconds:,.0f} |")
    else:
        print(header)
        for name, seconds in rows:
            print(f"  {name:45s} {seconds:8.3f} s  {n / seconds:12,.0f} images/s")
    print(f"per-sample / batched loader: {per_sample / batched:.1f}x; "
          f"loader share of a tinytorch epoch: {100 * batched / ours:.1f}%"
          + (f"; tinytorch / torch epoch: {ours / theirs:.2f}x" if theirs is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
