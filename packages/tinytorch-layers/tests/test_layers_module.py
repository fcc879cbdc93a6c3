"""Unit tests for Module, Parameter and the containers."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

from tinytorch.layers import (
    Dropout, Identity, LayerNorm, Linear, Module, ModuleList, Parameter, Sequential,
)
from tinytorch.tensor import Tensor, manual_seed, no_grad, zeros


class ReLULike:
    """Stands in for a module 02 activation object: a plain callable, not a Module."""

    def forward(self, x):
        return x.clip(min=0.0)

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        return "ReLULike()"


class Net(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(3, 4)
        self.norm = LayerNorm(4)
        self.drop = Dropout(0.1)
        self.fc2 = Linear(4, 2, bias=False)
        self.register_buffer("steps", zeros(1))
        self.register_buffer("scratch", zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.drop(self.norm(self.fc1(x))))


# ----- Parameter ----------------------------------------------------------------------------------
def test_parameter_is_a_tensor_that_requires_grad_and_shares_data():
    data = np.arange(3, dtype=np.float32)
    p = Parameter(data)
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert p.data is data
    assert Parameter(Tensor([1.0]), requires_grad=False).requires_grad is False
    assert Parameter().shape == (0,)


def test_parameter_repr_and_int_rejection():
    assert repr(Parameter([1.0, 2.0])) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    with pytest.raises(RuntimeError, match="floating point"):
        Parameter([1, 2])


def test_ops_on_parameters_return_plain_tensors():
    out = Parameter([1.0, 2.0]) * 2
    assert type(out) is Tensor and out.requires_grad


# ----- registration -------------------------------------------------------------------------------
def test_registration_order_and_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "fc1.weight", "fc1.bias", "norm.weight", "norm.bias", "fc2.weight",
    ]
    assert [n for n, _ in net.named_children()] == ["fc1", "norm", "drop", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "norm", "drop", "fc2"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert net.fc2.bias is None
    assert sum(p.numel() for p in net.parameters()) == 3 * 4 + 4 + 4 + 4 + 4 * 2


def test_recurse_false_and_prefix():
    net = Net()
    assert list(net.parameters(recurse=False)) == []
    assert [n for n, _ in net.fc1.named_parameters(prefix="enc")] == ["enc.weight", "enc.bias"]


def test_shared_parameters_and_modules_are_listed_once():
    shared = Linear(2, 2)
    seq = Sequential(shared, shared)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    # state_dict lists every path, as PyTorch does
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_plain_tensor_attribute_is_not_a_parameter():
    m = Module()
    m.t = Tensor([1.0])
    m.n = 3
    assert list(m.parameters()) == [] and m.n == 3


def test_reassignment_moves_between_registries():
    m = Module()
    m.x = Parameter([1.0])
    with pytest.raises(TypeError, match="cannot assign Linear as parameter 'x'"):
        m.x = Linear(1, 1)  # as in PyTorch: a parameter slot only takes a Parameter or None
    del m.x
    m.x = Linear(1, 1)
    assert "x" not in m._parameters and "x" in m._modules
    m.x = Parameter([2.0])
    assert "x" not in m._modules and m.x.tolist() == [2.0]
    del m.x
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'x'"):
        m.x


def test_assigning_wrong_type_to_registered_names_raises():
    lin = Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        lin.weight = Tensor(np.zeros((2, 2), dtype=np.float32))
    lin.bias = None
    assert lin.bias is None and list(lin.state_dict()) == ["weight"]
    net = Net()
    with pytest.raises(TypeError, match="cannot assign int as child module 'fc1'"):
        net.fc1 = 3
    with pytest.raises(TypeError, match="cannot assign list as buffer 'steps'"):
        net.steps = [1.0]


def test_assign_before_init_raises():
    class Forgot(Module):
        def __init__(self):
            self.w = Parameter([1.0])

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgot()


def test_register_checks():
    m = Module()
    with pytest.raises(TypeError, match="Parameter or None expected"):
        m.register_parameter("w", Tensor([1.0]))
    with pytest.raises(KeyError, match="without '.'"):
        m.register_parameter("a.b", Parameter([1.0]))
    with pytest.raises(TypeError, match="Tensor or None expected"):
        m.register_buffer("b", np.zeros(2))
    with pytest.raises(TypeError, match="not a Module subclass"):
        m.add_module("c", ReLULike())
    m.plain = 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("plain", zeros(1))


def test_forward_missing():
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward"'):
        Module()(1)


def test_apply_visits_children_first():
    seen = []
    Sequential(Linear(1, 1), Sequential(Identity())).apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Identity", "Sequential", "Sequential"]


# ----- modes and gradients ------------------------------------------------------------------------
def test_train_eval_reaches_all_descendants():
    act = ReLULike()
    act.training = True
    net = Sequential(Net(), Sequential(Dropout(), act))
    assert net.eval() is net
    assert all(not m.training for m in net.modules() if isinstance(m, Module))
    assert act.training is False
    net.train()
    assert all(m.training for m in net.modules() if isinstance(m, Module)) and act.training
    with pytest.raises(ValueError, match="expected to be a bool"):
        net.train("no")


def test_zero_grad_and_requires_grad_():
    lin = Linear(2, 2)
    lin.weight.grad = Tensor(np.ones((2, 2), dtype=np.float32))
    grad = lin.weight.grad
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad is grad and not grad.data.any()
    lin.zero_grad()
    assert lin.weight.grad is None
    lin.requires_grad_(False)
    assert not any(p.requires_grad for p in lin.parameters())


def test_to_double_keeps_parameter_identity():
    lin = Linear(2, 3)
    w = lin.weight
    lin.double()
    assert lin.weight is w and w.dtype == np.float64
    assert lin(Tensor(np.ones((1, 2)))).dtype == np.float64
    with pytest.raises(TypeError, match="floating point dtypes"):
        lin.to(np.int32)


# ----- state_dict ---------------------------------------------------------------------------------
def test_state_dict_keys_copies_and_round_trip():
    manual_seed(0)
    a, b = Net(), Net()
    state = a.state_dict()
    assert isinstance(state, OrderedDict)
    # own parameters and buffers first, then each child's (PyTorch's order)
    assert list(state) == ["steps", "fc1.weight", "fc1.bias", "norm.weight", "norm.bias", "fc2.weight"]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["fc1.weight"][...] = 7.0  # a copy: the model is untouched
    assert not (a.fc1.weight.data == 7.0).any()

    weight_array = b.fc1.weight.data
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.fc1.weight.data is weight_array  # copied in place: optimizer references stay valid
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_load_state_dict_accepts_tensors():
    lin = Linear(2, 1)
    lin.load_state_dict({"weight": Tensor([[1.0, 2.0]]), "bias": Tensor([3.0])})
    assert lin.weight.tolist() == [[1.0, 2.0]] and lin.bias.tolist() == [3.0]


def test_load_state_dict_reports_missing_and_unexpected_keys():
    net = Net()
    state = net.state_dict()
    del state["fc1.bias"]
    state["extra.weight"] = np.zeros(1, dtype=np.float32)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert 'Missing key(s) in state_dict: "fc1.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc1.bias"] and result.unexpected_keys == ["extra.weight"]


def test_load_state_dict_shape_mismatch_names_key_and_both_shapes_and_changes_nothing():
    lin = Linear(3, 2)
    before = lin.state_dict()
    bad = {"weight": np.zeros((3, 2), dtype=np.float32), "bias": np.full(2, 9.0, dtype=np.float32)}
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: .*\(3, 2\).*\(2, 3\)"):
        lin.load_state_dict(bad, strict=False)
    np.testing.assert_array_equal(lin.bias.data, before["bias"])


def test_load_state_dict_rejects_non_mapping_and_bad_dtype():
    lin = Linear(1, 1)
    with pytest.raises(TypeError, match="expected a mapping"):
        lin.load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match="dtype mismatch for weight"):
        lin.load_state_dict({"weight": np.array([[1 + 2j]]), "bias": np.zeros(1)})


def test_buffers_round_trip_and_non_persistent_excluded():
    net = Net()
    net.steps.data[...] = 5
    other = Net()
    other.load_state_dict(net.state_dict())
    assert other.steps.tolist() == [5.0]
    assert "scratch" not in net.state_dict()


# ----- repr ---------------------------------------------------------------------------------------
def test_nested_repr_like_pytorch():
    model = Sequential(Linear(2, 4), ReLULike(), Sequential(Dropout(0.2), LayerNorm(4)), Identity())
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (1): ReLULike()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.2, inplace=False)\n"
        "    (1): LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)\n"
        "  )\n"
        "  (3): Identity()\n"
        ")"
    )


# ----- containers ---------------------------------------------------------------------------------
def test_sequential_with_plain_callables():
    manual_seed(0)
    model = Sequential(Linear(2, 4), ReLULike(), Linear(4, 1))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = Tensor([[1.0, -2.0], [0.5, 0.25]])
    with no_grad():
        h = np.maximum(x.data @ model[0].weight.data.T + model[0].bias.data, 0)
        expected = h @ model[2].weight.data.T + model[2].bias.data
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_with_module_02_activation_objects():
    activations = pytest.importorskip("tinytorch.activations")
    manual_seed(0)
    model = Sequential(Linear(2, 4), activations.ReLU(), Linear(4, 1), activations.Sigmoid())
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "(1): ReLU()" in repr(model) and len(list(model.children())) == 4
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    h = np.maximum(x @ model[0].weight.data.T + model[0].bias.data, 0)
    expected = 1 / (1 + np.exp(-(h @ model[2].weight.data.T + model[2].bias.data)))
    np.testing.assert_allclose(model(Tensor(x)).data, expected, rtol=1e-5)
    model.eval()
    assert not model.training and not model[0].training


def test_sequential_indexing_slicing_and_mutation():
    layers = [Linear(1, 1) for _ in range(4)]
    seq = Sequential(*layers)
    assert len(seq) == 4 and seq[-1] is layers[3] and list(seq) == layers
    head = seq[:2]
    assert isinstance(head, Sequential) and list(head) == layers[:2]
    with pytest.raises(IndexError, match="index 4 is out of range for length 4"):
        seq[4]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is layers[2]
    seq.append(Identity())
    seq[0] = Identity()
    assert len(seq) == 4 and isinstance(seq[0], Identity)
    with pytest.raises(TypeError, match="Modules or callables"):
        Sequential(Linear(1, 1), 5)


def test_sequential_from_ordered_dict():
    seq = Sequential(OrderedDict([("enc", Linear(2, 3)), ("act", ReLULike())]))
    assert [n for n, _ in seq.named_parameters()] == ["enc.weight", "enc.bias"]
    assert seq.enc is seq[0]


def test_module_list():
    blocks = ModuleList([Linear(2, 2), Linear(2, 2)])
    blocks.append(Linear(2, 3))
    blocks += [Identity()]
    blocks.insert(0, Identity())
    assert [type(b).__name__ for b in blocks] == ["Identity", "Linear", "Linear", "Linear", "Identity"]
    assert [n for n, _ in blocks.named_parameters()][:2] == ["1.weight", "1.bias"]
    del blocks[0]
    assert [n for n, _ in blocks.named_parameters()][:2] == ["0.weight", "0.bias"]
    assert isinstance(blocks[1:], ModuleList) and len(blocks[1:]) == 3

    class Stack(Module):
        def __init__(self):
            super().__init__()
            self.blocks = ModuleList([Linear(2, 2) for _ in range(3)])

    assert len(list(Stack().parameters())) == 6
    with pytest.raises(NotImplementedError, match="ModuleList has no forward"):
        blocks(Tensor([1.0]))
    with pytest.raises(TypeError, match="iterable of modules"):
        ModuleList(Linear(1, 1))


def test_identity_returns_input():
    x = Tensor([1.0])
    assert Identity(3, key="ignored")(x) is x


def test_deepcopy_gives_independent_parameters():
    model = Sequential(Linear(2, 3), LayerNorm(3))
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, Parameter) and clone[0].weight.requires_grad
    assert clone[0].weight is not model[0].weight
    np.testing.assert_array_equal(clone[0].weight.data, model[0].weight.data)
    clone[0].weight.data[...] = 0
    assert model[0].weight.data.any()
    assert list(clone.state_dict()) == list(model.state_dict())
