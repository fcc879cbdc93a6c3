"""Float64 gradient checks of the layers (composed from recorded ops), once module 05 is installed."""

import numpy as np
import pytest

autograd = pytest.importorskip("tinytorch.autograd")

from tinytorch.layers import LayerNorm, Linear, Sequential, dropout, layer_norm, linear  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402


def _leaf(rng, *shape):
    return Tensor(rng.normal(size=shape), requires_grad=True)


@pytest.mark.parametrize("lead", [(), (3,), (2, 3)])
def test_linear_gradcheck(lead):
    rng = np.random.default_rng(0)
    x, w, b = _leaf(rng, *lead, 4), _leaf(rng, 5, 4), _leaf(rng, 5)
    assert autograd.gradcheck(linear, x, w, b)
    assert autograd.gradcheck(lambda x, w: linear(x, w), x, w)


@pytest.mark.parametrize("shape,normalized", [((3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5, 2), (2,))])
def test_layer_norm_gradcheck(shape, normalized):
    rng = np.random.default_rng(1)
    x = _leaf(rng, *shape)
    weight, bias = _leaf(rng, *normalized), _leaf(rng, *normalized)
    assert autograd.gradcheck(lambda x, w, b: layer_norm(x, normalized, w, b), x, weight, bias)
    assert autograd.gradcheck(lambda x: layer_norm(x, normalized), x)


def test_dropout_gradcheck_with_a_fixed_mask():
    rng = np.random.default_rng(2)
    x = _leaf(rng, 6, 5)

    def fn(t):
        manual_seed(0)  # the same mask on every evaluation
        return dropout(t, 0.4)

    assert autograd.gradcheck(fn, x)


def test_module_backward_fills_parameter_grads():
    rng = np.random.default_rng(3)
    manual_seed(0)
    model = Sequential(Linear(4, 6), LayerNorm(6), Linear(6, 2)).double()
    x = Tensor(rng.normal(size=(5, 4)))
    upstream = rng.normal(size=(5, 2))
    model(x).backward(Tensor(upstream))
    params = dict(model.named_parameters())
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params.values())

    # the same gradients, checked by finite differences on the functional composition
    def fn(w0, b0, g, beta, w2, b2):
        return linear(layer_norm(linear(x, w0, b0), (6,), g, beta), w2, b2)

    inputs = [Tensor(p.data.copy(), requires_grad=True) for p in params.values()]
    assert autograd.gradcheck(fn, *inputs)
    fn(*inputs).backward(Tensor(upstream))
    for p, q in zip(params.values(), inputs):
        np.testing.assert_allclose(p.grad.data, q.grad.data, rtol=1e-12, atol=1e-12)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_larger_shapes_by_random_projections():
    rng = np.random.default_rng(4)
    x, w, b = _leaf(rng, 16, 64), _leaf(rng, 32, 64), _leaf(rng, 32)
    assert autograd.gradcheck(linear, x, w, b, projections=8)
    h, g, beta = _leaf(rng, 8, 4, 96), _leaf(rng, 96), _leaf(rng, 96)
    assert autograd.gradcheck(lambda h, g, beta: layer_norm(h, (96,), g, beta), h, g, beta, projections=8)
