"""Property tests: the int8 matmul is exact against the integer reference; quantization bounds."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinytorch.quant import (
    choose_qparams, dequantize, int8_matmul, int8_matmul_reference, quantize_per_channel,
    quantize_per_tensor,
)


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 9), k=st.integers(1, 2600), n=st.integers(1, 7), seed=st.integers(0, 2**32 - 1),
       extreme=st.booleans())
def test_int8_matmul_equals_integer_reference(m, k, n, seed, extreme):
    rng = np.random.default_rng(seed)
    if extreme:  # the worst case for exactness: every product is +-2^14
        a = rng.choice(np.array([-128, 127], np.int8), (m, k))
        b = np.full((k, n), -128, np.int8)
    else:
        a = rng.integers(-128, 128, (m, k), dtype=np.int8)
        b = rng.integers(-128, 128, (k, n), dtype=np.int8)
    np.testing.assert_array_equal(int8_matmul(a, b), int8_matmul_reference(a, b))
    exact = a.astype(np.int64) @ b.astype(np.int64)
    np.testing.assert_array_equal(int8_matmul(a, b).astype(np.int64), exact)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-100, 100, width=32)))
def test_per_channel_round_trip_error_is_half_a_step(w):
    q, s = quantize_per_channel(w)
    assert q.dtype == np.int8 and np.abs(q.astype(int)).max() <= 127
    err = np.abs(dequantize(q, s, axis=0) - w)
    assert (err <= s[:, None] * 0.5 * (1 + 1e-5) + 1e-30).all()


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.integers(1, 50), elements=st.floats(-1e3, 1e3, width=32)))
def test_per_tensor_round_trip_within_range(x):
    scale, zp = choose_qparams(x.min(), x.max())
    err = np.abs(dequantize(quantize_per_tensor(x, scale, zp), scale, zp) - x)
    assert err.max() <= scale * 0.5 * (1 + 1e-4) + 1e-6 * np.abs(x).max()


@settings(max_examples=25, deadline=None)
@given(m=st.integers(0, 40), k=st.integers(1, 60), n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_int8_matmul_blocking_covers_every_row_column_and_chunk(m, k, n, seed):
    # Tiny blocks force several K chunks, row blocks and column blocks on small arrays.
    import tinytorch.quant.kernels as kernels

    saved = kernels.CHUNK_K, kernels.BLOCK_ELEMENTS, kernels.WEIGHT_BLOCK_ELEMENTS
    kernels.CHUNK_K, kernels.BLOCK_ELEMENTS, kernels.WEIGHT_BLOCK_ELEMENTS = 7, 50, 30
    try:
        rng = np.random.default_rng(seed)
        a = rng.integers(-128, 128, (m, k), dtype=np.int8)
        b = rng.integers(-128, 128, (k, n), dtype=np.int8)
        out, colsums = kernels._gemm_with_colsums(a, b)
    finally:
        kernels.CHUNK_K, kernels.BLOCK_ELEMENTS, kernels.WEIGHT_BLOCK_ELEMENTS = saved
    np.testing.assert_array_equal(out, int8_matmul_reference(a, b))
    np.testing.assert_array_equal(colsums, b.astype(np.int64).sum(axis=0))
