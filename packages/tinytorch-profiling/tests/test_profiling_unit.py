"""Hand-checkable unit tests of counting, the profiler, memory accounting and latency."""

import json
import os

import numpy as np
import pytest

from tinytorch.activations import ReLU, relu
from tinytorch.layers import Linear, Module, Sequential
from tinytorch.optim import SGD, Adam
from tinytorch.profiling import (
    Profiler, activation_bytes, count_flops, count_parameters, gradient_bytes, measure_latency,
    optimizer_state_bytes, parameter_bytes, register_flop_formula, training_step_memory,
)
from tinytorch.spatial import Conv2d
from tinytorch.tensor import Tensor, apply_op, observers, randn

from profiling_models import cnn, mlp


def test_count_parameters_by_hand():
    assert count_parameters(Linear(3, 2)) == 3 * 2 + 2
    assert count_parameters(Linear(3, 2, bias=False)) == 6
    assert count_parameters(mlp()) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10


def test_count_parameters_counts_shared_once_and_trainable_only():
    layer = Linear(4, 4)
    model = Sequential(layer, ReLU(), layer)
    assert count_parameters(model) == 20
    layer.bias.requires_grad = False
    assert count_parameters(model, trainable_only=True) == 16


def test_count_parameters_rejects_non_module():
    with pytest.raises(TypeError, match="expects a Module, got list"):
        count_parameters([Linear(2, 2)])


def test_linear_and_conv_flops_by_hand():
    assert count_flops(Linear(5, 3), np.zeros((7, 5), np.float32)) == 2 * 7 * 5 * 3
    # (2, 4, 10, 10) -> (2, 6, 8, 8) with a 3x3 kernel: 2 * N * C_out * H_out * W_out * C_in * 9
    conv = Conv2d(4, 6, 3)
    assert count_flops(conv, np.zeros((2, 4, 10, 10), np.float32)) == 2 * 2 * 6 * 8 * 8 * 4 * 9


def test_elementwise_ops_cost_nothing_and_matmul_counts_twice_per_multiply_add():
    a, b = randn(3, 4), randn(4, 5)
    assert count_flops(lambda x: (x * 2 + 1).exp().sum(), a) == 0
    assert count_flops(lambda x: x @ b, a) == 2 * 3 * 4 * 5
    assert count_flops(lambda x: x @ b @ b.T, a) == 2 * 3 * 4 * 5 + 2 * 3 * 5 * 4  # (3,5)@(5,4)


def test_count_flops_counts_a_layer_called_twice_twice():
    layer = Linear(6, 6)
    assert count_flops(lambda x: layer(layer(x)), randn(2, 6)) == 2 * (2 * 2 * 6 * 6)


def test_count_flops_accepts_lists_and_rejects_bad_inputs():
    assert count_flops(Linear(2, 1), [[1.0, 2.0]]) == 4
    with pytest.raises(TypeError, match="input 0 must be a Tensor or array-like, got object"):
        count_flops(Linear(2, 1), object())
    with pytest.raises(TypeError, match="callable model"):
        count_flops(3, randn(2))


def test_observer_removed_even_when_forward_raises():
    before = len(observers.active)
    with pytest.raises(ValueError):
        count_flops(Linear(3, 2), randn(4, 5))
    assert len(observers.active) == before


def test_register_flop_formula_for_a_new_kernel():
    def outer(a, b):
        return np.multiply.outer(a, b)

    register_flop_formula(outer)(lambda inputs, **attrs: inputs[0].size * inputs[1].size)
    assert count_flops(lambda x: apply_op(outer, x, randn(4)), randn(3)) == 12


def _hand_mlp(batch):
    # Explicit matmuls (not Linear, whose kernel is module 03's business): 784 -> 128 -> 64 -> 10.
    rng = np.random.default_rng(0)
    ws = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
          for s in ((784, 128), (128, 64), (64, 10))]

    def forward(x):
        return relu(relu(x @ ws[0]) @ ws[1]) @ ws[2]

    return forward, Tensor(np.ones((batch, 784), np.float32))


def test_profiler_counts_calls_flops_and_bytes():
    forward, x = _hand_mlp(16)
    with Profiler() as prof:
        forward(x).sum().backward()
    stats = {(s.name, s.phase): s for s in prof.key_averages()}
    mm = stats["matmul", "forward"]
    assert mm.calls == 3
    assert mm.flops == 2 * 16 * (784 * 128 + 128 * 64 + 64 * 10)
    assert mm.bytes_in == 4 * (16 * 784 + 784 * 128 + 16 * 128 + 128 * 64 + 16 * 64 + 64 * 10)
    assert mm.bytes_out == 4 * 16 * (128 + 64 + 10)
    # backward: weight gradients everywhere, input gradients except for the first product
    assert stats["matmul", "backward"].flops == mm.flops * 2 - 2 * 16 * 784 * 128
    assert stats["relu", "forward"].calls == 2 and stats["relu", "forward"].flops == 0
    assert prof.total_flops == 3 * mm.flops - 2 * 16 * 784 * 128
    assert 0 < prof.op_seconds <= prof.wall_seconds


def test_profiler_record_backward_false_and_reentry():
    prof = Profiler(record_backward=False)
    with prof:
        (randn(3, 3, requires_grad=True) @ randn(3, 3)).sum().backward()
        with pytest.raises(RuntimeError, match="already active"):
            prof.__enter__()
    assert {s.phase for s in prof.key_averages()} == {"forward"}
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.key_averages("time")


