"""Differential tests against PyTorch: the same weights must give the same outputs (and gradients)."""

import pytest

torch = pytest.importorskip("torch")

import math  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.layers import (  # noqa: E402
    Dropout, Identity, LayerNorm, Linear, ModuleList, Sequential, dropout, layer_norm, linear,
)
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402

seeds = st.integers(0, 2**31 - 1)
leading = st.lists(st.integers(1, 4), min_size=0, max_size=3)


def _copy_into_torch(ours, theirs):
    """Load our state_dict into a torch module (our keys match torch's)."""
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.state_dict().items()})


def _torch_requires_autograd():
    return pytest.importorskip("tinytorch.autograd")


@settings(max_examples=25, deadline=None)
@given(in_f=st.integers(1, 8), out_f=st.integers(1, 8), lead=leading, bias=st.booleans(), seed=seeds)
def test_linear_forward_matches_torch(in_f, out_f, lead, bias, seed):
    manual_seed(seed)
    ours = Linear(in_f, out_f, bias=bias)
    theirs = torch.nn.Linear(in_f, out_f, bias=bias)
    _copy_into_torch(ours, theirs)
    x = np.random.default_rng(seed).normal(size=(*lead, in_f)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        linear(Tensor(x), ours.weight, ours.bias).data,
        torch.nn.functional.linear(torch.from_numpy(x), theirs.weight, theirs.bias).detach().numpy(),
        rtol=1e-5, atol=1e-6,
    )


@settings(max_examples=25, deadline=None)
@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       norm=st.lists(st.integers(1, 5), min_size=1, max_size=2), affine=st.booleans(),
       bias=st.booleans(), seed=seeds)
def test_layer_norm_forward_matches_torch(lead, norm, affine, bias, seed):
    rng = np.random.default_rng(seed)
    ours = LayerNorm(tuple(norm), elementwise_affine=affine, bias=bias)
    theirs = torch.nn.LayerNorm(tuple(norm), elementwise_affine=affine, bias=bias)
    if affine:
        ours.weight.data[...] = rng.normal(size=norm)
        if bias:
            ours.bias.data[...] = rng.normal(size=norm)
        _copy_into_torch(ours, theirs)
    x = rng.normal(2.0, 3.0, size=(*lead, *norm)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        layer_norm(Tensor(x), tuple(norm)).data,
        torch.nn.functional.layer_norm(torch.from_numpy(x), tuple(norm)).numpy(),
        rtol=1e-4, atol=1e-4,
    )


def test_sequential_state_dict_keys_and_forward_match_torch():
    manual_seed(0)
    ours = Sequential(Linear(5, 8), LayerNorm(8), Dropout(0.3), Linear(8, 3), Identity())
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.LayerNorm(8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 3),
        torch.nn.Identity(),
    )
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    _copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-5, atol=1e-5)
    # and back: torch's state_dict loads into ours
    ours2 = Sequential(Linear(5, 8), LayerNorm(8), Dropout(0.3), Linear(8, 3), Identity()).eval()
    ours2.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours2(Tensor(x)).data, expected, rtol=1e-5, atol=1e-5)


def test_repr_matches_torch_for_linear_layer_norm_and_containers():
    ours = Sequential(Linear(2, 4), Sequential(Linear(4, 4, bias=False), LayerNorm(4)), Identity())
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 4), torch.nn.Sequential(torch.nn.Linear(4, 4, bias=False), torch.nn.LayerNorm(4)),
        torch.nn.Identity(),
    )
    assert repr(ours) == repr(theirs)
    assert repr(ModuleList([Linear(1, 2)])) == repr(torch.nn.ModuleList([torch.nn.Linear(1, 2)]))


@pytest.mark.parametrize("in_f,out_f", [(1, 3), (10, 20), (300, 7)])
def test_linear_init_distribution_matches_torch(in_f, out_f):
    manual_seed(0)
    torch.manual_seed(0)
    n = max(1, 20_000 // (in_f * out_f))
    ours = np.concatenate([Linear(in_f, out_f).weight.data.ravel() for _ in range(n)])
    theirs = np.concatenate([torch.nn.Linear(in_f, out_f).weight.detach().numpy().ravel() for _ in range(n)])
    ours_b = np.concatenate([Linear(in_f, out_f).bias.data for _ in range(n)])
    bound = 1 / np.sqrt(in_f)
    assert np.abs(ours).max() <= bound and np.abs(ours_b).max() <= bound
    assert np.abs(theirs).max() <= bound
    # Same uniform distribution: the quantiles agree within sampling error.
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    np.testing.assert_allclose(np.quantile(ours, q) / bound, np.quantile(theirs, q) / bound, atol=0.05)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.05)


