"""Naive loops equal the vectorised kernels; scratch reuse is invisible; thread control works."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.acceleration import (
    BufferPool, blas_threads, buffer_reuse, default_pool, get_blas_threads, kernels, naive,
    scaled_dot_product_attention,
)
from tinytorch.activations.ops import softmax
from tinytorch.tensor import Tensor


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 1000))
def test_matmul_naive_equals_numpy(n, m, p, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, m)), rng.standard_normal((m, p))
    np.testing.assert_allclose(naive.matmul_naive(a, b), a @ b, rtol=1e-12, atol=1e-12)


def test_softmax_and_layer_norm_naive_equal_the_kernels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7)) * 10
    np.testing.assert_allclose(naive.softmax_naive(x), softmax(x, -1), rtol=1e-12)
    w, b = rng.standard_normal(7), rng.standard_normal(7)
    np.testing.assert_allclose(naive.layer_norm_naive(x, w, b), kernels.layer_norm(x, w, b), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_naive_equals_the_kernel(causal):
    rng = np.random.default_rng(1)
    q, k, v = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    fast = kernels.attention(q, k, v, causal=causal, scale=0.5)
    np.testing.assert_allclose(naive.attention_naive(q, k, v, causal), fast, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="do not match"):
        naive.matmul_naive(np.ones((2, 3)), np.ones((2, 3)))


def test_outputs_never_alias_the_scratch_buffers():
    rng = np.random.default_rng(2)
    q = Tensor(rng.standard_normal((2, 8, 4)).astype(np.float32))
    first = scaled_dot_product_attention(q, q, q)
    kept = first.data.copy()
    hits = default_pool.hits
    scaled_dot_product_attention(q * 2, q, q)  # same shapes: reuses the scores buffer
    assert default_pool.hits > hits
    np.testing.assert_array_equal(first.data, kept)
    with buffer_reuse(False):
        again = scaled_dot_product_attention(q, q, q)
    np.testing.assert_array_equal(again.data, kept)


def test_buffer_pool_evicts_least_recently_used():
    pool = BufferPool(max_buffers=2)
    a = pool.get("a", (4,), np.float32)
    pool.get("b", (4,), np.float32)
    pool.get("a", (4,), np.float32)
    pool.get("c", (4,), np.float32)  # evicts b
    assert pool.get("a", (4,), np.float32) is a
    assert pool.misses == 3 and pool.nbytes == 32
    pool.clear()
    assert pool.nbytes == 0
    with pytest.raises(ValueError, match="positive int"):
        BufferPool(0)


def test_blas_threads_limits_and_restores():
    before = get_blas_threads()
    with blas_threads(1):
        assert get_blas_threads() == 1
    assert get_blas_threads() == before
    with pytest.raises(ValueError, match="positive int"):
        blas_threads(0)
