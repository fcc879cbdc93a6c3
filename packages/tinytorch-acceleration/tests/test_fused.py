"""Each fused kernel equals its unfused composite (values and gradients) and passes gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch import activations
from tinytorch.acceleration import conv2d_relu, kernels, layer_norm, linear_act, scaled_dot_product_attention
from tinytorch.autograd import GRADIENTS, gradcheck
from tinytorch.layers import layer_norm as layer_norm_composite
from tinytorch.layers import linear
from tinytorch.spatial import conv2d
from tinytorch.tensor import Tensor

COMPOSITE_ACT = {"relu": activations.relu, "tanh": activations.tanh, "sigmoid": activations.sigmoid,
                 "gelu": activations.gelu, "none": lambda x: x}


def _t(rng, *shape, dtype="float64", grad=True):
    return Tensor(rng.standard_normal(shape), dtype=dtype, requires_grad=grad)


def _grads(fn, *inputs, upstream):
    for x in inputs:
        x.grad = None
    fn(*inputs).backward(upstream)
    return [None if x.grad is None else x.grad.data for x in inputs]


def test_every_kernel_has_a_rule():
    for name in kernels.__all__:
        assert getattr(kernels, name) in GRADIENTS


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu", "none"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_act_equals_composite_and_gradchecks(activation, bias):
    rng = np.random.default_rng(0)
    x, w = _t(rng, 2, 3, 5), _t(rng, 4, 5)
    b = _t(rng, 4) if bias else None
    inputs = (x, w, b) if bias else (x, w)
    fused = lambda x, w, b=None: linear_act(x, w, b, activation)
    composite = lambda x, w, b=None: COMPOSITE_ACT[activation](linear(x, w, b))
    up = Tensor(rng.standard_normal((2, 3, 4)))
    np.testing.assert_allclose(fused(*inputs).data, composite(*inputs).data, rtol=1e-12, atol=1e-12)
    for a, c in zip(_grads(fused, *inputs, upstream=up), _grads(composite, *inputs, upstream=up)):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
    assert gradcheck(fused, *inputs)


@pytest.mark.parametrize("shape, normalized", [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_equals_composite_and_gradchecks(shape, normalized, affine):
    rng = np.random.default_rng(1)
    x = _t(rng, *shape)
    params = (_t(rng, *normalized), _t(rng, *normalized)) if affine else ()
    fused = lambda x, *p: layer_norm(x, normalized, *p)
    composite = lambda x, *p: layer_norm_composite(x, normalized, *p)
    up = Tensor(rng.standard_normal(shape))
    np.testing.assert_allclose(fused(x, *params).data, composite(x, *params).data, rtol=1e-10, atol=1e-12)
    for a, c in zip(_grads(fused, x, *params, upstream=up), _grads(composite, x, *params, upstream=up)):
        np.testing.assert_allclose(a, c, rtol=1e-9, atol=1e-11)
    assert gradcheck(fused, x, *params)


def _attention_composite(q, k, v, mask=None, causal=False):
    scores = (q @ k.transpose(-2, -1)) * (1.0 / np.sqrt(q.shape[-1]))
    if causal:
        keep = np.tri(q.shape[-2], k.shape[-2], dtype=bool)
        scores = scores.masked_fill(Tensor(~keep), float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(Tensor(~mask), float("-inf"))
    return activations.softmax(scores, dim=-1) @ v


@pytest.mark.parametrize("causal, masked", [(False, False), (True, False), (False, True)])
def test_attention_equals_composite_and_gradchecks(causal, masked):
    rng = np.random.default_rng(2)
    q, k, v = _t(rng, 2, 3, 5, 4), _t(rng, 2, 3, 6, 4), _t(rng, 2, 3, 6, 3)
    mask = None
    if masked:
        mask = rng.random((2, 1, 5, 6)) > 0.3
        mask[..., 0] = True  # every query sees at least one key
    fused = lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)
    composite = lambda q, k, v: _attention_composite(q, k, v, mask, causal)
    up = Tensor(rng.standard_normal((2, 3, 5, 3)))
    np.testing.assert_allclose(fused(q, k, v).data, composite(q, k, v).data, rtol=1e-10, atol=1e-12)
    for a, c in zip(_grads(fused, q, k, v, upstream=up), _grads(composite, q, k, v, upstream=up)):
        np.testing.assert_allclose(a, c, rtol=1e-9, atol=1e-11)
    assert gradcheck(fused, q, k, v)


def test_attention_float_mask_and_random_projection_on_larger_shapes():
    rng = np.random.default_rng(3)
    q, k, v = _t(rng, 2, 4, 16, 8), _t(rng, 2, 4, 16, 8), _t(rng, 2, 4, 16, 8)
    bias = Tensor(rng.standard_normal((16, 16)))
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=bias), q, k, v, projections=5)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 1)])
def test_conv2d_relu_equals_composite_and_gradchecks(stride, padding):
    rng = np.random.default_rng(4)
    x, w, b = _t(rng, 2, 3, 6, 6), _t(rng, 4, 3, 3, 3), _t(rng, 4)
    fused = lambda x, w, b: conv2d_relu(x, w, b, stride, padding)
    composite = lambda x, w, b: activations.relu(conv2d(x, w, b, stride, padding))
    up = Tensor(rng.standard_normal(composite(x, w, b).shape))
    np.testing.assert_allclose(fused(x, w, b).data, composite(x, w, b).data, rtol=1e-12, atol=1e-12)
    for a, c in zip(_grads(fused, x, w, b, upstream=up), _grads(composite, x, w, b, upstream=up)):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
    assert gradcheck(fused, x, w, b)


def test_float32_stays_float32():
    rng = np.random.default_rng(5)
    x, w = _t(rng, 3, 4, dtype="float32"), _t(rng, 2, 4, dtype="float32")
    assert linear_act(x, w).dtype == np.float32
    assert layer_norm(x, 4).dtype == np.float32
    q = _t(rng, 2, 3, 4, dtype="float32")
    assert scaled_dot_product_attention(q, q, q).dtype == np.float32


def test_careless_inputs():
    x, w = Tensor(np.ones((2, 3), np.float32)), Tensor(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        linear_act(x, w)
    with pytest.raises(ValueError, match="activation must be one of"):
        linear_act(x, Tensor(np.ones((4, 3), np.float32)), activation="swish")
    with pytest.raises(TypeError, match="Tensor"):
        linear_act([[1.0, 2.0, 3.0]], Tensor(np.ones((4, 3), np.float32)))
    with pytest.raises(TypeError, match="floating point"):
        layer_norm(Tensor(np.ones((2, 3), np.int64)), 3)
    with pytest.raises(ValueError, match="trailing shape"):
        layer_norm(x, 4)
    q = Tensor(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="must agree"):
        scaled_dot_product_attention(q, Tensor(np.ones((2, 3, 5), np.float32)), q)
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, q, q, attn_mask=np.ones((2, 2), bool))
    with pytest.raises(RuntimeError, match="is_causal"):
        scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(ValueError, match="conv2d_relu expects input"):
        conv2d_relu(Tensor(np.ones((3, 4, 4), np.float32)), Tensor(np.ones((2, 3, 3, 3), np.float32)))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=0, max_size=2), st.integers(1, 6), st.integers(1, 6),
       st.sampled_from(["relu", "tanh", "sigmoid", "gelu", "none"]), st.booleans(), st.integers(0, 1000))
def test_linear_act_equals_composite_on_random_shapes(lead, n_in, n_out, activation, bias, seed):
    rng = np.random.default_rng(seed)
    x, w = _t(rng, *lead, n_in, dtype="float32"), _t(rng, n_out, n_in, dtype="float32")
    b = _t(rng, n_out, dtype="float32") if bias else None
    np.testing.assert_allclose(linear_act(x, w, b, activation).data,
                               COMPOSITE_ACT[activation](linear(x, w, b)).data, rtol=1e-5, atol=1e-6)


def test_attention_refuses_mixed_dtypes_as_torch():
    q = Tensor(np.ones((1, 1, 2, 4)))
    k = Tensor(np.ones((1, 1, 2, 4), np.float32))
    with pytest.raises(RuntimeError, match="same dtype, got float64, float32 and float32"):
        scaled_dot_product_attention(q, k, k)


def test_attention_over_no_keys_gives_zeros_as_torch():
    q = Tensor(np.ones((1, 1, 2, 4), np.float32), requires_grad=True)
    kv = Tensor(np.ones((1, 1, 0, 4), np.float32))
    out = scaled_dot_product_attention(q, kv, kv)
    assert out.shape == (1, 1, 2, 4) and not out.data.any()
    out.sum().backward()
    np.testing.assert_array_equal(q.grad.data, np.zeros((1, 1, 2, 4), np.float32))
