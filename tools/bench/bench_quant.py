"""int8 quantization of the Act III MNIST models: accuracy, bytes and latency, measured.

In one process, on the real MNIST data (shared data folder or ``$TINYTORCH_DATA_DIR``):

1. train the 1986 MLP (784-256-128-10) and the 1998 LeNet-style CNN (conv 5x5 1->16 + batch norm,
   conv 5x5 16->32 + batch norm, 800-128-10) with Adam for ``--epochs`` epochs on
   ``--train-size`` training images;
2. quantize each with ``quantize_dynamic`` (int8 weights, per-batch activation ranges) and with
   ``quantize_static`` calibrated on 10 training batches (min-max and 99.99th percentile);
3. report test accuracy on all 10,000 test images, the array bytes and saved-file bytes of the
   float and the int8 model, and the median latency of one forward pass at batch 1 and batch 64
   for the float model, the int8 model, and (where torch is installed) PyTorch 2.13's float model
   and ``torch.ao.quantization.quantize_dynamic`` (Linear layers only, as torch does) with the
   same weights, all on one thread, interleaved round by round.

The claims (accuracy drop <= 1 point, array and file ratio >= 3.9x) are checked: the exit status
is 1 when one fails. Latency is reported, never asserted. Run from the repo root:
``python tools/bench/bench_quant.py [--epochs 1] [--train-size 60000] [--json out.json]``.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from tinytorch.activations import ReLU  # noqa: E402
from tinytorch.data import MNIST  # noqa: E402
from tinytorch.layers import Linear, Sequential  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.profiling import atomic_write_text  # noqa: E402
from tinytorch.optim import Adam  # noqa: E402
from tinytorch.quant import (  # noqa: E402
    PercentileObserver, model_bytes, quantize_dynamic, quantize_static, save,
)
from tinytorch.spatial import BatchNorm2d, Conv2d, Flatten, MaxPool2d  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed, no_grad  # noqa: E402


def build(name):
    if name == "mlp":
        return Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    return Sequential(
        Conv2d(1, 16, 5, padding=2), BatchNorm2d(16), ReLU(), MaxPool2d(2),
        Conv2d(16, 32, 5), BatchNorm2d(32), ReLU(), MaxPool2d(2),
        Flatten(), Linear(800, 128), ReLU(), Linear(128, 10),
    )


def train(model, x, y, epochs, batch_size=64, lr=2e-3, seed=0):
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            cross_entropy(model(Tensor(x[idx])), Tensor(y[idx])).backward()
            opt.step()
    return model.eval()


def accuracy(model, x, y, batch_size=500):
    correct = 0
    with no_grad():
        for i in range(0, len(y), batch_size):
            correct += int((model(Tensor(x[i:i + batch_size])).data.argmax(1) == y[i:i + batch_size]).sum())
    return 100.0 * correct / len(y)


def torch_twin(name, model, torch):
    """The same network in PyTorch with our trained weights (batch norm in eval mode)."""
    nn = torch.nn
    if name == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                            nn.Linear(128, 10))
    else:
        net = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    state = {k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items()}
    net.load_state_dict(state)
    return net.eval()


def latencies(fns, x, rounds, inner):
    """Median seconds per call of each fn, measured in interleaved rounds after one warm-up."""
    times = {k: [] for k in fns}
    for fn in fns.values():
        fn(x)
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                fn(x)
            times[k].append((time.perf_counter() - t0) / inner)
    return {k: float(np.median(v)) for k, v in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    train_set, test_set = MNIST(train=True), MNIST(train=False)
    xtr = (train_set.data[:args.train_size, None].astype(np.float32) / 255)
    ytr = train_set.targets[:args.train_size]
    xte, yte = test_set.data[:, None].astype(np.float32) / 255, test_set.targets
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None

    results, failures = {}, []
    for name in ("mlp", "cnn"):
        t0 = time.perf_counter()
        model = train(build(name), xtr, ytr, args.epochs)
        train_s = time.perf_counter() - t0
        calib = [xtr[i:i + 64] for i in range(0, 640, 64)]
        variants = {
            "int8 dynamic": quantize_dynamic(model),
            "int8 static min-max": quantize_static(model, calib),
            "int8 static p99.99": quantize_static(model, calib, observer=lambda: PercentileObserver(99.99)),
        }
        acc = {"float32": accuracy(model, xte, yte)}
        acc.update({k: accuracy(q, xte, yte) for k, q in variants.items()})
        q = variants["int8 dynamic"]
        with tempfile.TemporaryDirectory() as d:
            float_file = save(model, os.path.join(d, "float.npz"))
            q_file = save(q, os.path.join(d, "int8.npz"))
        sizes = {"float32 arrays": model_bytes(model), "int8 arrays": model_bytes(q),
                 "float32 file": float_file, "int8 file": q_file}

        def ours(m):
            def run(x):
                with no_grad():
                    return m(Tensor(x))
            return run

        fns = {"tinytorch float32": ours(model), "tinytorch int8": ours(q)}
        if torch is not None:
            tnet = torch_twin(name, model, torch)
            tq = torch.ao.quantization.quantize_dynamic(tnet, {torch.nn.Linear}, dtype=torch.qint8)

            def theirs(m):
                def run(x):
                    with torch.no_grad():
                        return m(torch.from_numpy(x))
                return run

            fns.update({"torch float32": theirs(tnet), "torch int8 (Linear only)": theirs(tq)})
        lat = {f"batch {b}": latencies(fns, xte[:b], args.rounds, 20 if b == 1 else 3) for b in (1, 64)}
        results[name] = {"train_seconds": train_s, "accuracy": acc, "bytes": sizes, "latency_seconds": lat}

        drop = acc["float32"] - acc["int8 dynamic"]
        array_ratio = sizes["float32 arrays"] / sizes["int8 arrays"]
        file_ratio = float_file / q_file
        results[name]["claims"] = {"accuracy_drop_points": drop, "array_ratio": array_ratio, "file_ratio": file_ratio}
        print(f"\n== MNIST {name.upper()} (trained {args.epochs} epoch(s) on {len(ytr)} images in {train_s:.0f} s)")
        for k, v in acc.items():
            print(f"  test accuracy  {k:<22} {v:6.2f} %")
        for k, v in sizes.items():
            print(f"  bytes          {k:<22} {v:>9,}")
        print(f"  size ratio     arrays {array_ratio:.3f}x, files {file_ratio:.3f}x")
        for b, row in lat.items():
            base = row["tinytorch float32"]
            for k, v in row.items():
                print(f"  latency {b:<9} {k:<26} {v * 1e3:8.3f} ms  ({base / v:.2f}x of tinytorch float32)")
        if drop > 1.0:
            failures.append(f"{name}: int8 accuracy drop {drop:.2f} points > 1")
        if array_ratio < 3.9 or file_ratio < 3.9:
            failures.append(f"{name}: size ratio arrays {array_ratio:.3f}x, file {file_ratio:.3f}x < 3.9x")

    if args.json:
        atomic_write_text(args.json, json.dumps(results, indent=2) + "\n")
    for line in failures:
        print("CLAIM FAILED:", line)
    print("all claims met" if not failures else f"{len(failures)} claim(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
