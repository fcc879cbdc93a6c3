"""kl_div / KLDivLoss: by hand, a property, float64 gradient checks, bad input, and against
PyTorch 2.13 with a random upstream gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.losses as L
from tinytorch.tensor import Tensor

REDUCTIONS = ["none", "sum", "batchmean", "mean"]


@pytest.fixture
def torch():
    """PyTorch 2.13 for the differential tests; only they are skipped without it."""
    return pytest.importorskip("torch")


def test_by_hand():
    logq = Tensor(np.log([[0.25, 0.75]]))
    p = Tensor([[0.5, 0.5]])
    expected = 0.5 * np.log(0.5 / 0.25) + 0.5 * np.log(0.5 / 0.75)
    assert L.kl_div(logq, p, reduction="sum").item() == pytest.approx(expected, rel=1e-6)
    assert L.kl_div(logq, p, reduction="batchmean").item() == pytest.approx(expected, rel=1e-6)
    assert L.kl_div(logq, p).item() == pytest.approx(expected / 2, rel=1e-6)
    assert L.kl_div(logq, Tensor([[0.0, 1.0]]), reduction="none").data[0, 0] == 0.0  # 0 log 0 = 0
    assert L.KLDivLoss(reduction="batchmean", log_target=True)(logq, logq).item() == 0.0


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_divergence_is_non_negative_and_zero_at_equality(n, c, seed):
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(c), n), rng.dirichlet(np.ones(c), n)
    assert L.kl_div(Tensor(np.log(q)), Tensor(p), reduction="batchmean").item() >= -1e-9
    assert abs(L.kl_div(Tensor(np.log(p)), Tensor(p), reduction="sum").item()) < 1e-9


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
def test_gradcheck(reduction, log_target):
    autograd = pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(1)
    x = Tensor(np.log(rng.dirichlet(np.ones(3), 4)), requires_grad=True)
    p = rng.dirichlet(np.ones(3), 4)
    t = Tensor(np.log(p) if log_target else p, requires_grad=True)
    assert autograd.gradcheck(lambda a, b: L.kl_div(a, b, reduction=reduction, log_target=log_target), x, t)


def test_bad_input():
    x = Tensor([[0.0, 0.0]])
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        L.kl_div(x, x, reduction="foo")
    with pytest.raises(RuntimeError, match="target shape"):
        L.kl_div(x, Tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError):
        L.kl_div(Tensor([1, 2]), Tensor([1, 2]))
    with pytest.raises(ValueError):
        L.KLDivLoss(reduction="avg")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
def test_matches_torch(torch, reduction, log_target):
    pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(2)
    x, p = np.log(rng.dirichlet(np.ones(4), 3)), rng.dirichlet(np.ones(4), 3)
    p = np.log(p) if log_target else p
    ours, theirs = [Tensor(x, requires_grad=True), Tensor(p, requires_grad=True)], \
        [torch.tensor(x, requires_grad=True), torch.tensor(p, requires_grad=True)]
    out = L.kl_div(*ours, reduction=reduction, log_target=log_target)
    ref = torch.nn.functional.kl_div(*theirs, reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(ref.shape)
    out.backward(Tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-9, atol=1e-12)
