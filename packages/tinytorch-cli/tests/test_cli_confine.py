"""Landlock confinement of a child process, and what the grader says where there is none."""

import subprocess
import sys
import textwrap

import pytest

from tinytorch.cli import main
from tinytorch.cli.commands import grade
from tinytorch.cli.confine import Confinement, describe, handled_fs, probe, python_folders

ABI, REASON = probe()
needs_landlock = pytest.mark.skipif(ABI is None, reason=f"Landlock is unavailable here: {REASON}")

CHILD = textwrap.dedent("""\
    import json, os, socket, sys
    box, outside = sys.argv[1], sys.argv[2]

    def local_server():
        with socket.create_server(("127.0.0.1", 0)) as server:
            socket.create_connection(server.getsockname()).close()

    attempts = {
        "local TCP server": local_server,
        "write inside": lambda: open(os.path.join(box, "new.txt"), "w").write("ok"),
        "mkdir inside": lambda: os.mkdir(os.path.join(box, "sub")),
        "write outside": lambda: open(os.path.join(outside, "planted.txt"), "w"),
        "append outside": lambda: open(os.path.join(outside, "kept.txt"), "a"),
        "read outside": lambda: open(os.path.join(outside, "kept.txt")).read(),
        "delete outside": lambda: os.remove(os.path.join(outside, "kept.txt")),
        "rename out of the box": lambda: os.rename(os.path.join(box, "new.txt"), os.path.join(outside, "moved.txt")),
        "symlink outside": lambda: os.symlink(os.path.join(outside, "kept.txt"), os.path.join(box, "link"))
                                   or open(os.path.join(box, "link"), "a"),
        "device node": lambda: os.mknod(os.path.join(box, "null"), 0o600 | 0o020000, os.makedev(1, 3)),
        "/dev/null": lambda: open("/dev/null", "w").write("x"),
        "/etc/hosts": lambda: open("/etc/hosts").read(),
        "/etc/shadow": lambda: open("/etc/shadow").read(),
        "grader's environ": lambda: open(f"/proc/{os.getppid()}/environ").read(),
    }
    result = {}
    for name, attempt in attempts.items():
        try:
            attempt()
            result[name] = "allowed"
        except OSError as exc:
            result[name] = type(exc).__name__
    print(json.dumps(result))
    """)


def run_confined(tmp_path, confinement):
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "kept.txt").write_text("keep me")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(box), str(outside)], capture_output=True, text=True,
                          preexec_fn=confinement(box) if confinement else None, timeout=60)
    assert proc.returncode == 0, proc.stderr
    import json

    return json.loads(proc.stdout), outside


@needs_landlock
def test_a_confined_process_writes_only_in_its_box(tmp_path):
    rulesets = []

    def confinement(box):
        rulesets.append(Confinement([box], [sys.prefix, *python_folders()], ABI))
        return rulesets[-1].restrict

    result, outside = run_confined(tmp_path, confinement)
    rulesets[0].close()
    assert result["write inside"] == result["mkdir inside"] == result["/dev/null"] == "allowed"
    assert result["local TCP server"] == "allowed"  # the data module's download tests serve on localhost
    assert result["/etc/hosts"] == "allowed"
    assert result["/etc/shadow"] == result["grader's environ"] == "PermissionError"  # even for root
    for name in ("write outside", "append outside", "read outside", "delete outside", "symlink outside"):
        assert result[name] == "PermissionError", (name, result)
    assert result["rename out of the box"] in ("PermissionError", "OSError")  # EXDEV without the REFER right
    assert result["device node"] == "PermissionError"
    assert (outside / "kept.txt").read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["kept.txt"]


def test_the_same_child_unconfined_changes_files_outside(tmp_path):
    """The attempts above are real: without the ruleset they succeed (device nodes aside)."""
    result, outside = run_confined(tmp_path, None)
    assert result["write outside"] == result["delete outside"] == "allowed"
    assert (outside / "planted.txt").exists() and (outside / "moved.txt").exists()
    assert (outside / "kept.txt").read_text() == ""  # deleted, then made anew through the symlink


@needs_landlock
def test_every_right_of_the_abi_is_handled():
    assert handled_fs(1) == (1 << 13) - 1
    assert handled_fs(ABI) & (1 << 13) == ((1 << 13) if ABI >= 2 else 0)


def test_the_grader_says_when_confinement_is_unavailable(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grade, "probe", lambda: (None, "no Landlock in this test"))
    (tmp_path / "subs").mkdir()
    (tmp_path / "wheelhouse").mkdir()
    assert main(["grade", str(tmp_path / "subs"), "--wheelhouse", str(tmp_path / "wheelhouse"),
                 "-o", str(tmp_path / "grades")]) == 0
    out = capsys.readouterr().out
    assert "Confinement: unavailable (no Landlock in this test)" in out
    assert "can write wherever your user can" in out
    assert "Landlock ABI" not in out


def test_describe_names_the_abi_and_never_claims_what_is_absent():
    assert describe(7, None).startswith("Landlock ABI 7: writes only in the submission's own folder")
    assert "no signals to the grader" in describe(6, None) and "signals" not in describe(5, None)
    assert describe(None, "Landlock is a Linux feature; this is darwin").startswith(
        "unavailable (Landlock is a Linux feature; this is darwin)")
