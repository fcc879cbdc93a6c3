"""Differential tests against PyTorch 2.13 with random upstream gradients."""

import numpy as np
import pytest

from tinytorch.acceleration import layer_norm, linear_act, scaled_dot_product_attention
from tinytorch.tensor import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _pair(rng, *shape):
    a = rng.standard_normal(shape)
    return Tensor(a, dtype="float64", requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(ours, theirs, our_inputs, their_inputs, rng):
    up = rng.standard_normal(tuple(theirs.shape))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours.backward(Tensor(up))
    theirs.backward(torch.tensor(up))
    for a, b in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh", "sigmoid"])
def test_linear_act(activation):
    rng = np.random.default_rng(0)
    (x, tx), (w, tw), (b, tb) = _pair(rng, 4, 6), _pair(rng, 3, 6), _pair(rng, 3)
    act = {"relu": TF.relu, "gelu": TF.gelu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    _check(linear_act(x, w, b, activation), act(TF.linear(tx, tw, tb)), (x, w, b), (tx, tw, tb), rng)


def test_layer_norm():
    rng = np.random.default_rng(1)
    (x, tx), (w, tw), (b, tb) = _pair(rng, 3, 4, 5), _pair(rng, 4, 5), _pair(rng, 4, 5)
    _check(layer_norm(x, (4, 5), w, b, 1e-5), TF.layer_norm(tx, (4, 5), tw, tb, 1e-5), (x, w, b), (tx, tw, tb), rng)


@pytest.mark.parametrize("kind", ["plain", "causal", "causal_rect", "bool", "float", "scale", "dead_row"])
def test_scaled_dot_product_attention(kind):
    rng = np.random.default_rng(2)
    tq = 3 if kind == "causal_rect" else 5
    (q, tq_), (k, tk), (v, tv) = _pair(rng, 2, 2, tq, 4), _pair(rng, 2, 2, 5, 4), _pair(rng, 2, 2, 5, 3)
    kwargs = {}
    if kind.startswith("causal"):
        kwargs["is_causal"] = True
    if kind == "bool":
        m = rng.random((tq, 5)) > 0.4
        m[:, 0] = True
        kwargs["attn_mask"] = m
    if kind == "dead_row":  # a query that may attend to nothing
        m = rng.random((tq, 5)) > 0.4
        m[:, 0] = True
        m[2] = False
        kwargs["attn_mask"] = m
    if kind == "float":
        kwargs["attn_mask"] = rng.standard_normal((2, 1, tq, 5))
    if kind == "scale":
        kwargs["scale"] = 0.3
    theirs_kwargs = dict(kwargs)
    if "attn_mask" in kwargs:
        theirs_kwargs["attn_mask"] = torch.tensor(kwargs["attn_mask"])
    _check(scaled_dot_product_attention(q, k, v, **kwargs),
           TF.scaled_dot_product_attention(tq_, tk, tv, **theirs_kwargs), (q, k, v), (tq_, tk, tv), rng)
