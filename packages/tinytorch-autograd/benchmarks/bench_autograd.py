"""Measure what module 05 claims: graph memory grows with the forward pass, backward costs about
one to two forwards, and the engine's per-node overhead is a few microseconds.

Run: python packages/tinytorch-autograd/benchmarks/bench_autograd.py
PyTorch (CPU, one thread, same run) is measured alongside when it is installed. Timings are
medians, the least noisy statistic on a shared machine.
"""

import os
import time

# One BLAS thread, like PyTorch below: compare the frameworks, not the thread pools. Must be set
# before NumPy loads its BLAS.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from tinytorch.activations import relu  # noqa: E402
from tinytorch.autograd import topological_order  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

SIZES = (784, 128, 64, 10)


def median_time(fn, runs=30):
    """Median seconds of one call of ``fn`` over ``runs`` calls, after one warm-up call."""
    fn()
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return np.median(times)


def forward_backward_times(make_loss, params, steps=200):
    """Median seconds of the forward pass and of ``backward()``, and the median of their ratio.

    Forward and backward of the same step run back to back, so the per-step ratio is robust to
    the load of a shared machine changing between steps.
    """
    make_loss().backward()
    fwd, bwd = np.empty(steps), np.empty(steps)
    for i in range(steps):
        for p in params:
            p.grad = None
        start = time.perf_counter()
        loss = make_loss()
        mid = time.perf_counter()
        loss.backward()
        fwd[i], bwd[i] = mid - start, time.perf_counter() - mid
    return np.median(fwd), np.median(bwd), np.median(bwd / fwd)


def make_mlp(rng):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)  # (in, out)
        params.append(Tensor(weight, requires_grad=True))
        params.append(Tensor(np.zeros(fan_out, np.float32), requires_grad=True))
    return params


def mlp_loss(params, x, y):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]  # (B, out)
        if i + 2 < len(params):
            h = relu(h)
    return cross_entropy(h, y)


def graph_bytes(loss, params):
    """Bytes of the arrays the graph keeps alive beyond the parameters (and their grads)."""
    keep = {id(p.data) for p in params}
    seen, total = set(), 0
    for t in topological_order(loss):
        arrays = [t.data]
        if t.grad_fn is not None:
            arrays += [x.data if isinstance(x, Tensor) else x for x in t.grad_fn.inputs]
            arrays += [v for v in t.grad_fn.attrs.values() if isinstance(v, np.ndarray)]
        for a in arrays:
            if isinstance(a, np.ndarray) and id(a) not in keep and id(a) not in seen:
                seen.add(id(a))
                total += a.nbytes
    return total


def main():
    rng = np.random.default_rng(0)
    params = make_mlp(rng)
    n_params = sum(p.data.size for p in params)
    print(f"MLP {'-'.join(map(str, SIZES))}: {n_params:,} parameters ({4 * n_params / 1e6:.2f} MB float32)")

    print("\nGraph memory held after the forward pass (activations saved for backward):")
    for batch in (64, 256, 1024):
        x = Tensor(rng.standard_normal((batch, SIZES[0])).astype(np.float32))
        y = Tensor(rng.integers(0, SIZES[-1], batch))
        loss = mlp_loss(params, x, y)
        nbytes = graph_bytes(loss, params)
        print(f"  batch {batch:5d}: {nbytes / 1e6:6.2f} MB  ({nbytes / batch / 1e3:.1f} kB per sample)")

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)

    print("\nForward vs backward per training step "
          "(medians of 200 steps; ratio = median of per-step ratios):")
    for batch in (64, 256):
        x = Tensor(rng.standard_normal((batch, SIZES[0])).astype(np.float32))
        y = Tensor(rng.integers(0, SIZES[-1], batch))
        fwd, bwd, ratio = forward_backward_times(lambda: mlp_loss(params, x, y), params)
        line = (f"  batch {batch:4d}  tinytorch: forward {fwd * 1e6:5.0f} us, "
                f"backward {bwd * 1e6:5.0f} us ({ratio:.2f}x)")
        if torch is not None:
            tp = [torch.tensor(p.data, requires_grad=True) for p in params]
            tx, ty = torch.tensor(x.data), torch.tensor(y.data)

            def t_loss(tp=tp, tx=tx, ty=ty):
                h = tx
                for i in range(0, len(tp), 2):
                    h = h @ tp[i] + tp[i + 1]
                    if i + 2 < len(tp):
                        h = torch.relu(h)
                return torch.nn.functional.cross_entropy(h, ty)

            t_fwd, t_bwd, t_ratio = forward_backward_times(t_loss, tp)
            line += (f"   torch: forward {t_fwd * 1e6:5.0f} us, "
                     f"backward {t_bwd * 1e6:5.0f} us ({t_ratio:.2f}x)")
        print(line)

    print("\nEngine overhead per graph node (a chain of 2,000 tiny ops, 3 floats each):")
    a = Tensor(np.ones(3, np.float32), requires_grad=True)
    out = a
    for _ in range(1000):
        out = out * 1.0001 + a
    out = out.sum()

    def bw():
        a.grad = None
        out.backward()

    per_node = median_time(bw) / 2001
    print(f"  tinytorch: {per_node * 1e6:.2f} us per node (topological sort + rule + accumulation)")
    if torch is not None:
        ta = torch.ones(3, requires_grad=True)
        tout = ta
        for _ in range(1000):
            tout = tout * 1.0001 + ta
        tout = tout.sum()

        def t_bw():
            ta.grad = None
            tout.backward(retain_graph=True)

        print(f"  torch:     {median_time(t_bw) / 2001 * 1e6:.2f} us per node")


if __name__ == "__main__":
    main()
