"""``tinytorch.autograd.gradients.grad`` (``torch.autograd.grad``): by hand, leaves untouched,
non-leaf inputs, several outputs, bad input, and against PyTorch 2.13."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.autograd.gradients import grad
from tinytorch.tensor import Tensor


def test_by_hand_and_grad_untouched():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    w.grad = Tensor([10.0, 10.0, 10.0])
    (gx,) = grad((x * w).sum(), x)
    np.testing.assert_array_equal(gx.data, [0.5, -1.0, 2.0])
    assert x.grad is None and w.grad.data.tolist() == [10.0, 10.0, 10.0]
    gx, gw = grad([(x * w).sum()], [x, w])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0, 3.0])


def test_non_leaf_input_and_graph_intact():
    x = Tensor([1.0, -2.0], requires_grad=True)
    h = x * 3.0
    y = (h * h).sum()
    (gh,) = grad(y, h)
    np.testing.assert_allclose(gh.data, 2 * h.data)
    assert h.grad_fn is not None and h.grad is None
    y.backward()  # the graph still reaches x
    np.testing.assert_allclose(x.grad.data, 18 * x.data)


def test_inputs_that_depend_on_each_other():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    g = h * h  # y = sum(g * x): paths to x through h and g, and directly
    gg, gh, gx = grad((g * x).sum(), [g, h, x])
    np.testing.assert_allclose(gg.data, x.data)
    np.testing.assert_allclose(gh.data, 2 * h.data * x.data)
    np.testing.assert_allclose(gx.data, 27 * x.data ** 2)  # d/dx (9 x^3)
    assert h.grad_fn is not None and g.grad_fn is not None and x.grad is None


def test_several_outputs_sum_and_grad_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = grad([x * 2.0, x * x], x, grad_outputs=[Tensor([1.0, 1.0]), Tensor([1.0, 0.5])])
    np.testing.assert_allclose(g.data, [2.0 + 2.0, 2.0 + 2.0])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6))
def test_matches_backward(values):
    x = Tensor(np.array(values), requires_grad=True)
    (g,) = grad((x.exp() * x).sum(), x)
    (x.exp() * x).sum().backward()
    np.testing.assert_allclose(g.data, x.grad.data)


class TestBadInput:
    def test_unused_input(self):
        x, z = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="allow_unused=True"):
            grad((x * 2.0).sum(), [x, z])
        assert grad((x * 2.0).sum(), [x, z], allow_unused=True)[1] is None
        assert grad((x * 2.0).sum(), [x, z], materialize_grads=True)[1].data.tolist() == [0.0]

    def test_input_without_grad_and_output_without_grad(self):
        x = Tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="does not require grad"):
            grad((x * 2.0).sum(), Tensor([1.0]))
        with pytest.raises(RuntimeError, match="does not require grad"):
            grad(Tensor([1.0]).sum(), x)

    def test_refused_options(self):
        x = Tensor([1.0], requires_grad=True)
        with pytest.raises(NotImplementedError, match="create_graph"):
            grad((x * x).sum(), x, create_graph=True)

    def test_non_scalar_output_needs_grad_outputs(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            grad(x * 2.0, x)
        with pytest.raises(TypeError, match="must be a Tensor or a sequence"):
            grad(x.sum(), [1.0])

    def test_grads_restored_when_a_rule_fails(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.grad = Tensor([5.0, 5.0])
        with pytest.raises(RuntimeError):
            grad(x * 2.0, x, grad_outputs=Tensor([1.0]))  # wrong shape
        assert x.grad.data.tolist() == [5.0, 5.0]


@pytest.fixture
def torch():
    """PyTorch 2.13 for the differential tests; only they are skipped without it."""
    return pytest.importorskip("torch")


def test_matches_torch(torch):
    rng = np.random.default_rng(0)
    a, b, v = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    x, w = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours = grad((x @ w).tanh(), [x, w], grad_outputs=Tensor(v))
    ref = torch.autograd.grad((tx @ tw).tanh(), [tx, tw], grad_outputs=torch.tensor(v))
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(o.data, r.numpy(), rtol=1e-10)
