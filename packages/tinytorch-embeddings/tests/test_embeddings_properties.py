"""Hypothesis properties: the gather equals NumPy indexing, the scatter-add equals ``np.add.at``
on the 2-d table (a slow but obviously right reference), and the sinusoidal table's structure."""

import numpy as np
from hypothesis import given, settings, strategies as st

from tinytorch.embeddings import embedding, ops, sinusoidal_positions
from tinytorch.tensor import Tensor


@settings(max_examples=60, deadline=None)
@given(v=st.integers(1, 12), d=st.integers(1, 6), shape=st.lists(st.integers(0, 5), max_size=3),
       padding=st.booleans(), seed=st.integers(0, 2**16))
def test_forward_and_scatter_add_match_numpy(v, d, shape, padding, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, v, size=shape)
    padding_idx = int(rng.integers(0, v)) if padding else None
    w = Tensor(rng.standard_normal((v, d)), dtype="float64", requires_grad=True)
    out = embedding(Tensor(ids), w, padding_idx=padding_idx)
    np.testing.assert_array_equal(out.data, w.data[ids])
    g = rng.standard_normal(out.shape)
    out.backward(Tensor(g))
    expected = np.zeros((v, d))
    np.add.at(expected, ids, g)
    if padding_idx is not None:
        expected[padding_idx] = 0
    np.testing.assert_allclose(w.grad.data, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(v=st.integers(1, 8), d=st.integers(1, 5), n=st.integers(0, 30), seed=st.integers(0, 2**16))
def test_gather_and_scatter_are_adjoint(v, d, n, seed):
    # <gather(W), G> == <W, scatter(G)> for every table W and upstream G.
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, v, size=n)
    w, g = rng.standard_normal((v, d)), rng.standard_normal((n, d))
    gw, none = ops.embedding_backward(g, None, w, ids)
    assert none is None
    np.testing.assert_allclose((ops.embedding(w, ids) * g).sum(), (w * gw).sum(), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(t=st.integers(1, 40), half=st.integers(1, 8), shift=st.integers(0, 20))
def test_sinusoidal_shift_is_a_rotation(t, half, shift):
    # Each (sin, cos) column pair has unit norm, and moving k positions rotates it by a fixed
    # angle: PE[p + k] = R(k) PE[p] for every p.
    d = 2 * half
    pe = sinusoidal_positions(t + shift, d, dtype="float64").data
    pairs = pe.reshape(t + shift, half, 2)
    np.testing.assert_allclose((pairs ** 2).sum(-1), 1.0, atol=1e-12)
    inv_freq = 10000.0 ** (-np.arange(0, d, 2) / d)
    c, s = np.cos(shift * inv_freq), np.sin(shift * inv_freq)
    sin_p, cos_p = pairs[:t, :, 0], pairs[:t, :, 1]
    np.testing.assert_allclose(pairs[shift:, :, 0], sin_p * c + cos_p * s, atol=1e-9)
    np.testing.assert_allclose(pairs[shift:, :, 1], cos_p * c - sin_p * s, atol=1e-9)
