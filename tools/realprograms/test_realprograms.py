"""The real-programs runner: each program runs under torch and through the facade (torch env)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("tinytorch.compat")

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("TINYTORCH_DATA_DIR", HERE.parents[2] / "shared" / "datasets"))


def runner(*args):
    return subprocess.run([sys.executable, str(HERE / "run.py"), "--quick", *args],
                          capture_output=True, text=True, timeout=1200)


def test_makemore_runs_under_both_and_reports_both():
    result = runner("--only", "makemore_mlp")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("makemore_mlp ")]
    metrics = {row[1]: row for row in rows}
    assert {"train_loss", "dev_loss", "seconds"} <= set(metrics)
    torch_loss, ours_loss = float(metrics["dev_loss"][2]), float(metrics["dev_loss"][3])
    assert 1.5 < ours_loss < 3.3 and abs(ours_loss - torch_loss) < 0.06 * torch_loss


def test_signal_conv1d_runs_under_both_and_agrees():
    result = runner("--only", "signal_conv1d")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()
            if line.startswith("signal_conv1d ")}
    torch_acc, ours_acc = float(rows["balanced_accuracy"][2]), float(rows["balanced_accuracy"][3])
    assert ours_acc > 0.5 and abs(ours_acc - torch_acc) <= 0.06  # four classes: chance is 0.25


def test_a_crashing_program_fails_the_run(tmp_path, monkeypatch):
    import importlib.util
    spec = importlib.util.spec_from_file_location("realprograms_run", HERE / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\ntorch.nn.LSTM(1, 1)\n")
    monkeypatch.setitem(run.PROGRAMS, "broken", (str(broken), [], [], "loss", 0.1, "rel"))
    assert run.main(["--quick", "--only", "broken"]) == 1  # no RESULT line from either side
    result, _ = run.run_one([sys.executable, "-m", "tinytorch.compat", str(broken)], dict(os.environ), 120)
    assert "error" in result and "TinyTorch has no torch.nn.LSTM yet" in result["error"]


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "mnist").is_dir() or not (DATA / "tinyshakespeare").is_dir(),
                    reason="needs MNIST and Tiny Shakespeare in TINYTORCH_DATA_DIR")
def test_every_program_quick_run_agrees_with_torch():
    result = runner()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all programs ran unmodified under torch and tinytorch.compat" in result.stdout
