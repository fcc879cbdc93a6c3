"""accelerate() rewrites models to fused layers with the same outputs and gradients."""

import numpy as np
import pytest

from tinytorch.acceleration import FusedConv2dReLU, FusedLayerNorm, FusedLinear, accelerate
from tinytorch.layers import GELU, Identity, LayerNorm, Linear, Module, ReLU, Sequential, Tanh
from tinytorch.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.tensor import Tensor, manual_seed


def _outputs_and_grads(model, x):
    model.zero_grad()
    out = model(x)
    out.backward(Tensor(np.linspace(-1, 1, out.data.size).reshape(out.shape).astype(np.float32)))
    return out.data, [p.grad.data.copy() for p in model.parameters()]


def test_mlp_rewrite_is_equal():
    manual_seed(0)
    model = Sequential(Linear(6, 16), ReLU(), Linear(16, 16), GELU(), Linear(16, 8), Tanh(), LayerNorm(8), Linear(8, 3))
    fast = accelerate(model)
    kinds = [type(m).__name__ for m in fast]
    assert kinds == ["FusedLinear", "Identity", "FusedLinear", "Identity", "FusedLinear", "Identity",
                     "FusedLayerNorm", "Linear"]
    assert [m.activation for m in fast if isinstance(m, FusedLinear)] == ["relu", "gelu", "tanh"]
    x = Tensor(np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32))
    (a, ga), (b, gb) = _outputs_and_grads(model, x), _outputs_and_grads(fast, x)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for u, v in zip(ga, gb):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)
    assert sorted(fast.state_dict()) == sorted(model.state_dict())
    assert all(p is not q for p, q in zip(model.parameters(), fast.parameters()))  # a copy


def test_cnn_rewrite_is_equal_and_inplace_shares_parameters():
    manual_seed(1)
    model = Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2), Flatten(), Linear(4 * 4 * 4, 10))
    params = list(model.parameters())
    x = Tensor(np.random.default_rng(1).standard_normal((2, 1, 8, 8)).astype(np.float32))
    a, ga = _outputs_and_grads(model, x)
    fast = accelerate(model, inplace=True)
    assert fast is model and isinstance(model[0], FusedConv2dReLU) and isinstance(model[1], Identity)
    assert all(p is q for p, q in zip(params, model.parameters()))
    b, gb = _outputs_and_grads(model, x)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for u, v in zip(ga, gb):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)


def test_nested_layer_norms_are_found():
    class Block(Module):
        def __init__(self):
            super().__init__()
            self.ln = LayerNorm(4)
            self.fc = Linear(4, 4)

        def forward(self, x):
            return self.fc(self.ln(x))

    fast = accelerate(Sequential(Block(), Block()))
    assert isinstance(fast[0].ln, FusedLayerNorm) and isinstance(fast[1].ln, FusedLayerNorm)
    assert type(fast[0].fc) is Linear  # no activation after it: left alone


def test_careless_inputs():
    with pytest.raises(TypeError, match="Module"):
        accelerate(lambda x: x)


def test_gpt_rewrite_is_equal_in_training_and_with_a_cache():
    transformer = pytest.importorskip("tinytorch.transformer")
    from tinytorch.acceleration import FusedCausalSelfAttention, FusedMLP

    manual_seed(3)
    gpt = transformer.GPT(transformer.GPTConfig(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=8))
    fast = accelerate(gpt)
    assert isinstance(fast.h[0].mlp, FusedMLP) and isinstance(fast.h[1].attn, FusedCausalSelfAttention)
    assert isinstance(fast.h[0].ln_1, FusedLayerNorm)
    idx = Tensor(np.random.default_rng(3).integers(0, 11, (2, 9)))
    _, loss_a = gpt(idx, targets=idx)
    _, loss_b = fast(idx, targets=idx)
    loss_a.backward()
    loss_b.backward()
    np.testing.assert_allclose(loss_a.item(), loss_b.item(), rtol=1e-5)
    for p, q in zip(gpt.parameters(), fast.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.data, rtol=1e-3, atol=1e-5)
    cache = transformer.ConcatCache(2)
    a, _ = fast(idx[:, :5], cache=cache)
    b, _ = fast(idx[:, 5:], cache=cache)
    full, _ = gpt(idx)
    np.testing.assert_allclose(b.data, full.data[:, 5:], rtol=1e-4, atol=1e-5)
