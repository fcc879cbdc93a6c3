"""Hypothesis properties: causality, cache equivalence, sampling filters."""

import numpy as np
from hypothesis import given, settings, strategies as st

from tinytorch.tensor import Tensor, manual_seed, no_grad
from tinytorch.transformer import GPT, ConcatCache, GPTConfig, top_k_filter, top_p_filter

manual_seed(0)
MODEL = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8))


@settings(max_examples=40, deadline=None)
@given(T=st.integers(2, 8), t=st.integers(0, 6), B=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_causality_logits_at_t_ignore_later_tokens(T, t, B, seed):
    """The upstream GPT was blind to this: changing tokens after t must not move logits at <= t."""
    t = t % (T - 1)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 11, size=(B, T))
    y = x.copy()
    y[:, t + 1:] = (x[:, t + 1:] + rng.integers(1, 11, size=(B, T - t - 1))) % 11  # every later token differs
    with no_grad():
        a, _ = MODEL(Tensor(x))
        b, _ = MODEL(Tensor(y))
    np.testing.assert_array_equal(a.data[:, :t + 1], b.data[:, :t + 1])
    assert not np.allclose(a.data[:, t + 1:], b.data[:, t + 1:])  # and later positions do see them


@settings(max_examples=25, deadline=None)
@given(split=st.lists(st.integers(1, 3), min_size=1, max_size=4), seed=st.integers(0, 2**16))
def test_any_chunking_through_the_cache_equals_one_pass(split, seed):
    T = min(sum(split), 8)
    x = np.random.default_rng(seed).integers(0, 11, size=(2, T))
    with no_grad():
        full, _ = MODEL(Tensor(x))
        cache, outs, start = ConcatCache(2), [], 0
        for n in split:
            if start >= T:
                break
            outs.append(MODEL(Tensor(x[:, start:start + n]), cache=cache)[0].data)
            start += n
    np.testing.assert_allclose(np.concatenate(outs, axis=1), full.data, rtol=1e-5, atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(V=st.integers(1, 12), k=st.integers(1, 14), seed=st.integers(0, 2**16))
def test_top_k_keeps_the_k_largest(V, k, seed):
    logits = np.random.default_rng(seed).standard_normal((3, V))
    out = top_k_filter(logits, k)
    kept = np.isfinite(out)
    assert np.all(kept.sum(-1) == min(k, V))
    assert np.all(out[kept] == logits[kept])
    assert np.all(logits[kept].reshape(3, -1).min(-1)[:, None] >= np.where(kept, -np.inf, logits).max(-1, keepdims=True))


@settings(max_examples=60, deadline=None)
@given(V=st.integers(1, 12), p=st.floats(0.01, 1.0), seed=st.integers(0, 2**16))
def test_top_p_keeps_the_smallest_set_reaching_p(V, p, seed):
    logits = np.random.default_rng(seed).standard_normal((2, V))
    out = top_p_filter(logits, p)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    for row in range(2):
        kept = np.isfinite(out[row])
        assert kept[np.argmax(logits[row])]
        mass = probs[row][kept].sum()
        assert mass >= p - 1e-9
        # dropping the least likely kept token would fall below p
        if kept.sum() > 1:
            assert mass - probs[row][kept].min() < p + 1e-9
