"""The XOR milestone: claims, reproducibility, and loud failure when a claim breaks."""

import numpy as np
import pytest

from tinytorch.milestone_xor import (
    LN2, evaluate, forward_flops, hidden_layer, parameter_count, single_layer, train, xor_data,
)
from tinytorch.milestone_xor.__main__ import main
from tinytorch.results import PREFIX, parse_line
from tinytorch.tensor import manual_seed


def _result(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1 and out.rstrip().splitlines()[-1] == lines[0]
    result = parse_line(lines[0]).to_dict()
    result["claims"] = {c["name"]: c for c in result["claims"]}
    return code, result, out


def test_quick_run_meets_every_claim(capsys):
    code, result, out = _result(capsys, ["--quick"])
    assert code == 0 and result["passed"] is True
    assert result["milestone"] == "xor" and result["quick"] is True
    assert set(result["claims"]) == {"single_layer_best_accuracy", "single_layer_lowest_loss",
                                     "hidden_layer_worst_accuracy", "hidden_layer_highest_loss"}
    assert all(c["passed"] for c in result["claims"].values())
    metrics = result["metrics"]
    assert metrics["single_parameters"] == 3 and metrics["hidden_parameters"] == 17
    assert metrics["single_flops_per_sample"] == 4 and metrics["hidden_flops_per_sample"] == 24
    assert max(metrics["single_accuracy_per_seed"]) <= 0.75
    assert metrics["hidden_accuracy_per_seed"] == [1.0, 1.0, 1.0]
    assert "params" in out and "FLOPs/sample" in out


def test_runs_are_reproducible(capsys):
    _, first, _ = _result(capsys, ["--quick", "--seed", "5"])
    _, second, _ = _result(capsys, ["--quick", "--seed", "5"])
    for key in ("single_loss_per_seed", "hidden_loss_per_seed", "hidden_accuracy_per_seed"):
        assert first["metrics"][key] == second["metrics"][key]
    assert first["claims"] == second["claims"]


def test_one_hidden_unit_cannot_solve_xor_and_the_run_fails_loudly(capsys):
    code, result, out = _result(capsys, ["--quick", "--hidden", "1"])
    assert code == 1 and result["passed"] is False
    assert result["claims"]["hidden_layer_worst_accuracy"]["passed"] is False
    assert result["claims"]["single_layer_best_accuracy"]["passed"] is True
    assert "claim failed: hidden_layer_worst_accuracy" in out and "expected >= 1.0000 (off by" in out


def test_no_learning_fails_the_hidden_claims(capsys):
    code, result, out = _result(capsys, ["--quick", "--lr", "0"])
    assert code == 1
    assert not result["claims"]["hidden_layer_highest_loss"]["passed"]
    assert "claim failed: hidden_layer_highest_loss" in out and "expected <= 0.1000 (off by" in out


@pytest.mark.parametrize("argv, message", [(["--hidden", "0"], "--hidden: expected an int > 0, got '0'"),
                                           (["--lr", "-1"], "--lr: expected a number >= 0, got '-1'"),
                                           (["--lr", "nan"], "--lr: expected a number >= 0, got 'nan'"),
                                           (["--seed", "-2"], "--seed: expected an int >= 0, got '-2'")])
def test_bad_arguments_are_rejected(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_single_layer_converges_to_the_ln2_floor():
    manual_seed(0)
    model = single_layer()
    losses = train(model, 300)
    loss, accuracy, probs = evaluate(model)
    assert loss >= LN2 - 1e-6 and loss == pytest.approx(LN2, abs=1e-4)
    assert accuracy <= 0.75
    np.testing.assert_allclose(probs, 0.5, atol=0.01)
    assert min(losses) >= LN2 - 1e-6  # gradient descent never gets below the floor


def test_hidden_layer_solves_xor_and_counts_are_right():
    manual_seed(0)
    model = hidden_layer(4)
    train(model, 300)
    loss, accuracy, probs = evaluate(model)
    assert accuracy == 1.0 and loss < 0.1
    x, y = xor_data()
    assert np.array_equal(probs > 0.5, y.numpy()[:, 0] > 0.5)
    assert parameter_count(model) == 17 and forward_flops(model) == 2 * 2 * 4 + 2 * 4 * 1
    with pytest.raises(ValueError, match="hidden must be a positive int, got 0"):
        hidden_layer(0)
