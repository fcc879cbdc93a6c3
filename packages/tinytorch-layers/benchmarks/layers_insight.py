"""Module 03's systems insight, measured: parameter memory, initialisation scale, Linear overhead,
and two spellings of the composite layer norm.

Run from the repo root: ``python packages/tinytorch-layers/benchmarks/layers_insight.py``.
Times are medians of repeated calls; PyTorch is measured in the same run when installed.
"""

import time

import numpy as np

from tinytorch.layers import Linear, Sequential, layer_norm
from tinytorch.tensor import Tensor, manual_seed, no_grad


def median_us(fn, reps=300):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e6


def parameter_memory():
    mlp = Sequential(Linear(784, 256), Linear(256, 128), Linear(128, 10))
    n = sum(p.numel() for p in mlp.parameters())
    print(f"MLP 784-256-128-10: {n:,} parameters x 4 bytes = {n * 4 / 1e6:.2f} MB (float32)")


def init_scale(depth=10, width=512):
    """Std of the activations after ``depth`` Linear+ReLU layers for three weight scales."""
    manual_seed(0)
    x = np.random.default_rng(0).normal(size=(256, width)).astype(np.float32)
    inits = [
        ("PyTorch default U(-1/sqrt(in), 1/sqrt(in))", None),
        ("Kaiming normal N(0, 2/in)", np.sqrt(2 / width)),
        ("N(0, 1)", 1.0),
    ]
    for label, std in inits:
        h = Tensor(x)
        with no_grad():
            for i in range(depth):
                layer = Linear(width, width)
                if std is not None:
                    layer.weight.data[...] = np.random.default_rng(i).normal(0, std, (width, width))
                    layer.bias.data[...] = 0
                h = layer(h).clip(min=0.0)  # (256, width)
        print(f"{label:44s} activation std after {depth} layers: {h.data.std():.3g}")


def linear_overhead():
    layer = Linear(784, 256)
    x = Tensor(np.random.default_rng(0).normal(size=(64, 784)).astype(np.float32))
    w, b = layer.weight.data, layer.bias.data
    with no_grad():
        ours = median_us(lambda: layer(x))
    by_hand = median_us(lambda: x.data @ w.T + b)
    line = f"Linear(784, 256) on (64, 784): tinytorch {ours:.0f} us, NumPy by hand {by_hand:.0f} us"
    try:
        import torch
    except ImportError:
        print(line)
    else:
        reference = torch.nn.Linear(784, 256)
        tx = torch.from_numpy(x.data)
        with torch.no_grad():
            theirs = median_us(lambda: reference(tx))
        print(f"{line}, PyTorch {theirs:.0f} us")
    small = Linear(2, 1)
    one = Tensor(np.ones((1, 2), dtype=np.float32))
    with no_grad():
        print(f"Linear(2, 1) on one sample: {median_us(lambda: small(one), 5000):.1f} us per call")


def layer_norm_spellings(reps=60):
    """CPU ms of forward + backward of ``layer_norm`` against the same maths with a division.

    ``layer_norm`` multiplies by ``(var + eps) ** -0.5``; the textbook spelling divides by
    ``sqrt(var + eps)``, whose full-size backward is a division and three products. GPT-block
    shape ``(16, 128, 128)`` float32 with weight and bias; the two take turns. Without module 05
    installed, forward only.
    """
    try:
        import tinytorch.autograd  # noqa: F401  (backward needs the engine)
    except ImportError:
        backward = False
    else:
        backward = True
    rng = np.random.default_rng(0)
    data = rng.standard_normal((16, 128, 128)).astype(np.float32)
    grad = Tensor(rng.standard_normal(data.shape).astype(np.float32))
    weight = Tensor(np.ones(128, np.float32), requires_grad=backward)
    bias = Tensor(np.zeros(128, np.float32), requires_grad=backward)

    def divided(x):
        centred = x - x.mean(dim=-1, keepdim=True)
        var = (centred * centred).mean(dim=-1, keepdim=True)
        return centred / (var + 1e-5).sqrt() * weight + bias

    def run(fn):
        x = Tensor(data, requires_grad=backward)
        out = fn(x)
        if backward:
            out.backward(grad)

    spellings = {
        "layer_norm, times (var + eps) ** -0.5": lambda x: layer_norm(x, (128,), weight, bias),
        "the same, divided by sqrt(var + eps)": divided,
    }
    times = {name: [] for name in spellings}
    for _ in range(reps):
        for name, fn in spellings.items():
            start = time.process_time()
            run(fn)
            times[name].append(time.process_time() - start)
    what = "forward + backward" if backward else "forward"
    for name, t in times.items():
        print(f"{name}, {what} on (16, 128, 128): {1e3 * float(np.median(t)):.2f} ms CPU")


if __name__ == "__main__":
    parameter_memory()
    init_scale()
    linear_overhead()
    layer_norm_spellings()
