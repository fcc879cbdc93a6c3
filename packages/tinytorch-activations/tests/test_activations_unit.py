import doctest
import math
import warnings

import numpy as np
import pytest

import tinytorch.activations as A
from tinytorch.activations import (
    GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, gelu, log_softmax, ops, relu, sigmoid, softmax,
    tanh,
)
from tinytorch.tensor import Tensor
from tinytorch.tensor import ops as tensor_ops


@pytest.fixture
def strict_numpy():
    """Any overflow, division by zero, invalid value or warning fails the test.

    Underflow to 0 stays allowed: it is the correct float result (NumPy's default ignores it too).
    """
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_doctests_pass():
    result = doctest.testmod(A.activations)
    assert result.attempted > 0 and result.failed == 0


def test_relu_values():
    np.testing.assert_array_equal(relu(Tensor([-2.0, -0.0, 0.5, 3.0])).data, [0, 0, 0.5, 3])


def test_relu_keeps_int_dtype_and_refuses_bool():
    assert relu(Tensor([-3, 4])).dtype == np.int64
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        relu(Tensor([True, False]))


def test_sigmoid_values():
    x = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(sigmoid(Tensor(x)).data, 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_sigmoid_keeps_relative_precision_in_the_negative_tail():
    # sigmoid(-30) = 9.357622968839299e-14; 1 - sigmoid(30) would round to 0 in float64 arithmetic
    np.testing.assert_allclose(sigmoid(Tensor(np.array([-30.0]))).data, [9.357622968839299e-14],
                               rtol=1e-14)


def test_tanh_records_the_tensor_kernel():
    x = Tensor([0.5], requires_grad=True)
    assert tanh(x).grad_fn.fn is tensor_ops.tanh
    np.testing.assert_allclose(tanh(Tensor([0.5])).data, [math.tanh(0.5)], rtol=1e-6)


def test_gelu_exact_values():
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    # erfc keeps the relative precision that 1 + erf(x) loses for negative x
    expected = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    np.testing.assert_allclose(gelu(Tensor(x)).data, expected, rtol=3e-14, atol=0)


def test_ndtr_matches_math_erfc_in_both_tails():
    x = np.linspace(-37, 37, 20001)
    expected = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    got = ops.ndtr(x)
    inner = np.abs(x) < 8
    np.testing.assert_allclose(got[inner], expected[inner], rtol=3e-14, atol=0)
    np.testing.assert_allclose(got, expected, rtol=5e-10, atol=0)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(ops.ndtr(x32), expected, rtol=0, atol=2e-7)
    np.testing.assert_array_equal(ops.ndtr(np.array([-np.inf, np.inf])), [0.0, 1.0])


def test_gelu_tanh_values():
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    c = math.sqrt(2 / math.pi)
    expected = [0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v**3))) for v in x]
    np.testing.assert_allclose(gelu(Tensor(x), approximate="tanh").data, expected, rtol=1e-14)


def test_erf_matches_math_erf_in_float64():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 7, 2001)])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ops.erf(x), expected, rtol=2e-15, atol=0)


def test_erf_float32_is_float32_accurate():
    x = np.linspace(-7, 7, 20001, dtype=np.float32)
    expected = np.array([math.erf(v) for v in x.astype(np.float64)])
    got = ops.erf(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=2.5e-7)


def test_erf_special_values():
    np.testing.assert_array_equal(ops.erf(np.array([0.0, np.inf, -np.inf, 10.0])), [0, 1, -1, 1])
    assert np.isnan(ops.erf(np.array([np.nan]))[0])
    assert ops.erf(np.float64(0.5)).shape == ()


def test_softmax_values():
    out = softmax(Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), dim=1)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(out.data[0], e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(out.data[1], [1 / 3] * 3, rtol=1e-6)


def test_softmax_negative_and_positive_dim_agree():
    x = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7)
    for pos, neg in ((0, -3), (1, -2), (2, -1)):
        np.testing.assert_array_equal(softmax(x, pos).data, softmax(x, neg).data)
        np.testing.assert_array_equal(log_softmax(x, pos).data, log_softmax(x, neg).data)


def test_softmax_of_a_scalar_is_one():
    assert softmax(Tensor(5.0), 0).item() == 1.0
    assert log_softmax(Tensor(5.0), -1).item() == 0.0
    assert softmax(Tensor(5.0), 0).shape == ()


