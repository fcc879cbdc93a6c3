"""Acceleration: training steps before and after ``accelerate()``, against PyTorch; naive loops vs
vectorised kernels; scratch buffer reuse; BLAS threads.

Steps (forward + backward + optimizer), same initial weights, same batch, same process:

- MLP: 784-128-64-10 (the MLP milestone's), batch 64, SGD with momentum;
- CNN: conv 1->16 5x5 - ReLU - pool - conv 16->32 5x5 - ReLU - pool - 800-128-10, batch 64, SGD;
- GPT: ``tools/bench/bench_gpt.py``'s model (vocabulary 65, context 128, 4 layers, 4 heads,
  width 128), batch 16, AdamW.

Columns: ``before`` (the model as built), ``after`` (``tinytorch.acceleration.accelerate(model)``:
fused linear + activation, conv + ReLU, layer norm, attention), ``torch`` (PyTorch 2.13, one
thread; skipped when absent). Each step runs ``--repeat`` times, the columns taking turns after a
warm-up; medians of wall time. Then the naive Python loops of :mod:`tinytorch.acceleration.naive`
against their vectorised kernels, attention forward + backward with and without scratch reuse,
and the MLP step at 1 and 2 BLAS threads.

Run from the repo root: ``python tools/bench/bench_acceleration.py [--repeat 10]``. Never a CI gate.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import tinytorch.autograd  # noqa: E402,F401  (the engine that loss.backward() runs)
from bench_gpt import BATCH, build, torch  # noqa: E402  (same folder: the shared GPT pair)
from tinytorch.acceleration import accelerate, blas_threads, buffer_reuse, kernels, naive  # noqa: E402
from tinytorch.activations.ops import softmax  # noqa: E402
from tinytorch.layers import Linear, ReLU, Sequential  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.optim import SGD, AdamW  # noqa: E402
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402


def _median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def _mlp():
    return Sequential(Linear(784, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))


def _cnn():
    return Sequential(Conv2d(1, 16, 5, padding=2), ReLU(), MaxPool2d(2), Conv2d(16, 32, 5), ReLU(),
                      MaxPool2d(2), Flatten(), Linear(800, 128), ReLU(), Linear(128, 10))


def _torch_copy(model):
    """The same Sequential in PyTorch, with the same weights."""
    tnn = torch.nn
    layers = []
    for m in model:
        if isinstance(m, Linear):
            t = tnn.Linear(m.in_features, m.out_features)
        elif isinstance(m, Conv2d):
            t = tnn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=m.padding)
        else:
            t = {"ReLU": tnn.ReLU, "MaxPool2d": lambda: tnn.MaxPool2d(2), "Flatten": tnn.Flatten}[type(m).__name__]()
        if hasattr(t, "weight"):
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(m.weight.data))
                t.bias.copy_(torch.from_numpy(m.bias.data))
        layers.append(t)
    return tnn.Sequential(*layers)


def _ours_step(model, opt, x, y, gpt=False):
    def step():
        loss = model(x, targets=y)[1] if gpt else cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _torch_step(model, opt, x, y, gpt=False):
    x, y = torch.from_numpy(x.data), torch.from_numpy(y.data)

    def step():
        loss = model(x, y)[1] if gpt else torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def steps_table(repeat):
    rng = np.random.default_rng(0)
    rows = []
    for name in ("MLP", "CNN", "GPT"):
        manual_seed(0)
        if name == "GPT":
            before, theirs = build()
            ids = rng.integers(0, 65, (BATCH, 128))
            x, y = Tensor(ids), Tensor(np.roll(ids, -1, axis=1))
            make = lambda m: AdamW(m.parameters(), lr=1e-3)  # noqa: E731
            tmake = lambda m: torch.optim.AdamW(m.parameters(), lr=1e-3)  # noqa: E731
        else:
            before = _mlp() if name == "MLP" else _cnn()
            shape = (64, 784) if name == "MLP" else (64, 1, 28, 28)
            x, y = Tensor(rng.standard_normal(shape).astype(np.float32)), Tensor(rng.integers(0, 10, 64))
            theirs = _torch_copy(before) if torch is not None else None
            make = lambda m: SGD(m.parameters(), lr=0.01, momentum=0.9)  # noqa: E731
            tmake = lambda m: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)  # noqa: E731
        after = accelerate(before)
        gpt = name == "GPT"
        columns = {"before": _ours_step(before, make(before), x, y, gpt),
                   "after": _ours_step(after, make(after), x, y, gpt)}
        if theirs is not None:
            torch.set_num_threads(1)
            columns["torch"] = _torch_step(theirs, tmake(theirs), x, y, gpt)
        for fn in columns.values():
            fn()
        times = {k: [] for k in columns}
        for _ in range(repeat):
            for k, fn in columns.items():
                times[k].append(_median_ms(fn, 1))
        rows.append((name, {k: float(np.median(v)) for k, v in times.items()}))
    return rows


def naive_table():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((48, 48)), rng.standard_normal((48, 48))
    x = rng.standard_normal((64, 128))
    w, bias = rng.standard_normal(128), rng.standard_normal(128)
    q, k, v = (rng.standard_normal((2, 32, 16)) for _ in range(3))
    cases = [
        ("matmul 48x48 @ 48x48", lambda: naive.matmul_naive(a, b), lambda: a @ b),
        ("softmax 64x128", lambda: naive.softmax_naive(x), lambda: softmax(x, -1)),
        ("layer norm 64x128", lambda: naive.layer_norm_naive(x, w, bias), lambda: kernels.layer_norm(x, w, bias)),
        ("attention 2x32x16", lambda: naive.attention_naive(q, k, v, True),
         lambda: kernels.attention(q, k, v, causal=True, scale=0.25)),
    ]
    return [(name, _median_ms(slow, 3), _median_ms(fast, 50)) for name, slow, fast in cases]


def reuse_and_threads(repeat):
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal((8, 4, 256, 32)).astype(np.float32) for _ in range(3))
    g = rng.standard_normal(q.shape).astype(np.float32)

    def attention_step():
        out = kernels.attention(q, k, v, causal=True, scale=32 ** -0.5)
        kernels.attention_backward(g, out, q, k, v, causal=True, scale=32 ** -0.5)

    attention_step()
    with buffer_reuse(True):
        reused = _median_ms(attention_step, repeat)
    with buffer_reuse(False):
        fresh = _median_ms(attention_step, repeat)
    manual_seed(0)
    model = _mlp()
    x, y = Tensor(rng.standard_normal((256, 784)).astype(np.float32)), Tensor(rng.integers(0, 10, 256))
    step = _ours_step(model, SGD(model.parameters(), lr=0.01), x, y)
    threads = {}
    for n in (1, 2):
        with blas_threads(n):
            step()
            threads[n] = _median_ms(step, repeat)
    return reused, fresh, threads


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"training steps, median ms of {args.repeat} (interleaved)")
    print(f"{'model':<6}{'before':>10}{'after':>10}{'speedup':>9}{'torch':>10}{'after/torch':>13}")
    for name, t in steps_table(args.repeat):
        torch_ms = t.get("torch")
        tail = f"{torch_ms:>10.2f}{t['after'] / torch_ms:>12.2f}x" if torch_ms else f"{'-':>10}{'-':>13}"
        print(f"{name:<6}{t['before']:>10.2f}{t['after']:>10.2f}{t['before'] / t['after']:>8.2f}x{tail}")
    print("\nnaive Python loops vs vectorised NumPy (median ms)")
    for name, slow, fast in naive_table():
        print(f"{name:<24}{slow:>10.2f}{fast:>10.4f}{slow / fast:>10.0f}x")
    reused, fresh, threads = reuse_and_threads(max(3, args.repeat // 2))
    print(f"\nattention fwd+bwd (8, 4, 256, 32): scratch reused {reused:.1f} ms, fresh buffers {fresh:.1f} ms "
          f"({fresh / reused:.2f}x)")
    print(f"MLP step batch 256: 1 BLAS thread {threads[1]:.2f} ms, 2 threads {threads[2]:.2f} ms")


if __name__ == "__main__":
    main()
