"""Hand-checkable unit tests and careless-input errors for attention."""

import math

import numpy as np
import pytest

from tinytorch.attention import MultiheadAttention, attention, causal_mask, scaled_dot_product_attention
from tinytorch.tensor import Tensor, manual_seed


def _t(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def test_uniform_weights_average_the_values():
    q = Tensor(np.zeros((1, 2, 3), np.float32))  # zero queries: every score is 0
    k = _t(1, 4, 3)
    v = Tensor(np.arange(8, dtype=np.float32).reshape(1, 4, 2))
    out = scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(out.data, np.broadcast_to(v.data.mean(axis=1, keepdims=True), (1, 2, 2)))


def test_hand_computed_two_keys():
    q = Tensor([[1.0, 0.0]])
    k = Tensor([[1.0, 0.0], [0.0, 1.0]])
    v = Tensor([[10.0], [20.0]])
    w0 = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # softmax of (1/sqrt 2, 0)
    out = scaled_dot_product_attention(q, k, v)
    assert out.data[0, 0] == pytest.approx(10 * w0 + 20 * (1 - w0), rel=1e-6)
    out = scaled_dot_product_attention(q, k, v, scale=1.0)
    w0 = 1 / (1 + math.exp(-1))
    assert out.data[0, 0] == pytest.approx(10 * w0 + 20 * (1 - w0), rel=1e-6)


def test_is_causal_first_query_sees_only_first_key():
    q, k = _t(1, 4, 3), _t(1, 4, 3, seed=1)
    v = Tensor(np.arange(4, dtype=np.float32).reshape(1, 4, 1))
    out = scaled_dot_product_attention(q, k, v, is_causal=True)
    assert out.data[0, 0, 0] == 0.0
    same = scaled_dot_product_attention(q, k, v, attn_mask=causal_mask(4))
    np.testing.assert_allclose(out.data, same.data)


def test_bool_mask_equals_float_minus_inf_mask():
    q, k, v = _t(2, 3, 4), _t(2, 5, 4, seed=1), _t(2, 5, 2, seed=2)
    keep = np.random.default_rng(3).random((3, 5)) > 0.4
    keep[:, 0] = True
    additive = np.where(keep, 0.0, -np.inf).astype(np.float32)
    a = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(keep))
    b = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(additive))
    np.testing.assert_allclose(a.data, b.data, rtol=1e-6)


def test_fully_masked_row_gives_zeros_and_zero_grad():
    q = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    k, v = _t(4, 2), _t(4, 2, seed=1)
    keep = np.ones((3, 4), bool)
    keep[1] = False
    out = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(keep))
    assert np.all(out.data[1] == 0) and np.isfinite(out.data).all()
    out.sum().backward()
    assert np.all(q.grad.data[1] == 0) and np.isfinite(q.grad.data).all()


def test_fully_masked_row_float_mask():
    q, k, v = _t(3, 2), _t(4, 2, seed=1), _t(4, 2, seed=2)
    add = np.zeros((3, 4), np.float32)
    add[2] = -np.inf
    out = scaled_dot_product_attention(q, k, v, attn_mask=add)
    assert np.all(out.data[2] == 0) and np.isfinite(out.data).all()


def test_attention_returns_weights_that_sum_to_one():
    out, w = attention(_t(2, 3, 4), _t(2, 5, 4, seed=1), _t(2, 5, 6, seed=2))
    assert out.shape == (2, 3, 6) and w.shape == (2, 3, 5)
    np.testing.assert_allclose(w.data.sum(-1), 1.0, rtol=1e-6)


def test_no_keys_gives_zeros():
    out = scaled_dot_product_attention(_t(2, 3, 4), _t(2, 0, 4), _t(2, 0, 5))
    assert out.shape == (2, 3, 5) and np.all(out.data == 0)


def test_dropout_one_zeroes_and_dropout_scales():
    q, k, v = _t(2, 3, 4), _t(2, 5, 4, seed=1), _t(2, 5, 6, seed=2)
    assert np.all(scaled_dot_product_attention(q, k, v, dropout_p=1.0).data == 0)
    manual_seed(0)
    _, w = attention(q, k, v, dropout_p=0.5)
    assert set(np.unique(w.data == 0)) <= {True, False} and (w.data == 0).any()