def test_dropout_statistics_match_torch():
    manual_seed(0)
    torch.manual_seed(0)
    x = np.ones(100_000, dtype=np.float32)
    ours = dropout(Tensor(x), 0.4).data
    theirs = torch.nn.functional.dropout(torch.from_numpy(x), 0.4).numpy()
    assert set(np.unique(ours)) == set(np.unique(theirs))  # {0, 1 / 0.6} in both
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.01)


# ----- backward, with a random upstream gradient (needs module 05) ------------------------------
@settings(max_examples=15, deadline=None)
@given(in_f=st.integers(1, 6), out_f=st.integers(1, 6), lead=leading, seed=seeds)
def test_linear_backward_matches_torch(in_f, out_f, lead, seed):
    _torch_requires_autograd()
    rng = np.random.default_rng(seed)
    manual_seed(seed)
    ours = Linear(in_f, out_f)
    theirs = torch.nn.Linear(in_f, out_f)
    _copy_into_torch(ours, theirs)
    x = rng.normal(size=(*lead, in_f)).astype(np.float32)
    upstream = rng.normal(size=(*lead, out_f)).astype(np.float32)
    x_ours = Tensor(x, requires_grad=True)
    ours(x_ours).backward(Tensor(upstream))
    x_theirs = torch.from_numpy(x).requires_grad_()
    theirs(x_theirs).backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-4, atol=1e-5)


@settings(max_examples=15, deadline=None)
@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=2),
       norm=st.lists(st.integers(2, 5), min_size=1, max_size=2), seed=seeds)
def test_layer_norm_backward_matches_torch(lead, norm, seed):
    _torch_requires_autograd()
    rng = np.random.default_rng(seed)
    ours = LayerNorm(tuple(norm), dtype=np.float64)
    ours.weight.data[...] = rng.normal(size=norm)
    ours.bias.data[...] = rng.normal(size=norm)
    theirs = torch.nn.LayerNorm(tuple(norm), dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    x = rng.normal(size=(*lead, *norm))
    upstream = rng.normal(size=x.shape)
    x_ours = Tensor(x, requires_grad=True)
    ours(x_ours).backward(Tensor(upstream))
    x_theirs = torch.from_numpy(x).requires_grad_()
    theirs(x_theirs).backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_dropout_backward_matches_mask():
    _torch_requires_autograd()
    manual_seed(0)
    x = Tensor(np.ones((50, 40), dtype=np.float32), requires_grad=True)
    upstream = np.random.default_rng(0).normal(size=(50, 40)).astype(np.float32)
    out = dropout(x, 0.25)
    out.backward(Tensor(upstream))
    # torch's rule: grad_in = grad_out * mask / (1 - p), and mask / (1 - p) is out / x here
    np.testing.assert_allclose(x.grad.data, upstream * out.data, rtol=1e-6)


@pytest.mark.parametrize("weight, bias", [([[1.0, 2.0, 3.0]], None),
                                          (np.ones((1, 3), np.float32), None),
                                          ("tensor", [0.0])])
def test_linear_with_non_tensor_weight_or_bias_raises_type_error_like_torch(weight, bias):
    x = np.ones((2, 3), np.float32)
    tw = torch.ones(1, 3) if isinstance(weight, str) else weight
    ow = Tensor(np.ones((1, 3), np.float32)) if isinstance(weight, str) else weight
    with pytest.raises(TypeError):
        torch.nn.functional.linear(torch.from_numpy(x), tw, bias)
    with pytest.raises(TypeError, match="must be Tensor, not (list|ndarray)"):
        linear(Tensor(x), ow, bias)


def test_nn_api_calculate_gain_and_fans_match_torch():
    from tinytorch.layers import init
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))
    for shape in [(3, 4), (5, 2, 3), (8, 4, 3, 5)]:
        assert init._fans(Tensor(np.zeros(shape))) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    for fn in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
        with pytest.raises(ValueError):
            getattr(torch.nn.init, fn)(torch.zeros(5))
        with pytest.raises(ValueError):
            getattr(init, fn)(Tensor(np.zeros(5)))


