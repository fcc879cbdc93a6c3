"""Unit tests for the Trainer, clip_grad_norm_ and the metric helpers."""

import doctest
import importlib.metadata

import numpy as np
import pytest

import tinytorch.training
from tinytorch.layers import Dropout, Linear, Module, Sequential
from tinytorch.losses import cross_entropy, mse_loss
from tinytorch.optim import SGD, Adam, LambdaLR, StepLR
from tinytorch.tensor import Tensor, manual_seed, randn
from tinytorch.training import Trainer, accuracy, binary_accuracy, checkpoint, clip_grad_norm_, trainer


@pytest.mark.parametrize("module", [trainer, checkpoint])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, extraglobs={"Tensor": Tensor})
    assert result.attempted > 0
    assert result.failed == 0


def test_version_and_exports():
    assert tinytorch.training.__version__ == importlib.metadata.version("tinytorch-training")
    for name in tinytorch.training.__all__:
        assert hasattr(tinytorch.training, name)


def _regression(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.1).astype(np.float32)
    return x, y


def _batches(x, y, size):
    return [(Tensor(x[i:i + size]), Tensor(y[i:i + size])) for i in range(0, len(x), size)]


def _linear(seed=0):
    manual_seed(seed)
    return Linear(3, 1)


def test_fit_learns_and_records_history():
    x, y = _regression()
    model = _linear()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse_loss)
    history = trainer.fit(_batches(x, y, 16), epochs=30, val_data=_batches(x, y, 48))
    assert trainer.epoch == 30 and trainer.global_step == 90
    assert history["epoch"] == list(range(1, 31))
    assert len(history["train_loss"]) == len(history["val_loss"]) == len(history["lr"]) == 30
    assert history["val_loss"][-1] < 1e-3 < history["val_loss"][0]
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=0.05)


def test_fit_counts_epochs_in_total_not_per_call():
    x, y = _regression()
    model = _linear()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse_loss)
    trainer.fit(_batches(x, y, 16), epochs=2)
    trainer.fit(_batches(x, y, 16), epochs=2)
    assert trainer.epoch == 2
    trainer.fit(_batches(x, y, 16), epochs=3)
    assert trainer.history["epoch"] == [1, 2, 3]


class _ModeSpy(Module):
    """Records the training flag it sees on every forward, then applies Dropout."""

    def __init__(self):
        super().__init__()
        self.linear = Linear(4, 4)
        self.dropout = Dropout(0.5)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, self.dropout.training))
        return self.dropout(self.linear(x))


def test_train_and_eval_modes_reach_dropout():
    manual_seed(0)
    model = _ModeSpy()
    data = [(randn(8, 4), randn(8, 4)) for _ in range(2)]
    trainer = Trainer(model, SGD(model.parameters(), lr=0.01), mse_loss)
    model.eval()
    trainer.train_epoch(data)
    assert model.seen == [(True, True)] * 2
    model.seen.clear()
    first = trainer.evaluate(data)
    second = trainer.evaluate(data)
    assert model.seen == [(False, False)] * 4
    assert first == second  # dropout is off in eval mode, so evaluation is deterministic
    assert model.training  # the mode it was in before evaluate()


def test_gradient_accumulation_averages_micro_batches():
    x, y = _regression(n=8)
    big, small = _linear(), _linear()
    Trainer(big, SGD(big.parameters(), lr=0.1), mse_loss).train_epoch(_batches(x, y, 8))
    Trainer(small, SGD(small.parameters(), lr=0.1), mse_loss, accumulation_steps=2).train_epoch(_batches(x, y, 4))
    np.testing.assert_allclose(small.weight.data, big.weight.data, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(small.bias.data, big.bias.data, rtol=1e-6, atol=1e-7)


def test_a_short_last_accumulation_group_is_averaged_over_its_own_size():
    x, y = _regression(n=12)
    acc = _linear()
    trainer = Trainer(acc, SGD(acc.parameters(), lr=0.1), mse_loss, accumulation_steps=2)
    trainer.train_epoch(_batches(x, y, 4))  # groups: (b0, b1), (b2)
    assert trainer.global_step == 2

    ref = _linear()
    plain = Trainer(ref, SGD(ref.parameters(), lr=0.1), mse_loss)
    plain.train_epoch(_batches(x[:8], y[:8], 8))  # mean over b0, b1 = one batch of 8
    plain.train_epoch(_batches(x[8:], y[8:], 4))
    np.testing.assert_allclose(acc.weight.data, ref.weight.data, rtol=1e-6, atol=1e-7)


class _RecordingSGD(SGD):
    def step(self):
        grads = [p.grad.data for g in self.param_groups for p in g["params"] if p.grad is not None]
        self.norms = getattr(self, "norms", []) + [float(np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads)))]
        super().step()


