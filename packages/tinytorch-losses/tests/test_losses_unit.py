import doctest
import math
import warnings

import numpy as np
import pytest

import tinytorch.losses as L
from tinytorch.activations import log_softmax
from tinytorch.losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, binary_cross_entropy,
    binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss, ops,
)
from tinytorch.tensor import Tensor


@pytest.fixture
def strict_numpy():
    """Overflow, division by zero, invalid values and warnings fail the test (underflow is fine)."""
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_doctests_pass():
    result = doctest.testmod(L.losses)
    assert result.attempted > 0 and result.failed == 0


def test_every_listed_kernel_exists():
    assert set(ops.__all__) == {"mse_loss", "cross_entropy", "binary_cross_entropy",
                                "binary_cross_entropy_with_logits"}


def test_mse_by_hand():
    x, y = Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[0.0, 2.0], [5.0, 4.0]])
    assert mse_loss(x, y).item() == pytest.approx(5 / 4)
    assert mse_loss(x, y, reduction="sum").item() == 5
    np.testing.assert_array_equal(mse_loss(x, y, reduction="none").data, [[1, 0], [4, 0]])
    assert MSELoss(reduction="sum")(x, y).item() == 5


def test_mse_promotes_float32_and_float64():
    out = mse_loss(Tensor(np.ones(3, np.float32)), Tensor(np.zeros(3)))
    assert out.dtype == np.float64


def test_cross_entropy_by_hand():
    logits = Tensor([[0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]])
    target = Tensor([3, 0])
    per = [math.log(4), math.log(1 + 3 * math.exp(-2))]
    np.testing.assert_allclose(cross_entropy(logits, target, reduction="none").data, per, rtol=1e-6)
    assert cross_entropy(logits, target).item() == pytest.approx(sum(per) / 2, rel=1e-6)
    assert cross_entropy(logits, target, reduction="sum").item() == pytest.approx(sum(per), rel=1e-6)


def test_label_smoothing_formula_by_hand():
    # (1 - eps) * nll + eps / C * sum_c (-log p_c), PyTorch's definition
    x = np.array([[1.0, 2.0, 0.5]])
    logp = x - np.log(np.exp(x).sum())
    eps = 0.2
    expected = (1 - eps) * -logp[0, 1] + eps / 3 * -logp.sum()
    got = cross_entropy(Tensor(x), Tensor([1]), label_smoothing=eps).item()
    assert got == pytest.approx(expected, rel=1e-12)


def test_ignore_index_is_left_out_of_the_mean():
    logits = Tensor(np.random.default_rng(0).standard_normal((4, 3)))
    full = cross_entropy(logits, Tensor([0, 1, 2, 1]), reduction="none").data
    got = cross_entropy(logits, Tensor([0, -100, 2, -100]))
    assert got.item() == pytest.approx((full[0] + full[2]) / 2, rel=1e-12)
    got = cross_entropy(logits, Tensor([0, 7, 2, 7]), ignore_index=7, reduction="none")
    np.testing.assert_array_equal(got.data, [full[0], 0, full[2], 0])


def test_all_targets_ignored_gives_nan_without_warnings(strict_numpy):
    logits = Tensor(np.zeros((2, 3)))
    assert math.isnan(cross_entropy(logits, Tensor([-100, -100])).item())
    assert math.isnan(nll_loss(logits, Tensor([-100, -100])).item())
    assert cross_entropy(logits, Tensor([-100, -100]), reduction="sum").item() == 0


def test_cross_entropy_spatial_and_unbatched_shapes():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 3, 4))  # (N, C, H, W)
    t = rng.integers(0, 5, (2, 3, 4))
    per = cross_entropy(Tensor(x), Tensor(t), reduction="none")
    assert per.shape == (2, 3, 4)
    flat = cross_entropy(Tensor(np.moveaxis(x, 1, -1).reshape(-1, 5)), Tensor(t.reshape(-1)),
                         reduction="none")
    np.testing.assert_allclose(per.data.reshape(-1), flat.data, rtol=1e-12)
    single = cross_entropy(Tensor(x[0, :, 0, 0]), Tensor(np.int64(t[0, 0, 0])))
    assert single.shape == () and single.item() == pytest.approx(per.data[0, 0, 0], rel=1e-12)