def test_softmax_with_minus_inf_entries_gives_zero_weight(strict_numpy):
    x = Tensor([[0.0, -np.inf, 0.0]])
    np.testing.assert_array_equal(softmax(x, -1).data, [[0.5, 0.0, 0.5]])


def test_naive_softmax_overflows_where_the_stable_one_does_not(strict_numpy):
    # the systems insight of this module: exp overflows float32 just above x = 88.72
    x = np.array([0.0, 89.0], dtype=np.float32)
    with pytest.raises(FloatingPointError):
        np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(softmax(Tensor(x), 0).data, [np.exp(-89.0), 1.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_large_inputs_raise_no_floating_point_warnings(strict_numpy, dtype, scale):
    x = np.array([[-1.0, 0.75, 1.0, 0.5], [1.0, -1.0, -0.25, -0.5]], dtype=dtype) * scale
    t = Tensor(x)
    for out in (relu(t), sigmoid(t), tanh(t), gelu(t), gelu(t, approximate="tanh"),
                softmax(t, -1), log_softmax(t, -1), softmax(t, 0), log_softmax(t, 0)):
        assert out.dtype == dtype
        assert np.isfinite(out.data).all()
    with np.errstate(over="ignore"):  # the reference overflows to 1 / inf = 0, which is right
        expected = 1 / (1 + np.exp(-x.astype(np.float64)))
    np.testing.assert_allclose(sigmoid(t).data, expected, rtol=1e-6, atol=1e-38)
    # GELU(x) = x for large positive x, 0 for large negative x
    np.testing.assert_allclose(gelu(t).data, np.maximum(x, 0), rtol=1e-7, atol=1e-20)
    lsm = log_softmax(t, -1).data
    np.testing.assert_allclose(lsm, x - x.max(-1, keepdims=True), atol=1e-6 * scale)


@pytest.mark.parametrize("fn", [relu, sigmoid, tanh, gelu])
def test_elementwise_ops_keep_dtype_and_shape(fn):
    for dtype in (np.float32, np.float64):
        x = Tensor(np.zeros((2, 0, 3), dtype=dtype))
        assert fn(x).shape == (2, 0, 3) and fn(x).dtype == dtype
        y = Tensor(np.array(0.25, dtype=dtype))
        assert fn(y).shape == () and fn(y).dtype == dtype


def test_integer_inputs_become_float32_or_are_refused_like_torch():
    x = Tensor([0, 1])
    for out in (sigmoid(x), tanh(x)):
        assert out.dtype == np.float32
    for fn in (gelu, lambda v: softmax(v, 0), lambda v: log_softmax(v, 0)):
        for bad in (x, Tensor([True, False])):
            with pytest.raises(NotImplementedError, match="not implemented for dtype"):
                fn(bad)


def test_kernels_do_not_modify_their_input():
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    before = x.copy()
    for kernel, attrs in ((ops.relu, {}), (ops.sigmoid, {}), (ops.gelu, {}),
                          (ops.gelu, {"approximate": "tanh"}), (ops.softmax, {"dim": 1}),
                          (ops.log_softmax, {"dim": 0})):
        out = kernel(x, **attrs)
        assert out is not x
        np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("fn, kernel, attrs", [
    (relu, ops.relu, {}), (sigmoid, ops.sigmoid, {}),
    (lambda x: gelu(x, approximate="tanh"), ops.gelu, {"approximate": "tanh"}),
    (lambda x: softmax(x, -1), ops.softmax, {"dim": -1}),
    (lambda x: log_softmax(x, 1), ops.log_softmax, {"dim": 1}),
])
def test_ops_are_recorded_with_their_kernel_and_attrs(fn, kernel, attrs):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    out = fn(x)
    assert out.requires_grad
    assert out.grad_fn.fn is kernel
    assert out.grad_fn.attrs == attrs
    assert out.grad_fn.inputs[0] is x


def test_every_listed_kernel_exists():
    assert set(ops.__all__) == {"relu", "sigmoid", "gelu", "softmax", "log_softmax"}
    assert all(callable(getattr(ops, name)) for name in ops.__all__)


def test_classes_call_forward_and_match_functions():
    x = Tensor(np.linspace(-2, 2, 8).reshape(2, 4))
    pairs = [
        (ReLU(), relu(x)), (Sigmoid(), sigmoid(x)), (Tanh(), tanh(x)), (GELU(), gelu(x)),
        (GELU("tanh"), gelu(x, approximate="tanh")), (Softmax(0), softmax(x, 0)),
        (LogSoftmax(dim=-1), log_softmax(x, -1)),
    ]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).data, expected.data)
        np.testing.assert_array_equal(module.forward(x).data, expected.data)


