"""Low-rank factorisation: exact at full rank, energy rule, error bound, parameter count."""

import numpy as np
import pytest

from tinytorch.compression import factorize_linear, rank_for_energy
from tinytorch.layers import Linear
from tinytorch.tensor import Tensor, manual_seed


def test_rank_for_energy_by_hand():
    s = np.array([4.0, 2.0, 1.0, 1.0])  # squares 16, 4, 1, 1 of 22
    assert rank_for_energy(s, 16 / 22) == 1
    assert rank_for_energy(s, 0.75) == 2
    assert rank_for_energy(s, 1.0) == 4
    with pytest.raises(ValueError, match="energy"):
        rank_for_energy(s, 0.0)


def test_low_rank_weight_error_matches_the_discarded_energy():
    manual_seed(0)
    layer = Linear(40, 30)
    rng = np.random.default_rng(0)
    layer.weight.data[...] = (rng.standard_normal((30, 5)) @ rng.standard_normal((5, 40)) +
                              0.01 * rng.standard_normal((30, 40))).astype(np.float32)
    low = factorize_linear(layer, energy=0.99)
    rank = low[0].out_features
    assert rank <= 5
    approx = low[1].weight.data @ low[0].weight.data
    s = np.linalg.svd(layer.weight.data.astype(np.float64), compute_uv=False)
    err = np.linalg.norm(approx - layer.weight.data) / np.linalg.norm(layer.weight.data)
    np.testing.assert_allclose(err, np.sqrt((s[rank:] ** 2).sum() / (s ** 2).sum()), rtol=1e-3)
    assert err <= np.sqrt(0.01) + 1e-6
    params = sum(p.numel() for p in low.parameters())
    assert params == rank * (40 + 30) + 30 < 40 * 30 + 30


def test_gradients_flow_through_both_factors():
    low = factorize_linear(Linear(6, 4), rank=2)
    low(Tensor(np.ones((3, 6), np.float32))).sum().backward()
    assert low[0].weight.grad.shape == (2, 6) and low[1].weight.grad.shape == (4, 2)
    assert low[1].bias.grad.shape == (4,)


def test_no_bias_and_careless_inputs():
    low = factorize_linear(Linear(5, 3, bias=False), rank=1)
    assert low[1].bias is None
    with pytest.raises(ValueError, match="exactly one"):
        factorize_linear(Linear(5, 3))
    with pytest.raises(ValueError, match=r"rank must be an int in \[1, 3\]"):
        factorize_linear(Linear(5, 3), rank=4)
    with pytest.raises(TypeError, match="Linear"):
        factorize_linear(object(), rank=1)


def test_rank_for_no_singular_values_is_refused():
    with pytest.raises(ValueError, match="non-empty"):
        rank_for_energy(np.array([]), 0.9)
