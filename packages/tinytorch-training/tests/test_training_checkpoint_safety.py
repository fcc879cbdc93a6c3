"""Checkpoints that never lose data: killed writes, corrupt files, all-or-nothing loads, loader RNG."""

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import warnings
import zipfile

import numpy as np
import pytest

from tinytorch.data import DataLoader, TensorDataset
from tinytorch.layers import Dropout, Linear, Sequential
from tinytorch.losses import mse_loss
from tinytorch.optim import Adam, StepLR
from tinytorch.tensor import Tensor, manual_seed
from tinytorch.training import CheckpointError, Trainer, load_checkpoint, read_checkpoint, save_checkpoint
from tinytorch.training import storage


def _setup(seed=0):
    manual_seed(seed)
    model = Sequential(Linear(6, 16), Dropout(0.3), Linear(16, 2))
    opt = Adam(model.parameters(), lr=0.01)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched, Trainer(model, opt, mse_loss, scheduler=sched)


def _batches():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    return [(Tensor(x[i:i + 8]), Tensor(np.tanh(x[i:i + 8, :2]))) for i in range(0, 40, 8)]


def _params(model):
    return [p.data.copy() for p in model.parameters()]


# ----- temporary files of killed writes ------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pid checks are POSIX")
def test_a_killed_save_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    path = tmp_path / "c.npz"
    save_checkpoint(path, Linear(2, 2), epoch=1)
    before = path.read_bytes()
    # The child dies after the archive is written and before the rename: the worst moment.
    script = ("import os, signal\n"
              "from tinytorch.layers import Linear\n"
              "from tinytorch.training import save_checkpoint, storage\n"
              "storage.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
              f"save_checkpoint({str(path)!r}, Linear(64, 64), epoch=2)\n")
    proc = subprocess.run([sys.executable, "-c", script], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".checkpoint-")
    assert path.read_bytes() == before  # the previous checkpoint is intact
    assert read_checkpoint(path)["epoch"] == 1

    save_checkpoint(path, Linear(2, 2), epoch=3)
    assert sorted(os.listdir(tmp_path)) == ["c.npz"]


@pytest.mark.skipif(os.name != "posix", reason="pid checks are POSIX")
def test_temp_files_of_live_writers_and_recent_unnamed_ones_are_kept(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".checkpoint-{sleeper.pid}-abc.tmp"
        live.write_bytes(b"in progress")
        fresh_legacy = tmp_path / ".checkpoint-k3j2h1.tmp"
        fresh_legacy.write_bytes(b"x")
        old_legacy = tmp_path / ".checkpoint-zzzz.tmp"
        old_legacy.write_bytes(b"x")
        old = time.time() - storage.STALE_SECONDS - 60
        os.utime(old_legacy, (old, old))
        unrelated = tmp_path / "notes.tmp"
        unrelated.write_bytes(b"mine")
        save_checkpoint(tmp_path / "c.npz", Linear(2, 2))
        assert live.exists() and fresh_legacy.exists() and unrelated.exists()
        assert not old_legacy.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    save_checkpoint(tmp_path / "c.npz", Linear(2, 2))
    assert not live.exists()


# ----- corrupt files: every one a CheckpointError naming the file ---------------------------------

def _write_meta(path, meta, arrays=None):
    storage.write_npz_atomic(path, arrays or {}, meta)


def _good_meta(path):
    save_checkpoint(path, Linear(3, 2), epoch=1)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {n: archive[n] for n in archive.files if n != "__meta__"}
        meta = json.loads(archive["__meta__"].tobytes())
    return meta, arrays


@pytest.mark.parametrize("corrupt, message", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "not a readable .npz file"),
    (lambda p: p.write_bytes(p.read_bytes()[:30]), "not a readable .npz file"),
    (lambda p: p.write_bytes(b"not a zip at all"), "not a readable .npz file"),
    (lambda p: p.write_bytes(b""), "not a readable .npz file"),
])
def test_truncated_or_foreign_bytes(tmp_path, corrupt, message):
    path = tmp_path / "c.npz"
    save_checkpoint(path, Linear(3, 2))
    corrupt(path)
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(path, Linear(3, 2))
    assert str(path) in str(info.value)