def test_reprs():
    assert repr(ReLU()) == "ReLU()"
    assert repr(Sigmoid()) == "Sigmoid()"
    assert repr(Tanh()) == "Tanh()"
    assert repr(GELU()) == "GELU(approximate='none')"
    assert repr(GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(LogSoftmax(-1)) == "LogSoftmax(dim=-1)"


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="expects a Tensor, got list"):
        relu([1.0, 2.0])
    with pytest.raises(TypeError, match="expects a Tensor, got ndarray"):
        softmax(np.ones(3), 0)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'erf'"):
        gelu(Tensor([1.0]), approximate="erf")
    with pytest.raises(ValueError, match="got 'fast'"):
        GELU("fast")
    with pytest.raises(IndexError, match=r"dim 2 is out of range .* 2 dims .*\[-2, 1\]"):
        softmax(Tensor(np.ones((2, 3))), 2)
    with pytest.raises(IndexError, match="dim -3"):
        log_softmax(Tensor(np.ones((2, 3))), -3)
    with pytest.raises(TypeError, match="needs an int dim, got None"):
        softmax(Tensor([1.0]), None)
    with pytest.raises(TypeError, match="needs an int dim, got 1.0"):
        Softmax(1.0)
    with pytest.raises(TypeError, match="needs an int dim"):
        LogSoftmax(dim=True)


def test_softmax_and_log_softmax_of_an_empty_tensor_are_empty():
    from tinytorch.activations import log_softmax, softmax
    for fn in (softmax, log_softmax):
        for dim in (0, 1, -1):
            out = fn(Tensor(np.zeros((2, 0), np.float32)), dim)
            assert out.shape == (2, 0) and out.dtype == np.float32


def _gelu_reference(x):
    """a Phi(a) in float64 from math.erfc (relative precision in both tails)."""
    return np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(np.float64)])


def test_float32_gelu_is_float32_accurate():
    # the float32 path (relu(a) - |a| Phi(-|a|), one exp): measured max abs error 2.4e-7,
    # relative 3.7e-7 for a >= 0 and 2.3e-6 down to a = -10 (torch's float32 gelu: 3.8e-7 abs,
    # 4.7e-7 for a >= 0, and no relative precision left at a = -10)
    x = np.concatenate([np.linspace(-14, 14, 56001),
                        np.random.default_rng(0).standard_normal(20000)]).astype(np.float32)
    got = gelu(Tensor(x)).data
    assert got.dtype == np.float32
    expected = _gelu_reference(x)
    np.testing.assert_allclose(got, expected, rtol=0, atol=3e-7)
    np.testing.assert_allclose(got[x >= 0], expected[x >= 0], rtol=5e-7, atol=0)
    np.testing.assert_allclose(got[x > -10], expected[x > -10], rtol=4e-6, atol=1e-44)


@pytest.mark.parametrize("extra",
                         [[], [16.0], [-16.0], [np.inf], [-np.inf], [np.nan], [3e38, -3e38]])
def test_float32_gelu_edges_and_the_rare_path(strict_numpy, extra):
    # one entry with |a| >= 16, inf or nan sends the whole array through the clamped path
    x = np.concatenate([np.linspace(-20, 20, 801), [0.0, -0.0, 1e-45, -1e-45, 1e-38, -1e-38],
                        extra]).astype(np.float32)
    with np.errstate(invalid="ignore"):  # nan in the input compares as nan
        got = gelu(Tensor(x)).data
    finite = np.isfinite(x)
    np.testing.assert_allclose(got[finite], _gelu_reference(x[finite]), rtol=4e-6, atol=3e-7)
    assert np.isnan(got[np.isnan(x)]).all()
    assert np.isnan(got[x == -np.inf]).all()  # -inf * Phi(-inf) = -inf * 0, as in PyTorch
    assert (got[x == np.inf] == np.inf).all()
    tiny = got[801:807]  # gelu(a) = a / 2 near 0, with its sign
    np.testing.assert_array_equal(tiny[:2], [0.0, 0.0])
    np.testing.assert_allclose(tiny[4:], x[805:807] / 2, rtol=1e-6)
