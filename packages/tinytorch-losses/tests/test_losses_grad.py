import numpy as np
import pytest

autograd = pytest.importorskip("tinytorch.autograd")

import tinytorch.losses as L  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

REDUCTIONS = ["none", "mean", "sum"]


def leaf(array):
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def test_every_kernel_has_a_gradient_rule():
    for name in L.ops.__all__:
        assert getattr(L.ops, name) in autograd.GRADIENTS, f"no gradient rule for ops.{name}"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_mse_wrt_input_and_target(reduction):
    rng = np.random.default_rng(0)
    x, y = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal((3, 4)))
    assert autograd.gradcheck(lambda a, b: L.mse_loss(a, b, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shapes", [((5, 4), (5,)), ((2, 3, 4), (2, 4)), ((6,), ())])
def test_gradcheck_cross_entropy_and_nll(reduction, label_smoothing, shapes):
    rng = np.random.default_rng(1)
    input_shape, target_shape = shapes
    n_classes = input_shape[0 if len(input_shape) == 1 else 1]
    x = leaf(rng.standard_normal(input_shape) * 2)
    t = np.asarray(rng.integers(0, n_classes, target_shape))
    if t.ndim:
        t.reshape(-1)[0] = -100
    target = Tensor(t)
    assert autograd.gradcheck(
        lambda a: L.cross_entropy(a, target, reduction=reduction, label_smoothing=label_smoothing),
        x)
    assert autograd.gradcheck(lambda a: L.nll_loss(a, target, reduction=reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradcheck_bce(reduction, weighted):
    rng = np.random.default_rng(2)
    p = leaf(rng.uniform(0.05, 0.95, (3, 4)))
    y = Tensor(rng.random((3, 4)))
    w = Tensor(rng.random(4) + 0.5) if weighted else None
    assert autograd.gradcheck(lambda a: L.binary_cross_entropy(a, y, w, reduction=reduction), p)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradcheck_bce_with_logits_wrt_input_and_target(reduction, weighted):
    rng = np.random.default_rng(3)
    x, y = leaf(rng.standard_normal((3, 4)) * 3), leaf(rng.random((3, 4)))
    w = Tensor(rng.random((3, 4)) + 0.5) if weighted else None
    pw = Tensor(rng.random(4) * 3) if weighted else None
    assert autograd.gradcheck(
        lambda a, b: L.binary_cross_entropy_with_logits(a, b, w, reduction=reduction,
                                                        pos_weight=pw), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_backward_matches_torch_with_a_random_upstream_gradient(reduction):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((6, 5, 3)).astype(np.float32) * 3
    target = rng.integers(0, 5, (6, 3))
    target[0, 0] = -100
    probs = rng.uniform(0.01, 0.99, (6, 5)).astype(np.float32)
    labels = rng.random((6, 5)).astype(np.float32)
    pos_weight = rng.random(5).astype(np.float32) * 3
    cases = [
        (lambda a: L.cross_entropy(a, Tensor(target), reduction=reduction, label_smoothing=0.1),
         lambda a: F.cross_entropy(a, torch.from_numpy(target), reduction=reduction,
                                   label_smoothing=0.1), logits),
        (lambda a: L.binary_cross_entropy(a, Tensor(labels), reduction=reduction),
         lambda a: F.binary_cross_entropy(a, torch.from_numpy(labels), reduction=reduction), probs),
        (lambda a: L.binary_cross_entropy_with_logits(a, Tensor(labels), reduction=reduction,
                                                      pos_weight=Tensor(pos_weight)),
         lambda a: F.binary_cross_entropy_with_logits(a, torch.from_numpy(labels),
                                                      reduction=reduction,
                                                      pos_weight=torch.from_numpy(pos_weight)),
         logits[:, :, 0].copy()),
        (lambda a: L.mse_loss(a, Tensor(labels), reduction=reduction),
         lambda a: F.mse_loss(a, torch.from_numpy(labels), reduction=reduction), probs),
    ]
    for ours_fn, torch_fn, x in cases:
        ours = Tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        out, expected = ours_fn(ours), torch_fn(theirs)
        upstream = rng.standard_normal(out.shape).astype(np.float32)
        out.backward(Tensor(upstream))
        expected.backward(torch.from_numpy(upstream))
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("beta", [1.0, 0.4, 0.0])
def test_gradcheck_l1_and_smooth_l1(reduction, beta):
    rng = np.random.default_rng(11)
    # keep every |x - y| away from 0 and from beta, where the loss has kinks
    d = rng.uniform(0.05, 0.3, (3, 4)) * rng.choice([-1, 1], (3, 4)) + rng.choice([0, 1.0], (3, 4))
    y = rng.standard_normal((3, 4))
    x = Tensor(y + d, requires_grad=True)
    y = Tensor(y, requires_grad=True)
    assert autograd.gradcheck(lambda a, b: L.l1_loss(a, b, reduction=reduction), x, y)
    assert autograd.gradcheck(
        lambda a, b: L.smooth_l1_loss(a, b, reduction=reduction, beta=beta), x, y)
