"""Differential tests against PyTorch: forward and backward with a random upstream gradient."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings, strategies as st  # noqa: E402

from tinytorch.attention import MultiheadAttention, scaled_dot_product_attention  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

TF = torch.nn.functional


def _pair(rng, *shape):
    a = rng.standard_normal(shape).astype(np.float32)
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


def _close(a, t, tol=1e-4):
    np.testing.assert_allclose(a.data, t.detach().numpy(), rtol=tol, atol=tol)


def _backward(ours, theirs, rng):
    g = rng.standard_normal(theirs.shape).astype(np.float32)
    ours.backward(Tensor(g))
    theirs.backward(torch.tensor(g))


@settings(max_examples=30, deadline=None)
@given(batch=st.sampled_from([(), (2,), (2, 3)]), L=st.integers(1, 5), S=st.integers(1, 6),
       E=st.integers(1, 6), Ev=st.integers(1, 5), mask=st.sampled_from(["none", "bool", "float", "causal"]),
       scale=st.sampled_from([None, 0.5]), seed=st.integers(0, 2**16))
def test_sdpa_matches_torch(batch, L, S, E, Ev, mask, scale, seed):
    rng = np.random.default_rng(seed)
    q, tq = _pair(rng, *batch, L, E)
    k, tk = _pair(rng, *batch, S, E)
    v, tv = _pair(rng, *batch, S, Ev)
    kwargs, tkwargs = {}, {}
    if mask == "bool":
        m = rng.random((L, S)) > 0.5
        m[rng.integers(L)] = False  # one fully masked row
        kwargs["attn_mask"], tkwargs["attn_mask"] = Tensor(m), torch.tensor(m)
    elif mask == "float":
        m = rng.standard_normal((*batch, L, S)).astype(np.float32)
        kwargs["attn_mask"], tkwargs["attn_mask"] = Tensor(m), torch.tensor(m)
    elif mask == "causal":
        kwargs["is_causal"] = tkwargs["is_causal"] = True
    out = scaled_dot_product_attention(q, k, v, scale=scale, **kwargs)
    ref = TF.scaled_dot_product_attention(tq, tk, tv, scale=scale, **tkwargs)
    _close(out, ref)
    _backward(out, ref, rng)
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        _close(ours.grad, theirs.grad)


def test_sdpa_fully_masked_rows_match_torch_values_and_grads():
    rng = np.random.default_rng(0)
    q, tq = _pair(rng, 2, 4, 3)
    k, tk = _pair(rng, 2, 5, 3)
    v, tv = _pair(rng, 2, 5, 2)
    m = rng.random((2, 4, 5)) > 0.5
    m[0, 1] = False
    m[1, 3] = False
    out = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(m))
    ref = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(m))
    _close(out, ref)
    _backward(out, ref, rng)
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        _close(ours.grad, theirs.grad)
        assert np.isfinite(ours.grad.data).all()


def _mha_pair(rng, E, H, **kwargs):
    theirs = torch.nn.MultiheadAttention(E, H, **kwargs)
    with torch.no_grad():  # non-zero biases so that their gradients are tested too
        for name, p in theirs.named_parameters():
            if "bias" in name:
                p.copy_(torch.tensor(rng.standard_normal(p.shape).astype(np.float32)))
    ours = MultiheadAttention(E, H, **kwargs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 3), L=st.integers(1, 5), S=st.integers(1, 5), H=st.sampled_from([1, 2, 4]),
       batch_first=st.booleans(), self_attn=st.booleans(), kv_dims=st.booleans(), bias=st.booleans(),
       kpm=st.sampled_from(["none", "bool", "float"]), am=st.sampled_from(["none", "bool2", "float3"]),
       average=st.booleans(),
       extra_keys=st.sampled_from([(False, False), (True, False), (False, True), (True, True)]),
       seed=st.integers(0, 2**16))
def test_mha_matches_torch(N, L, S, H, batch_first, self_attn, kv_dims, bias, kpm, am, average, extra_keys, seed):
    rng = np.random.default_rng(seed)
    E = 8
    kdim, vdim = (3, 5) if kv_dims else (None, None)
    add_bias_kv, add_zero_attn = extra_keys
    ours, theirs = _mha_pair(rng, E, H, bias=bias, kdim=kdim, vdim=vdim, batch_first=batch_first,
                             add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn)
    if self_attn and not kv_dims:
        S = L
    def layout(n, d):
        return (N, n, d) if batch_first else (n, N, d)
    q, tq = _pair(rng, *layout(L, E))
    if self_attn and not kv_dims:
        k, tk, v, tv = q, tq, q, tq
    else:
        k, tk = _pair(rng, *layout(S, kdim or E))
        v, tv = _pair(rng, *layout(S, vdim or E))
    kwargs = {}
    if kpm != "none":
        m = rng.random((N, S)) > 0.7
        m[:, 0] = False  # keep one key per sample: PyTorch's need_weights path gives NaN otherwise
        kwargs["key_padding_mask"] = m if kpm == "bool" else np.where(m, -1e9, 0.0).astype(np.float32)
    if am == "bool2":
        m = rng.random((L, S)) > 0.7
        m[:, 0] = False
        kwargs["attn_mask"] = m
    elif am == "float3":
        kwargs["attn_mask"] = rng.standard_normal((N * H, L, S)).astype(np.float32)
    if kpm != "none" and am != "none" and (kpm == "bool") != (am == "bool2"):
        kwargs["key_padding_mask"] = np.where(kwargs["key_padding_mask"], -1e9, 0.0).astype(np.float32) \
            if kpm == "bool" else kwargs["key_padding_mask"]
        if am == "bool2":
            kwargs["attn_mask"] = np.where(kwargs["attn_mask"], -1e9, 0.0).astype(np.float32)
    out, w = ours(q, k, v, average_attn_weights=average, **kwargs)
    ref, tw = theirs(tq, tk, tv, average_attn_weights=average, **{a: torch.tensor(b) for a, b in kwargs.items()})
    _close(out, ref)
    _close(w, tw)
    _backward(out, ref, rng)
    for ours_t, theirs_t in ((q, tq), (k, tk), (v, tv)):
        _close(ours_t.grad, theirs_t.grad)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tparams[name].grad, 1e-3)


def test_mha_fully_masked_rows_match_torch_without_weights():
    rng = np.random.default_rng(1)
    ours, theirs = _mha_pair(rng, 8, 2, batch_first=True)
    q, tq = _pair(rng, 2, 3, 8)
    pad = np.array([[False, False, True], [True, True, True]])
    out, _ = ours(q, q, q, key_padding_mask=pad, need_weights=False)
    theirs.eval()  # PyTorch's need_weights=False path gives zero weights for a fully masked row
    ref, _ = theirs(tq, tq, tq, key_padding_mask=torch.tensor(pad), need_weights=False)
    _close(out, ref)
    assert np.isfinite(out.data).all()


def test_mha_unbatched_matches_torch():
    rng = np.random.default_rng(2)
    ours, theirs = _mha_pair(rng, 8, 4)
    q, tq = _pair(rng, 5, 8)
    am = rng.standard_normal((4, 5, 5)).astype(np.float32)
    out, w = ours(q, q, q, attn_mask=am, average_attn_weights=False)
    ref, tw = theirs(tq, tq, tq, attn_mask=torch.tensor(am), average_attn_weights=False)
    _close(out, ref)
    _close(w, tw)


def test_mha_dropout_train_vs_eval():
    rng = np.random.default_rng(3)
    ours, theirs = _mha_pair(rng, 8, 2, dropout=0.5, batch_first=True)
    q, tq = _pair(rng, 2, 4, 8)
    ours.eval()
    theirs.eval()
    _close(ours(q, q, q)[0], theirs(tq, tq, tq)[0])
    ours.train()
    _, w = ours(q, q, q, average_attn_weights=False)
    assert (w.data == 0).any()  # dropped weights; survivors scaled by 2
    assert np.all(np.isclose(w.data, 0) | (w.data > 0))


def test_mha_extra_keys_rescue_fully_masked_rows_like_torch():
    rng = np.random.default_rng(4)
    ours, theirs = _mha_pair(rng, 8, 2, batch_first=True, add_bias_kv=True, add_zero_attn=True)
    q, tq = _pair(rng, 2, 3, 8)
    pad = np.array([[False, True, False], [True, True, True]])
    out, w = ours(q, q, q, key_padding_mask=pad, average_attn_weights=False)
    ref, tw = theirs(tq, tq, tq, key_padding_mask=torch.tensor(pad), average_attn_weights=False)
    _close(out, ref)
    _close(w, tw)  # no NaN in PyTorch either: the appended keys are never masked
    _backward(out, ref, rng)
    _close(q.grad, tq.grad)
    for name in ("bias_k", "bias_v"):
        _close(getattr(ours, name).grad, getattr(theirs, name).grad, 1e-3)


def test_mha_bias_kv_trains_like_torch():
    """Two plain gradient steps from a torch state dict with bias_k and bias_v: the same parameters."""
    rng = np.random.default_rng(5)
    ours, theirs = _mha_pair(rng, 8, 4, add_bias_kv=True)
    x = rng.standard_normal((4, 2, 8)).astype(np.float32)
    tx = torch.tensor(x)
    for _ in range(2):
        ours.zero_grad()
        theirs.zero_grad()
        ours(Tensor(x), Tensor(x), Tensor(x))[0].pow(2).sum().backward()
        theirs(tx, tx, tx)[0].pow(2).sum().backward()
        for p in ours.parameters():
            p.data -= 0.05 * p.grad.data
        with torch.no_grad():
            for p in theirs.parameters():
                p -= 0.05 * p.grad
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.data, tparams[name].detach().numpy(), rtol=1e-4, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(batch=st.sampled_from([(), (2,)]), heads=st.sampled_from([(4, 2, 2), (4, 1, 4), (6, 3, 2), (2, 2, 2)]),
       L=st.integers(1, 4), S=st.integers(1, 5), mask=st.sampled_from(["none", "bool_heads", "float", "causal"]),
       seed=st.integers(0, 2**16))
def test_sdpa_gqa_matches_torch(batch, heads, L, S, mask, seed):
    rng = np.random.default_rng(seed)
    hq, hk, hv = heads
    q, tq = _pair(rng, *batch, hq, L, 4)
    k, tk = _pair(rng, *batch, hk, S, 4)
    v, tv = _pair(rng, *batch, hv, S, 3)
    kwargs, tkwargs = {}, {}
    if mask == "bool_heads":
        m = rng.random((hq, L, S)) > 0.4
        kwargs["attn_mask"], tkwargs["attn_mask"] = Tensor(m), torch.tensor(m)
    elif mask == "float":
        m = rng.standard_normal((L, S)).astype(np.float32)
        kwargs["attn_mask"], tkwargs["attn_mask"] = Tensor(m), torch.tensor(m)
    elif mask == "causal":
        kwargs["is_causal"] = tkwargs["is_causal"] = True
    out = scaled_dot_product_attention(q, k, v, enable_gqa=True, **kwargs)
    ref = TF.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True, **tkwargs)
    _close(out, ref)
    _backward(out, ref, rng)
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        _close(ours.grad, theirs.grad)


@pytest.mark.parametrize("q_shape, k_shape, v_shape", [
    ((2, 4, 3, 8), (2, 3, 5, 8), (2, 3, 5, 8)),
    ((2, 4, 3, 8), (2, 2, 5, 8), (2, 8, 5, 8)),
    ((3, 8), (5, 8), (5, 8)),
    ((2, 4, 3, 8), (3, 2, 5, 8), (3, 2, 5, 8)),
])
def test_sdpa_gqa_errors_match_torch_classes(q_shape, k_shape, v_shape):
    rng = np.random.default_rng(6)
    (q, tq), (k, tk), (v, tv) = _pair(rng, *q_shape), _pair(rng, *k_shape), _pair(rng, *v_shape)
    with pytest.raises(Exception) as theirs:
        TF.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True)
    with pytest.raises(theirs.type):
        scaled_dot_product_attention(q, k, v, enable_gqa=True)
