"""Careless inputs to the quantization parameters and to ``load``: clear errors naming the value."""

import pickle

import numpy as np
import pytest

from tinytorch.layers import Linear, Sequential
from tinytorch.quant import (
    MinMaxObserver, PercentileObserver, choose_qparams, dequantize, load, quantize_dynamic,
    quantize_per_channel, quantize_per_tensor, quantize_static, save,
)
from tinytorch.tensor import Tensor


def test_choose_qparams_refuses_an_inverted_range():
    with pytest.raises(ValueError, match="min_val 1.0 must not exceed max_val -1.0"):
        choose_qparams(1.0, -1.0)


@pytest.mark.parametrize("scale", [0.0, -0.5, float("nan"), float("inf")])
def test_quantize_per_tensor_refuses_a_scale_that_is_not_positive_and_finite(scale):
    with pytest.raises(ValueError, match=f"scale must be a finite number > 0, got {scale}"):
        quantize_per_tensor(np.ones(3, np.float32), scale, 0)


@pytest.mark.parametrize("zero_point", [300, -129, 0.5])
def test_quantize_per_tensor_refuses_a_zero_point_outside_int8(zero_point):
    # torch: RuntimeError "quantize_tensor_per_tensor_affine zero_point 300 is above upper bound."
    with pytest.raises(RuntimeError, match=f"zero_point {zero_point} is outside the int8 range"):
        quantize_per_tensor(np.ones(3, np.float32), 0.1, zero_point)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_quantize_per_tensor_refuses_values_int8_cannot_hold(bad):
    with pytest.raises(ValueError, match="NaN or infinity"):
        quantize_per_tensor(np.array([1.0, bad], np.float32), 0.1, 0)


def _template():
    return quantize_dynamic(Sequential(Linear(4, 3)))


def test_load_of_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(_template(), tmp_path / "missing.npz")


@pytest.mark.parametrize("kind", ["garbage", "pickle", "truncated", "plain npz", "npy"])
def test_load_of_a_foreign_or_damaged_file_is_a_value_error_naming_it(tmp_path, kind):
    path = tmp_path / "model.npz"
    if kind == "garbage":
        path.write_bytes(b"not a model at all")
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"weight": [1, 2]}))
    elif kind == "truncated":
        save(_template(), path)
        path.write_bytes(path.read_bytes()[:200])
    elif kind == "plain npz":
        with open(path, "wb") as f:
            np.savez(f, weight=np.ones(3))
    else:
        with open(path, "wb") as f:
            np.save(f, np.ones(3))
    model = _template()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=str(path)):
        load(model, path)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("axis", [2, -3, 5])
def test_quantize_per_channel_refuses_an_axis_out_of_range(axis):
    # torch: IndexError "Dimension out of range (expected to be in range of [-2, 1], but got 5)"
    with pytest.raises(IndexError, match=rf"expected to be in range of \[-2, 1\], but got {axis}"):
        quantize_per_channel(np.ones((2, 3), np.float32), axis=axis)


def test_quantize_per_channel_negative_axis_counts_from_the_end():
    w = np.array([[0.5, -1.0], [0.1, 0.2]], np.float32)
    q_last, s_last = quantize_per_channel(w, axis=-1)
    q_one, s_one = quantize_per_channel(w, axis=1)
    np.testing.assert_array_equal(q_last, q_one)
    np.testing.assert_array_equal(s_last, s_one)


def test_dequantize_refuses_bad_codes_scales_and_axes():
    codes = np.ones((2, 3), np.int8)
    with pytest.raises(IndexError, match="but got 5"):
        dequantize(codes, np.ones(2, np.float32), axis=5)
    with pytest.raises(ValueError, match=r"3 scales for 2 channels along axis 0 of codes of shape \(2, 3\)"):
        dequantize(codes, np.ones(3, np.float32), axis=0)
    with pytest.raises(ValueError, match="2 scales need an axis="):
        dequantize(codes, np.ones(2, np.float32))
    with pytest.raises(TypeError, match="dequantize expects integer codes, got dtype float32"):
        dequantize(np.ones(3, np.float32), 0.1)
    np.testing.assert_allclose(dequantize([1, 2], 0.5, 0), [0.5, 1.0])


def test_percentile_observer_refuses_a_percentile_that_is_no_number():
    with pytest.raises(TypeError, match="percentile must be a number in \\(50, 100\\], got 'a'"):
        PercentileObserver("a")


@pytest.mark.parametrize("observer", [3, MinMaxObserver()])
def test_quantize_static_wants_an_observer_factory(observer):
    model = Sequential(Linear(4, 3))
    with pytest.raises(TypeError, match="observer must make a new observer per layer"):
        quantize_static(model, [Tensor(np.ones((2, 4), np.float32))], observer=observer)


def test_save_into_a_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError, match="model.npz"):
        save(_template(), target)


def test_fuse_conv_bn_eval_needs_eval_mode_and_matching_channels():
    from tinytorch.quant import fuse_conv_bn_eval
    from tinytorch.spatial import BatchNorm2d, Conv2d

    with pytest.raises(AssertionError, match="Fusion only for eval!"):  # torch's class and words
        fuse_conv_bn_eval(Conv2d(1, 2, 3), BatchNorm2d(2))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\) cannot follow a Conv2d with 2 output channels"):
        fuse_conv_bn_eval(Conv2d(1, 2, 3).eval(), BatchNorm2d(3).eval())


def test_quantize_dynamic_still_folds_a_model_left_in_training_mode():
    from tinytorch.spatial import BatchNorm2d, Conv2d

    q = quantize_dynamic(Sequential(Conv2d(1, 2, 3), BatchNorm2d(2)))
    assert type(q[1]).__name__ == "Identity"