def test_trainer_clips_the_global_norm_before_each_step():
    x, y = _regression()
    model = _linear()
    opt = _RecordingSGD(model.parameters(), lr=0.01)
    Trainer(model, opt, lambda out, t: mse_loss(out, t) * 100.0, max_grad_norm=0.5).train_epoch(_batches(x, y, 8))
    assert len(opt.norms) == 6
    assert max(opt.norms) == pytest.approx(0.5, rel=1e-4)


class _EventSGD(SGD):
    """Records its zero_grad and step calls in a list it shares with the loss."""

    def __init__(self, params, events, **kwargs):
        super().__init__(params, **kwargs)
        self.events = events

    def zero_grad(self, set_to_none=True):
        self.events.append("zero")
        super().zero_grad(set_to_none)

    def step(self):
        self.events.append("step")
        super().step()


def test_gradients_are_zeroed_just_before_each_group_s_first_backward():
    x, y = _regression(n=12)
    model = _linear()
    events = []

    def loss_fn(out, target):
        events.append("loss")
        return mse_loss(out, target)

    trainer = Trainer(model, _EventSGD(model.parameters(), events, lr=0.1), loss_fn, accumulation_steps=2)
    trainer.train_epoch(_batches(x, y, 4))  # groups: (b0, b1), (b2)
    assert events == ["loss", "zero", "loss", "step", "loss", "zero", "step"]
    assert model.weight.grad is not None  # the last step's gradients stay, as in PyTorch


@pytest.mark.parametrize("interval, accumulation, expected", [("epoch", 1, 3), ("step", 1, 12), ("step", 2, 6)])
def test_scheduler_steps_per_epoch_or_per_optimizer_step(interval, accumulation, expected):
    x, y = _regression(n=16)
    model = _linear()
    opt = SGD(model.parameters(), lr=1.0)
    sched = LambdaLR(opt, lambda step: 0.5**step)
    trainer = Trainer(model, opt, mse_loss, scheduler=sched, scheduler_interval=interval,
                      accumulation_steps=accumulation)
    trainer.fit(_batches(x, y, 4), epochs=3)
    assert sched.last_epoch == expected
    assert opt.param_groups[0]["lr"] == 0.5**expected
    if interval == "epoch":
        assert trainer.history["lr"] == [1.0, 0.5, 0.25]


def test_validation_metrics_are_sample_weighted():
    manual_seed(0)
    model = Linear(2, 3)
    x = randn(5, 2)
    target = Tensor(model(x).data.argmax(axis=1))
    wrong = Tensor((target.data + 1) % 3)
    # Batches of 4 (all right) and 1 (wrong): the sample mean is 0.8, the batch mean would be 0.5.
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), cross_entropy, metrics={"accuracy": accuracy})
    result = trainer.evaluate([(x[:4], target[:4]), (x[4:], wrong[4:])])
    assert result["accuracy"] == pytest.approx(0.8)
    trainer.fit([(x, target)], epochs=1, val_data=[(x[:4], target[:4]), (x[4:], wrong[4:])])
    assert trainer.history["val_accuracy"] == [pytest.approx(0.8)]
    assert set(trainer.history) == {"epoch", "train_loss", "lr", "train_seconds", "val_loss", "val_accuracy"}


def test_history_times_each_epoch_and_on_epoch_end_sees_it_recorded():
    x, y = _regression()
    model = _linear()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse_loss)
    seen = []

    def on_epoch_end(t, record):
        assert t is trainer and len(t.history["epoch"]) == t.epoch == record["epoch"]
        assert record == {key: values[-1] for key, values in t.history.items()}
        seen.append(record)

    history = trainer.fit(_batches(x, y, 16), epochs=3, val_data=_batches(x, y, 48), on_epoch_end=on_epoch_end)
    assert [r["epoch"] for r in seen] == [1, 2, 3]
    assert set(seen[0]) == {"epoch", "train_loss", "lr", "train_seconds", "val_loss"}
    assert len(history["train_seconds"]) == 3
    assert all(isinstance(s, float) and 0.0 < s < 10.0 for s in history["train_seconds"])
    trainer.fit(_batches(x, y, 16), epochs=3, on_epoch_end=on_epoch_end)  # nothing left to train
    assert len(seen) == 3


