"""Property tests (hypothesis) for Linear, LayerNorm, Dropout and state_dict."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.layers import Dropout, LayerNorm, Linear, Sequential
from tinytorch.tensor import Tensor, manual_seed

dims = st.integers(1, 6)
leading = st.lists(st.integers(1, 4), min_size=0, max_size=3)
seeds = st.integers(0, 2**31 - 1)


@settings(max_examples=40, deadline=None)
@given(in_f=dims, out_f=dims, lead=leading, bias=st.booleans(), seed=seeds)
def test_linear_equals_manual_affine_map(in_f, out_f, lead, bias, seed):
    manual_seed(seed)
    lin = Linear(in_f, out_f, bias=bias)
    x = np.random.default_rng(seed).normal(size=(*lead, in_f)).astype(np.float32)
    expected = x @ lin.weight.data.T + (lin.bias.data if bias else 0)
    out = lin(Tensor(x))
    assert out.shape == (*lead, out_f) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(lead=leading, norm=st.lists(st.integers(2, 5), min_size=1, max_size=2), seed=seeds,
       scale=st.floats(0.1, 100), shift=st.floats(-100, 100))
def test_layer_norm_output_has_zero_mean_unit_variance(lead, norm, seed, scale, shift):
    x = np.random.default_rng(seed).normal(shift, scale, size=(*lead, *norm))
    out = LayerNorm(tuple(norm), dtype=np.float64)(Tensor(x)).data
    flat, x_flat = out.reshape(*lead, -1), x.reshape(*lead, -1)
    np.testing.assert_allclose(flat.mean(axis=-1), 0.0, atol=1e-6)
    # unit variance, shrunk by exactly var / (var + eps) for nearly constant rows
    v = x_flat.var(axis=-1)
    np.testing.assert_allclose(flat.var(axis=-1), v / (v + 1e-5), rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(lead=leading, n=st.integers(2, 6), seed=seeds, a=st.floats(0.5, 10), b=st.floats(-10, 10))
def test_layer_norm_is_invariant_to_affine_input_changes(lead, n, seed, a, b):
    x = np.random.default_rng(seed).normal(size=(*lead, n)) + 3
    ln = LayerNorm(n, eps=0.0, dtype=np.float64)
    np.testing.assert_allclose(ln(Tensor(a * x + b)).data, ln(Tensor(x)).data, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(p=st.floats(0.0, 1.0), shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=seeds)
def test_dropout_outputs_are_zero_or_scaled_input(p, shape, seed):
    manual_seed(seed)
    x = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    out = Dropout(p)(Tensor(x)).data
    assert out.shape == x.shape
    kept = out != 0
    if p < 1:
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-5)
    else:
        assert not kept.any()


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(dims, min_size=2, max_size=4), seed=seeds)
def test_state_dict_round_trip_reproduces_outputs(sizes, seed):
    manual_seed(seed)
    a = Sequential(*[Linear(i, o) for i, o in zip(sizes, sizes[1:])])
    b = Sequential(*[Linear(i, o) for i, o in zip(sizes, sizes[1:])])
    b.load_state_dict(a.state_dict())
    x = Tensor(np.random.default_rng(seed).normal(size=(3, sizes[0])).astype(np.float32))
    np.testing.assert_array_equal(a(x).data, b(x).data)
