"""Commands against the real installed modules; nothing here changes the environment.

``module start --no-install`` copies and stubs without installing, so it runs safely in the
shared development environment; the installing paths run in a scratch venv in
test_cli_roundtrip.py.
"""

import json
import re

import pytest

from tinytorch.cli import build_parser, main
from tinytorch.cli.app import parse_args
from tinytorch.cli.discovery import Catalog


def tito(capsys, home, *args):
    status = main(["--home", str(home), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_module_list_shows_installed_modules_in_order(tmp_path, capsys):
    status, out, _ = tito(capsys, tmp_path, "module", "list")
    assert status == 0
    assert re.search(r"01\s*│\s*I\s*│\s*tensor\s*│\s*tinytorch-tensor\s*│\s*0\.\d+\.\d+", out)
    numbers = [int(n) for n in re.findall(r"^│ (\d\d) ", out, re.M)]
    assert numbers == sorted(numbers) and 1 in numbers


def test_unknown_module_is_one_clear_error(tmp_path, capsys):
    status, out, err = tito(capsys, tmp_path, "module", "test", "quantum")
    assert status == 2 and "error: unknown module 'quantum'; known: 01 tensor" in err
    assert "Traceback" not in err


def test_start_without_install_copies_stubs_and_refuses_to_overwrite(tmp_path, capsys):
    ws = tmp_path / "ws"
    home = tmp_path / "home"
    status, out, err = tito(capsys, home, "module", "start", "01", "--workspace", str(ws), "--no-install")
    assert status == 0, err
    copy = ws / "tinytorch-tensor"
    regions = int(re.search(r"with (\d+) exercise regions", out).group(1))
    stubbed = "".join(p.read_text() for p in (copy / "src").rglob("*.py"))
    reference = "".join(p.read_text() for p in (Catalog.installed().module("01").source_dir / "src").rglob("*.py"))
    assert stubbed.count("raise NotImplementedError(") == reference.count("raise NotImplementedError(") + regions
    assert regions > 0
    assert "# BEGIN SOLUTION" not in stubbed
    assert sorted(p.name for p in (copy / "tests").glob("test_tensor_*.py"))
    assert not (copy / "src" / "tinytorch" / "__init__.py").exists()
    record = json.loads((home / "progress.json").read_text())["modules"]["tinytorch-tensor"]
    assert record["learner_path"] == str(copy) and record["reference"]["kind"] == "editable"

    status, _, err = tito(capsys, home, "module", "start", "tensor", "--no-install")
    assert status == 2 and "already holds your work" in err
    (copy / "mine.txt").write_text("my notes")
    status, out, _ = tito(capsys, home, "module", "start", "tensor", "--force", "--no-install")
    assert status == 0 and "Moved your previous copy to" in out
    backups = list(ws.glob("tinytorch-tensor.backup-*"))
    assert len(backups) == 1 and (backups[0] / "mine.txt").read_text() == "my notes"
    assert not (copy / "mine.txt").exists()


def test_module_status_and_milestone_commands(tmp_path, capsys):
    status, out, _ = tito(capsys, tmp_path, "module", "status")
    assert status == 0 and "progress file:" in out and "0 of" in out
    status, out, _ = tito(capsys, tmp_path, "milestone", "list")
    assert status == 0
    milestones = Catalog.installed().milestones
    for milestone in milestones:
        assert milestone.name in out
        status, out_info, _ = tito(capsys, tmp_path, "milestone", "info", milestone.name)
        assert status == 0 and "Prerequisite modules" in out_info


def test_quiet_prints_nothing_but_keeps_the_status(tmp_path, capsys):
    assert main(["--quiet", "--home", str(tmp_path), "module", "list"]) == 0
    assert main(["-q", "--home", str(tmp_path), "module", "test", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "unknown module 'nope'" in captured.err


def test_reset_without_a_record_says_how_to_proceed(tmp_path, capsys):
    status, _, err = tito(capsys, tmp_path, "module", "reset", "01")
    assert status == 2 and "--from PATH" in err


def test_parser_has_every_documented_command():
    parser = build_parser()
    for argv in (["module", "list"], ["module", "status"], ["module", "start", "1", "--force"],
                 ["module", "test", "1", "-v"], ["module", "complete", "1"],
                 ["module", "reset", "1", "--discard"], ["milestone", "list"], ["milestone", "info", "p"],
                 ["milestone", "run", "p", "--quick"], ["curriculum", "check", "c.toml"],
                 ["curriculum", "lock", "c.toml", "-o", "x"], ["data", "list"], ["data", "fetch", "mnist"],
                 ["data", "verify", "mnist", "--root", "/d"]):
        parser.parse_args(argv)
    args = parse_args(["module", "test", "1", "-v", "--", "-k", "broadcast"])
    assert args.pytest_args == ["-k", "broadcast"] and args.verbose
    assert parse_args(["milestone", "run", "xor", "--", "--epochs", "3"]).milestone_args == ["--epochs", "3"]
    with pytest.raises(SystemExit):
        parse_args(["module", "list", "--", "x"])
    with pytest.raises(SystemExit):
        parser.parse_args(["module", "start", "1", "--force", "--resume"])


def test_data_commands_use_the_data_registry(tmp_path, capsys):
    pytest.importorskip("tinytorch.data", reason="tinytorch-data is not installed")
    status, out, _ = tito(capsys, tmp_path, "data", "list", "--root", str(tmp_path))
    assert status == 0 and "mnist" in out
    status, out, _ = tito(capsys, tmp_path, "data", "verify", "mnist", "--root", str(tmp_path / "empty"))
    assert status == 1 and "missing" in out
    status, _, err = tito(capsys, tmp_path, "data", "verify", "imagenet")
    assert status == 2 and "unknown dataset 'imagenet'" in err


def test_docstring_examples_run():
    import doctest

    from tinytorch.cli import discovery, filelock, progress, stubs

    for module in (discovery, filelock, progress, stubs):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
