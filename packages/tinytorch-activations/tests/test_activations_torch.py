import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402

import tinytorch.activations as A  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

F = torch.nn.functional
TOL = {np.float32: dict(rtol=2e-6, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}
DTYPES = [np.float32, np.float64]
SHAPES = [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 5), ()]


def random_input(shape, dtype, scale, seed):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)


def check(ours, theirs, x, dtype, scale=1.0):
    out = ours(Tensor(x))
    expected = theirs(torch.from_numpy(x)).numpy()
    assert out.dtype == expected.dtype
    assert out.shape == expected.shape
    tol = TOL[dtype]
    np.testing.assert_allclose(out.data, expected, rtol=tol["rtol"], atol=tol["atol"] * scale)


ELEMENTWISE = [
    ("relu", A.relu, torch.relu, A.ReLU(), torch.nn.ReLU()),
    ("sigmoid", A.sigmoid, torch.sigmoid, A.Sigmoid(), torch.nn.Sigmoid()),
    ("tanh", A.tanh, torch.tanh, A.Tanh(), torch.nn.Tanh()),
    ("gelu", A.gelu, F.gelu, A.GELU(), torch.nn.GELU()),
    ("gelu_tanh", lambda x: A.gelu(x, approximate="tanh"),
     lambda x: F.gelu(x, approximate="tanh"), A.GELU("tanh"), torch.nn.GELU("tanh")),
]


@pytest.mark.parametrize("name, fn, torch_fn, module, torch_module", ELEMENTWISE,
                         ids=[e[0] for e in ELEMENTWISE])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [1.0, 10.0, 1e4])
def test_elementwise_matches_torch(name, fn, torch_fn, module, torch_module, dtype, shape, scale):
    x = random_input(shape, dtype, scale, seed=hash((name, shape, scale)) % 2**32)
    check(fn, torch_fn, x, dtype, scale)
    check(module, torch_module, x, dtype, scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_matches_torch_on_a_dense_grid(dtype):
    # every branch of our erf: |x / sqrt 2| below 1.5, between 1.5 and 6, above 6
    x = np.linspace(-12, 12, 48001).astype(dtype)
    for approximate in ("none", "tanh"):
        check(lambda t: A.gelu(t, approximate), lambda t: F.gelu(t, approximate=approximate),
              x, dtype, scale=1.0)


def test_erf_matches_torch_erf():
    x = np.linspace(-10, 10, 100001)
    np.testing.assert_allclose(A.ops.erf(x), torch.erf(torch.from_numpy(x)).numpy(),
                               rtol=4e-15, atol=1e-300)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(A.ops.erf(x32), torch.erf(torch.from_numpy(x32)).numpy(),
                               rtol=0, atol=3e-7)


SOFTMAX_CASES = [((7,), 0), ((7,), -1), ((3, 5), 1), ((3, 5), -2), ((2, 3, 4), 0),
                 ((2, 3, 4), -1), ((2, 3, 4), 1), ((2, 1, 3, 5), -3), ((4, 6, 2, 3), 3), ((), 0)]


@pytest.mark.parametrize("shape, dim", SOFTMAX_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_softmax_and_log_softmax_match_torch(shape, dim, dtype, scale):
    x = random_input(shape, dtype, scale, seed=hash((shape, dim, scale)) % 2**32)
    check(lambda t: A.softmax(t, dim), lambda t: F.softmax(t, dim), x, dtype)
    check(A.Softmax(dim), torch.nn.Softmax(dim), x, dtype)
    # log_softmax values grow with the scale of the input; compare relative to it
    check(lambda t: A.log_softmax(t, dim), lambda t: F.log_softmax(t, dim), x, dtype, scale)
    check(A.LogSoftmax(dim), torch.nn.LogSoftmax(dim), x, dtype, scale)


def test_softmax_with_masked_entries_matches_torch():
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    x[:, 3:] = -np.inf
    check(lambda t: A.softmax(t, -1), lambda t: F.softmax(t, -1), x, np.float32)
    check(lambda t: A.log_softmax(t, -1), lambda t: F.log_softmax(t, -1), x, np.float32)


def test_relu_on_integers_matches_torch():
    x = np.arange(-5, 5, dtype=np.int64)
    np.testing.assert_array_equal(A.relu(Tensor(x)).data, torch.relu(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((2, 0), 0), ((0,), 0), ((0, 3), 1)])
def test_softmax_on_empty_tensors_matches_torch(name, shape, dim):
    ours = getattr(A, name)(Tensor(np.zeros(shape, np.float32)), dim)
    theirs = getattr(F, name)(torch.zeros(shape), dim)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == "float32"


@pytest.mark.parametrize("name, args", [("relu", ()), ("gelu", ()), ("softmax", (0,)),
                                        ("log_softmax", (0,)), ("sigmoid", ()), ("tanh", ())])
@pytest.mark.parametrize("values", [[1, 2], [True, False]])
def test_integer_and_bool_inputs_match_torch(name, args, values):
    fn = getattr(F, name) if hasattr(F, name) else getattr(torch, name)
    try:
        theirs = fn(torch.tensor(values), *args)
    except Exception as error:
        with pytest.raises(type(error)):
            getattr(A, name)(Tensor(values), *args)
        return
    ours = getattr(A, name)(Tensor(values), *args)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name, args", [("leaky_relu", ()), ("leaky_relu", (0.3,)), ("silu", ())])
@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_and_silu_match_torch_with_gradients(name, args, dtype):
    x = random_input((4, 5), dtype, 3.0, seed=7)
    x[0, 0] = 0.0
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = getattr(A, name)(ours_x, *args), getattr(F, name)(theirs_x, *args)
    tol = TOL[dtype]
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tol)
    g = random_input((4, 5), dtype, 1.0, seed=8)
    out.backward(Tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), **tol)
    for bad in ([1, 2], [True]):
        with pytest.raises(NotImplementedError):
            getattr(F, name)(torch.tensor(bad), *args)
        with pytest.raises(NotImplementedError):
            getattr(A, name)(Tensor(bad), *args)


def test_float32_gelu_is_at_least_as_accurate_as_torch():
    # against a Phi(a) from math.erfc: neither the largest nor the mean absolute error is larger
    import math

    x = np.concatenate([np.linspace(-10, 10, 40001),
                        np.random.default_rng(3).standard_normal(20000) * 3]).astype(np.float32)
    exact = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(np.float64)])
    ours = np.abs(A.gelu(Tensor(x)).data - exact)
    theirs = np.abs(F.gelu(torch.from_numpy(x)).numpy().astype(np.float64) - exact)
    assert ours.max() <= theirs.max()
    assert ours.mean() <= theirs.mean()


@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_special_values_match_torch(dtype):
    x = np.array([-np.inf, np.inf, np.nan, 0.0, -0.0, -1e4, 1e4, -20.0, 20.0, 16.0, -16.0], dtype)
    with np.errstate(invalid="ignore"):
        ours = A.gelu(Tensor(x)).data
    # nan, inf and the zeros exactly; torch's -0 for -20 in float64 is our 5.5e-88
    np.testing.assert_allclose(ours, F.gelu(torch.from_numpy(x)).numpy(), rtol=1e-7, atol=1e-30)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float16_gelu_keeps_its_dtype_like_torch(approximate):
    x = np.linspace(-6, 6, 101).astype(np.float16)
    ours = A.gelu(Tensor(x), approximate=approximate)
    theirs = F.gelu(torch.from_numpy(x), approximate=approximate)
    assert str(ours.dtype) == "float16" == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data.astype(np.float32), theirs.numpy().astype(np.float32),
                               rtol=2e-3, atol=2e-3)
