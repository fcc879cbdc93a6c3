"""The progress file: atomic writes, locking across processes, corrupt files moved aside."""

import json
import multiprocessing
import os

import pytest

from tinytorch.cli import main
from tinytorch.cli.workspace import ProgressStore


def test_roundtrip_and_update_module(tmp_path):
    store = ProgressStore(tmp_path)
    assert store.read() == {"version": 1, "workspace": None, "modules": {}, "milestones": {}}
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
    (b'{"version": 1, "workspace": null, "modules": [], "milestones": {}}', "'modules' is a list"),
    (b'{"version": 7, "workspace": null, "modules": {}, "milestones": {}}', "version is 7"),
    (b'{"version": 1, "workspace": null, "modules": {"x": 3}, "milestones": {}}', "'modules.x' is a int"),
])
def test_corrupt_file_is_moved_aside_with_a_message(tmp_path, content, reason):
    (tmp_path / "progress.json").write_bytes(content)
    store = ProgressStore(tmp_path)
    assert store.read()["modules"] == {}
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert len(store.warnings) == 1 and reason in store.warnings[0] and str(backups[0]) in store.warnings[0]


def test_cli_reports_a_corrupt_file_without_a_traceback(tmp_path, capsys):
    (tmp_path / "progress.json").write_text('{"version": 1, "modules": {"tinytorch-tensor": "done"}}')
    assert main(["--home", str(tmp_path), "module", "list"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "could not be used" in err and "Traceback" not in err
    assert list(tmp_path.glob("progress.json.corrupt-*"))


def _bump(home, worker, rounds):
    store = ProgressStore(home)
    for i in range(rounds):
        with store.transaction() as data:
            counter = data["milestones"].setdefault("counter", {"n": 0})
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
    assert data["milestones"]["counter"]["n"] == 2 * rounds
    assert len(data["modules"]) == 2 * rounds
