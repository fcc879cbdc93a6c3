"""Hypothesis properties of attention."""

import numpy as np
from hypothesis import given, settings, strategies as st

from tinytorch.attention import MultiheadAttention, attention, causal_mask, scaled_dot_product_attention
from tinytorch.tensor import Tensor


def _arr(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(L=st.integers(1, 6), S=st.integers(1, 6), E=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_weights_are_a_distribution_and_output_in_value_hull(L, S, E, seed):
    q, k, v = _arr(seed, L, E), _arr(seed + 1, S, E), _arr(seed + 2, S, 3)
    out, w = attention(Tensor(q), Tensor(k), Tensor(v))
    assert np.all(w.data >= 0)
    np.testing.assert_allclose(w.data.sum(-1), 1.0, rtol=1e-5)
    assert np.all(out.data <= v.max(0) + 1e-5) and np.all(out.data >= v.min(0) - 1e-5)


@settings(max_examples=40, deadline=None)
@given(L=st.integers(1, 6), S=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_permuting_keys_and_values_together_changes_nothing(L, S, seed):
    q, k, v = _arr(seed, L, 4), _arr(seed + 1, S, 4), _arr(seed + 2, S, 2)
    perm = np.random.default_rng(seed).permutation(S)
    a = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v))
    b = scaled_dot_product_attention(Tensor(q), Tensor(k[perm]), Tensor(v[perm]))
    np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(T=st.integers(2, 7), t=st.integers(0, 5), seed=st.integers(0, 2**16))
def test_causal_output_ignores_the_future(T, t, seed):
    t = t % (T - 1)
    x = _arr(seed, T, 4)
    y = x.copy()
    y[t + 1:] = _arr(seed + 1, T - t - 1, 4)  # change every position after t
    a = scaled_dot_product_attention(Tensor(x), Tensor(x), Tensor(x), is_causal=True)
    b = scaled_dot_product_attention(Tensor(y), Tensor(y), Tensor(y), is_causal=True)
    np.testing.assert_allclose(a.data[:t + 1], b.data[:t + 1], rtol=1e-5, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(past=st.integers(0, 5), new=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_causal_mask_with_cached_keys_equals_the_last_rows_of_full_causal(past, new, seed):
    T = past + new
    x = _arr(seed, T, 4)
    full = scaled_dot_product_attention(Tensor(x), Tensor(x), Tensor(x), is_causal=True)
    last = scaled_dot_product_attention(Tensor(x[past:]), Tensor(x), Tensor(x), attn_mask=causal_mask(new, T))
    np.testing.assert_allclose(last.data, full.data[past:], rtol=1e-5, atol=1e-6)


@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 3), L=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_mha_batch_elements_are_independent(N, L, seed):
    mha = MultiheadAttention(8, 2, batch_first=True)
    x = _arr(seed, N, L, 8)
    out, _ = mha(Tensor(x), Tensor(x), Tensor(x))
    for i in range(N):
        single, _ = mha(Tensor(x[i]), Tensor(x[i]), Tensor(x[i]))
        np.testing.assert_allclose(out.data[i], single.data, rtol=1e-5, atol=1e-6)
