"""The progress file: atomic writes, locking across processes, bad files and entries, kills."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys

import pytest

from tinytorch.cli import main
from tinytorch.cli.progress import PROGRESS_VERSION, ProgressError, ProgressStore


def test_roundtrip_and_update_module(tmp_path):
    store = ProgressStore(tmp_path)
    assert store.read() == {"version": PROGRESS_VERSION, "workspace": None, "modules": {}, "milestones": {}}
    store.update_module("tinytorch-tensor", started_at="t0", learner_path="/w/x")
    store.update_module("tinytorch-tensor", learner_path=None, completed_at="t1")
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["modules"]["tinytorch-tensor"] == {"started_at": "t0", "completed_at": "t1"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".progress-")]


def test_a_failing_transaction_writes_nothing(tmp_path):
    store = ProgressStore(tmp_path)
    store.update_module("a", x=1)
    with pytest.raises(RuntimeError):
        with store.transaction() as data:
            data["modules"]["a"]["x"] = 2
            raise RuntimeError("boom")
    assert store.read()["modules"]["a"]["x"] == 1


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "top level is a list"),
    (b'{"version": 2, "workspace": null, "modules": [], "milestones": {}}', "'modules' is a list"),
    (b'{"version": "2", "workspace": null, "modules": {}, "milestones": {}}', "version is '2'"),
    (b'{"version": 2, "workspace": 5, "modules": {}, "milestones": {}}', "'workspace' must be"),
])
def test_an_unusable_file_is_moved_aside_with_a_message(tmp_path, content, reason):
    (tmp_path / "progress.json").write_bytes(content)
    store = ProgressStore(tmp_path)
    assert store.read()["modules"] == {}
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert len(store.warnings) == 1 and reason in store.warnings[0] and str(backups[0]) in store.warnings[0]


@pytest.mark.parametrize("bad, reason", [
    (3, "is a int"),
    ({"learner_path": 7}, "'learner_path' is a int (7), expected a str"),
    ({"tests_passed": "many"}, "'tests_passed' is a str"),
    ({"reference": {"kind": "editable"}}, "'reference' needs string 'kind' and 'path'"),
])
def test_one_bad_module_entry_keeps_every_other_record(tmp_path, bad, reason):
    good = {"completed_at": "2026-01-01T00:00:00+00:00", "learner_path": "/w/tinytorch-tensor"}
    content = {"version": PROGRESS_VERSION, "workspace": "/w",
               "modules": {"tinytorch-tensor": good, "tinytorch-layers": bad},
               "milestones": {"xor": {"learner": {"achieved_at": "t", "quick": False}}}}
    (tmp_path / "progress.json").write_text(json.dumps(content))
    store = ProgressStore(tmp_path)
    data = store.read()
    assert data["modules"] == {"tinytorch-tensor": good} and data["workspace"] == "/w"
    assert data["milestones"]["xor"]["learner"]["achieved_at"] == "t"
    assert len(store.warnings) == 1 and "'modules.tinytorch-layers'" in store.warnings[0]
    assert reason in store.warnings[0]
    backup, = tmp_path.glob("progress.json.corrupt-*")
    assert json.loads(backup.read_text()) == content
    assert ProgressStore(tmp_path).read() == data  # repaired on disk: no second warning or backup
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


def test_learner_path_of_the_wrong_type_is_a_warning_not_a_traceback(tmp_path, capsys):
    (tmp_path / "progress.json").write_text(json.dumps(
        {"version": 1, "workspace": None, "modules": {"tinytorch-tensor": {"learner_path": 12}}, "milestones": {}}))
    assert main(["--home", str(tmp_path), "module", "status"]) == 0
    captured = capsys.readouterr()
    assert "'learner_path' is a int" in captured.err and "Traceback" not in captured.err + captured.out


def test_a_newer_file_is_refused_and_left_alone(tmp_path, capsys):
    content = b'{"version": 99, "workspace": null, "modules": {"tinytorch-tensor": {}}, "milestones": {}}'
    (tmp_path / "progress.json").write_bytes(content)
    with pytest.raises(ProgressError, match="written by a newer tito .progress format 99"):
        ProgressStore(tmp_path).read()
    assert main(["--home", str(tmp_path), "module", "list"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "pip install -U tinytorch-cli" in err and "Traceback" not in err
    assert (tmp_path / "progress.json").read_bytes() == content
    assert not list(tmp_path.glob("progress.json.corrupt-*"))


def test_a_version_1_file_is_migrated_keeping_achievements(tmp_path):
    (tmp_path / "progress.json").write_text(json.dumps({
        "version": 1, "workspace": None, "modules": {},
        "milestones": {"xor": {"achieved_at": "t1", "quick": False, "learner_modules": ["05 autograd"]},
                       "perceptron": {"achieved_at": "t2", "quick": True, "learner_modules": []}}}))
    data = ProgressStore(tmp_path).read()
    assert data["version"] == PROGRESS_VERSION
    assert data["milestones"]["xor"]["learner"]["achieved_at"] == "t1"
    assert data["milestones"]["perceptron"]["reference"]["quick"] is True


def test_cli_reports_a_corrupt_file_without_a_traceback(tmp_path, capsys):
    (tmp_path / "progress.json").write_text('{"version": 1, "modules": {"tinytorch-tensor": "done"}}')
    assert main(["--home", str(tmp_path), "module", "list"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "Traceback" not in err
    assert list(tmp_path.glob("progress.json.corrupt-*"))


KILLED_WRITER = """
import os, sys, time
from tinytorch.cli.progress import ProgressStore
os.fsync = lambda fd: (print("writing", flush=True), time.sleep(60))  # killed while the temp file is open
with ProgressStore(sys.argv[1]).transaction() as data:
    data["modules"]["tinytorch-layers"] = {"started_at": "never saved"}
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_writer_killed_mid_write_leaves_no_temp_file_behind(tmp_path):
    ProgressStore(tmp_path).update_module("tinytorch-tensor", completed_at="t")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert list(tmp_path.glob(".progress-*.json")), "the killed writer should have left its temp file"
    data = ProgressStore(tmp_path).read()  # the lock died with the process; the orphan is removed
    assert data["modules"] == {"tinytorch-tensor": {"completed_at": "t"}}
    assert not list(tmp_path.glob(".progress-*.json"))


