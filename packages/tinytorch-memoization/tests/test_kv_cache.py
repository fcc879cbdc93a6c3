"""KVCache: the protocol, equality with the reference cache, errors, invalidation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.autograd  # noqa: F401  (backward through the cache)
from tinytorch.memoization import KVCache
from tinytorch.tensor import Tensor, manual_seed, no_grad, zeros
from tinytorch.transformer import GPT, ConcatCache, GPTConfig


@pytest.fixture(scope="module")
def model():
    manual_seed(0)
    return GPT(GPTConfig(vocab_size=13, block_size=24, n_layer=2, n_head=2, n_embd=16)).eval()


def test_same_logits_as_the_reference_cache_chunk_by_chunk(model):
    ids = np.random.default_rng(0).integers(0, 13, (2, 20))
    ours, ref = KVCache.from_model(model, 2), ConcatCache(2)
    with no_grad():
        for a, b in [(0, 7), (7, 8), (8, 15), (15, 20)]:
            x, _ = model(Tensor(ids[:, a:b]), cache=ours)
            y, _ = model(Tensor(ids[:, a:b]), cache=ref)
            np.testing.assert_allclose(x.data, y.data, rtol=1e-5, atol=1e-6)
        full, _ = model(Tensor(ids))
    np.testing.assert_allclose(x.data, full.data[:, 15:], rtol=1e-4, atol=1e-5)
    assert ours.seq_len == 20


def test_buffers_are_allocated_once_and_sized_by_hand():
    cache = KVCache(n_layer=3, batch_size=2, n_head=4, head_dim=8, max_seq_len=10)
    keys = cache.keys
    assert cache.nbytes == 2 * 3 * 2 * 4 * 10 * 8 * 4
    for _ in range(2):
        for layer in range(3):
            cache.update(layer, zeros(2, 4, 5, 8), zeros(2, 4, 5, 8))
        cache.advance(5)
    assert cache.seq_len == 10 and cache.keys is keys


def test_protocol_errors():
    cache = KVCache(n_layer=2, batch_size=1, n_head=2, head_dim=4, max_seq_len=6)
    k = zeros(1, 2, 4, 4)
    with pytest.raises(IndexError, match="layer_idx 2"):
        cache.update(2, k, k)
    with pytest.raises(ValueError, match=r"shape \(1, 2, T_new, 4\)"):
        cache.update(0, zeros(1, 3, 4, 4), zeros(1, 3, 4, 4))
    with pytest.raises(TypeError, match="got ndarray"):
        cache.update(0, np.zeros((1, 2, 1, 4), np.float32), np.zeros((1, 2, 1, 4), np.float32))
    cache.update(0, k, k)
    with pytest.raises(RuntimeError, match="updated twice"):
        cache.update(0, k, k)
    with pytest.raises(RuntimeError, match="layer 1 holds 0"):
        cache.advance(4)
    cache.update(1, k, k)
    cache.advance(4)
    with pytest.raises(ValueError, match="full: 4 cached \\+ 4 new"):
        cache.update(0, k, k)
    with pytest.raises(ValueError, match="positive int"):
        KVCache(0, 1, 1, 1, 1)


def test_reset_and_truncate_invalidate(model):
    ids = np.random.default_rng(1).integers(0, 13, (1, 12))
    cache = KVCache.from_model(model, 1)
    with no_grad():
        model(Tensor(ids), cache=cache)
        cache.truncate(5)  # keep a prefix, recompute a changed suffix
        changed = ids.copy()
        changed[0, 5:] = (changed[0, 5:] + 1) % 13
        x, _ = model(Tensor(changed[:, 5:]), cache=cache)
        fresh, _ = model(Tensor(changed))
        np.testing.assert_allclose(x.data, fresh.data[:, 5:], rtol=1e-4, atol=1e-5)
        cache.reset()
        assert cache.seq_len == 0 and cache.token_ids is None
        y, _ = model(Tensor(ids), cache=cache)
    with pytest.raises(ValueError, match="truncate"):
        cache.truncate(13)


def test_gradients_reach_the_new_keys_when_recording():
    cache = KVCache(n_layer=1, batch_size=1, n_head=1, head_dim=2, max_seq_len=4)
    past = Tensor(np.ones((1, 1, 2, 2), np.float32))
    cache.update(0, past, past)
    cache.advance(2)
    k = Tensor(np.full((1, 1, 1, 2), 3.0, np.float32), requires_grad=True)
    k_all, v_all = cache.update(0, k, k)
    (k_all * 2).sum().backward()
    assert k_all.shape == (1, 1, 3, 2)
    np.testing.assert_array_equal(k.grad.data, np.full((1, 1, 1, 2), 2.0))


@settings(max_examples=8, deadline=None)
@given(chunks=st.lists(st.integers(1, 6), min_size=1, max_size=4), batch=st.integers(1, 3), seed=st.integers(0, 1000))
def test_any_chunking_gives_the_full_forward(model, chunks, batch, seed):
    ids = np.random.default_rng(seed).integers(0, 13, (batch, sum(chunks)))
    cache = KVCache.from_model(model, batch)
    outs, start = [], 0
    with no_grad():
        for n in chunks:
            logits, _ = model(Tensor(ids[:, start:start + n]), cache=cache)
            outs.append(logits.data)
            start += n
        full, _ = model(Tensor(ids))
    np.testing.assert_allclose(np.concatenate(outs, axis=1), full.data, rtol=1e-4, atol=1e-5)
    assert cache.seq_len == ids.shape[1]
