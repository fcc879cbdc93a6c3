"""Autograd never crashes or lies: version counter, recorded in-place ops, grad-mode managers,
the linear primitive, and the rules added with them. Each case failed before its fix."""

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck
from tinytorch.losses import cross_entropy
from tinytorch.tensor import Tensor, no_grad

INPLACE = "modified by an inplace operation"


def leaf(shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


class TestVersionCounter:
    def test_setitem_on_a_saved_input(self):
        x = leaf((3,))
        c = Tensor(np.ones(3))
        y = (x * c).sum()
        c[0] = 100.0
        with pytest.raises(RuntimeError, match=INPLACE + r".*input 1 of mul.*__setitem__"):
            y.backward()

    def test_no_grad_update_of_a_weight_between_forward_and_backward(self):
        w = leaf((2, 2))
        loss = (Tensor(np.ones((1, 2))) @ w).sum()
        with no_grad():
            w -= 10
        with pytest.raises(RuntimeError, match=INPLACE + r".*version 1; expected version 0.*__isub__"):
            loss.backward()

    def test_zeroing_an_exp_output(self):
        x = leaf((3,))
        y = x.exp()
        z = y.sum()
        with no_grad():
            y.zero_()
        with pytest.raises(RuntimeError, match=INPLACE + r".*its output of exp"):
            z.backward()

    def test_values_a_rule_does_not_read_may_change(self):
        x = leaf((3,))
        c = Tensor(np.ones(3))
        y = (x + c).sum()  # add reads no values
        c[0] = 5.0
        y.backward()
        assert x.grad.tolist() == [1.0, 1.0, 1.0]

    def test_every_in_place_method_bumps_the_version(self):
        t = tt.zeros(3)
        ops = [lambda: t.add_(1), lambda: t.sub_(1), lambda: t.mul_(2), lambda: t.div_(2),
               lambda: t.clamp_(0, 1), lambda: t.copy_(tt.ones(3)), lambda: t.zero_(),
               lambda: t.fill_(2.0), lambda: t.normal_(), lambda: t.uniform_(),
               lambda: t.__setitem__(0, 1.0), lambda: t.__iadd__(1), lambda: t.masked_fill_(Tensor([True, False, True]), 0.0)]
        for i, op in enumerate(ops, 1):
            op()
            assert t._version == i


class TestRecordedInPlace:
    def test_slice_assignment_of_a_tensor_that_requires_grad(self):
        w = leaf((1, 3))
        z = tt.zeros(2, 3, dtype=tt.float64)
        z[0:1] = w
        assert z.requires_grad and z.grad_fn is not None
        g = np.random.default_rng(1).standard_normal((2, 3))
        (z * Tensor(g)).sum().backward()
        np.testing.assert_allclose(w.grad.data, g[0:1])

    def test_setitem_gradcheck(self):
        def f(a, w):
            z = a * 1.0
            z[1] = w * 2
            return z

        assert gradcheck(f, leaf((3, 2)), leaf((2,), 1))

    def test_in_place_arithmetic_on_a_non_leaf(self):
        x = leaf((3,))
        y = x * 2
        y += x
        y *= x
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, 6 * x.data)

    def test_in_place_on_a_leaf_that_requires_grad_is_refused(self):
        w = leaf((3,))
        for op in (lambda: w.add_(1), lambda: w.__setitem__(0, 1.0), lambda: w.zero_()):
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                op()
        with no_grad():
            w.add_(1)  # fine outside grad mode

    def test_in_place_cannot_cast_to_a_lower_category(self):
        with pytest.raises(RuntimeError, match="can't be cast"):
            tt.zeros(3, dtype=tt.int64).add_(0.5)


class TestGradMode:
    def test_set_grad_enabled_as_context_manager_and_function(self):
        x = leaf((2,))
        with tt.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        assert tt.is_grad_enabled()
        tt.set_grad_enabled(False)
        try:
            assert not tt.is_grad_enabled()
        finally:
            tt.set_grad_enabled(True)
        with no_grad():
            with tt.set_grad_enabled(True):
                assert (x * 2).requires_grad
            assert not tt.is_grad_enabled()

    def test_decorators_apply_inside_generators(self):
        x = leaf((2,))

        @no_grad()
        def gen():
            for _ in range(2):
                yield (x * 2).requires_grad

        assert list(gen()) == [False, False]
        assert tt.is_grad_enabled()

        @tt.set_grad_enabled(False)
        def f():
            return tt.is_grad_enabled()

        assert tt.is_grad_enabled() and f() is False

    def test_inference_mode(self):
        x = leaf((2,))
        with tt.inference_mode():
            assert not (x * 2).requires_grad
        with tt.inference_mode(False):
            assert (x * 2).requires_grad


