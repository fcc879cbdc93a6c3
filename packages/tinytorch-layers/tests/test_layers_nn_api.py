"""ModuleDict, activation layers, nn.init, Module.to/cpu and forward hooks."""

import math

import numpy as np
import pytest

import tinytorch.activations as A
from tinytorch.layers import (
    GELU, Identity, Linear, LogSoftmax, Module, ModuleDict, ReLU, Sequential, Sigmoid, Softmax,
    Tanh, init,
)
from tinytorch.tensor import Tensor, manual_seed


@pytest.mark.parametrize("layer, fn", [
    (ReLU(), A.relu), (Sigmoid(), A.sigmoid), (Tanh(), A.tanh), (GELU(), A.gelu),
    (GELU("tanh"), lambda x: A.gelu(x, approximate="tanh")),
    (Softmax(1), lambda x: A.softmax(x, 1)), (LogSoftmax(-1), lambda x: A.log_softmax(x, -1)),
])
def test_activation_layers_are_modules_and_equal_module_02(layer, fn):
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32))
    assert isinstance(layer, Module)
    np.testing.assert_array_equal(layer(x).data, fn(x).data)
    assert list(layer.parameters()) == []


def test_activation_layers_reject_bad_options_like_module_02():
    with pytest.raises(ValueError, match="approximate"):
        GELU("fast")
    with pytest.raises(TypeError, match="int dim"):
        Softmax(None)


def test_apply_visits_activation_layers():
    net = Sequential(Linear(2, 3), ReLU(), Linear(3, 1), Sigmoid())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sigmoid", "Sequential"]


def test_module_dict_registers_in_order_and_behaves_like_a_dict():
    d = ModuleDict({"b": Linear(2, 2), "a": Linear(2, 1)})
    d["c"] = Identity()
    assert list(d) == ["b", "a", "c"] and len(d) == 3 and "a" in d
    assert [k for k, _ in d.named_parameters()] == ["b.weight", "b.bias", "a.weight", "a.bias"]
    assert isinstance(d.pop("c"), Identity) and "c" not in d
    d.update([("z", Tanh())])
    assert list(d.keys())[-1] == "z"
    del d["z"]
    d.clear()
    assert len(d) == 0


def test_module_dict_errors():
    d = ModuleDict()
    with pytest.raises(KeyError):
        d["a.b"] = Linear(1, 1)
    with pytest.raises(TypeError):
        d[3] = Linear(1, 1)
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        d["x"] = 3
    with pytest.raises(KeyError):
        d["missing"]
    with pytest.raises(TypeError):
        d.update([1, 2])
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        d.update([("a", Linear(1, 1), 3)])
    with pytest.raises(TypeError):
        d.update(Linear(1, 1))
    with pytest.raises(NotImplementedError):
        d(Tensor([1.0]))


def test_module_to_devices_and_dtypes():
    class FakeDevice:
        type = "cpu"

    m = Sequential(Linear(2, 2), ReLU())
    w = m[0].weight
    assert m.to("cpu") is m and m.cpu() is m and m.to(FakeDevice()) is m
    assert m.to("cpu:0", np.float64)[0].weight.dtype == np.float64
    assert m[0].weight is w  # the same Parameter object, converted in place
    m.to(dtype="float32")
    assert w.dtype == np.float32
    m.to(Tensor(np.zeros(1)))
    assert w.dtype == np.float64
    m.float()
    assert w.dtype == np.float32
    m.double()
    assert w.dtype == np.float64


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", "meta"])
def test_module_to_another_device_raises(device):
    with pytest.raises(RuntimeError, match=f"CPU only: cannot move a module to device '{device}'"):
        Linear(1, 1).to(device)


def test_module_to_rejects_integer_dtypes_and_bad_arguments():
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        Linear(1, 1).to(np.int64)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Linear(1, 1).to(devise="cpu")


def test_forward_hooks_run_in_order_and_can_be_removed():
    lin = Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
    lin.register_forward_pre_hook(lambda m, args: calls.append("first"), prepend=True)
    out = lin(Tensor([[1.0, 2.0]]))
    assert calls == ["first", "pre", "post"]
    np.testing.assert_allclose(out.data, lin.bias.data[None] + 1)
    h1.remove()
    h2.remove()
    assert h1.id != h2.id
    np.testing.assert_allclose(lin(Tensor([[0.0, 0.0]])).data, lin.bias.data[None])


