"""Measure the numbers the module 02 README quotes: overflow thresholds and cost per element.

Run: python packages/tinytorch-activations/benchmarks/bench_activations.py
"""

import timeit

import numpy as np

from tinytorch.activations import gelu, relu, sigmoid, softmax, tanh
from tinytorch.tensor import Tensor


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum()


def first_overflow(dtype):
    """Smallest integer gap x at which exp-then-normalise softmax([0, x]) stops being finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        for x in range(1, 1000):
            if not np.isfinite(naive_softmax(np.array([0.0, x], dtype=dtype))).all():
                return x
    return None


def per_element_ns(fn, n_elements, repeat=15, number=3):
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number / n_elements * 1e9


def main():
    for dtype in (np.float32, np.float64):
        x = first_overflow(dtype)
        stable = softmax(Tensor(np.array([0.0, x], dtype=dtype)), 0).data
        print(f"{np.dtype(dtype).name}: naive softmax([0, x]) is nan from x = {x}; "
              f"stable softmax gives {stable}")

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((1000, 1000)).astype(np.float32))
    cases = {
        "relu": lambda: relu(x),
        "sigmoid": lambda: sigmoid(x),
        "tanh": lambda: tanh(x),
        "gelu tanh": lambda: gelu(x, approximate="tanh"),
        "gelu exact (erf)": lambda: gelu(x),
        "softmax dim=-1": lambda: softmax(x, -1),
    }
    try:
        import torch
        torch.set_num_threads(1)
        tx = torch.from_numpy(x.data)
        F = torch.nn.functional
        reference = {
            "relu": lambda: torch.relu(tx), "sigmoid": lambda: torch.sigmoid(tx),
            "tanh": lambda: torch.tanh(tx), "gelu tanh": lambda: F.gelu(tx, approximate="tanh"),
            "gelu exact (erf)": lambda: F.gelu(tx), "softmax dim=-1": lambda: F.softmax(tx, -1),
        }
    except ImportError:
        reference = {}
    print(f"\nfloat32, 1e6 elements; ns per element (best of 15 runs of 3)")
    print(f"{'op':<18}{'tinytorch':>10}{'torch 1 thread':>16}")
    for name, fn in cases.items():
        ours = per_element_ns(fn, x.data.size)
        theirs = per_element_ns(reference[name], x.data.size) if name in reference else float("nan")
        print(f"{name:<18}{ours:>10.2f}{theirs:>16.2f}")


if __name__ == "__main__":
    main()
