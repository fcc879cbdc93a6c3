"""float64 central-difference gradient checks through attention (composite ops, no new rule)."""

import numpy as np
import pytest

from tinytorch.attention import MultiheadAttention, attention, scaled_dot_product_attention
from tinytorch.autograd import gradcheck
from tinytorch.layers import linear
from tinytorch.tensor import Tensor, cat


def _t(rng, *shape):
    return Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("mask", ["none", "bool", "float", "causal", "dead_row"])
def test_sdpa_gradcheck(mask):
    rng = np.random.default_rng(0)
    q, k, v = _t(rng, 2, 3, 4), _t(rng, 2, 5, 4), _t(rng, 2, 5, 3)
    kwargs = {}
    if mask in ("bool", "dead_row"):
        m = rng.random((3, 5)) > 0.4
        m[:, 0] = True
        if mask == "dead_row":
            m[1] = False
        kwargs["attn_mask"] = Tensor(m)
    elif mask == "float":
        kwargs["attn_mask"] = Tensor(rng.standard_normal((3, 5)))
    elif mask == "causal":
        kwargs["is_causal"] = True
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, **kwargs), q, k, v)


def test_mha_gradcheck_inputs_and_parameters():
    rng = np.random.default_rng(1)
    mha = MultiheadAttention(4, 2, batch_first=True).double()
    mha.in_proj_bias.data[...] = rng.standard_normal(12)
    pad = np.array([[False, False, True], [False, False, False]])

    def composed(x, w_in, b_in, w_out):  # what MultiheadAttention.forward computes, spelled out
        q = linear(x, w_in[:4], b_in[:4]).reshape(2, 3, 2, 2).transpose(1, 2)
        k = linear(x, w_in[4:8], b_in[4:8]).reshape(2, 3, 2, 2).transpose(1, 2)
        v = linear(x, w_in[8:], b_in[8:]).reshape(2, 3, 2, 2).transpose(1, 2)
        out, _ = attention(q, k, v, ~pad.reshape(2, 1, 1, 3))
        return linear(out.transpose(1, 2).reshape(2, 3, 4), w_out, mha.out_proj.bias)

    x = _t(rng, 2, 3, 4)
    out, _ = mha(x, x, x, key_padding_mask=pad)
    np.testing.assert_allclose(out.data, composed(x, mha.in_proj_weight, mha.in_proj_bias,
                                                  mha.out_proj.weight).data, rtol=1e-12)
    assert gradcheck(composed, x, *(Tensor(p.data.copy(), requires_grad=True) for p in
                                    (mha.in_proj_weight, mha.in_proj_bias, mha.out_proj.weight)))
    # the module's own parameter gradients agree with the spelled-out composition
    out.sum().backward()
    params = [Tensor(p.data.copy(), requires_grad=True) for p in (mha.in_proj_weight, mha.in_proj_bias)]
    composed(x, *params, mha.out_proj.weight).sum().backward()
    np.testing.assert_allclose(mha.in_proj_weight.grad.data, params[0].grad.data, rtol=1e-10)
    np.testing.assert_allclose(mha.in_proj_bias.grad.data, params[1].grad.data, rtol=1e-10, atol=1e-12)


def test_sdpa_random_projection_gradcheck_larger():
    rng = np.random.default_rng(2)
    q, k, v = _t(rng, 2, 4, 16, 8), _t(rng, 2, 4, 16, 8), _t(rng, 2, 4, 16, 8)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v,
                     projections=6)


@pytest.mark.parametrize("mask", ["none", "per_head", "causal"])
def test_sdpa_gqa_gradcheck(mask):
    rng = np.random.default_rng(3)
    q, k, v = _t(rng, 2, 4, 3, 4), _t(rng, 2, 2, 5, 4), _t(rng, 2, 1, 5, 3)
    kwargs = {}
    if mask == "per_head":
        m = rng.random((4, 3, 5)) > 0.4
        m[..., 0] = True
        kwargs["attn_mask"] = Tensor(m)
    elif mask == "causal":
        kwargs["is_causal"] = True
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, enable_gqa=True, **kwargs), q, k, v)


def test_mha_bias_kv_and_zero_attn_gradcheck():
    rng = np.random.default_rng(4)
    mha = MultiheadAttention(4, 2, batch_first=True, add_bias_kv=True, add_zero_attn=True).double()
    mha.in_proj_bias.data[...] = rng.standard_normal(12)
    pad = np.array([[False, False, True], [True, True, True]])  # sample 1 sees only the extra keys
    keep = ~np.concatenate([pad, np.zeros((2, 2), bool)], axis=1).reshape(2, 1, 1, 5)

    def composed(x, w_in, bias_k, bias_v):  # what MultiheadAttention.forward computes, spelled out
        zero = Tensor(np.zeros((2, 1, 4)))
        q = linear(x, w_in[:4], mha.in_proj_bias[:4]).reshape(2, 3, 2, 2).transpose(1, 2)
        k = cat([linear(x, w_in[4:8], mha.in_proj_bias[4:8]), bias_k.expand(2, 1, 4), zero], dim=1)
        v = cat([linear(x, w_in[8:], mha.in_proj_bias[8:]), bias_v.expand(2, 1, 4), zero], dim=1)
        out, _ = attention(q, k.reshape(2, 5, 2, 2).transpose(1, 2), v.reshape(2, 5, 2, 2).transpose(1, 2), keep)
        return mha.out_proj(out.transpose(1, 2).reshape(2, 3, 4))

    x = _t(rng, 2, 3, 4)
    out, _ = mha(x, x, x, key_padding_mask=pad)
    params = (mha.in_proj_weight, mha.bias_k, mha.bias_v)
    np.testing.assert_allclose(out.data, composed(x, *params).data, rtol=1e-12)
    assert gradcheck(composed, x, *(Tensor(p.data.copy(), requires_grad=True) for p in params))
    out.sum().backward()  # the module's own gradients agree with the spelled-out composition
    copies = [Tensor(p.data.copy(), requires_grad=True) for p in params]
    composed(x, *copies).sum().backward()
    for p, c in zip(params, copies):
        np.testing.assert_allclose(p.grad.data, c.grad.data, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda x: mha(x, x, x, key_padding_mask=pad)[0], x)  # and through the module itself