def test_causal_mask_alignment():
    assert causal_mask(3).tolist() == np.tril(np.ones((3, 3), bool)).tolist()
    assert causal_mask(1, 4).tolist() == [[True] * 4]
    with pytest.raises(ValueError, match="size_k"):
        causal_mask(4, 2)
    with pytest.raises(ValueError, match="size_q"):
        causal_mask(-1)


@pytest.mark.parametrize("bad, exc, match", [
    (lambda q, k, v: scaled_dot_product_attention([[1.0]], k, v), TypeError, "query"),
    (lambda q, k, v: scaled_dot_product_attention(q, _t(2, 5, 3), v), RuntimeError, "embedding size"),
    (lambda q, k, v: scaled_dot_product_attention(q, k, _t(2, 4, 6)), RuntimeError, "number of keys"),
    (lambda q, k, v: scaled_dot_product_attention(_t(4), k, v), RuntimeError, "at least 2-dimensional"),
    (lambda q, k, v: scaled_dot_product_attention(Tensor(np.ones((2, 3, 4), np.int64)), k, v), RuntimeError,
     "floating point"),
    (lambda q, k, v: scaled_dot_product_attention(q, k.double(), v), RuntimeError, "same dtype"),
    (lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 4), bool)), RuntimeError,
     r"\(3, 4\)"),
    (lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 5), np.int64)), RuntimeError,
     "bool or float"),
    (lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 5), bool), is_causal=True),
     RuntimeError, "is_causal"),
    (lambda q, k, v: scaled_dot_product_attention(q, k, v, dropout_p=1.5), RuntimeError, "1.5"),
    (lambda q, k, v: scaled_dot_product_attention(_t(3, 3, 4), k, v), RuntimeError, "broadcast"),
])
def test_sdpa_errors(bad, exc, match):
    with pytest.raises(exc, match=match):
        bad(_t(2, 3, 4), _t(2, 5, 4, seed=1), _t(2, 5, 6, seed=2))


def test_mha_parameters_and_state_dict_layout():
    mha = MultiheadAttention(8, 2)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert mha.in_proj_weight.shape == (24, 8) and mha.head_dim == 4
    assert np.all(mha.in_proj_bias.data == 0) and np.all(mha.out_proj.bias.data == 0)
    bound = math.sqrt(6 / (8 + 24))
    assert np.abs(mha.in_proj_weight.data).max() <= bound
    other = MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    assert {k: v.shape for k, v in other.state_dict().items()} == {
        "q_proj_weight": (8, 8), "k_proj_weight": (8, 3), "v_proj_weight": (8, 5), "out_proj.weight": (8, 8)}


def test_mha_shapes_batch_first_unbatched_and_weights():
    mha = MultiheadAttention(8, 4)
    x = _t(5, 3, 8)  # (L, N, E)
    out, w = mha(x, x, x)
    assert out.shape == (5, 3, 8) and w.shape == (3, 5, 5)
    out, w = mha(x, x, x, average_attn_weights=False)
    assert w.shape == (3, 4, 5, 5)
    assert mha(x, x, x, need_weights=False)[1] is None
    out1, w1 = mha(x[:, 0], x[:, 0], x[:, 0])  # unbatched (L, E)
    np.testing.assert_allclose(out1.data, out.data[:, 0], rtol=1e-5, atol=1e-6)
    assert w1.shape == (5, 5)
    bf = MultiheadAttention(8, 4, batch_first=True)
    bf.load_state_dict(mha.state_dict())
    out2, _ = bf(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1))
    np.testing.assert_allclose(out2.data.transpose(1, 0, 2), out.data, rtol=1e-5, atol=1e-6)


