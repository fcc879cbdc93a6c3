"""Training-step speed of a CIFAR-shaped CNN and an MNIST MLP epoch, against PyTorch in the same run.

Two workloads, each timed for TinyTorch and for PyTorch (``torch.set_num_threads(1)``) in one
process, on identical data and architectures:

- **CNN step**: a CIFAR-10-shaped network, ``conv 3->32 (3x3, pad 1) - ReLU - maxpool 2 -
  conv 32->64 - ReLU - maxpool 2 - fc 4096->128 - ReLU - fc 128->10``, batch 64 of 3x32x32,
  cross-entropy, SGD with momentum: milliseconds per step (forward + backward + update), best and
  median of ``--steps`` timed steps after ``--warmup`` untimed ones. The two frameworks' steps
  alternate, so load from other processes hits both alike; best CPU time is reported as well.
- **MLP epoch**: ``784-256-128-10`` with ReLU, batch 128, Adam, one epoch over 60,000 28x28 images
  (MNIST from the data root when present, else random images of the same shape): seconds per epoch.

Both frameworks are kept to one thread: this script sets ``OPENBLAS_NUM_THREADS=1`` (and the
MKL/OMP equivalents) before NumPy is imported unless they are already set, so ratios compare one
core against one core. ``--chunk-bytes`` overrides ``tinytorch.spatial.ops.CHUNK_BYTES`` (the
im2col chunk) to measure the large-temporaries trap: ``--chunk-bytes 0`` means one chunk for the
whole batch. The glibc allocator can be tuned from outside for a comparison, e.g.
``MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=268435456 python tools/bench/bench_cnn.py``.

Run from the repo root: ``python tools/bench/bench_cnn.py [--markdown]``. Goals (the issue's):
CNN step <= 1.2x PyTorch, MLP epoch <= 1.0x. Never used as a CI gate.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import tinytorch.autograd  # noqa: E402,F401  (registers the engine that backward() runs)
from tinytorch.activations import ReLU  # noqa: E402
from tinytorch.layers import Linear, Sequential  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.optim import SGD, Adam  # noqa: E402
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d, ops  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def cnn_ours():
    return Sequential(Conv2d(3, 32, 3, padding=1), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU(),
                      MaxPool2d(2), Flatten(), Linear(64 * 8 * 8, 128), ReLU(), Linear(128, 10))


def cnn_torch():
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def mlp_ours():
    return Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))


def mlp_torch():
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def copy_weights(ours, theirs):
    """Give the PyTorch twin our initial weights (same state_dict keys by construction)."""
    theirs.load_state_dict({k: torch.tensor(np.array(v)) for k, v in ours.state_dict().items()})


def time_interleaved(steps_by_name, warmup, repeats):
    """Best and median seconds per call of each step function, calls interleaved round-robin.

    Interleaving spreads any load from other processes evenly over the frameworks compared.
    Returns ``{name: (best_wall, median_wall, best_cpu)}``; CPU time is ``time.process_time``
    (equal to wall time on an idle machine for these single-threaded runs).
    """
    for _ in range(warmup):
        for step in steps_by_name.values():
            step()
    wall = {name: [] for name in steps_by_name}
    cpu = {name: [] for name in steps_by_name}
    for _ in range(repeats):
        for name, step in steps_by_name.items():
            w, c = time.perf_counter(), time.process_time()
            step()
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
    return {name: (min(wall[name]), float(np.median(wall[name])), min(cpu[name])) for name in steps_by_name}


def bench_cnn(batch, warmup, steps):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    manual_seed(0)
    model = cnn_ours()
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    xt, yt = Tensor(x), Tensor(y)

    def ours_step():
        loss = cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    fns = {"ours": ours_step}
    if torch is not None:
        tmodel = cnn_torch()
        copy_weights(model, tmodel)
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            loss = torch.nn.functional.cross_entropy(tmodel(tx), ty)
            topt.zero_grad()
            loss.backward()
            topt.step()

        fns["torch"] = torch_step
    return time_interleaved(fns, warmup, steps)


def bench_conv_layer(repeats=5):
    """One 3x3 conv layer, 32 -> 64 channels on a 64x32x16x16 batch: im2col + GEMM vs the naive loop."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32, 16, 16)).astype(np.float32)
    w = rng.standard_normal((64, 32, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1))
    result = time_interleaved({"im2col": lambda: ops.conv2d(x, w, None, *args),
                               "naive": lambda: ops.conv2d_naive(x, w, None, *args)}, 1, repeats)
    flops = 2 * 64 * 32 * 9 * 64 * 16 * 16
    return result, flops


