"""tito run SCRIPT: python -m tinytorch.compat SCRIPT ARGS, with the script's exit status."""

import pytest

from tinytorch.cli import main
from tinytorch.cli.app import parse_args
from tinytorch.cli.commands import run


def test_every_word_after_the_script_goes_to_it():
    args = parse_args(["run", "train.py", "--epochs", "3", "--", "-v"])
    assert args.script == "train.py" and args.script_args == ["--epochs", "3", "--", "-v"]


def test_a_missing_facade_is_one_clear_error(tmp_path, capsys, monkeypatch):
    script = tmp_path / "s.py"
    script.write_text("import torch\n")
    monkeypatch.setattr(run, "facade_installed", lambda: False)
    assert main(["--home", str(tmp_path), "run", str(script)]) == 2
    err = capsys.readouterr().err
    assert "pip install --find-links WHEELHOUSE tinytorch-compat" in err and "Traceback" not in err


def test_a_missing_script_is_one_clear_error(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "run", str(tmp_path / "nope.py")]) == 2
    assert "no script" in capsys.readouterr().err


def test_a_torch_script_runs_on_tinytorch_with_its_arguments_and_status(tmp_path, capfd):
    if not run.facade_installed():
        pytest.skip("tinytorch-compat is not installed")
    script = tmp_path / "s.py"
    script.write_text("import sys\nimport torch\nx = torch.ones(3)\nprint('sum', float(x.sum()), sys.argv[1:])\n"
                      "sys.exit(int(sys.argv[1]))\n")
    assert main(["--home", str(tmp_path), "run", str(script), "3", "--flag"]) == 3
    out = capfd.readouterr().out
    assert "sum 3.0 ['3', '--flag']" in out
