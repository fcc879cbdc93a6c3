"""Unit tests for Linear, Dropout and LayerNorm (and their functional forms), plus the doctests."""

import doctest

import numpy as np
import pytest

import tinytorch.layers.containers
import tinytorch.layers.layers
import tinytorch.layers.module
from tinytorch.layers import Dropout, LayerNorm, Linear, dropout, layer_norm, linear
from tinytorch.tensor import Tensor, default_generator, manual_seed, ones


@pytest.mark.parametrize(
    "module", [tinytorch.layers.module, tinytorch.layers.containers, tinytorch.layers.layers]
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ----- Linear -------------------------------------------------------------------------------------
def test_linear_hand_checked():
    lin = Linear(2, 3)
    lin.load_state_dict({
        "weight": np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32),
        "bias": np.array([0.5, -1, 0], dtype=np.float32),
    })
    out = lin(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert out.tolist() == [[1.5, 1.0, 3.0], [3.5, 3.0, 7.0]]
    assert out.dtype == np.float32


def test_linear_any_leading_dims_and_no_bias():
    lin = Linear(4, 2, bias=False)
    assert lin.bias is None and lin.extra_repr() == "in_features=4, out_features=2, bias=False"
    x = np.random.default_rng(1).normal(size=(2, 3, 5, 4)).astype(np.float32)
    out = lin(Tensor(x))
    assert out.shape == (2, 3, 5, 2)
    np.testing.assert_allclose(out.data, x @ lin.weight.data.T, rtol=1e-5, atol=1e-6)
    assert lin(Tensor(x[0, 0, 0])).shape == (2,)


def test_linear_init_bounds_and_reproducibility():
    manual_seed(3)
    a = Linear(100, 50)
    manual_seed(3)
    b = Linear(100, 50)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert a.weight.dtype == np.float32 and a.weight.requires_grad
    bound = 1 / np.sqrt(100)
    assert np.abs(a.weight.data).max() <= bound and np.abs(a.bias.data).max() <= bound
    # 5000 uniform draws: mean ~ 0, variance ~ bound^2 / 3
    assert abs(a.weight.data.mean()) < 0.01
    assert a.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.1)
    assert not np.array_equal(Linear(100, 50).weight.data, a.weight.data)


def test_linear_uses_default_generator():
    manual_seed(0)
    state = default_generator.bit_generator.state
    Linear(3, 3)
    assert default_generator.bit_generator.state != state


def test_linear_bad_input():
    lin = Linear(3, 2)
    with pytest.raises(ValueError, match=r"input of shape \(4, 5\) .* in_features=3"):
        lin(Tensor(np.zeros((4, 5), dtype=np.float32)))
    with pytest.raises(TypeError, match="expects a Tensor input, got list"):
        lin([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="floating point"):
        lin(Tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="in_features must be a non-negative int, got -1"):
        Linear(-1, 2)
    with pytest.raises(ValueError, match="out_features must be a non-negative int, got 2.5"):
        Linear(2, 2.5)
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not match out_features=2"):
        linear(Tensor([[1.0]]), Tensor([[1.0], [2.0]]), Tensor([1.0, 2.0, 3.0]))


def test_linear_float64_parameters():
    lin = Linear(2, 2, dtype=np.float64)
    assert lin.weight.dtype == np.float64 and lin(Tensor(np.ones((1, 2)))).dtype == np.float64


def test_linear_records_graph_for_autograd():
    out = Linear(2, 1)(Tensor([[1.0, 2.0]]))
    assert out.requires_grad and out.grad_fn is not None


# ----- Dropout ------------------------------------------------------------------------------------
def test_dropout_statistics_and_scaling():
    manual_seed(0)
    p = 0.3
    x = ones(200_000)
    out = Dropout(p)(x).data
    kept = out != 0
    assert kept.mean() == pytest.approx(1 - p, abs=0.005)
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expectation
    assert out.dtype == np.float32


def test_dropout_eval_is_identity_and_train_is_random():
    m = Dropout(0.5)
    x = ones(10)
    assert m.eval()(x) is x
    m.train()
    manual_seed(1)
    a = m(x).data
    b = m(x).data
    assert not np.array_equal(a, b)
    manual_seed(1)
    np.testing.assert_array_equal(m(x).data, a)


def test_dropout_edge_probabilities():
    x = Tensor(np.arange(1.0, 5.0))
    assert Dropout(0.0)(x) is x
    out = Dropout(1.0)(x)
    assert out.tolist() == [0.0] * 4 and out.dtype == np.float64
    for bad in (-0.1, 1.5, "0.5", True, None):
        with pytest.raises(ValueError, match="between 0 and 1"):
            Dropout(bad)
    with pytest.raises(TypeError, match="floating point"):
        dropout(Tensor([1, 2]), 0.5)


def test_dropout_keeps_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert dropout(x, 0.5).requires_grad


# ----- LayerNorm ----------------------------------------------------------------------------------
def test_layer_norm_hand_checked():
    out = LayerNorm(2)(Tensor([[1.0, 3.0], [-1.0, -1.0]]))
    # row 1: mean 2, biased var 1 -> (-1, 1) / sqrt(1 + eps); row 2: constant -> zeros
    np.testing.assert_allclose(out.data, [[-1, 1], [0, 0]], atol=1e-5)


def test_layer_norm_affine_and_multi_dim():
    ln = LayerNorm((2, 3))
    ln.weight.data[...] = 2.0
    ln.bias.data[...] = 1.0
    x = np.random.default_rng(0).normal(3, 5, size=(4, 2, 3)).astype(np.float32)
    out = ln(Tensor(x)).data
    flat = out.reshape(4, 6)
    np.testing.assert_allclose(flat.mean(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(flat.std(axis=1), 2.0, rtol=1e-3)


def test_layer_norm_options():
    ln = LayerNorm(4, elementwise_affine=False)
    assert ln.weight is None and ln.bias is None and list(ln.parameters()) == []
    ln = LayerNorm([4], bias=False)
    assert ln.bias is None and [n for n, _ in ln.named_parameters()] == ["weight"]
    assert ln.normalized_shape == (4,)
    assert repr(LayerNorm(4, eps=1e-6)) == "LayerNorm((4,), eps=1e-06, elementwise_affine=True, bias=True)"


def test_layer_norm_bad_input():
    with pytest.raises(ValueError, match=r"trailing shape \(4,\), got input of shape \(2, 3\)"):
        LayerNorm(4)(Tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"trailing shape \(2, 3\), got input of shape \(3,\)"):
        LayerNorm((2, 3))(Tensor(np.zeros(3, dtype=np.float32)))
    with pytest.raises(TypeError, match="normalized_shape must be an int or a tuple"):
        LayerNorm("4")
    with pytest.raises(ValueError, match="sizes >= 0"):
        LayerNorm(-1)
    with pytest.raises(ValueError, match=r"weight of shape \(3,\) does not match \(2,\)"):
        layer_norm(Tensor([[1.0, 2.0]]), (2,), weight=Tensor([1.0, 1.0, 1.0]))