def mnist_arrays(samples):
    """(images (N, 784) float32 normalised, labels (N,) int64): real MNIST if present, else random."""
    try:
        from tinytorch.data import MNIST

        ds = MNIST(train=True)
        images = ((ds.data[:samples].reshape(-1, 784).astype(np.float32) / 255.0) - 0.1307) / 0.3081
        return images, ds.targets[:samples], "MNIST"
    except Exception:  # data package or files absent: same shapes, random values
        rng = np.random.default_rng(0)
        return rng.standard_normal((samples, 784)).astype(np.float32), rng.integers(0, 10, samples), "random"


def bench_mlp(samples, batch, repeats):
    images, labels, source = mnist_arrays(samples)
    order = np.random.default_rng(0).permutation(len(labels))
    batches = [order[i:i + batch] for i in range(0, len(order), batch)]
    manual_seed(0)
    model = mlp_ours()
    opt = Adam(model.parameters(), lr=1e-3)

    def ours_epoch():
        for idx in batches:
            loss = cross_entropy(model(Tensor(images[idx])), Tensor(labels[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()

    fns = {"ours": ours_epoch}
    if torch is not None:
        tmodel = mlp_torch()
        copy_weights(model, tmodel)
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        timages, tlabels = torch.from_numpy(images), torch.from_numpy(labels)

        def torch_epoch():
            for idx in batches:
                tidx = torch.from_numpy(idx)
                loss = torch.nn.functional.cross_entropy(tmodel(timages[tidx]), tlabels[tidx])
                topt.zero_grad()
                loss.backward()
                topt.step()

        fns["torch"] = torch_epoch
    result = time_interleaved(fns, 0, repeats)
    result["source"] = source
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=64, help="CNN batch size (default 64)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="timed CNN steps")
    parser.add_argument("--epochs", type=int, default=2, help="timed MLP epochs (best is reported)")
    parser.add_argument("--mlp-samples", type=int, default=60_000)
    parser.add_argument("--chunk-bytes", type=int, default=None,
                        help="override tinytorch.spatial.ops.CHUNK_BYTES (0: whole batch in one im2col)")
    parser.add_argument("--skip-mlp", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print a table for docs/performance.md")
    args = parser.parse_args(argv)
    if args.chunk_bytes is not None:
        ops.CHUNK_BYTES = args.chunk_bytes if args.chunk_bytes > 0 else 1 << 62
    torch_threads = None
    if torch is not None:
        torch.set_num_threads(1)
        torch_threads = torch.get_num_threads()

    rows = []
    conv, flops = bench_conv_layer()
    cnn = bench_cnn(args.batch, args.warmup, args.steps)
    rows.append((f"CNN train step, batch {args.batch} (ms)", cnn, 1e3, 1.2))
    if not args.skip_mlp:
        mlp = bench_mlp(args.mlp_samples, 128, args.epochs)
        rows.append((f"MLP epoch, {args.mlp_samples} {mlp['source']} images, batch 128 (s)", mlp, 1.0, 1.0))

    print(f"# python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'} (threads {torch_threads}), "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, CHUNK_BYTES={ops.CHUNK_BYTES}, "
          f"MALLOC_MMAP_THRESHOLD_={os.environ.get('MALLOC_MMAP_THRESHOLD_', 'unset')}")
    fast, naive = conv["im2col"][2], conv["naive"][2]
    print(f"# conv 32->64 3x3 on 64x32x16x16: im2col + GEMM {1e3 * fast:.2f} ms CPU ({flops / fast / 1e9:.0f} GFLOP/s), "
          f"naive loop over positions {1e3 * naive:.2f} ms ({naive / fast:.1f}x)")
    if args.markdown:
        print("| workload | ours best | ours median | PyTorch best | PyTorch median | ratio (best wall) "
              "| ratio (best CPU) | goal |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r, scale, goal in rows:
        ob, om, oc = (v * scale for v in r["ours"])
        if "torch" in r:
            tb, tm, tc = (v * scale for v in r["torch"])
            cells = (f"{tb:.2f}", f"{tm:.2f}", f"{ob / tb:.2f}x", f"{oc / tc:.2f}x")
        else:
            cells = ("-", "-", "-", "-")
        if args.markdown:
            print(f"| {name} | {ob:.2f} | {om:.2f} | {' | '.join(cells)} | <= {goal}x |")
        else:
            print(f"{name}: ours best {ob:.2f} median {om:.2f}; torch best {cells[0]} median {cells[1]}; "
                  f"ratio {cells[2]} wall, {cells[3]} CPU (goal <= {goal}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
