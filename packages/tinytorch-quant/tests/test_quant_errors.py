"""Careless inputs to the quantization parameters and to ``load``: clear errors naming the value."""

import pickle

import numpy as np
import pytest

from tinytorch.layers import Linear, Sequential
from tinytorch.quant import choose_qparams, load, quantize_dynamic, quantize_per_tensor, save


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
