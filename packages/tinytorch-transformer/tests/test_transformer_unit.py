"""Hand-checkable unit tests of the GPT: shapes, initialisation, parameter counts, errors, caching."""

import math

import numpy as np
import pytest

from tinytorch.tensor import Generator, Tensor, manual_seed, no_grad
from tinytorch.transformer import GPT, ConcatCache, GPTConfig


def ids(seed, B, T, V=11):
    return np.random.default_rng(seed).integers(0, V, size=(B, T))


def test_config_validation():
    with pytest.raises(ValueError, match="n_head"):
        GPTConfig(10, 8, 2, 3, 8)
    with pytest.raises(ValueError, match="vocab_size"):
        GPTConfig(0, 8, 2, 2, 8)
    with pytest.raises(ValueError, match="dropout"):
        GPTConfig(10, 8, 2, 2, 8, dropout=1.0)


def test_forward_shapes_and_loss(tiny):
    logits, loss = tiny(Tensor(ids(0, 3, 5)))
    assert logits.shape == (3, 5, 11) and loss is None
    _, loss = tiny(Tensor(ids(0, 3, 5)), targets=Tensor(ids(1, 3, 5)))
    assert loss.shape == ()


def test_initial_loss_is_about_ln_vocab():
    manual_seed(1)
    model = GPT(GPTConfig(vocab_size=65, block_size=32, n_layer=4, n_head=4, n_embd=64))
    _, loss = model(Tensor(ids(0, 8, 32, 65)), targets=Tensor(ids(1, 8, 32, 65)))
    assert abs(loss.item() - math.log(65)) < 0.05


def test_init_statistics():
    manual_seed(2)
    cfg = GPTConfig(vocab_size=100, block_size=64, n_layer=6, n_head=4, n_embd=128)
    model = GPT(cfg)
    assert np.std(model.h[0].mlp.c_fc.weight.data) == pytest.approx(0.02, rel=0.05)
    assert np.std(model.h[0].attn.c_proj.weight.data) == pytest.approx(0.02 / math.sqrt(12), rel=0.05)
    assert np.std(model.wte.weight.data) == pytest.approx(0.02, rel=0.05)
    assert np.all(model.h[0].attn.c_attn.bias.data == 0)


def test_weight_tying_shares_one_parameter():
    model = GPT(GPTConfig(11, 8, 1, 1, 4))
    assert model.lm_head.weight is model.wte.weight
    assert sum(1 for p in model.parameters() if p is model.wte.weight) == 1
    untied = GPT(GPTConfig(11, 8, 1, 1, 4, tie_weights=False))
    assert untied.lm_head.weight is not untied.wte.weight
    assert untied.parameter_counts()["lm_head"] == 44


def test_parameter_counts_by_hand():
    C, V, T, L = 8, 11, 8, 2
    counts = GPT(GPTConfig(V, T, L, 2, C)).parameter_counts()
    assert counts["token_embedding"] == V * C and counts["position_embedding"] == T * C
    assert counts["attention"] == L * (C * 3 * C + 3 * C + C * C + C)
    assert counts["mlp"] == L * (C * 4 * C + 4 * C + 4 * C * C + C)
    assert counts["layer_norm"] == (2 * L + 1) * 2 * C
    assert counts["total"] == sum(v for k, v in counts.items() if k != "total")
    nobias = GPT(GPTConfig(V, T, L, 2, C, bias=False)).parameter_counts()
    assert nobias["attention"] == L * 4 * C * C and nobias["layer_norm"] == (2 * L + 1) * C


def test_flops_and_attention_memory(tiny):
    linear_weights = 2 * (8 * 24 + 8 * 8 + 8 * 32 + 32 * 8) + 11 * 8
    assert tiny.flops_per_token(4) == 2 * linear_weights + 4 * 2 * 4 * 8
    assert tiny.flops_per_token(4, training=True) == 3 * tiny.flops_per_token(4)
    assert tiny.attention_matrix_bytes(16, 64) == 16 * 2 * 64 * 64 * 2 * 4