def test_forward_hooks_with_kwargs_and_always_call():
    class Boom(Module):
        def forward(self, x, scale=1.0):
            if scale < 0:
                raise ValueError("negative")
            return x * scale

    m = Boom()
    seen = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": kwargs["scale"] * 2}),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs["scale"]),
                            with_kwargs=True, always_call=True)
    assert m(Tensor([1.0]), scale=3.0).item() == 6.0
    with pytest.raises(ValueError, match="negative"):
        m(Tensor([1.0]), scale=-1.0)
    assert seen == [6.0, -2.0]


def test_init_fans_and_gains():
    assert init._fans(Tensor(np.zeros((30, 20)))) == (20, 30)
    assert init._fans(Tensor(np.zeros((8, 4, 3, 5)))) == (60, 120)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(Tensor(np.zeros(5)))
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(Tensor(np.zeros((2, 2))), mode="fan_avg")


def test_init_fills_in_place_without_recording_and_is_seeded():
    lin = Linear(50, 40)
    w = lin.weight.data
    assert init.constant_(lin.weight, 0.5) is lin.weight and lin.weight.data is w
    np.testing.assert_array_equal(w, 0.5)
    assert lin.weight.grad_fn is None and lin.weight.requires_grad
    init.zeros_(lin.bias)
    init.ones_(lin.weight)
    assert lin.bias.data.sum() == 0 and w.sum() == w.size
    manual_seed(3)
    a = init.normal_(Tensor(np.zeros(10)), 1.0, 2.0).data.copy()
    manual_seed(3)
    np.testing.assert_array_equal(init.normal_(Tensor(np.zeros(10)), 1.0, 2.0).data, a)


def test_init_distributions_have_torchs_scales():
    manual_seed(0)
    shape = (256, 128, 3, 3)  # fan_in 1152, fan_out 2304
    t = Tensor(np.zeros(shape, np.float32))
    cases = [
        (lambda: init.xavier_uniform_(t, gain=2.0), 2.0 * math.sqrt(2.0 / (1152 + 2304))),
        (lambda: init.xavier_normal_(t), math.sqrt(2.0 / (1152 + 2304))),
        (lambda: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2.0 / 1152)),
        (lambda: init.kaiming_normal_(t, mode="fan_out"), math.sqrt(2 / 1.0001) / math.sqrt(2304)),
        (lambda: init.uniform_(t, -3.0, 3.0), math.sqrt(3.0)),
    ]
    for fill, std in cases:
        fill()
        assert t.dtype == np.float32
        assert t.data.std() == pytest.approx(std, rel=0.01)
        assert abs(t.data.mean()) < 0.01 * std * 10


def test_trunc_normal_stays_in_bounds_even_deep_in_a_tail():
    manual_seed(1)
    t = init.trunc_normal_(Tensor(np.zeros(20000)), mean=0.0, std=1.0, a=-2.0, b=2.0)
    assert t.data.min() >= -2.0 and t.data.max() <= 2.0
    # the variance of N(0, 1) truncated to [-2, 2] is 0.7737
    assert t.data.var() == pytest.approx(0.7737, rel=0.03)
    tail = init.trunc_normal_(Tensor(np.zeros(2000)), a=5.0, b=6.0)
    assert tail.data.min() >= 5.0 and tail.data.max() <= 6.0 and tail.data.mean() < 5.3
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(Tensor(np.zeros(2)), a=1.0, b=0.0)


def test_replacing_a_child_or_parameter_keeps_its_position():
    from tinytorch.layers import Parameter
    seq = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    setattr(seq, "0", Linear(2, 3, bias=False))
    assert list(seq._modules) == ["0", "1", "2"] and seq[0].bias is None
    assert seq(Tensor(np.ones((1, 2), np.float32))).shape == (1, 1)
    lin = Linear(2, 2)
    lin.weight = Parameter(np.zeros((2, 2), np.float32))
    assert [k for k, _ in lin.named_parameters()] == ["weight", "bias"]


def test_init_generator_argument_reproduces_draws_without_touching_the_global_stream():
    from tinytorch.tensor import Generator, rand
    manual_seed(9)
    expected = rand(3).data
    manual_seed(9)
    for fn in (init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_,
               init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_):
        a = fn(Tensor(np.zeros((4, 3))), generator=Generator().manual_seed(5)).data.copy()
        b = fn(Tensor(np.zeros((4, 3))), generator=Generator().manual_seed(5)).data
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(rand(3).data, expected)  # the global stream did not move
    with pytest.raises(TypeError, match="generator must be"):
        init.normal_(Tensor(np.zeros(2)), generator=5)
