"""Gradient rules of the ops the language modules need: gradcheck in float64 and PyTorch."""

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck
from tinytorch.tensor import Tensor


def leaf(shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


CASES = {
    "tril": (lambda x: tt.tril(x, -1), (3, 4)),
    "triu": (lambda x: tt.triu(x, 1), (2, 4, 3)),
    "tril_method": (lambda x: x.tril(), (4, 4)),
    "sin": (lambda x: x.sin(), (3, 2)),
    "cos": (lambda x: tt.cos(x), (3, 2)),
    "expand_new_dims": (lambda x: x.expand(2, 3, 4), (3, 1)),
    "expand_same": (lambda x: x.expand(-1, 4), (3, 4)),
    "repeat": (lambda x: x.repeat(2, 3), (2, 2)),
    "repeat_new_dims": (lambda x: x.repeat(2, 1, 3), (2, 3)),
    "split": (lambda x: x.split([1, 3], dim=1)[1] * x.split(2, dim=1)[0].sum(), (3, 4)),
    "chunk": (lambda x: x.chunk(3, dim=0)[2] - x.chunk(3, dim=0)[0], (6, 2)),
    "topk": (lambda x: x.topk(2, dim=1)[0], (3, 5)),
    "topk_smallest": (lambda x: x.topk(3, dim=0, largest=False)[0], (4, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, shape = CASES[name]
    assert gradcheck(fn, leaf(shape))


def test_expand_gradient_sums_the_copies():
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    x.expand(2, 3).sum().backward()
    assert x.grad.tolist() == [[3.0], [3.0]]


def test_repeat_gradient_sums_the_tiles():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x.repeat(3) * Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()
    assert x.grad.tolist() == [9.0, 12.0]


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name):
    fn, shape = CASES[name]
    torch_fn = {
        "tril": lambda x: torch.tril(x, -1), "triu": lambda x: torch.triu(x, 1),
        "tril_method": lambda x: x.tril(), "sin": lambda x: x.sin(), "cos": lambda x: torch.cos(x),
    }.get(name, fn)  # the tensor methods have the same names and arguments in both
    a = np.random.default_rng(1).standard_normal(shape)
    ours, theirs = Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = fn(ours), torch_fn(theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(2).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)
