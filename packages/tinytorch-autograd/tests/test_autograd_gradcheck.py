"""gradcheck itself: it passes correct rules and catches wrong ones, with a useful message."""

import doctest
import importlib
from pathlib import Path

import numpy as np
import pytest

from tinytorch.autograd import GRADIENTS, GradcheckError, gradcheck, gradient_of
from tinytorch.tensor import Tensor, apply_op


def square(a):
    return a * a


@pytest.fixture
def wrong_square_rule():
    @gradient_of(square)
    def _rule(grad, out, a):
        g = 2 * a * grad
        g.reshape(-1)[-1] *= 1.5  # wrong only at the last element
        return (g,)

    yield
    del GRADIENTS[square]


def test_passes_a_correct_rule():
    x = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    assert gradcheck(lambda a: (a * a).tanh(), x) is True


def test_catches_a_wrong_rule_and_names_input_and_element(wrong_square_rule):
    x = Tensor(np.linspace(0.5, 1.5, 6).reshape(2, 3), requires_grad=True)
    c = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(2, 3\)\).*element \(1, 2\)"):
        gradcheck(lambda c, a: apply_op(square, a) + c, c, x)


def test_projection_mode_catches_a_wrong_rule(wrong_square_rule):
    x = Tensor(np.linspace(0.5, 1.5, 40).reshape(5, 8), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 0.*direction 0"):
        gradcheck(lambda a: apply_op(square, a), x, projections=3)


def test_projection_mode_passes_a_correct_rule():
    x = Tensor(np.linspace(-2, 2, 60).reshape(6, 10), requires_grad=True)
    w = Tensor(np.linspace(-1, 1, 30).reshape(10, 3), requires_grad=True)
    assert gradcheck(lambda x, w: (x @ w).exp().sum(dim=0), x, w, projections=5)


def test_rejects_float32_inputs():
    with pytest.raises(TypeError, match="input 0 requires grad but has dtype float32"):
        gradcheck(lambda a: a * 2, Tensor([1.0, 2.0], requires_grad=True))


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="no input has requires_grad"):
        gradcheck(lambda a: a * 2, Tensor(np.ones(2)))


def test_rejects_bad_projection_counts():
    with pytest.raises(ValueError, match="projections"):
        gradcheck(lambda a: a, Tensor(np.ones(2), requires_grad=True), projections=0)


def test_leaves_the_callers_tensors_untouched():
    data = np.array([0.5, 1.5])
    x = Tensor(data, requires_grad=True)
    x.grad = Tensor(np.array([7.0, 7.0]))
    gradcheck(lambda a: (a * a).sum(), x)
    assert x.data is data and np.array_equal(data, [0.5, 1.5])
    np.testing.assert_array_equal(x.grad.data, [7.0, 7.0])


def test_non_leaf_and_constant_inputs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True) * 3  # a non-leaf input is checked too
    assert gradcheck(lambda a, k: a ** k, x, 3)


def test_unused_input_has_zero_gradient():
    x = Tensor(np.ones(2), requires_grad=True)
    y = Tensor(np.ones(2), requires_grad=True)
    assert gradcheck(lambda a, b: a.exp(), x, y)


@pytest.mark.parametrize("name", ["engine", "gradcheck", "rules"])
def test_docstring_examples(name):
    # the submodule `gradcheck` is shadowed by the function of that name in the package namespace
    module = importlib.import_module(f"tinytorch.autograd.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_readme_example():
    readme = Path(__file__).resolve().parents[1] / "README.md"
    result = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