def test_a_corrupt_array_entry(tmp_path):
    path = tmp_path / "c.npz"
    meta, arrays = _good_meta(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__meta__.npy", _npy_bytes(np.frombuffer(json.dumps(meta).encode(), np.uint8)))
        for name in arrays:
            archive.writestr(name + ".npy", b"\x93NUMPY garbage header")
    with pytest.raises(CheckpointError, match="not a readable .npz file") as info:
        load_checkpoint(path, Linear(3, 2))
    assert str(path) in str(info.value)


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("edit, message", [
    (lambda m, a: m.pop("rng"), "missing part(s) 'rng'"),
    (lambda m, a: m.pop("model"), "missing part(s) 'model'"),
    (lambda m, a: m.update(epoch="three"), "epoch must be a non-negative int, got 'three'"),
    (lambda m, a: m.update(epoch=-1), "epoch must be a non-negative int, got -1"),
    (lambda m, a: m.update(epoch=True), "epoch must be a non-negative int, got True"),
    (lambda m, a: m["model"].update(weight=[1, 2]), "model entry 'weight' must be an array"),
    (lambda m, a: m.update(model=[1]), "model must be a state_dict"),
    (lambda m, a: m["model"].update(weight={"__ndarray__": "nope"}), "refers to array 'nope'"),
    (lambda m, a: m.update(optimizer={"state": []}), "optimizer must be a state_dict"),
    (lambda m, a: m.update(scheduler=3), "scheduler must be a state_dict or null"),
    (lambda m, a: m["rng"].update(tinytorch={"bit_generator": "PCG64", "state": "x"}), "not a valid PCG64 state"),
    (lambda m, a: m["rng"].update(generator="seed 7"), "rng.generator is not a NumPy bit generator state"),
    (lambda m, a: m["rng"].pop("generator"), "rng must hold"),
    (lambda m, a: m.update(format="something-else"), "is not a tinytorch-checkpoint file"),
    (lambda m, a: m.update(version=99), "format version 99; this reader expects 1"),
])
def test_broken_metadata(tmp_path, edit, message):
    path = tmp_path / "c.npz"
    meta, arrays = _good_meta(path)
    edit(meta, arrays)
    _write_meta(path, meta, arrays)
    with pytest.raises(CheckpointError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_checkpoint(path, Linear(3, 2))
    assert str(path) in str(info.value)


def test_metadata_that_is_not_json(tmp_path):
    path = tmp_path / "c.npz"
    np.savez(path, __meta__=np.frombuffer(b"{not json", np.uint8))
    with pytest.raises(CheckpointError, match="metadata is not valid JSON"):
        load_checkpoint(path)


def test_pytorch_files_are_named_as_such(tmp_path):
    zipped = tmp_path / "model.pt"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("model/data.pkl", pickle.dumps({"w": 1}))
        archive.writestr("model/version", "3")
    with pytest.raises(CheckpointError, match="is a PyTorch file .a zip holding data.pkl.*never unpickles"):
        load_checkpoint(zipped)
    legacy = tmp_path / "legacy.pt"
    legacy.write_bytes(pickle.dumps({"w": 1}, protocol=2))
    with pytest.raises(CheckpointError, match="is a PyTorch file .a legacy pickle."):
        load_checkpoint(legacy)


# ----- all or nothing ------------------------------------------------------------------------------

def test_an_optimizer_that_does_not_fit_leaves_the_model_untouched(tmp_path):
    model, opt, sched, trainer = _setup()
    trainer.fit(_batches(), epochs=1)
    trainer.save_checkpoint(tmp_path / "c.npz")

    model2, _, _, _ = _setup(seed=5)
    before = _params(model2)
    partial = Adam(list(model2.parameters())[:2], lr=0.01)  # 2 parameters where the file has 4
    with pytest.raises(CheckpointError, match="does not fit.*parameter group 0 has 2 parameters"):
        load_checkpoint(tmp_path / "c.npz", model2, partial)
    for p, q in zip(model2.parameters(), before):
        np.testing.assert_array_equal(p.data, q)
    assert partial.state_dict()["state"] == {}


def test_a_late_failure_puts_back_what_was_restored(tmp_path, monkeypatch):
    model, opt, sched, trainer = _setup()
    trainer.fit(_batches(), epochs=2)
    trainer.save_checkpoint(tmp_path / "c.npz")

    model2, opt2, sched2, trainer2 = _setup(seed=5)
    trainer2.fit(_batches(), epochs=1)
    params, opt_state, sched_state = _params(model2), opt2.state_dict(), dict(sched2.state_dict())

    def broken(state_dict, strict=True):
        raise RuntimeError("simulated failure while copying the weights")

    monkeypatch.setattr(model2, "load_state_dict", broken)
    with pytest.raises(CheckpointError, match="simulated failure"):
        trainer2.load_checkpoint(tmp_path / "c.npz")
    for p, q in zip(model2.parameters(), params):
        np.testing.assert_array_equal(p.data, q)
    assert sched2.state_dict() == sched_state and trainer2.epoch == 1
    now = opt2.state_dict()
    for index, entries in opt_state["state"].items():
        np.testing.assert_array_equal(now["state"][index]["exp_avg"], entries["exp_avg"])
        assert now["state"][index]["step"] == entries["step"]


def test_a_scheduler_value_of_the_wrong_type_is_refused_before_anything_changes(tmp_path):
    model, opt, sched, trainer = _setup()
    trainer.save_checkpoint(tmp_path / "c.npz")
    content = read_checkpoint(tmp_path / "c.npz")
    assert content["scheduler"]["last_epoch"] == 0
    with np.load(tmp_path / "c.npz", allow_pickle=False) as archive:
        arrays = {n: archive[n] for n in archive.files if n != "__meta__"}
        meta = json.loads(archive["__meta__"].tobytes())
    meta["scheduler"]["last_epoch"] = "three"
    _write_meta(tmp_path / "c.npz", meta, arrays)
    model2, opt2, sched2, trainer2 = _setup(seed=3)
    before = _params(model2)
    with pytest.raises(CheckpointError, match="scheduler 'last_epoch' must be a number, got 'three'"):
        trainer2.load_checkpoint(tmp_path / "c.npz")
    for p, q in zip(model2.parameters(), before):
        np.testing.assert_array_equal(p.data, q)


def test_trainer_refuses_a_bad_global_step(tmp_path):
    model, opt, sched, trainer = _setup()
    save_checkpoint(tmp_path / "c.npz", model, opt, sched, epoch=2, extra={"global_step": "ten"})
    model2, opt2, sched2, trainer2 = _setup(seed=3)
    before = _params(model2)
    with pytest.raises(CheckpointError, match="global_step must be a non-negative int, got 'ten'"):
        trainer2.load_checkpoint(tmp_path / "c.npz")
    assert trainer2.epoch == 0
    for p, q in zip(model2.parameters(), before):
        np.testing.assert_array_equal(p.data, q)


# ----- the data loader's own generator -----------------------------------------------------------

def _loader(seed):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((48, 6)).astype(np.float32)
    y = np.tanh(x[:, :2] - x[:, 2:4]).astype(np.float32)
    return DataLoader(TensorDataset(Tensor(x), Tensor(y)), batch_size=8, shuffle=True, seed=seed)


def test_resume_with_a_seeded_loader_matches_an_uninterrupted_run_bit_for_bit(tmp_path):
    model, _, _, trainer = _setup()
    trainer.fit(_loader(7), epochs=5)
    uninterrupted = _params(model)

    model, _, _, trainer = _setup()
    trainer.fit(_loader(7), epochs=2)
    trainer.save_checkpoint(tmp_path / "mid.npz")
    assert read_checkpoint(tmp_path / "mid.npz")["rng"]["generator"] is not None

    model, _, _, trainer = _setup(seed=99)
    trainer.load_checkpoint(tmp_path / "mid.npz")  # before fit: the state waits for fit's loader
    trainer.fit(_loader(7), epochs=5)
    for p, q in zip(model.parameters(), uninterrupted):
        np.testing.assert_array_equal(p.data, q)


def test_without_the_loader_state_the_resume_diverges(tmp_path):
    """The control for the test above: a fresh loader generator shuffles differently."""
    model, _, _, trainer = _setup()
    trainer.fit(_loader(7), epochs=4)
    uninterrupted = _params(model)
    model, _, _, trainer = _setup()
    trainer.fit(_loader(7), epochs=2)
    trainer.save_checkpoint(tmp_path / "mid.npz")
    model, opt, sched, trainer = _setup(seed=99)
    content = load_checkpoint(tmp_path / "mid.npz", model, opt, sched)
    trainer.epoch = content["epoch"]
    trainer.fit(_loader(7), epochs=4)
    assert any(not np.array_equal(p.data, q) for p, q in zip(model.parameters(), uninterrupted))


def test_a_loaded_trainer_restores_into_the_loader_it_already_trains_on(tmp_path):
    model, _, _, trainer = _setup()
    loader = _loader(7)
    trainer.fit(loader, epochs=1)
    trainer.save_checkpoint(tmp_path / "c.npz")
    expected = loader.generator.permutation(10)
    loader.generator.permutation(10)
    trainer.load_checkpoint(tmp_path / "c.npz")
    np.testing.assert_array_equal(loader.generator.permutation(10), expected)


def test_warnings_when_the_loader_state_cannot_follow(tmp_path):
    class OddLoader(list):
        generator = object()

    model, _, _, trainer = _setup()
    trainer.fit(OddLoader(_batches()), epochs=1)
    with pytest.warns(RuntimeWarning, match="not a numpy.random.Generator"):
        trainer.save_checkpoint(tmp_path / "odd.npz")

    model, _, _, trainer = _setup()
    trainer.fit(_loader(7), epochs=1)
    trainer.save_checkpoint(tmp_path / "c.npz")
    model, _, _, trainer = _setup()
    trainer.load_checkpoint(tmp_path / "c.npz")
    with pytest.warns(RuntimeWarning, match="no generator of its own"):
        trainer.fit(_batches(), epochs=2)


def test_a_global_generator_loader_needs_no_extra_state(tmp_path):
    model, _, _, trainer = _setup()
    loader = _loader(None)
    trainer.fit(loader, epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.save_checkpoint(tmp_path / "c.npz")
    assert read_checkpoint(tmp_path / "c.npz")["rng"]["generator"] is None


def test_a_sampler_with_its_own_generator_is_saved_and_restored(tmp_path):
    from tinytorch.data import RandomSampler

    def loader():
        base = _loader(None)
        return DataLoader(base.dataset, batch_size=8, sampler=RandomSampler(base.dataset,
                                                                           generator=np.random.default_rng(3)))

    model, _, _, trainer = _setup()
    trainer.fit(loader(), epochs=4)
    uninterrupted = _params(model)
    model, _, _, trainer = _setup()
    trainer.fit(loader(), epochs=2)
    trainer.save_checkpoint(tmp_path / "mid.npz")
    model, _, _, trainer = _setup(seed=99)
    trainer.load_checkpoint(tmp_path / "mid.npz")
    trainer.fit(loader(), epochs=4)
    for p, q in zip(model.parameters(), uninterrupted):
        np.testing.assert_array_equal(p.data, q)
