"""The exact GELU rule, which recovers Phi(a) from the forward's output: values, tails, edges."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tinytorch.activations import ops as A
from tinytorch.autograd import gradcheck
from tinytorch.tensor import Tensor, apply_op, no_grad

SPECIAL = [-np.inf, np.inf, np.nan, 0.0, -0.0, 1e-40, -1e-40, 1e-30, -1e-30, 1e-45, -1e-45,
           1e-18, -1e-18, 1e-12, -1e-12, 1e-4, -1e-4, -1e4, 1e4, -13.0, -14.0, -16.0, 16.0, 40.0]


def gelu_grad(x, upstream=None):
    t = Tensor(x, requires_grad=True)
    out = apply_op(A.gelu, t)
    out.backward(Tensor(np.ones_like(x) if upstream is None else upstream))
    return t.grad.data


def exact_derivative(v):
    """Phi(v) + v phi(v) in float64 from math.erfc, the reference for every dtype."""
    if math.isnan(v) or math.isinf(v):
        return math.nan
    return 0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)


def test_hand_checked_values():
    # Phi(1) + phi(1) = 0.841344746 + 0.241970725, Phi(2) + 2 phi(2) = 0.977249868 + 0.107981933;
    # the gradient at 0 is Phi(0) = 1/2
    x = np.array([0.0, 1.0, -1.0, 2.0])
    expected = [0.5, 1.0833154705876864, -0.0833154705876864, 1.085231801078197]
    assert_allclose(gelu_grad(x), expected, rtol=1e-13)


@pytest.mark.parametrize("dtype, rtol, atol",
                         [(np.float64, 1e-13, 1e-15), (np.float32, 2e-6, 1e-7)])
def test_derivative_on_a_dense_grid_and_at_the_edges(dtype, rtol, atol):
    x = np.concatenate([np.linspace(-15, 15, 30001), SPECIAL]).astype(dtype)
    got = gelu_grad(x)
    assert got.dtype == dtype
    expected = np.array([exact_derivative(v) for v in x.astype(np.float64)])
    finite = np.isfinite(x)
    assert_allclose(got[finite], expected[finite], rtol=rtol, atol=atol)
    assert np.isnan(got[~finite]).all()  # inf * phi(inf) = inf * 0, as in PyTorch


def test_gradient_is_one_half_at_zero_and_below_the_quotients_reach():
    for dtype in (np.float32, np.float64):
        tiny = np.array([0.0, -0.0, 1e-45, -1e-45, 1e-38, 1e-30, -1e-20], dtype=dtype)
        assert_array_equal(gelu_grad(tiny), np.full(tiny.shape, 0.5, dtype))


@pytest.mark.parametrize("low, high", [(-8.0, -2.0), (-2.0, 2.0), (2.0, 8.0), (-1e-3, 1e-3)])
def test_gradcheck_float64(low, high):
    x = np.random.default_rng(0).uniform(low, high, size=(3, 5))
    assert gradcheck(lambda t: apply_op(A.gelu, t), Tensor(x, requires_grad=True),
                     eps=1e-6 * max(1.0, abs(high)), atol=1e-8, rtol=1e-6)


def test_zero_dim_and_empty_inputs():
    assert gelu_grad(np.array(1.0)).shape == ()
    assert_allclose(gelu_grad(np.array(1.0)), 1.0833154705876864, rtol=1e-13)
    assert gelu_grad(np.zeros((2, 0), np.float32)).shape == (2, 0)


def test_in_place_ops_on_the_output():
    # recorded in place (grad mode): the rule still sees the forward's output
    x = Tensor(np.array([0.5, -0.5]), requires_grad=True)
    y = apply_op(A.gelu, x)
    y.mul_(2.0)
    y.sum().backward()
    expected = [2 * exact_derivative(0.5), 2 * exact_derivative(-0.5)]
    assert_allclose(x.grad.data, expected, rtol=1e-13)
    # unrecorded (no_grad) writes change the saved output: PyTorch would not notice, we raise
    x = Tensor(np.array([0.5, -0.5]), requires_grad=True)
    y = apply_op(A.gelu, x)
    with no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="its output of gelu"):
        y.sum().backward()


def test_matches_torch_with_a_random_upstream_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    tolerances = {np.float32: dict(rtol=2e-6, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}
    for dtype, tol in tolerances.items():
        x = np.concatenate([rng.standard_normal(500) * 4, np.linspace(-12, 12, 2001), SPECIAL])
        x = x.astype(dtype)
        g = rng.standard_normal(x.shape).astype(dtype)
        ours = gelu_grad(x, g)
        tx = torch.tensor(x, requires_grad=True)
        torch.nn.functional.gelu(tx).backward(torch.tensor(g))
        assert_allclose(ours, tx.grad.numpy(), **tol)