def test_mha_key_padding_true_means_masked_out():
    mha = MultiheadAttention(4, 2, batch_first=True)
    x = _t(2, 3, 4)
    pad = np.array([[False, False, True], [False, True, True]])
    _, w = mha(x, x, x, key_padding_mask=pad)
    assert np.all(w.data[0, :, 2] == 0) and np.all(w.data[1, :, 1:] == 0)
    np.testing.assert_allclose(w.data.sum(-1), 1.0, rtol=1e-6)


def test_mha_fully_masked_gives_bias_not_nan():
    mha = MultiheadAttention(4, 2, batch_first=True)
    x = _t(2, 3, 4)
    out, w = mha(x, x, x, key_padding_mask=np.array([[False] * 3, [True] * 3]))
    assert np.isfinite(out.data).all() and np.all(w.data[1] == 0)
    np.testing.assert_allclose(out.data[1], np.broadcast_to(mha.out_proj.bias.data, (3, 4)))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(key_padding_mask=np.zeros((3, 3), bool)), AssertionError, "key_padding_mask"),
    (dict(attn_mask=np.zeros((3, 4), bool)), RuntimeError, "2D attn_mask"),
    (dict(attn_mask=np.zeros((3, 3, 3), bool)), RuntimeError, "3D attn_mask"),
    (dict(attn_mask=np.zeros((3, 3), np.int64)), AssertionError, "bool and floating"),
    (dict(is_causal=True), RuntimeError, "attn_mask"),
])
def test_mha_mask_errors(kwargs, exc, match):
    mha = MultiheadAttention(4, 2, batch_first=True)
    x = _t(2, 3, 4)
    with pytest.raises(exc, match=match):
        mha(x, x, x, **kwargs)


def test_mha_constructor_and_input_errors():
    with pytest.raises(AssertionError, match="divisible"):
        MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="num_heads"):
        MultiheadAttention(8, 0)
    with pytest.raises(ValueError, match="dropout"):
        MultiheadAttention(8, 2, dropout=2.0)
    mha = MultiheadAttention(8, 2)
    with pytest.raises(AssertionError, match="last dim 8"):
        mha(_t(3, 2, 5), _t(3, 2, 5), _t(3, 2, 5))
    with pytest.raises(AssertionError, match="3-D"):
        mha(_t(3, 2, 8), _t(3, 8), _t(3, 8))
    with pytest.raises(TypeError, match="query"):
        mha([[1.0]], _t(3, 8), _t(3, 8))


def test_torch_only_options_are_accepted_or_refused_by_name():
    mha = MultiheadAttention(8, 2, device="cpu", dtype="float64")
    assert mha.in_proj_weight.dtype == np.float64 and mha.out_proj.weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        MultiheadAttention(8, 2, device="cuda")
    with pytest.raises(TypeError, match="floating point"):
        MultiheadAttention(8, 2, dtype="int64")


def test_mha_bias_kv_parameters_init_and_layout():
    manual_seed(0)
    mha = MultiheadAttention(512, 2, add_bias_kv=True, dtype="float64")
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "bias_k", "bias_v",
                                      "out_proj.weight", "out_proj.bias"]
    assert mha.bias_k.shape == mha.bias_v.shape == (1, 1, 512) and mha.bias_k.dtype == np.float64
    for p in (mha.bias_k, mha.bias_v):  # xavier_normal_ of (1, 1, E): fan_in = fan_out = E
        assert abs(p.data.std() - math.sqrt(1 / 512)) < 0.15 * math.sqrt(1 / 512)
    plain = MultiheadAttention(8, 2, add_zero_attn=True)
    assert plain.bias_k is None and plain.bias_v is None and "bias_k" not in plain.state_dict()
    assert "add_zero_attn=True" in repr(plain) and "add_bias_kv=True" in repr(mha)