class TestEngine:
    def test_cross_entropy_with_every_target_ignored_has_zero_gradients(self):
        x = leaf((3, 4))
        loss = cross_entropy(x, Tensor([-100, -100, -100]))
        loss.backward()
        assert np.isnan(loss.item()) and (x.grad.data == 0).all()

    def test_ignored_rows_get_zero_even_from_a_nan_upstream_gradient(self):
        x = leaf((3, 4))
        loss = cross_entropy(x, Tensor([1, -100, 2]), reduction="none")
        loss.backward(Tensor(np.array([1.0, np.nan, 1.0])))
        assert (x.grad.data[1] == 0).all() and np.isfinite(x.grad.data).all()

    def test_zero_d_sum_of_a_shared_and_a_new_gradient(self):
        # the first contribution is the upstream array itself (not the engine's), the second a
        # NumPy scalar: their out-of-place sum must stay a 0-d array
        x1 = Tensor(np.float64(-0.376), requires_grad=True)
        x2 = Tensor(np.float64(1.036), requires_grad=True)
        (tt.where(Tensor(True), x1, x2) / (x1 * x1 + 0.5)).backward(Tensor(np.float64(1.0)))
        x = Tensor(np.float64(0.8), requires_grad=True)
        (x + x ** x).backward(Tensor(np.float64(1.0)))
        assert x1.grad.shape == () and x.grad.shape == () and abs(x.grad.item() - 1.6498494) < 1e-6

    def test_std_gradient_is_zero_where_std_is_zero(self):
        x = Tensor(np.float64(-2.2), requires_grad=True)
        x.std(correction=0).backward()
        assert x.grad.item() == 0.0
        y = Tensor(np.ones((2, 3)), requires_grad=True)
        y.std(dim=1).sum().backward()
        assert (y.grad.data == 0).all()

    def test_zero_d_loss_used_twice(self):
        x = leaf((4, 3))
        m = tt.Tensor(np.ones((3, 2)), requires_grad=True)
        loss = cross_entropy(x @ m, Tensor([0, 1, 1, 0]))
        (loss + 0.5 * loss).backward()
        assert x.grad.shape == (4, 3) and np.isfinite(x.grad.data).all()


RULES = {
    "linear": (lambda x, w, b: tt.linear(x, w, b), [(4, 3), (2, 3), (2,)]),
    "linear_batched_no_bias": (lambda x, w: tt.linear(x, w), [(2, 4, 3), (5, 3)]),
    "log10": (lambda x: (x * x + 0.5).log10(), [(3, 2)]),
    "log1p": (lambda x: (x * x).log1p(), [(3, 2)]),
    "roll": (lambda x: x.roll(1, 0), [(3, 2)]),
    "roll_dims": (lambda x: x.roll((1, -2), (0, 1)), [(3, 4)]),
    "roll_flat": (lambda x: tt.roll(x, 2), [(2, 3)]),
    "clone": (lambda x: x.clone() * x, [(3,)]),
    "maximum": (lambda x, y: tt.maximum(x, y), [(3, 2), (3, 2)]),
    "std": (lambda x: x.std(dim=1), [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_gradcheck(name):
    fn, shapes = RULES[name]
    assert gradcheck(fn, *[leaf(s, i) for i, s in enumerate(shapes)])


def test_linear_weight_gradient_has_the_weight_layout():
    x = Tensor(np.ones((8, 5), np.float32))
    w = Tensor(np.ones((3, 5), np.float32), requires_grad=True)
    tt.linear(x, w).sum().backward()
    assert w.grad.data.flags.c_contiguous and w.grad.shape == (3, 5)


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", sorted(RULES))
def test_against_torch(name):
    fn, shapes = RULES[name]
    torch_fn = {
        "linear": lambda x, w, b: torch.nn.functional.linear(x, w, b),
        "linear_batched_no_bias": lambda x, w: torch.nn.functional.linear(x, w),
        "roll_flat": lambda x: torch.roll(x, 2),
        "maximum": lambda x, y: torch.maximum(x, y),
    }.get(name, fn)
    arrays = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(9).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-12)