def test_profiler_table_and_json_export(tmp_path):
    with Profiler() as prof:
        cnn()(randn(2, 1, 28, 28))
    from rich.console import Console

    console = Console(record=True, width=160)
    console.print(prof.table(row_limit=3))
    text = console.export_text()
    assert "conv2d" in text and "GFLOP/s" in text
    path = tmp_path / "profile.json"
    prof.export_json(path)
    data = json.loads(path.read_text())
    assert data["total_flops"] == prof.total_flops
    assert {op["name"] for op in data["ops"]} >= {"conv2d", "max_pool2d", "relu"}
    assert os.listdir(tmp_path) == ["profile.json"]  # no temp file left behind


def test_memory_of_parameters_gradients_and_adam_state():
    model = mlp()
    n = count_parameters(model)
    assert parameter_bytes(model) == 4 * n
    assert gradient_bytes(model) == 0
    opt = Adam(model.parameters())
    x = Tensor(np.ones((4, 784), np.float32))
    model(x).sum().backward()
    opt.step()
    assert gradient_bytes(model) == 4 * n
    assert optimizer_state_bytes(opt) == 2 * 4 * n  # exp_avg and exp_avg_sq
    with pytest.raises(TypeError, match="dict .state"):
        optimizer_state_bytes(object())


def test_activation_bytes_by_hand():
    layer = Linear(100, 10, bias=False)
    x = Tensor(np.ones((32, 100), np.float32))
    y = relu(layer(x))  # keeps x (for dW) and x @ W.T (for relu's mask); W is a parameter
    assert activation_bytes(y) == 4 * (32 * 100 + 32 * 10)
    assert activation_bytes(Tensor(np.ones(3))) == 0  # no graph, nothing kept


def test_training_step_memory_is_measured():
    model = mlp()
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = Tensor(np.ones((64, 784), np.float32))

    def step():
        opt.zero_grad()
        return relu(model(x)).mean()

    report = training_step_memory(model, step, opt)
    n = count_parameters(model)
    assert report.parameters == 4 * n and report.gradients == 4 * n
    assert report.optimizer_state == 4 * n  # one momentum buffer per parameter
    assert report.activations >= 4 * 64 * (784 + 128 + 64)
    # Everything the step created was alive at some point: at least the gradients (allocated
    # during backward) on top of the activations.
    assert report.peak_increase >= report.activations + report.gradients // 2
    assert report.peak == report.peak_increase + 4 * n  # resident before: parameters only
    assert set(report.to_dict()) == {
        "parameters", "gradients", "optimizer_state", "activations", "peak_increase", "peak",
    }


def test_training_step_memory_rejects_a_step_without_loss():
    with pytest.raises(TypeError, match="must return the loss Tensor, got float"):
        training_step_memory(mlp(), lambda: 1.0)


def test_measure_latency_statistics():
    stats = measure_latency(lambda: sum(range(2000)), warmup=2, repeats=9)
    s = np.array(stats.samples)
    assert len(s) == 9
    assert stats.median == pytest.approx(np.median(s))
    assert stats.iqr == pytest.approx(np.percentile(s, 75) - np.percentile(s, 25))
    assert stats.minimum == s.min() <= stats.median <= stats.p90
    with pytest.raises(ValueError, match="repeats must be an int >= 1, got 0"):
        measure_latency(lambda: None, repeats=0)
    with pytest.raises(TypeError, match="expects a callable"):
        measure_latency(3)


def test_profiler_sees_custom_module():
    class Twice(Module):
        def __init__(self):
            super().__init__()
            self.fc = Linear(3, 3)

        def forward(self, x):
            return self.fc(x) + self.fc(x)

    with Profiler() as prof:
        Twice()(randn(2, 3))
    assert prof.total_flops == 2 * (2 * 2 * 3 * 3)  # the layer's product runs twice


def test_formulas_of_later_modules_kernels_by_name():
    from tinytorch.profiling import flops_of

    q, k, v = np.ones((2, 4, 5, 8)), np.ones((2, 4, 7, 8)), np.ones((2, 4, 7, 6))
    name = "tinytorch.acceleration.kernels.attention"
    assert flops_of(name, (q, k, v), {}) == 2 * 2 * 4 * 5 * 7 * 8 + 2 * 2 * 4 * 5 * 7 * 6
    # torch's sdpa backward: scores recomputed + four products, 2·B·H·T·S·(3·D + 2·Dv)
    assert flops_of(name, (q, k, v), {}, "backward", (q, k, v)) == 2 * 2 * 4 * 5 * 7 * (3 * 8 + 2 * 6)
    x, w, b = np.ones((3, 5, 16)), np.ones((8, 16)), np.ones(8)
    for kernel in ("tinytorch.tensor.ops.linear", "tinytorch.acceleration.kernels.linear_act"):
        assert flops_of(kernel, (x, w, b), {}) == 2 * 15 * 16 * 8
        # the weight and bias gradients only (input needs none): one product
        assert flops_of(kernel, (x, w, b), {}, "backward", (w, b)) == 2 * 15 * 16 * 8
    assert flops_of("no.such.kernel", (x,), {}) == 0


def test_atomic_write_keeps_the_old_file_on_error_and_uses_normal_permissions(tmp_path):
    from tinytorch.profiling import atomic_write, atomic_write_text

    path = tmp_path / "out.json"
    atomic_write_text(path, "old")
    umask = os.umask(0)
    os.umask(umask)
    assert (os.stat(path).st_mode & 0o777) == 0o666 & ~umask

    def fail(f):
        f.write(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