def test_importing_tito_needs_no_fcntl(tmp_path):
    code = "import sys; sys.modules['fcntl'] = None; import tinytorch.cli, tinytorch.cli.app; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ok"


def _bump(home, worker, rounds):
    store = ProgressStore(home)
    for i in range(rounds):
        with store.transaction() as data:
            counter = data["modules"].setdefault("counter", {"n": 0})
            counter["n"] += 1
            data["modules"][f"w{worker}-{i}"] = {"done": True}


def test_two_processes_lose_nothing(tmp_path):
    rounds = 40
    ctx = multiprocessing.get_context("spawn" if os.name != "posix" else "fork")
    procs = [ctx.Process(target=_bump, args=(str(tmp_path), w, rounds)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    data = ProgressStore(tmp_path).read()
    assert data["modules"]["counter"]["n"] == 2 * rounds
    assert len(data["modules"]) == 2 * rounds + 1


def test_the_windows_lock_retries_until_it_gets_the_byte_and_unlocks(tmp_path, monkeypatch):
    import types

    from tinytorch.cli import filelock

    calls = []
    attempts = iter([OSError("busy"), None])

    def locking(fd, mode, nbytes):
        calls.append((mode, nbytes))
        if mode == fake.LK_LOCK:
            error = next(attempts)
            if error:
                raise error

    fake = types.SimpleNamespace(LK_LOCK=1, LK_UNLCK=0, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(filelock.os, "name", "nt")
    monkeypatch.setattr(filelock.time, "sleep", lambda s: None)
    with filelock.exclusive_lock(tmp_path / "x.lock"):
        assert calls == [(1, 1), (1, 1)]  # the first attempt was busy, the second got the lock
    assert calls[-1] == (0, 1)
