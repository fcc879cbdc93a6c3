from pathlib import Path

import numpy as np
import pytest

import tinytorch.milestone_mlp.mlp as mlp
from tinytorch.milestone_mlp import MLP, count_parameters, forward_flops
from tinytorch.milestone_mlp.__main__ import main
from tinytorch.results import PREFIX, parse_line
from tinytorch.tensor import zeros

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"no shared datasets at {SHARED}")


def _result_line(out):
    """The validated result of the one result line, which must be the last line."""
    lines = [line for line in out.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, out
    assert out.rstrip().splitlines()[-1] == lines[0]
    result = parse_line(lines[0]).to_dict()
    result["claims"] = {c["name"]: c for c in result["claims"]}
    return result


def test_mlp_shapes_parameters_and_flops():
    model = MLP((784, 256, 128, 10))
    assert model(zeros(3, 1, 28, 28)).shape == (3, 10)
    assert count_parameters(model) == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235_146
    assert forward_flops((4, 3, 2)) == (2 * 4 * 3 + 3) + (2 * 3 * 2 + 2)
    with pytest.raises(ValueError, match="at least"):
        MLP((10,))


@needs_data
@pytest.mark.slow
def test_quick_run_passes_and_prints_result_line(monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(SHARED))
    code = main(["--quick"])
    result = _result_line(capsys.readouterr().out)
    assert code == 0 and result["passed"] is True
    assert result["milestone"] == "mlp" and result["quick"] is True
    claims = result["claims"]
    assert set(claims) == {"tinydigits_test_accuracy_quick", "mnist_test_accuracy_quick"}
    assert claims["tinydigits_test_accuracy_quick"]["value"] >= 0.90
    assert all(c["passed"] and c["value"] >= c["target"] for c in claims.values())
    assert result["metrics"]["mnist_parameters"] == 235_146
    assert result["metrics"]["mnist_flops_per_sample"] == forward_flops((784, 256, 128, 10))
    assert len(result["metrics"]["mnist_epoch_seconds"]) == 2


@needs_data
def test_unmet_claim_fails_and_says_by_how_much(monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(SHARED))
    monkeypatch.setitem(mlp.CONFIGS, ("tinydigits", "quick"),
                        dict(sizes=(64, 16, 10), epochs=1, batch_size=100, lr=1e-3, subset=None))
    monkeypatch.setitem(mlp.CONFIGS, ("mnist", "quick"),
                        dict(sizes=(784, 16, 10), epochs=1, batch_size=100, lr=1e-3, subset=500))
    monkeypatch.setitem(mlp.TARGETS, ("tinydigits", "quick"), 1.01)
    code = main(["--quick"])
    out = capsys.readouterr().out
    result = _result_line(out)
    assert code == 1 and result["passed"] is False
    claim = result["claims"]["tinydigits_test_accuracy_quick"]
    assert claim["passed"] is False and claim["target"] == 1.01
    assert "claim failed: tinydigits_test_accuracy_quick" in out and "expected >= 1.0100" in out


def test_missing_data_fails_with_instructions(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_OFFLINE", "1")
    code = main(["--quick", "--root", str(tmp_path)])
    out = capsys.readouterr().out
    result = _result_line(out)
    assert code == 1 and result["passed"] is False
    assert all(c["value"] is None and not c["passed"] for c in result["claims"].values())
    assert "train-images-idx3-ubyte.gz" in " ".join(out.split())
    assert "digits.csv.gz" in out
    assert "mnist" in result["metrics"]["mnist_error"]
    assert np.isfinite(result["metrics"]["wall_seconds"])