@pytest.mark.parametrize("name, kwargs", [
    ("uniform_", dict(a=-2.0, b=1.0)), ("normal_", dict(mean=1.0, std=0.5)),
    ("trunc_normal_", dict(std=1.0, a=-1.0, b=1.5)), ("xavier_uniform_", dict(gain=1.5)),
    ("xavier_normal_", {}), ("kaiming_uniform_", dict(a=math.sqrt(5))),
    ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu")),
])
def test_nn_api_init_distributions_match_torch(name, kwargs):
    from tinytorch.layers import init
    torch.manual_seed(0)
    manual_seed(0)
    shape = (200, 60, 3, 3)
    theirs = getattr(torch.nn.init, name)(torch.empty(shape), **kwargs).numpy()
    ours = getattr(init, name)(Tensor(np.zeros(shape, np.float32)), **kwargs).data
    assert ours.dtype == theirs.dtype
    tol = 0.03 * float(theirs.std())
    assert ours.mean() == pytest.approx(theirs.mean(), abs=tol)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)
    for q in (1, 25, 50, 75, 99):
        assert np.percentile(ours, q) == pytest.approx(np.percentile(theirs, q), abs=tol)
    if "normal" not in name or name == "trunc_normal_":  # bounded: the same support
        assert ours.min() >= theirs.min() - tol and ours.max() <= theirs.max() + tol


def test_nn_api_linear_default_init_is_kaiming_uniform_sqrt5_like_torch():
    from tinytorch.layers import init
    manual_seed(0)
    w = init.kaiming_uniform_(Tensor(np.zeros((300, 400), np.float32)), a=math.sqrt(5))
    assert np.abs(w.data).max() <= 1 / math.sqrt(400)
    assert w.data.std() == pytest.approx(Linear(400, 300).weight.data.std(), rel=0.02)


def test_nn_api_module_dict_matches_torch_order_and_keys():
    from tinytorch.layers import ModuleDict
    spec = [("enc", (3, 4)), ("dec", (4, 2)), ("aux", (4, 1))]
    ours = ModuleDict({k: Linear(*s) for k, s in spec})
    theirs = torch.nn.ModuleDict({k: torch.nn.Linear(*s) for k, s in spec})
    assert list(ours.keys()) == list(theirs.keys())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [k for k, _ in ours.named_modules()] == [k for k, _ in theirs.named_modules()]


def test_nn_api_activation_layers_repr_and_isinstance_match_torch():
    import tinytorch.layers as L
    for name, args in [("ReLU", ()), ("Sigmoid", ()), ("Tanh", ()), ("GELU", ("tanh",)),
                       ("Softmax", (1,)), ("LogSoftmax", (-1,))]:
        ours, theirs = getattr(L, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        assert isinstance(ours, L.Module) and isinstance(theirs, torch.nn.Module)
        x = np.random.default_rng(1).standard_normal((2, 5)).astype(np.float32)
        np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).numpy(),
                                   rtol=1e-6, atol=1e-6)


def test_nn_api_forward_hook_order_matches_torch():
    def record(lib_linear, tensor):
        calls = []
        lin = lib_linear(2, 2)
        lin.register_forward_pre_hook(lambda m, a: calls.append("pre"))
        lin.register_forward_pre_hook(lambda m, a: calls.append("pre0"), prepend=True)
        lin.register_forward_hook(lambda m, a, o: calls.append("post"))
        handle = lin.register_forward_hook(lambda m, a, o: calls.append("post0"), prepend=True)
        lin(tensor)
        handle.remove()
        lin(tensor)
        return calls
    assert record(Linear, Tensor(np.ones((1, 2), np.float32))) == \
        record(torch.nn.Linear, torch.ones(1, 2))


@pytest.mark.parametrize("call", [
    lambda F, x: F.layer_norm(x, 3),  # functional form wants a tuple
    lambda F, x: F.layer_norm(x, (4,)),  # wrong trailing shape
    lambda F, x: F.layer_norm(x, (3,), weight=x[0, :2]),
])
def test_layer_norm_bad_arguments_raise_like_torch(call):
    x = np.ones((2, 3), np.float32)
    with pytest.raises(Exception) as theirs:
        call(torch.nn.functional, torch.from_numpy(x))

    class Ours:
        layer_norm = staticmethod(layer_norm)
    with pytest.raises(theirs.type):
        call(Ours, Tensor(x))


def test_layer_norm_of_an_empty_batch_matches_torch():
    out = layer_norm(Tensor(np.zeros((2, 0), np.float32)), (0,))
    assert out.shape == tuple(torch.nn.functional.layer_norm(torch.zeros(2, 0), (0,)).shape)
    assert LayerNorm(4)(Tensor(np.zeros((0, 4), np.float32))).shape == (0, 4)


@pytest.mark.parametrize("name, args", [("LeakyReLU", ()), ("LeakyReLU", (0.2,)), ("SiLU", ())])
def test_leaky_relu_and_silu_layers_match_torch_with_gradients(name, args):
    import tinytorch.layers as L
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = getattr(L, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs) and isinstance(ours, L.Module)
    out, expected = ours(ours_x), theirs(theirs_x)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), rtol=1e-12)
