"""Naive loop versions of a few kernels, kept beside the vectorised ones for teaching.

Each computes the same result as its fast counterpart one scalar at a time in Python, the way the
maths is written on paper. They are tested equal to the fast kernels and timed against them by
``tools/bench/bench_acceleration.py``; never use them on real sizes.
"""

import math

import numpy as np

__all__ = ["matmul_naive", "softmax_naive", "layer_norm_naive", "attention_naive"]


def matmul_naive(a, b):
    """``a @ b`` for 2-d arrays by the triple loop ``out[i, j] = sum_k a[i, k] b[k, j]``.

    Example:
        >>> matmul_naive(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]])).tolist()
        [[11.0]]
    """
    # BEGIN SOLUTION
    n, m = a.shape
    m2, p = b.shape
    if m != m2:
        raise ValueError(f"matmul_naive: shapes {a.shape} and {b.shape} do not match")
    out = np.zeros((n, p), dtype=np.result_type(a, b))
    for i in range(n):
        for j in range(p):
            total = 0.0
            for k in range(m):
                total += a[i, k] * b[k, j]
            out[i, j] = total
    return out
    # END SOLUTION


def softmax_naive(x):
    """Softmax over the last dim of a 2-d array, row by row and element by element."""
    # BEGIN SOLUTION
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        peak = max(x[i])
        exps = [math.exp(v - peak) for v in x[i]]
        total = sum(exps)
        for j, e in enumerate(exps):
            out[i, j] = e / total
    return out
    # END SOLUTION


def layer_norm_naive(x, weight, bias, eps=1e-5):
    """Layer norm over the last dim of a 2-d array, one row and one element at a time."""
    # BEGIN SOLUTION
    out = np.empty_like(x)
    d = x.shape[1]
    for i in range(x.shape[0]):
        mean = sum(x[i]) / d
        var = sum((v - mean) ** 2 for v in x[i]) / d
        rstd = 1.0 / math.sqrt(var + eps)
        for j in range(d):
            out[i, j] = (x[i, j] - mean) * rstd * weight[j] + bias[j]
    return out
    # END SOLUTION


def attention_naive(q, k, v, causal=False):
    """Scaled dot-product attention for (B, T, d) arrays: a loop over batch, queries and keys."""
    # BEGIN SOLUTION
    b, tq, d = q.shape
    out = np.zeros((b, tq, v.shape[2]), dtype=q.dtype)
    scale = 1.0 / math.sqrt(d)
    for n in range(b):
        for i in range(tq):
            keys = range(i + 1) if causal else range(k.shape[1])
            scores = [float(np.dot(q[n, i], k[n, j])) * scale for j in keys]
            peak = max(scores)
            weights = [math.exp(s - peak) for s in scores]
            total = sum(weights)
            for j, w in zip(keys, weights):
                out[n, i] += (w / total) * v[n, j]
    return out
    # END SOLUTION