def test_errors(tiny):
    with pytest.raises(ValueError, match="block_size 8"):
        tiny(Tensor(ids(0, 1, 9)))
    with pytest.raises(IndexError, match="11"):
        tiny(Tensor([[1, 11]]))
    with pytest.raises(IndexError, match="-1"):
        tiny(Tensor([[1, -1]]))
    with pytest.raises(TypeError, match="integer"):
        tiny(Tensor([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        tiny(Tensor([1, 2]))
    with pytest.raises(ValueError, match="no tokens"):
        tiny(Tensor(np.zeros((1, 0), np.int64)))
    with pytest.raises(ValueError, match="targets"):
        tiny(Tensor([[1, 2]]), targets=Tensor([[1, 2, 3]]))
    with pytest.raises(ValueError, match="attention_mask"):
        tiny(Tensor([[1, 2]]), attention_mask=np.ones((1, 3), bool))
    with pytest.raises(ValueError, match="temperature"):
        tiny.generate(Tensor([[1]]), 2, temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        tiny.generate(Tensor([[1]]), 2, top_k=0)
    with pytest.raises(ValueError, match="top_p"):
        tiny.generate(Tensor([[1]]), 2, top_p=1.5)
    with pytest.raises(ValueError, match="max_new_tokens"):
        tiny.generate(Tensor([[1]]), -1)


def test_python_lists_are_accepted(tiny):
    logits, _ = tiny([[1, 2, 3]])
    assert logits.shape == (1, 3, 11)


def test_cached_forward_equals_full_forward(tiny):
    x = ids(3, 2, 7)
    with no_grad():
        full, _ = tiny(Tensor(x))
        cache = ConcatCache(2)
        a, _ = tiny(Tensor(x[:, :4]), cache=cache)  # prompt
        steps = [tiny(Tensor(x[:, t:t + 1]), cache=cache)[0] for t in range(4, 7)]  # one token at a time
    assert cache.seq_len == 7
    np.testing.assert_allclose(a.data, full.data[:, :4], rtol=1e-5, atol=1e-6)
    for t, step in zip(range(4, 7), steps):
        np.testing.assert_allclose(step.data[:, 0], full.data[:, t], rtol=1e-5, atol=1e-5)


def test_left_padding_with_attention_mask_and_positions(tiny):
    x = ids(4, 1, 5)
    padded = np.concatenate([np.zeros((1, 2), np.int64), x], axis=1)  # two pad tokens on the left
    mask = np.array([[False, False, True, True, True, True, True]])
    pos = np.array([[0, 0, 0, 1, 2, 3, 4]])
    with no_grad():
        ref, _ = tiny(Tensor(x))
        out, _ = tiny(Tensor(padded), attention_mask=mask, position_ids=pos)
    assert np.isfinite(out.data).all()
    np.testing.assert_allclose(out.data[:, 2:], ref.data, rtol=1e-5, atol=1e-5)


def test_cache_protocol_errors():
    cache = ConcatCache(1)
    k = Tensor(np.zeros((1, 2, 3, 4), np.float32))
    cache.update(0, k, k)
    with pytest.raises(RuntimeError, match="holds"):
        cache.advance(5)
    cache.advance(3)
    cache.update(0, k, k)
    with pytest.raises(RuntimeError, match="twice"):
        cache.update(0, k, k)
    with pytest.raises(IndexError):
        cache.update(1, k, k)
    with pytest.raises(ValueError, match="4-d"):
        cache.update(0, Tensor(np.zeros((2, 3), np.float32)), k)


def test_generate_greedy_batch_and_crop(tiny):
    prompt = ids(5, 3, 6)
    out = tiny.generate(Tensor(prompt), max_new_tokens=10, top_k=1)  # runs past block_size 8
    assert out.shape == (3, 16) and out.dtype == np.int64
    np.testing.assert_array_equal(out.data[:, :6], prompt)
    single = tiny.generate(Tensor(prompt[1:2]), max_new_tokens=10, top_k=1)
    np.testing.assert_array_equal(single.data[0], out.data[1])  # batch rows are independent
    # greedy = argmax of the logits of the (cropped) context
    with no_grad():
        logits, _ = tiny(Tensor(out.data[:, 15 - 8:15]))
    np.testing.assert_array_equal(out.data[:, 15], logits.data[:, -1].argmax(-1))


def test_generate_is_seeded_through_the_generator(tiny):
    prompt = Tensor(ids(6, 2, 3))
    a = tiny.generate(prompt, 8, generator=Generator().manual_seed(7))
    b = tiny.generate(prompt, 8, generator=Generator().manual_seed(7))
    np.testing.assert_array_equal(a.data, b.data)
    manual_seed(3)
    c = tiny.generate(prompt, 8, temperature=0.8, top_k=5, top_p=0.9)
    manual_seed(3)
    d = tiny.generate(prompt, 8, temperature=0.8, top_k=5, top_p=0.9)
    np.testing.assert_array_equal(c.data, d.data)


def test_generate_restores_training_mode(tiny):
    tiny.train()
    tiny.generate(Tensor([[1]]), 1)
    assert tiny.training
    tiny.eval()
    tiny.generate(Tensor([[1]]), 1)
    assert not tiny.training


def test_training_step_reduces_loss():
    from tinytorch.optim import AdamW

    manual_seed(0)
    model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16))
    opt = AdamW(model.parameters(), lr=1e-2)
    x, y = Tensor(ids(0, 4, 8)), Tensor(ids(1, 4, 8))
    losses = []
    for _ in range(30):
        _, loss = model(x, targets=y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert model.wte.weight.grad is not None and model.wpe.weight.grad is not None


def test_filters_refuse_bad_arguments():
    from tinytorch.transformer import top_k_filter, top_p_filter

    logits = np.ones((1, 5), np.float32)
    with pytest.raises(ValueError, match="k must be a positive int, got 0"):
        top_k_filter(logits, 0)
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\], got 0"):
        top_p_filter(logits, 0)
    with pytest.raises(ValueError, match="got 1.5"):
        top_p_filter(logits, 1.5)


def test_grad_mode_and_no_grad_give_the_same_logits(tiny):
    x = Tensor(ids(8, 2, 6))
    with_grad, _ = tiny(x)
    with no_grad():
        without, _ = tiny(x)
    np.testing.assert_allclose(with_grad.data, without.data, rtol=1e-6, atol=1e-7)