def test_nll_of_log_softmax_equals_cross_entropy():
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((6, 4)))
    t = Tensor(np.array([0, 3, -100, 1, 2, 2]))
    for reduction in ("none", "mean", "sum"):
        np.testing.assert_allclose(nll_loss(log_softmax(x, 1), t, reduction=reduction).data,
                                   cross_entropy(x, t, reduction=reduction).data, rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits(strict_numpy):
    for dtype in (np.float32, np.float64):
        x = Tensor(np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]], dtype=dtype))
        out = cross_entropy(x, Tensor([1, 2]), reduction="none")
        assert out.dtype == dtype
        np.testing.assert_allclose(out.data, [2e4, math.log(2)], rtol=1e-6)


def test_bce_by_hand_and_log_clamp(strict_numpy):
    p, y = Tensor([0.25, 0.9, 0.0, 1.0]), Tensor([1.0, 0.0, 1.0, 1.0])
    out = binary_cross_entropy(p, y, reduction="none").data
    np.testing.assert_allclose(out, [-math.log(0.25), -math.log(0.1), 100.0, 0.0], rtol=1e-6)
    w = Tensor([2.0, 1.0, 0.0, 1.0])
    assert binary_cross_entropy(p, y, w, reduction="sum").item() == pytest.approx(
        -2 * math.log(0.25) - math.log(0.1), rel=1e-6)


