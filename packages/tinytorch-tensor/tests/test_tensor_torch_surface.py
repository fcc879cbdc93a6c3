"""The torch-shaped surface of module 01: devices, .to(), creation helpers, function forms and
in-place methods, each against PyTorch 2.13 where it is installed."""

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import Tensor


class TestDevice:
    def test_cpu_is_the_only_device(self):
        assert tt.device("cpu") == tt.device("cpu:0") == "cpu" and str(tt.device("cpu")) == "cpu"
        assert Tensor([1.0]).device == tt.device("cpu") and Tensor([1.0]).device.type == "cpu"
        for bad in ("cuda", "cuda:0", "mps", "cpu:1"):
            with pytest.raises(RuntimeError, match="CPU only"):
                tt.device(bad)

    def test_to_and_cpu(self):
        x = Tensor([1.0, 2.0])
        assert x.to("cpu") is x and x.cpu() is x and x.to(tt.device("cpu")) is x
        assert x.to(None) is x and x.to(None).dtype == np.float32  # no silent cast
        assert x.to(tt.float64).dtype == np.float64 and x.to("float64").dtype == np.float64
        assert x.to("cpu", tt.int64).dtype == np.int64
        assert x.to(Tensor([1], dtype="int32")).dtype == np.int32
        assert x.to(dtype=tt.float16, device="cpu").dtype == np.float16
        y = x.to(x.dtype, copy=True)
        assert y is not x and not np.shares_memory(y.data, x.data)
        with pytest.raises(RuntimeError, match="CPU only"):
            x.to("cuda")
        with pytest.raises(RuntimeError):
            tt.zeros(2, device="cuda")

    def test_creation_takes_device(self):
        assert tt.zeros(2, device="cpu").shape == (2,)
        assert tt.randn(2, device=tt.device("cpu")).shape == (2,)


torch = pytest.importorskip("torch")


def same(ours, theirs, rtol=1e-6):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.data, theirs, rtol=rtol, atol=1e-6)


def test_linspace():
    for args in [(0, 1, 5), (-2.0, 3.0, 7), (1, 1, 1), (0, 1, 0)]:
        same(tt.linspace(*args), torch.linspace(*args))
    same(tt.linspace(0, 1, 4, dtype=tt.float64), torch.linspace(0, 1, 4, dtype=torch.float64))


def test_from_numpy_and_as_tensor_share_memory():
    a = np.arange(6, dtype=np.float32)
    assert np.shares_memory(tt.from_numpy(a).data, a) and np.shares_memory(tt.as_tensor(a).data, a)
    same(tt.from_numpy(a), torch.from_numpy(a))
    same(tt.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    with pytest.raises(TypeError):
        tt.from_numpy([1.0])


@pytest.mark.parametrize("shifts,dims", [(1, None), (-2, 0), ((1, 2), (0, 1)), (5, 1)])
def test_roll(shifts, dims):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    same(tt.roll(Tensor(a), shifts, dims), torch.roll(torch.tensor(a), shifts, dims))


@pytest.mark.parametrize("name", ["exp", "log1p", "log10", "sqrt", "tanh", "sin", "cos", "abs", "neg", "clone"])
def test_function_forms(name):
    a = np.abs(np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)) + 0.1
    same(getattr(tt, name)(Tensor(a)), getattr(torch, name)(torch.tensor(a)))


def test_reduction_and_shape_function_forms():
    a = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(np.float32)
    x, t = Tensor(a), torch.tensor(a)
    same(tt.sum(x, 1), torch.sum(t, 1))
    same(tt.mean(x, (0, 2), keepdim=True), torch.mean(t, (0, 2), keepdim=True))
    same(tt.flatten(x, 1), torch.flatten(t, 1))
    same(tt.transpose(x, 0, 2), torch.transpose(t, 0, 2))
    same(tt.max(x, 1).values, torch.max(t, 1).values)
    same(tt.argmax(x, 2, keepdim=True), torch.argmax(t, 2, keepdim=True))
    same(tt.maximum(x, x * 2), torch.maximum(t, t * 2))
    same(tt.clamp(x, -0.5, 0.5), torch.clamp(t, -0.5, 0.5))
    same(x.view_as(Tensor(np.zeros((6, 4)))), t.view_as(torch.zeros(6, 4)))
    same(x.std(dim=1), t.std(dim=1), rtol=1e-5)
    for ours, theirs in zip(tt.unbind(x, 1), torch.unbind(t, 1)):
        same(ours, theirs)


def test_in_place_methods_match_torch():
    a = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    x, t = Tensor(a.copy()), torch.tensor(a)
    for op in [lambda v: v.add_(1.5), lambda v: v.mul_(2), lambda v: v.sub_(0.5, alpha=2),
               lambda v: v.div_(3), lambda v: v.clamp_(-0.5, 0.5), lambda v: v.fill_(2.0),
               lambda v: v.zero_()]:
        assert op(x) is x
        op(t)
        same(x, t)
    src = np.ones(4, np.float32)
    same(x.copy_(Tensor(src)), t.copy_(torch.tensor(src)))


def test_normal_and_uniform_fill_in_place_with_a_generator():
    x = tt.zeros(10000)
    x.normal_(2.0, 0.5, generator=tt.Generator().manual_seed(0))
    assert abs(x.data.mean() - 2.0) < 0.03 and abs(x.data.std() - 0.5) < 0.03
    x.uniform_(-1, 1)
    assert x.data.min() >= -1 and x.data.max() < 1


def test_zero_d_tensors_as_python_numbers():
    assert int(torch.tensor(3)) == int(Tensor(3)) and float(Tensor(2.5)) == 2.5
    assert list(range(5))[Tensor(2)] == list(range(5))[torch.tensor(2)]


@pytest.mark.parametrize("shape,dim,sizes", [((6, 2), 0, (2, -1)), ((1, 3, 0), 0, (1, -1)), ((2, 6), -1, (3, 2))])
def test_unflatten(shape, dim, sizes):
    a = np.zeros(shape, np.float32)
    same(Tensor(a).unflatten(dim, sizes), torch.tensor(a).unflatten(dim, sizes))
    with pytest.raises(RuntimeError):
        Tensor(a).unflatten(dim, (5, 7))
