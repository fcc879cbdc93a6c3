"""Measure the numbers the module 04 README quotes.

Run: python packages/tinytorch-losses/benchmarks/bench_losses.py
"""

import timeit

import numpy as np

from tinytorch.activations import log_softmax, softmax
from tinytorch.losses import binary_cross_entropy_with_logits, cross_entropy, nll_loss
from tinytorch.tensor import Tensor


def naive_cross_entropy(logits, target):
    """-log(softmax(x)[target]) in two steps: the probability underflows before the log."""
    p = softmax(Tensor(logits), -1).data
    with np.errstate(divide="ignore"):
        return -np.log(p[np.arange(len(target)), target])


def main():
    for dtype in (np.float32, np.float64):
        for gap in range(1, 2000):
            logits = np.array([[0.0, float(gap)]], dtype=dtype)
            if not np.isfinite(naive_cross_entropy(logits, np.array([0])))[0]:
                break
        fused = cross_entropy(Tensor(logits), Tensor([0])).item()
        print(f"{np.dtype(dtype).name}: -log(softmax) is inf from a logit gap of {gap}; "
              f"fused cross_entropy gives {fused}")

    # how the loss shapes the gradient: a confident wrong answer, logit x = -10, label 1
    x = -10.0
    s = 1 / (1 + np.exp(-x))
    mse_grad = 2 * (s - 1) * s * (1 - s)  # d/dx (sigmoid(x) - 1)^2
    bce_grad = s - 1  # d/dx BCE-with-logits
    print(f"\nlogit -10, label 1: dL/dx MSE-on-sigmoid {mse_grad:.3g}, BCE {bce_grad:.3g} "
          f"(x{bce_grad / mse_grad:.0f})")
    loss = binary_cross_entropy_with_logits(Tensor([x]), Tensor([1.0])).item()
    print(f"BCE-with-logits at logit -1000, label 1: "
          f"{binary_cross_entropy_with_logits(Tensor([-1000.0]), Tensor([1.0])).item()} "
          f"(at -10: {loss:.5f})")

    # fused kernel vs the composite log_softmax -> gather -> mean, (B*T, V) = (4096, 512)
    rng = np.random.default_rng(0)
    logits = Tensor(rng.standard_normal((4096, 512)).astype(np.float32), requires_grad=True)
    target = Tensor(rng.integers(0, 512, 4096))
    try:
        import tinytorch.autograd  # noqa: F401
        backward = True
    except ImportError:
        backward = False

    def fused():
        out = cross_entropy(logits, target)
        if backward:
            out.backward()

    def composite():
        out = nll_loss(log_softmax(logits, 1), target)
        if backward:
            out.backward()

    what = "forward + backward" if backward else "forward"
    for name, fn in (("fused cross_entropy", fused), ("log_softmax + nll_loss", composite)):
        ms = min(timeit.repeat(fn, repeat=10, number=3)) / 3 * 1e3
        print(f"{name:<24} {what}, (4096, 512) float32: {ms:.2f} ms")


if __name__ == "__main__":
    main()