def test_bce_with_logits_equals_bce_of_sigmoid():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3)) * 3
    y = rng.random((5, 3))
    pw = np.array([1.0, 2.0, 0.5])
    p = 1 / (1 + np.exp(-x))
    expected = -(pw * y * np.log(p) + (1 - y) * np.log(1 - p))
    got = binary_cross_entropy_with_logits(Tensor(x), Tensor(y), pos_weight=Tensor(pw),
                                           reduction="none")
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    np.testing.assert_allclose(binary_cross_entropy(Tensor(p), Tensor(y), reduction="none").data,
                               -(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-12)


def test_bce_with_logits_is_stable_where_the_naive_form_is_not(strict_numpy):
    x, y = np.array([-1000.0, 1000.0, 50.0]), np.array([1.0, 0.0, 1.0])
    with pytest.raises(FloatingPointError):
        -(y * np.log(1 / (1 + np.exp(-x))))  # exp(1000) overflows
    got = binary_cross_entropy_with_logits(Tensor(x), Tensor(y), reduction="none").data
    np.testing.assert_allclose(got, [1000.0, 1000.0, math.log1p(math.exp(-50))], rtol=1e-12)


def test_ops_are_recorded_with_targets_as_attrs():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    out = cross_entropy(x, Tensor([0, 2]), label_smoothing=0.1)
    assert out.grad_fn.fn is ops.cross_entropy
    assert out.grad_fn.inputs == (x,)
    np.testing.assert_array_equal(out.grad_fn.attrs["target"], [0, 2])
    y = Tensor(np.ones((2, 3)), requires_grad=True)
    assert mse_loss(x, y).grad_fn.inputs == (x, y)
    assert binary_cross_entropy_with_logits(x, y).grad_fn.inputs == (x, y)
    p = Tensor(np.full((2, 3), 0.5), requires_grad=True)
    node = binary_cross_entropy(p, Tensor(np.ones((2, 3)))).grad_fn
    assert node.fn is ops.binary_cross_entropy and node.inputs == (p,)


def test_kernels_do_not_modify_their_inputs():
    rng = np.random.default_rng(4)
    x, y = rng.random((3, 4)), rng.random((3, 4))
    x0, y0 = x.copy(), y.copy()
    ops.mse_loss(x, y)
    ops.cross_entropy(x, target=np.array([0, 1, 3]), label_smoothing=0.1)
    ops.binary_cross_entropy(x, target=y)
    ops.binary_cross_entropy_with_logits(x, y, pos_weight=np.ones(4) * 2)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_reprs():
    assert repr(MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(CrossEntropyLoss(ignore_index=0)) == (
        "CrossEntropyLoss(ignore_index=0, reduction='mean', label_smoothing=0.0)")
    assert repr(NLLLoss(reduction="sum")) == "NLLLoss(ignore_index=-100, reduction='sum')"
    assert repr(BCELoss()) == "BCELoss(reduction='mean')"
    assert repr(BCEWithLogitsLoss(reduction="none")) == "BCEWithLogitsLoss(reduction='none')"


def test_error_out_of_range_targets_name_the_values_and_range():
    x = Tensor(np.zeros((4, 3)))
    with pytest.raises(IndexError, match=r"target values \[-1, 3\] are out of range for 3 classes "
                                         r"\(expected 0 <= target < 3, or ignore_index=-100\)"):
        cross_entropy(x, Tensor([0, 3, -1, 3]))
    with pytest.raises(IndexError, match=r"\[5\]"):
        nll_loss(x, Tensor([0, 5, 1, 1]))


def test_error_float_targets_explain_class_indices():
    with pytest.raises(TypeError, match="integer class indices .* got dtype float32; "
                                        r"class-probability targets must be floating point with "
                                        r"the input's shape \(2, 3\)"):
        cross_entropy(Tensor(np.zeros((2, 3))), Tensor([0.0, 1.0]))


def test_error_shape_mismatches_name_both_shapes():
    with pytest.raises(ValueError, match=r"target shape \(3,\) must equal input shape \(3, 1\)"):
        mse_loss(Tensor(np.zeros((3, 1))), Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match=r"target shape \(2, 3\) does not match input shape "
                                         r"\(2, 5\) \(expected target shape \(2,\)"):
        cross_entropy(Tensor(np.zeros((2, 5))), Tensor(np.zeros((2, 3), np.int64)))
    with pytest.raises(ValueError, match=r"\(4,\) must equal input shape \(2, 2\)"):
        binary_cross_entropy(Tensor(np.full((2, 2), 0.5)), Tensor(np.zeros(4)))
    with pytest.raises(ValueError, match=r"\(4,\) must equal input shape \(2, 2\)"):
        binary_cross_entropy_with_logits(Tensor(np.zeros((2, 2))), Tensor(np.zeros(4)))
    with pytest.raises(RuntimeError, match=r"pos_weight of shape \(3,\) does not broadcast"):
        binary_cross_entropy_with_logits(Tensor(np.zeros((2, 2))), Tensor(np.zeros((2, 2))),
                                         pos_weight=Tensor([1.0, 2.0, 3.0]))


def test_error_bad_reduction_and_options():
    for call in (lambda: mse_loss(Tensor([1.0]), Tensor([1.0]), reduction="avg"),
                 lambda: CrossEntropyLoss(reduction="avg"),
                 lambda: BCEWithLogitsLoss(reduction="avg")):
        with pytest.raises(ValueError, match="reduction must be 'none', 'mean' or 'sum', got 'avg'"):
            call()
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\], got 1.5"):
        cross_entropy(Tensor(np.zeros((1, 2))), Tensor([0]), label_smoothing=1.5)


def test_error_bce_input_outside_zero_one():
    with pytest.raises(RuntimeError, match=r"elements of input should be between 0 and 1, got "
                                           r"values in \[-0.5, 2.0\]"):
        binary_cross_entropy(Tensor([-0.5, 2.0]), Tensor([0.0, 1.0]))


def test_error_non_tensor_and_integer_inputs():
    with pytest.raises(TypeError, match="input must be a Tensor, got list"):
        mse_loss([1.0], Tensor([1.0]))
    with pytest.raises(TypeError, match="target must be a Tensor, got ndarray"):
        cross_entropy(Tensor(np.zeros((1, 2))), np.array([0]))
    with pytest.raises(TypeError, match="floating point tensor, got dtype int64"):
        cross_entropy(Tensor([[1, 2]]), Tensor([0]))
