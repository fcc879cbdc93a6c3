import numpy as np
import pytest

autograd = pytest.importorskip("tinytorch.autograd")

import tinytorch.activations as A  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

FUNCTIONS = {
    "relu": A.relu,
    "sigmoid": A.sigmoid,
    "tanh": A.tanh,
    "gelu": A.gelu,
    "gelu_tanh": lambda x: A.gelu(x, approximate="tanh"),
    "softmax_last": lambda x: A.softmax(x, -1),
    "softmax_first": lambda x: A.softmax(x, 0),
    "log_softmax_last": lambda x: A.log_softmax(x, -1),
    "log_softmax_middle": lambda x: A.log_softmax(x, x.ndim // 2),
}


def leaf(shape, seed, scale=1.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    if shape:
        x[np.abs(x) < 1e-3] = 0.5  # keep relu's kink away from the finite-difference step
    return Tensor(x, requires_grad=True)


def test_every_kernel_has_a_gradient_rule():
    for name in A.ops.__all__:
        assert getattr(A.ops, name) in autograd.GRADIENTS, f"no gradient rule for ops.{name}"


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
def test_gradcheck(name, shape):
    assert autograd.gradcheck(FUNCTIONS[name], leaf(shape, seed=len(name) + len(shape), scale=2.0))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_backward_matches_torch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    reference = {
        "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "gelu": F.gelu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "softmax_last": lambda x: F.softmax(x, -1), "softmax_first": lambda x: F.softmax(x, 0),
        "log_softmax_last": lambda x: F.log_softmax(x, -1),
        "log_softmax_middle": lambda x: F.log_softmax(x, x.ndim // 2),
    }[name]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 5, 6)).astype(np.float32) * 3
    upstream = rng.standard_normal((4, 5, 6)).astype(np.float32)
    ours = Tensor(x, requires_grad=True)
    FUNCTIONS[name](ours).backward(Tensor(upstream))
    theirs = torch.tensor(x, requires_grad=True)
    reference(theirs).backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-5, atol=1e-5)
