"""Hand-checkable tests of quantization parameters, the int8 kernels and the quantized modules."""

import os

import numpy as np
import pytest

from tinytorch.layers import Linear, Sequential
from tinytorch.quant import (
    MinMaxObserver, PercentileObserver, QuantizedConv2d, QuantizedLinear, choose_qparams,
    dequantize, int8_matmul, int8_matmul_reference, load, model_bytes, quantize_dynamic,
    quantize_per_channel, quantize_per_tensor, quantize_static, save,
)
from tinytorch.spatial import Conv2d
from tinytorch.tensor import Tensor, manual_seed, no_grad, randn

from quant_models import mnist_cnn, mnist_mlp


def test_per_channel_weights_are_int8_with_float32_scales():
    w = np.array([[0.0, 0.5, -1.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], np.float32)
    q, s = quantize_per_channel(w)
    assert q.dtype == np.int8 and s.dtype == np.float32
    np.testing.assert_array_equal(q, [[0, 64, -127], [127, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(s, [1 / 127, 2 / 127, 1.0], rtol=1e-6)
    # the error of every element is at most half a step of its row
    assert (np.abs(dequantize(q, s, axis=0) - w) <= s[:, None] / 2 + 1e-7).all()


def test_per_channel_rejects_bad_weights():
    with pytest.raises(TypeError, match="floating point weight, got dtype int64"):
        quantize_per_channel(np.ones((2, 2), np.int64))
    with pytest.raises(ValueError, match="NaN or infinity"):
        quantize_per_channel(np.array([[np.nan]], np.float32))


def test_affine_activation_qparams_keep_zero_exact():
    for lo, hi in [(-1.0, 3.0), (0.5, 2.0), (-4.0, -1.0), (0.0, 0.0)]:
        scale, zp = choose_qparams(lo, hi)
        assert -128 <= zp <= 127
        assert dequantize(quantize_per_tensor(np.float32(0.0), scale, zp), scale, zp) == 0.0
    scale, zp = choose_qparams(-1.0, 3.0)
    x = np.linspace(-1, 3, 101, dtype=np.float32)
    assert np.abs(dequantize(quantize_per_tensor(x, scale, zp), scale, zp) - x).max() <= scale / 2 + 1e-6
    with pytest.raises(ValueError, match="must be finite"):
        choose_qparams(0.0, float("inf"))


def test_observers():
    mm = MinMaxObserver()
    with pytest.raises(RuntimeError, match="has seen no data"):
        mm.calculate_qparams()
    mm(np.array([0.0, 1.0]))
    mm(np.array([-2.0]))
    assert (mm.min_val, mm.max_val) == (-2.0, 1.0)
    pct = PercentileObserver(99.0)
    x = np.r_[np.linspace(0, 1, 9_999), 1000.0]
    pct(x)
    mm2 = MinMaxObserver()
    mm2(x)
    assert pct.calculate_qparams()[0] < mm2.calculate_qparams()[0] / 100  # the outlier ignored
    with pytest.raises(ValueError, match="percentile must be in"):
        PercentileObserver(30)
    with pytest.raises(ValueError, match="NaN"):
        MinMaxObserver()(np.array([np.nan]))


def test_int8_matmul_by_hand_and_extremes():
    a = np.full((2, 3000), -128, np.int8)  # three K chunks, |sum| = 3000 * 2^14 > 2^24
    b = np.full((3000, 2), -128, np.int8)
    np.testing.assert_array_equal(int8_matmul(a, b), np.full((2, 2), 3000 * 128 * 128, np.int32))
    assert int8_matmul(a, b).dtype == np.int32


def test_int8_matmul_errors():
    a = np.ones((2, 3), np.int8)
    with pytest.raises(TypeError, match="b must be an int8 ndarray, got float32"):
        int8_matmul(a, np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match=r"expected \(M, K\) @ \(K, N\), got \(2, 3\) @ \(2, 2\)"):
        int8_matmul(a, np.ones((2, 2), np.int8))
    with pytest.raises(TypeError, match="a must be an int8 ndarray, got list"):
        int8_matmul_reference([[1]], np.ones((1, 1), np.int8))


def test_quantized_linear_close_to_float_and_state_dict_holds_int8():
    manual_seed(0)
    layer = Linear(64, 32)
    q = QuantizedLinear.from_float(layer)
    state = q.state_dict()
    assert state["qweight"].dtype == np.int8 and state["qweight"].shape == (32, 64)
    assert "weight" not in state  # the float weight is gone; .weight dequantizes on demand
    np.testing.assert_allclose(q.weight.data, layer.weight.data, atol=float(q.weight_scale.data.max()) / 2 + 1e-7)
    assert state["weight_scale"].dtype == np.float32 and state["bias"].dtype == np.float32
    x = randn(8, 5, 64)
    with no_grad():
        ref = layer(x).data
    out = q(x).data
    assert out.shape == (8, 5, 32) and out.dtype == np.float32
    assert np.abs(out - ref).max() < 0.02 * np.abs(ref).max()


def test_quantized_linear_is_exact_on_representable_values():
    # Weights that are multiples of their row scale and an input on the int8 grid: no rounding
    # happens, so the integer path must reproduce the float product exactly.
    w = np.array([[127, -64, 0], [1, -127, 3]], np.float32) * np.float32(0.5)  # scale 0.5 per row
    layer = Linear(3, 2)
    layer.weight.data[...] = w
    layer.bias.data[...] = 0
    q = QuantizedLinear.from_float(layer, activation=(0.25, 0))
    x = np.array([[4.0, -8.0, 1.25]], np.float32)
    np.testing.assert_allclose(q(Tensor(x)).data, x @ w.T, rtol=1e-6)


def test_quantized_modules_reject_bad_inputs():
    q = QuantizedLinear.from_float(Linear(4, 2))
    with pytest.raises(ValueError, match=r"input of shape \(3, 5\) does not match in_features=4"):
        q(randn(3, 5))
    with pytest.raises(TypeError, match="floating point input, got dtype int64"):
        q(Tensor([[1, 2, 3, 4]]))
    with pytest.raises(ValueError, match="NaN or infinity"):
        q(Tensor([[np.nan, 0, 0, 0]]))
    with pytest.raises(TypeError, match="expects a Linear, got Conv2d"):
        QuantizedLinear.from_float(Conv2d(1, 1, 1))
    c = QuantizedConv2d.from_float(Conv2d(3, 4, 3))
    with pytest.raises(ValueError, match=r"expected input \(N, 3, H, W\), got shape \(2, 2, 8, 8\)"):
        c(randn(2, 2, 8, 8))


@pytest.mark.parametrize("kwargs", [dict(), dict(padding=2, stride=2), dict(padding="same", dilation=2),
                                    dict(bias=False, padding="valid")])
def test_quantized_conv_close_to_float(kwargs):
    manual_seed(1)
    conv = Conv2d(3, 8, 3, **kwargs)
    q = QuantizedConv2d.from_float(conv)
    x = randn(2, 3, 11, 9)
    with no_grad():
        ref = conv(x).data
    out = q(x).data
    assert out.shape == ref.shape
    assert np.abs(out - ref).max() < 0.03 * np.abs(ref).max()


def test_quantize_dynamic_returns_a_copy_and_leaves_float_model_untouched():
    manual_seed(0)
    model = mnist_cnn()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    q = quantize_dynamic(model)
    assert [type(m).__name__ for m in model.modules()].count("Conv2d") == 2
    kinds = [type(m).__name__ for m in q.modules()]
    assert kinds.count("QuantizedConv2d") == 2 and kinds.count("QuantizedLinear") == 2
    assert "Conv2d" not in kinds and "Linear" not in kinds
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    assert q.state_dict()["0.qweight"].dtype == np.int8
    only_linear = quantize_dynamic(model, {Linear})
    assert [type(m).__name__ for m in only_linear.modules()].count("Conv2d") == 2
    with pytest.raises(ValueError, match="int8 only"):
        quantize_dynamic(model, dtype=np.int16)
    with pytest.raises(ValueError, match="Linear and Conv2d only"):
        quantize_dynamic(model, {Sequential})
    assert isinstance(quantize_dynamic(Linear(3, 2)), QuantizedLinear)


def test_size_ratio_of_arrays_and_files(tmp_path):
    for build in (mnist_mlp, mnist_cnn):
        model = build()
        q = quantize_dynamic(model)
        assert model_bytes(model) / model_bytes(q) >= 3.9
        float_file = save(model, tmp_path / "float.npz")
        q_file = save(q, tmp_path / "q.npz")
        assert float_file == os.path.getsize(tmp_path / "float.npz")
        assert float_file / q_file >= 3.9


def test_save_load_round_trip_is_exact_and_atomic(tmp_path):
    manual_seed(0)
    model = mnist_mlp()
    q = quantize_dynamic(model)
    path = tmp_path / "q.npz"
    save(q, path)
    assert sorted(os.listdir(tmp_path)) == ["q.npz"]
    manual_seed(1)
    fresh = load(quantize_dynamic(mnist_mlp()), path)
    x = randn(4, 1, 28, 28)
    np.testing.assert_array_equal(fresh(x).data, q(x).data)
    for k, v in q.state_dict().items():
        assert fresh.state_dict()[k].dtype == v.dtype


def test_load_is_all_or_nothing(tmp_path):
    q = quantize_dynamic(Sequential(Linear(4, 3), Linear(3, 2)))
    save(q, tmp_path / "q.npz")
    save(Sequential(Linear(4, 3), Linear(3, 2)), tmp_path / "float.npz")  # float weights
    target = quantize_dynamic(Sequential(Linear(4, 3), Linear(3, 2)))
    before = {k: v.copy() for k, v in target.state_dict().items()}
    with pytest.raises(RuntimeError, match='Missing key.*"0.qweight"'):
        load(target, tmp_path / "float.npz")
    widened = quantize_dynamic(Sequential(Linear(4, 3), Linear(3, 2)))
    widened[0].qweight.data = widened[0].qweight.data.astype(np.float32)  # a file with float codes
    save(widened, tmp_path / "f.npz")
    with pytest.raises(RuntimeError, match="dtype mismatch for 0.qweight: file has float32, model has int8"):
        load(target, tmp_path / "f.npz")
    with pytest.raises(RuntimeError, match="size mismatch"):
        load(quantize_dynamic(Sequential(Linear(4, 5), Linear(5, 2))), tmp_path / "q.npz")
    for k, v in target.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    np.savez(tmp_path / "other.npz", a=np.ones(2))
    with pytest.raises(ValueError, match="not a tinytorch-quant-state"):
        load(target, tmp_path / "other.npz")


def test_quantize_static_uses_calibrated_ranges():
    manual_seed(0)
    model = Sequential(Linear(8, 16), Linear(16, 4))
    batches = [randn(32, 8) for _ in range(4)]
    q = quantize_static(model, batches)
    assert q[0].mode == "static" and q[1].mode == "static"
    obs = MinMaxObserver()
    for b in batches:
        obs(b.data)
    scale, zp = obs.calculate_qparams()
    assert float(q[0].input_scale.data) == pytest.approx(scale) and int(q[0].input_zero_point.data) == zp
    with no_grad():
        ref = model(batches[0]).data
    assert np.abs(q(batches[0]).data - ref).max() < 0.03 * np.abs(ref).max()
    pct = quantize_static(model, batches, observer=lambda: PercentileObserver(99.0))
    assert float(pct[0].input_scale.data) < scale
    with pytest.raises(ValueError, match="gave no batches"):
        quantize_static(model, [])


def test_fuse_conv_bn_eval_equals_conv_then_batchnorm():
    from tinytorch.spatial import BatchNorm2d

    manual_seed(2)
    conv, bn = Conv2d(3, 5, 3, padding=1, bias=False), BatchNorm2d(5)
    for _ in range(3):  # give the running statistics something to hold
        bn(conv(randn(4, 3, 6, 6) * 2 + 1))
    bn.weight.data[...] = np.linspace(0.5, 2, 5)
    bn.bias.data[...] = np.linspace(-1, 1, 5)
    conv.eval(), bn.eval()
    x = randn(2, 3, 6, 6)
    from tinytorch.quant import fuse_conv_bn_eval

    with no_grad():
        np.testing.assert_allclose(fuse_conv_bn_eval(conv, bn)(x).data, bn(conv(x)).data, rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match=r"expects \(Conv2d, BatchNorm2d\), got \(Linear, BatchNorm2d\)"):
        fuse_conv_bn_eval(Linear(2, 2), bn)


def test_quantized_models_keep_layer_order_and_match_the_float_model():
    manual_seed(3)
    x = Tensor(np.random.default_rng(0).random((16, 1, 28, 28)).astype(np.float32))
    for build in (mnist_mlp, mnist_cnn):
        model = build().eval()
        names = [n for n, _ in model.named_children()]
        with no_grad():
            ref = model(x).data
        for q in (quantize_dynamic(model), quantize_static(model, [x])):
            assert [n for n, _ in q.named_children()] == names
            assert np.abs(q(x).data - ref).max() < 0.05 * np.abs(ref).max()


def test_quantized_gpt_reads_dequantized_weights_and_keeps_the_tied_head_float():
    from tinytorch.transformer import GPT, GPTConfig

    manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=65, block_size=32, n_layer=2, n_head=4, n_embd=32)).eval()
    q = quantize_dynamic(gpt)
    assert type(q.lm_head).__name__ == "Linear" and q.lm_head.weight is q.wte.weight  # still tied
    assert type(q.h[0].attn.c_attn).__name__ == "QuantizedLinear"
    idx = Tensor(np.random.default_rng(0).integers(0, 65, (2, 16)))
    with no_grad():
        ref = gpt(idx)[0].data
    out = q(idx)[0].data
    assert np.abs(out - ref).max() < 0.05 * np.abs(ref).max()
    assert model_bytes(q) < model_bytes(gpt) / 2


def test_quantized_layers_are_inference_only_and_accept_empty_batches():
    q = quantize_dynamic(Linear(3, 2))
    assert q(Tensor(np.zeros((0, 3), np.float32))).shape == (0, 2)
    x = randn(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no gradient rule for tinytorch.quant.kernels.quantized_linear"):
        q(x).sum().backward()


def test_quantized_linear_constructor_builds_a_zero_shell_without_touching_the_rng():
    from tinytorch.tensor import get_rng_state

    before = get_rng_state()
    q = QuantizedLinear(5, 3, bias=False)
    assert get_rng_state() == before
    assert q.qweight.shape == (3, 5) and q.bias is None and q.mode == "dynamic"
    np.testing.assert_array_equal(q(randn(2, 5)).data, np.zeros((2, 3), np.float32))
