"""Cached generation equals recomputation; context policies; batches; reuse and invalidation."""

import numpy as np
import pytest

from tinytorch.memoization import KVCache, generate, generate_batch
from tinytorch.tensor import Tensor, manual_seed, no_grad
from tinytorch.transformer import GPT, GPTConfig


@pytest.fixture(scope="module")
def model():
    manual_seed(0)
    m = GPT(GPTConfig(vocab_size=17, block_size=32, n_layer=2, n_head=4, n_embd=32))
    rng = np.random.default_rng(0)
    for p in m.parameters():  # larger weights: logits far apart, so greedy decoding is decisive
        p.data[...] += 0.2 * rng.standard_normal(p.shape).astype(np.float32)
    return m.eval()


def _prompt(seed, B=1, T=5, V=17):
    return Tensor(np.random.default_rng(seed).integers(0, V, (B, T)))


def test_greedy_tokens_and_logits_equal_recomputation_up_to_the_full_context(model):
    prompt = _prompt(1, B=2)
    n = model.config.block_size - prompt.shape[1] + 1  # the last step sees exactly block_size tokens
    ids, logits = generate(model, prompt, n, top_k=1, return_logits=True)
    np.testing.assert_array_equal(ids.data, model.generate(prompt, n, top_k=1).data)
    with no_grad():
        for step in range(n):
            full, _ = model(Tensor(ids.data[:, :prompt.shape[1] + step]))
            np.testing.assert_allclose(logits.data[:, step], full.data[:, -1], atol=1e-5, rtol=0)


def test_use_cache_false_is_recomputation(model):
    prompt = _prompt(2)
    np.testing.assert_array_equal(generate(model, prompt, 40, top_k=1, use_cache=False).data,
                                  model.generate(prompt, 40, top_k=1).data)


def test_recompute_policy_is_identical_beyond_the_context(model):
    prompt = _prompt(3)
    np.testing.assert_array_equal(generate(model, prompt, 45, top_k=1, on_full="recompute").data,
                                  model.generate(prompt, 45, top_k=1).data)


def test_shift_policy_reencodes_the_newer_half(model):
    block = model.config.block_size
    prompt = _prompt(4)
    ids, logits = generate(model, prompt, 50, top_k=1, return_logits=True)
    reference = model.generate(prompt, 50, top_k=1).data
    first_shift = block - prompt.shape[1] + 1  # the step whose context would exceed block_size
    fits = prompt.shape[1] + first_shift
    np.testing.assert_array_equal(ids.data[:, :fits], reference[:, :fits])
    with no_grad():  # after the shift the model sees the last block // 2 tokens, positions from 0
        t = prompt.shape[1] + first_shift
        window, _ = model(Tensor(ids.data[:, t - block // 2:t]))
        np.testing.assert_allclose(logits.data[:, first_shift], window.data[:, -1], atol=1e-5, rtol=0)
        t += 3  # and then continues incrementally on that window
        window, _ = model(Tensor(ids.data[:, t - block // 2 - 3:t]))
        np.testing.assert_allclose(logits.data[:, first_shift + 3], window.data[:, -1], atol=1e-5, rtol=0)


def test_error_policy(model):
    with pytest.raises(ValueError, match="full"):
        generate(model, _prompt(5), 40, top_k=1, on_full="error")


def test_batched_prompts_of_different_lengths_equal_each_alone(model):
    rng = np.random.default_rng(6)
    prompts = [rng.integers(0, 17, n).tolist() for n in (1, 4, 9, 2)]
    together = generate_batch(model, prompts, 20, top_k=1)
    for p, out in zip(prompts, together):
        alone = generate(model, Tensor([p]), 20, top_k=1).tolist()[0]
        assert out == alone
    # and without the cache: the masked recomputation agrees too
    assert generate_batch(model, prompts, 20, top_k=1, use_cache=False) == together


def test_sampling_with_a_generator_is_reproducible(model):
    from tinytorch.tensor import Generator
    a = generate(model, _prompt(7), 15, temperature=0.8, top_p=0.9, generator=Generator().manual_seed(3))
    b = generate(model, _prompt(7), 15, temperature=0.8, top_p=0.9, generator=Generator().manual_seed(3))
    np.testing.assert_array_equal(a.data, b.data)


def test_a_reused_cache_skips_the_common_prefix_and_recomputes_a_changed_one(model):
    calls = []
    original = model.forward

    class Spy:
        def __getattr__(self, name):
            return getattr(model, name)

        def __call__(self, idx, **kw):
            calls.append(idx.shape[1])
            return original(idx, **kw)

    spy = Spy()
    cache = KVCache.from_model(model, 1)
    prompt = _prompt(8, T=10)
    first = generate(spy, prompt, 3, top_k=1, cache=cache)
    assert calls[0] == 10
    calls.clear()
    changed = prompt.data.copy()
    changed[0, 6] = (changed[0, 6] + 1) % 17
    again = generate(spy, Tensor(changed), 3, top_k=1, cache=cache)
    assert calls[0] == 4  # positions 6..9 recomputed, 0..5 reused
    np.testing.assert_array_equal(again.data, generate(model, Tensor(changed), 3, top_k=1).data)
    calls.clear()
    generate(spy, first, 2, top_k=1, cache=cache)  # a different history: only the prefix before it
    assert calls[0] == first.shape[1] - 6
    cache.reset()
    calls.clear()
    generate(spy, prompt, 1, top_k=1, cache=cache)
    assert calls[0] == 10


def test_careless_inputs(model):
    p = _prompt(9)
    with pytest.raises(ValueError, match="on_full"):
        generate(model, p, 3, on_full="wrap")
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(model, p, -1)
    with pytest.raises(TypeError, match="integer token ids"):
        generate(model, Tensor([[1.0, 2.0]]), 3)
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        generate(model, Tensor([1, 2]), 3)
    with pytest.raises(ValueError, match="attention_mask"):
        generate(model, p, 3, attention_mask=np.ones((1, 4), bool))
    with pytest.raises(ValueError, match="cache is for batch 2"):
        generate(model, p, 3, cache=KVCache.from_model(model, 2))
    with pytest.raises(ValueError, match="empty"):
        generate_batch(model, [[1], []], 3)
    with pytest.raises(ValueError, match="non-empty list"):
        generate_batch(model, [], 3)
    with pytest.raises(ValueError, match="pad_id 50"):
        generate_batch(model, [[1, 2], [3]], 2, pad_id=50)
    assert generate(model, p, 0).shape == p.shape


def test_a_one_token_context_still_generates():
    manual_seed(1)
    tiny = GPT(GPTConfig(vocab_size=5, block_size=1, n_layer=1, n_head=1, n_embd=4)).eval()
    prompt = Tensor([[1, 2]])
    np.testing.assert_array_equal(generate(tiny, prompt, 4, top_k=1).data, tiny.generate(prompt, 4, top_k=1).data)