def test_accuracy_helpers_by_hand():
    assert accuracy(Tensor([[0.1, 0.9], [0.8, 0.2]]), Tensor([1, 1])) == 0.5
    assert binary_accuracy(Tensor([[0.7], [0.4]]), Tensor([[1.0], [1.0]])) == 0.5
    assert binary_accuracy(Tensor([2.0, -1.0]), Tensor([1.0, 0.0]), threshold=0.0) == 1.0
    with pytest.raises(ValueError, match="shape \\(N, C\\).*got \\(2,\\) and \\(2,\\)"):
        accuracy(Tensor([0.1, 0.9]), Tensor([1, 1]))
    with pytest.raises(ValueError, match="output of shape \\(3,\\) does not match target of shape \\(2,\\)"):
        binary_accuracy(Tensor([0.1, 0.9, 0.3]), Tensor([1.0, 1.0]))


def test_clip_grad_norm_by_hand():
    a, b = Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0], requires_grad=True)
    a.grad, b.grad = Tensor([3.0, 0.0]), Tensor([4.0])
    frozen = Tensor([1.0], requires_grad=True)
    norm = clip_grad_norm_([a, b, frozen], max_norm=2.5)
    assert norm.item() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.data, [1.5, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.data, [2.0], rtol=1e-5)
    assert frozen.grad is None
    # Already small enough: untouched.
    assert clip_grad_norm_(a, max_norm=10.0).item() == pytest.approx(1.5, rel=1e-5)
    np.testing.assert_allclose(a.grad.data, [1.5, 0.0], rtol=1e-5)
    # Max norm.
    a.grad = Tensor([-3.0, 1.0])
    assert clip_grad_norm_([a], 1.0, norm_type=float("inf")).item() == pytest.approx(3.0)
    np.testing.assert_allclose(a.grad.data, [-1.0, 1 / 3], rtol=1e-5)


def test_clip_grad_norm_errors():
    a = Tensor([0.0], requires_grad=True)
    a.grad = Tensor([float("nan")])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is nan"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be >= 0, got -1.0"):
        clip_grad_norm_([a], -1)
    with pytest.raises(ValueError, match="norm_type must be positive or inf, got 0.0"):
        clip_grad_norm_([a], 1.0, norm_type=0)
    assert clip_grad_norm_([Tensor([1.0], requires_grad=True)], 1.0).item() == 0.0


def test_bad_arguments_and_batches_are_reported():
    model = _linear()
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="accumulation_steps must be a positive int, got 0"):
        Trainer(model, opt, mse_loss, accumulation_steps=0)
    with pytest.raises(ValueError, match="scheduler_interval must be 'epoch' or 'step', got 'batch'"):
        Trainer(model, opt, mse_loss, scheduler_interval="batch")
    with pytest.raises(ValueError, match="max_grad_norm must be positive or None, got 0"):
        Trainer(model, opt, mse_loss, max_grad_norm=0)
    with pytest.raises(ValueError, match="metric 'loss'"):
        Trainer(model, opt, mse_loss, metrics={"loss": accuracy})
    trainer = Trainer(model, opt, mse_loss)
    with pytest.raises(TypeError, match="\\(input, target\\) pair, got Tensor"):
        trainer.train_epoch([randn(4, 3)])
    with pytest.raises(ValueError, match="scalar Tensor, got \\(4, 1\\)"):
        Trainer(model, opt, lambda out, t: out - t).train_epoch([(randn(4, 3), randn(4, 1))])
    with pytest.raises(ValueError, match="no batches"):
        trainer.train_epoch(iter([]))
    with pytest.raises(ValueError, match="epochs must be a non-negative int, got -1"):
        trainer.fit([], epochs=-1)


def test_progress_bar_is_quiet_off_a_terminal_and_shown_when_asked(capsys):
    x, y = _regression(n=8)
    model = _linear()
    Trainer(model, SGD(model.parameters(), lr=0.1), mse_loss).fit(_batches(x, y, 4), epochs=1)
    assert capsys.readouterr().out == ""
    Trainer(model, SGD(model.parameters(), lr=0.1), mse_loss, progress=True).fit(
        _batches(x, y, 4), epochs=1, val_data=_batches(x, y, 8))
    out = capsys.readouterr().out
    assert "epoch 1/1" in out and "val_loss" in out


def test_accepts_ndarray_batches_and_adam():
    x, y = _regression()
    model = _linear()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), mse_loss, scheduler=StepLR(
        Adam(model.parameters()), 1))
    loss = trainer.train_epoch([(x[:24], y[:24]), (x[24:], y[24:])])
    assert np.isfinite(loss)