def test_mha_extra_keys_take_the_weight_of_masked_out_keys():
    x = _t(2, 3, 8)
    pad = np.array([[False, True, False], [True, True, True]])  # sample 1: every real key masked out
    mha = MultiheadAttention(8, 2, batch_first=True, add_bias_kv=True, add_zero_attn=True)
    out, w = mha(x, x, x, key_padding_mask=pad, average_attn_weights=False)
    assert w.shape == (2, 2, 3, 5)  # S + bias key + zero key
    np.testing.assert_allclose(w.data.sum(-1), 1.0, rtol=1e-6)
    assert np.all(w.data[0, :, :, 1] == 0) and np.all(w.data[0, :, :, 3:] > 0)
    assert np.all(w.data[1, :, :, :3] == 0)
    # the bias key and the zero key (score 0) share sample 1: out = out_proj(a * bias_v), a = its weight
    a = w.data[1, :, :, 3:4]  # (H, L, 1)
    v_heads = mha.bias_v.data.reshape(2, 1, 4)  # (H, 1, D)
    attended = (a * v_heads).transpose(1, 0, 2).reshape(3, 8)
    expected = attended @ mha.out_proj.weight.data.T + mha.out_proj.bias.data
    np.testing.assert_allclose(out.data[1], expected, rtol=1e-5, atol=1e-6)
    zero_only = MultiheadAttention(8, 2, batch_first=True, add_zero_attn=True)
    out, w = zero_only(x, x, x, key_padding_mask=pad)
    np.testing.assert_allclose(w.data[1], np.tile([0, 0, 0, 1.0], (3, 1)))  # only the zero key is left
    np.testing.assert_allclose(out.data[1], np.broadcast_to(zero_only.out_proj.bias.data, (3, 8)))


def test_mha_extra_keys_pad_both_masks_and_work_unbatched():
    mha = MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True)
    x = _t(3, 4)  # unbatched (L, E)
    am = np.array([[False, True, True]] * 3)
    out, w = mha(x, x, x, attn_mask=am, key_padding_mask=np.array([False, False, True]))
    assert out.shape == (3, 4) and w.shape == (3, 5)
    assert np.all(w.data[:, 1:3] == 0) and np.all(w.data[:, [0, 3, 4]] > 0)
    float_mask = np.where(am, -np.inf, 0.0).astype(np.float32)
    out2, w2 = mha(x, x, x, attn_mask=float_mask, key_padding_mask=np.array([False, False, True]))
    np.testing.assert_allclose(w2.data, w.data, rtol=1e-6)


def test_sdpa_gqa_equals_repeated_heads():
    q, k, v = _t(2, 6, 3, 4), _t(2, 2, 5, 4, seed=1), _t(2, 3, 5, 2, seed=2)
    out = scaled_dot_product_attention(q, k, v, enable_gqa=True)
    k6, v6 = Tensor(np.repeat(k.data, 3, axis=1)), Tensor(np.repeat(v.data, 2, axis=1))
    np.testing.assert_allclose(out.data, scaled_dot_product_attention(q, k6, v6).data, rtol=1e-6)
    per_head = np.random.default_rng(3).random((6, 3, 5)) > 0.3  # a mask over the query heads
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, attn_mask=per_head, enable_gqa=True).data,
                               scaled_dot_product_attention(q, k6, v6, attn_mask=per_head).data, rtol=1e-6)
    same = scaled_dot_product_attention(q, q, q, enable_gqa=True)  # equal head counts: nothing repeated
    np.testing.assert_allclose(same.data, scaled_dot_product_attention(q, q, q).data)


@pytest.mark.parametrize("k_shape, v_shape, q_shape, exc, match", [
    ((2, 4, 5, 4), (2, 4, 5, 2), (2, 6, 3, 4), RuntimeError, "divide the number of heads"),
    ((2, 2, 5, 4), (2, 4, 5, 2), (2, 6, 3, 4), RuntimeError, r"value has 4 heads"),
    ((5, 4), (5, 2), (3, 4), IndexError, "dim -3"),
    ((3, 2, 5, 4), (3, 2, 5, 2), (2, 4, 3, 4), RuntimeError, "broadcast"),
])
def test_sdpa_gqa_errors(k_shape, v_shape, q_shape, exc, match):
    with pytest.raises(exc, match=match):
        scaled_dot_product_attention(_t(*q_shape), _t(*k_shape, seed=1), _t(*v_shape, seed=2), enable_gqa=True)
