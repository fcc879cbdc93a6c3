"""Differential tests: our int8 codes equal torch's quantizers given the same parameters."""

import warnings

import numpy as np
import pytest

from tinytorch.layers import Linear
from tinytorch.quant import choose_qparams, int8_matmul, quantize_dynamic, quantize_per_channel, quantize_per_tensor
from tinytorch.tensor import Tensor, manual_seed, no_grad

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():  # torch 2.13 deprecates its quantized tensor constructors
        warnings.simplefilter("ignore")
        yield


def test_per_channel_codes_equal_torch_quantize_per_channel():
    w = np.random.default_rng(0).standard_normal((16, 40)).astype(np.float32)
    q, scales = quantize_per_channel(w)
    theirs = torch.quantize_per_channel(torch.from_numpy(w), torch.from_numpy(scales.astype(np.float64)),
                                        torch.zeros(16, dtype=torch.int64), 0, torch.qint8)
    np.testing.assert_array_equal(q, theirs.int_repr().numpy())


def test_per_tensor_codes_equal_torch_quantize_per_tensor():
    x = (np.random.default_rng(1).standard_normal(1000) * 3 + 1).astype(np.float32)
    scale, zp = choose_qparams(x.min(), x.max())
    theirs = torch.quantize_per_tensor(torch.from_numpy(x), scale, zp, torch.qint8).int_repr().numpy()
    np.testing.assert_array_equal(quantize_per_tensor(x, scale, zp), theirs)


def test_int8_matmul_equals_torch_integer_matmul():
    rng = np.random.default_rng(2)
    a = rng.integers(-128, 128, (7, 1500), dtype=np.int8)
    b = rng.integers(-128, 128, (1500, 5), dtype=np.int8)
    theirs = torch.from_numpy(a).to(torch.int64) @ torch.from_numpy(b).to(torch.int64)
    np.testing.assert_array_equal(int8_matmul(a, b), theirs.numpy())


def test_dynamic_linear_agrees_with_torch_quantize_dynamic():
    manual_seed(0)
    ours = Linear(64, 32)
    ref = torch.nn.Linear(64, 32)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.data))
        ref.bias.copy_(torch.from_numpy(ours.bias.data))
    theirs = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(ref), {torch.nn.Linear}, dtype=torch.qint8)
    x = np.random.default_rng(3).standard_normal((8, 64)).astype(np.float32)
    with no_grad():
        exact = ours(Tensor(x)).data
    mine = quantize_dynamic(ours)(Tensor(x)).data
    with torch.no_grad():
        torch_q = theirs(torch.from_numpy(x)).numpy()
    # both approximate the float layer; ours (int8 activations, per-channel weights) no worse than
    # torch's per-tensor weights with reduced-range uint8 activations
    assert np.abs(mine - exact).max() <= np.abs(torch_q - exact).max() * 1.5
    assert np.abs(mine - exact).max() < 0.02 * np.abs(exact).max()
