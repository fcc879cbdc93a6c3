"""The graph-free decoder computes what GPT.forward computes, and is used only where it can."""

import numpy as np
import pytest

from tinytorch.memoization import KVCache, generate, generate_batch
from tinytorch.memoization.decode import GraphFreeGPT
from tinytorch.tensor import Tensor, manual_seed, no_grad
from tinytorch.transformer import GPT, GPTConfig


def _model(seed=0, **overrides):
    manual_seed(seed)
    config = dict(vocab_size=13, block_size=16, n_layer=2, n_head=2, n_embd=16)
    config.update(overrides)
    m = GPT(GPTConfig(**config))
    rng = np.random.default_rng(seed)
    for p in m.parameters():  # logits far apart: greedy decoding is decisive
        p.data[...] += 0.2 * rng.standard_normal(p.shape).astype(np.float32)
    return m.eval()


@pytest.mark.parametrize("overrides", [{}, {"bias": False}, {"tie_weights": False}, {"n_head": 4, "n_layer": 3}])
def test_logits_equal_model_forward_chunk_by_chunk(overrides):
    model = _model(1, **overrides)
    fast = GraphFreeGPT(model)
    ids = np.random.default_rng(2).integers(0, 13, (3, 12))
    ours, theirs = KVCache.from_model(model, 3), KVCache.from_model(model, 3)
    with no_grad():
        for lo, hi in ((0, 5), (5, 6), (6, 9), (9, 12)):  # a prefill, one token, then chunks
            got = fast.last_logits(ids[:, lo:hi], ours)
            want = model(Tensor(ids[:, lo:hi]), cache=theirs)[0].data[:, -1]
            np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
        np.testing.assert_allclose(fast.last_logits(ids), model(Tensor(ids))[0].data[:, -1], atol=1e-5, rtol=0)
    assert ours.seq_len == 12
    np.testing.assert_allclose(ours.keys, theirs.keys, atol=1e-5, rtol=0)


def test_padding_mask_and_positions_as_model_forward():
    model = _model(3)
    fast = GraphFreeGPT(model)
    ids = np.array([[0, 0, 4, 5, 6], [1, 2, 3, 4, 5]])
    mask = np.array([[False, False, True, True, True], [True] * 5])
    pos = np.maximum(np.cumsum(mask, axis=1) - 1, 0)
    ours, theirs = KVCache.from_model(model, 2), KVCache.from_model(model, 2)
    with no_grad():
        got = fast.last_logits(ids[:, :4], ours, mask[:, :4], pos[:, :4])
        want = model(Tensor(ids[:, :4]), cache=theirs, attention_mask=mask[:, :4], position_ids=pos[:, :4])[0]
        np.testing.assert_allclose(got, want.data[:, -1], atol=1e-5, rtol=0)
        got = fast.last_logits(ids[:, 4:], ours, mask, pos[:, 4:])
        want = model(Tensor(ids[:, 4:]), cache=theirs, attention_mask=mask, position_ids=pos[:, 4:])[0]
        np.testing.assert_allclose(got, want.data[:, -1], atol=1e-5, rtol=0)


def test_only_a_stock_gpt_takes_the_graph_free_path():
    model = _model(4)
    assert GraphFreeGPT.supports(model)

    class Wider(GPT):  # a subclass may compute something else
        pass

    other = Wider(model.config)
    assert not GraphFreeGPT.supports(other)
    handle = model.h[1].mlp.register_forward_hook(lambda module, args, out: out * 2.0)
    try:
        assert not GraphFreeGPT.supports(model)
        with pytest.raises(TypeError, match="stock GPT"):
            GraphFreeGPT(model)
        hooked = generate(model, Tensor([[1, 2]]), 6, top_k=1)  # falls back to model.forward
        np.testing.assert_array_equal(hooked.data, model.generate(Tensor([[1, 2]]), 6, top_k=1).data)
    finally:
        handle.remove()
    dropout = _model(4, dropout=0.1).train()
    assert not GraphFreeGPT.supports(dropout)  # its random masks are not drawn here
    assert GraphFreeGPT.supports(dropout.eval())


def test_both_paths_give_the_same_tokens_and_logits():
    model = _model(5)
    prompts = [[1], [4, 2, 7, 1], [3, 3]]
    handle = model.register_forward_pre_hook(lambda module, args: None)  # forces model.forward
    try:
        slow = generate_batch(model, prompts, 20, top_k=1)
        slow_ids, slow_logits = generate(model, Tensor([[5, 6]]), 20, top_k=1, return_logits=True)
    finally:
        handle.remove()
    assert generate_batch(model, prompts, 20, top_k=1) == slow
    fast_ids, fast_logits = generate(model, Tensor([[5, 6]]), 20, top_k=1, return_logits=True)
    np.testing.assert_array_equal(fast_ids.data, slow_ids.data)
    np.testing.assert_allclose(fast_logits.data, slow_logits.data, atol=1e-5, rtol=0)


def test_an_out_of_range_token_id_is_refused():
    model = _model(6)
    with pytest.raises(IndexError, match="13"):
        generate(model, Tensor([[1, 13]]), 2)
    with pytest.raises(IndexError, match="-1"):
        generate(model, Tensor([[-1, 2]]), 2)
