"""Checkpoints: format, atomic writes, validation, and bit-for-bit resume."""

import json
import os

import numpy as np
import pytest

from tinytorch.layers import Dropout, Linear, Sequential
from tinytorch.losses import mse_loss
from tinytorch.optim import SGD, Adam, StepLR
from tinytorch.tensor import Tensor, get_rng_state, manual_seed, rand, randn
from tinytorch.training import CheckpointError, Trainer, load_checkpoint, save_checkpoint
from tinytorch.training import storage as storage_module


def _data(seed=0, batches=5):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batches * 8, 6)).astype(np.float32)
    y = np.tanh(x[:, :2] * 1.5 - x[:, 2:4]).astype(np.float32)
    return [(Tensor(x[i:i + 8]), Tensor(y[i:i + 8])) for i in range(0, len(x), 8)]


def _setup(seed=0):
    manual_seed(seed)
    model = Sequential(Linear(6, 16), Dropout(0.3), Linear(16, 2))
    opt = Adam(model.parameters(), lr=0.01)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched, Trainer(model, opt, mse_loss, scheduler=sched, max_grad_norm=1.0)


def test_resume_matches_an_uninterrupted_run_bit_for_bit(tmp_path):
    data = _data()
    model, _, _, trainer = _setup()
    trainer.fit(data, epochs=5, val_data=data)
    uninterrupted = [p.data.copy() for p in model.parameters()]

    model, _, _, trainer = _setup()
    trainer.fit(data, epochs=2, val_data=data)
    trainer.save_checkpoint(tmp_path / "mid.npz")
    rand(100)  # disturb the global RNG: loading must restore it
    del model, trainer

    model, opt, sched, trainer = _setup(seed=123)  # a fresh process would start elsewhere
    trainer.load_checkpoint(tmp_path / "mid.npz")
    assert trainer.epoch == 2 and sched.last_epoch == 2 and opt.param_groups[0]["lr"] == 0.005
    history = trainer.fit(data, epochs=5, val_data=data)
    assert history["epoch"] == [1, 2, 3, 4, 5]
    for p, q in zip(model.parameters(), uninterrupted):
        np.testing.assert_array_equal(p.data, q)


def test_without_optimizer_state_the_resume_diverges(tmp_path):
    """The control for the test above: dropping Adam's moments changes the result."""
    data = _data()
    model, _, _, trainer = _setup()
    trainer.fit(data, epochs=3)
    uninterrupted = [p.data.copy() for p in model.parameters()]

    model, _, _, trainer = _setup()
    trainer.fit(data, epochs=2)
    trainer.save_checkpoint(tmp_path / "mid.npz")
    model, opt, sched, trainer = _setup()
    content = load_checkpoint(tmp_path / "mid.npz", model, scheduler=sched)
    trainer.epoch = content["epoch"]
    trainer.fit(data, epochs=3)
    assert any(not np.array_equal(p.data, q) for p, q in zip(model.parameters(), uninterrupted))


def test_file_is_a_pickle_free_npz_with_json_metadata(tmp_path):
    model, opt, sched, trainer = _setup()
    trainer.fit(_data(), epochs=1)
    path = tmp_path / "ckpt.npz"
    trainer.save_checkpoint(path)
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        meta = json.loads(archive["__meta__"].tobytes().decode("utf-8"))
        assert archive["model/0.weight"].shape == (16, 6)
        assert archive["optimizer/state/0/exp_avg"].shape == (16, 6)
    assert meta["format"] == "tinytorch-checkpoint" and meta["version"] == 1 and meta["epoch"] == 1
    assert {"optimizer/state/0/exp_avg", "optimizer/state/0/exp_avg_sq"} <= names
    assert meta["scheduler"]["last_epoch"] == 1
    assert meta["rng"]["tinytorch"]["bit_generator"] == "PCG64"
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_round_trip_restores_every_part(tmp_path):
    model, opt, sched, trainer = _setup()
    trainer.fit(_data(), epochs=3)
    loader_rng = np.random.default_rng(7)
    loader_rng.random(3)
    save_checkpoint(tmp_path / "c.npz", model, opt, sched, epoch=3, generator=loader_rng,
                    extra={"note": "hello", "values": [1, 2.5, None], "array": np.arange(3)})
    expected_draws = randn(4).data.copy()
    expected_loader = loader_rng.random(2)

    model2, opt2, sched2, _ = _setup(seed=9)
    rng2 = np.random.default_rng(0)
    content = load_checkpoint(tmp_path / "c.npz", model2, opt2, sched2, generator=rng2)
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    saved_state, loaded_state = opt.state_dict(), opt2.state_dict()
    assert saved_state["param_groups"] == loaded_state["param_groups"]
    for index, entries in saved_state["state"].items():
        assert loaded_state["state"][index]["step"] == entries["step"]
        np.testing.assert_array_equal(loaded_state["state"][index]["exp_avg_sq"], entries["exp_avg_sq"])
    assert sched2.state_dict() == sched.state_dict()
    np.testing.assert_array_equal(randn(4).data, expected_draws)
    np.testing.assert_array_equal(rng2.random(2), expected_loader)
    assert content["epoch"] == 3
    assert content["extra"]["note"] == "hello" and content["extra"]["values"] == [1, 2.5, None]
    np.testing.assert_array_equal(content["extra"]["array"], np.arange(3))


def test_restore_rng_can_be_skipped(tmp_path):
    model = Linear(2, 2)
    save_checkpoint(tmp_path / "c.npz", model)
    state = get_rng_state()
    rand(5)
    after = get_rng_state()
    load_checkpoint(tmp_path / "c.npz", model, restore_rng=False)
    assert get_rng_state() == after != state


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "c.npz"
    model = Linear(2, 2)
    save_checkpoint(path, model, epoch=1)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, epoch=2)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["c.npz"]


def test_loading_validates(tmp_path):
    model = Linear(3, 2)
    with pytest.raises(CheckpointError, match="no file at"):
        load_checkpoint(tmp_path / "missing.npz", model)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="not a readable .npz file"):
        load_checkpoint(tmp_path / "junk.npz", model)
    np.savez(tmp_path / "plain.npz", weight=np.zeros(3))
    with pytest.raises(CheckpointError, match="no '__meta__' entry"):
        load_checkpoint(tmp_path / "plain.npz", model)
    meta = {"format": "tinytorch-checkpoint", "version": 99}
    np.savez(tmp_path / "future.npz", __meta__=np.frombuffer(json.dumps(meta).encode(), np.uint8))
    with pytest.raises(CheckpointError, match="format version 99; this reader expects 1"):
        load_checkpoint(tmp_path / "future.npz", model)

    save_checkpoint(tmp_path / "c.npz", model)
    with pytest.raises(CheckpointError, match="size mismatch for weight"):
        load_checkpoint(tmp_path / "c.npz", Linear(4, 2))
    with pytest.raises(CheckpointError, match="holds no optimizer state"):
        load_checkpoint(tmp_path / "c.npz", model, SGD(model.parameters(), lr=0.1))
    with pytest.raises(CheckpointError, match="no data generator state"):
        load_checkpoint(tmp_path / "c.npz", model, generator=np.random.default_rng())


def test_unsupported_values_are_refused_before_writing(tmp_path):
    with pytest.raises(TypeError, match="'extra/fn' is a function; expected arrays"):
        save_checkpoint(tmp_path / "c.npz", Linear(2, 2), extra={"fn": lambda: 0})
    with pytest.raises(TypeError, match="dtype object"):
        save_checkpoint(tmp_path / "c.npz", Linear(2, 2), extra={"a": np.array([None])})
    assert os.listdir(tmp_path) == []
