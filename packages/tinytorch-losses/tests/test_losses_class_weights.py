"""Class weights (``weight=``) of cross_entropy / nll_loss and their classes: by hand, properties,
float64 gradient checks, bad input, and against PyTorch 2.13 with a random upstream gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.losses as L
from tinytorch.activations import log_softmax
from tinytorch.tensor import Tensor

REDUCTIONS = ["none", "mean", "sum"]


def f64(array, requires_grad=False):
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


class TestByHand:
    def test_weighted_mean_divides_by_the_sum_of_target_weights(self):
        logp = f64([[-1.0, -2.0, -3.0], [-0.5, -1.5, -2.5], [-4.0, -5.0, -6.0]])
        w = f64([1.0, 2.0, 4.0])
        target = Tensor([2, 1, -100])
        # (4 * 3 + 2 * 1.5) / (4 + 2): the ignored third sample counts in neither sum
        assert L.nll_loss(logp, target, w).item() == pytest.approx(15.0 / 6.0)
        assert L.nll_loss(logp, target, w, reduction="sum").item() == pytest.approx(15.0)
        np.testing.assert_allclose(L.nll_loss(logp, target, w, reduction="none").data, [12.0, 3.0, 0.0])

    def test_unit_weights_change_nothing(self):
        rng = np.random.default_rng(1)
        x, y = f64(rng.standard_normal((6, 4))), Tensor(rng.integers(0, 4, 6))
        ones = f64(np.ones(4))
        for eps in (0.0, 0.2):
            for reduction in REDUCTIONS:
                np.testing.assert_allclose(
                    L.cross_entropy(x, y, ones, reduction=reduction, label_smoothing=eps).data,
                    L.cross_entropy(x, y, reduction=reduction, label_smoothing=eps).data, rtol=1e-12)

    def test_classes_carry_the_weight(self):
        x, y, w = f64([[0.0, 1.0], [2.0, 0.0]]), Tensor([1, 1]), f64([1.0, 3.0])
        assert L.CrossEntropyLoss(w)(x, y).item() == pytest.approx(L.cross_entropy(x, y, w).item())
        logp = log_softmax(x, 1)
        assert L.NLLLoss(weight=w)(logp, y).item() == pytest.approx(L.nll_loss(logp, y, w).item())

    def test_all_ignored_or_zero_weights_is_nan(self):
        x = f64([[0.0, 1.0]], requires_grad=True)
        assert np.isnan(L.cross_entropy(x, Tensor([-100]), f64([1.0, 1.0])).item())
        loss = L.nll_loss(x, Tensor([0]), f64([0.0, 1.0]))
        assert np.isnan(loss.item())
        pytest.importorskip("tinytorch.autograd")
        loss.backward()
        np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0]])


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(2, 5), st.floats(0.1, 5.0), st.integers(0, 2**31 - 1))
def test_scaling_all_weights_leaves_the_weighted_mean_alone(n, c, scale, seed):
    rng = np.random.default_rng(seed)
    x, y = f64(rng.standard_normal((n, c))), Tensor(rng.integers(0, c, n))
    w = rng.uniform(0.1, 2.0, c)
    a = L.cross_entropy(x, y, f64(w)).item()
    b = L.cross_entropy(x, y, f64(w * scale)).item()
    assert a == pytest.approx(b, rel=1e-9)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shapes", [((5, 4), (5,)), ((2, 4, 3), (2, 3)), ((4,), ())])
def test_gradcheck_weighted(reduction, label_smoothing, shapes):
    autograd = pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(2)
    x_shape, t_shape = shapes
    c = x_shape[0] if len(x_shape) == 1 else x_shape[1]
    x = f64(rng.standard_normal(x_shape), requires_grad=True)
    t = rng.integers(0, c, t_shape)
    if t.ndim:
        t.flat[0] = -100
    target, w = Tensor(t), f64(rng.uniform(0.2, 2.0, c))
    assert autograd.gradcheck(
        lambda a: L.cross_entropy(a, target, w, reduction=reduction, label_smoothing=label_smoothing), x)
    assert autograd.gradcheck(lambda a: L.nll_loss(a, target, w, reduction=reduction), x)


def test_gradcheck_weighted_probability_targets():
    autograd = pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(3)
    x = f64(rng.standard_normal((4, 3)), requires_grad=True)
    p = f64(rng.dirichlet(np.ones(3), 4), requires_grad=True)
    w = f64([0.5, 1.0, 2.0])
    assert autograd.gradcheck(lambda a, b: L.cross_entropy(a, b, w, label_smoothing=0.1), x, p)


class TestModuleCalls:
    def test_to_cpu_train_eval(self):
        w = Tensor([1.0, 2.0])
        loss = L.CrossEntropyLoss(weight=w)
        assert loss.to("cpu") is loss and loss.cpu() is loss and loss.weight is w
        assert loss.eval() is loss and not loss.training and loss.train().training
        assert loss.to(np.float64).weight.dtype == np.float64
        assert L.BCEWithLogitsLoss(pos_weight=Tensor([3.0])).to(dtype=np.float64).pos_weight.dtype == np.float64
        assert L.MSELoss().to("cpu", np.float64).reduction == "mean"

    def test_other_devices_are_refused(self):
        with pytest.raises(RuntimeError, match="CPU only"):
            L.CrossEntropyLoss().to("cuda")


class TestBadWeights:
    x, y = f64([[0.0, 1.0, 2.0]]), Tensor([1])

    def test_wrong_length(self):
        with pytest.raises(RuntimeError, match=r"all 3 classes .* shape: \[2\]"):
            L.cross_entropy(self.x, self.y, f64([1.0, 2.0]))
        with pytest.raises(RuntimeError, match=r"shape: \[1, 3\]"):
            L.nll_loss(self.x, self.y, f64([[1.0, 2.0, 3.0]]))

    def test_wrong_dtype(self):
        with pytest.raises(RuntimeError, match="dtype float32 but the input has dtype float64"):
            L.cross_entropy(self.x, self.y, Tensor([1.0, 1.0, 1.0]))
        with pytest.raises(RuntimeError, match="dtype int64"):
            L.cross_entropy(self.x, self.y, Tensor([1, 1, 1]))

    def test_a_list_is_a_type_error(self):
        with pytest.raises(TypeError, match="'weight' must be Tensor, not list"):
            L.cross_entropy(self.x, self.y, [1.0, 1.0, 1.0])


@pytest.fixture
def torch():
    """PyTorch 2.13 for the differential tests; only they are skipped without it."""
    return pytest.importorskip("torch")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("shapes", [((6, 4), (6,)), ((2, 4, 3), (2, 3))])
def test_weighted_losses_match_torch(torch, reduction, label_smoothing, shapes):
    autograd = pytest.importorskip("tinytorch.autograd")  # noqa: F841  (backward)
    rng = np.random.default_rng(4)
    x_shape, t_shape = shapes
    c = x_shape[1]
    data, t, w = rng.standard_normal(x_shape), rng.integers(0, c, t_shape), rng.uniform(0.2, 3.0, c)
    t.flat[0] = -100
    for ours_fn, torch_fn, smoothing in [(L.cross_entropy, torch.nn.functional.cross_entropy, label_smoothing),
                                         (L.nll_loss, torch.nn.functional.nll_loss, None)]:
        x, tx = f64(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        extra = {} if smoothing is None else {"label_smoothing": smoothing}
        ours = ours_fn(x, Tensor(t), f64(w), reduction=reduction, **extra)
        ref = torch_fn(tx, torch.tensor(t), weight=torch.tensor(w), reduction=reduction, **extra)
        np.testing.assert_allclose(ours.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        upstream = rng.standard_normal(ref.shape)
        ours.backward(Tensor(upstream))
        ref.backward(torch.tensor(upstream))
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_weighted_probability_targets_match_torch(torch):
    pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(5)
    data, probs, w = rng.standard_normal((5, 3)), rng.dirichlet(np.ones(3), 5), rng.uniform(0.2, 2, 3)
    for reduction in REDUCTIONS:
        x, tx = f64(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        ours = L.cross_entropy(x, f64(probs), f64(w), reduction=reduction, label_smoothing=0.1)
        ref = torch.nn.functional.cross_entropy(tx, torch.tensor(probs), weight=torch.tensor(w), reduction=reduction,
                              label_smoothing=0.1)
        np.testing.assert_allclose(ours.data, ref.detach().numpy(), rtol=1e-10)
        ours.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
