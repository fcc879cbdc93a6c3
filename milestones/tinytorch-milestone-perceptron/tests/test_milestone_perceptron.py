"""The 1957 milestone: its claims hold on --quick, and it fails loudly when they cannot hold."""

import numpy as np
import pytest

import tinytorch.milestone_perceptron.perceptron as pc
from tinytorch.layers import Linear
from tinytorch.milestone_perceptron.__main__ import main
from tinytorch.results import PREFIX, parse_line
from tinytorch.tensor import manual_seed


def _result(capsys):
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith(PREFIX)
    result = parse_line(lines[-1]).to_dict()
    result["claims"] = {c["name"]: c for c in result["claims"]}
    return result, "\n".join(lines)


def test_quick_run_meets_every_claim(capsys):
    assert main(["--quick"]) == 0
    result, text = _result(capsys)
    assert result["milestone"] == "perceptron" and result["passed"] is True and result["quick"] is True
    claims = result["claims"]
    assert set(claims) == {"separable_train_accuracy", "separable_test_accuracy", "xor_best_accuracy"}
    assert claims["separable_train_accuracy"]["value"] == 1.0
    assert claims["separable_test_accuracy"]["value"] >= 0.98
    assert claims["xor_best_accuracy"]["value"] <= 0.75
    assert all(c["passed"] for c in claims.values())
    metrics = result["metrics"]
    assert metrics["parameters"] == 3 and metrics["flops_per_sample"] == 4
    assert metrics["separable_converged"] is True
    assert metrics["xor_mistakes_last_epoch"] > 0  # XOR never converges
    for header in ("accuracy", "params", "FLOPs/sample", "time"):
        assert header in text


def test_run_is_reproducible_from_the_seed(capsys):
    main(["--quick", "--seed", "3"])
    first, _ = _result(capsys)
    main(["--quick", "--seed", "3"])
    second, _ = _result(capsys)
    for key in ("learned_line", "separable_updates", "xor_updates"):
        assert first["metrics"][key] == second["metrics"][key]


def test_non_separable_data_fails_loudly(capsys, monkeypatch):
    original = pc.make_separable

    def random_labels(n, seed, margin=0.1):
        x, _ = original(n, seed, margin)
        return x, np.random.default_rng(seed + 1).integers(0, 2, n).astype(np.float32)

    monkeypatch.setattr(pc, "make_separable", random_labels)
    assert main(["--quick"]) == 1
    result, text = _result(capsys)
    assert result["passed"] is False
    assert result["claims"]["separable_train_accuracy"]["passed"] is False
    assert "claim failed: separable_train_accuracy" in text and "expected >= 1.0000 (off by" in text


def test_zero_learning_rate_fails(capsys):
    # With lr = 0 the rule never moves the random initial line: accuracy stays near chance.
    assert main(["--quick", "--lr", "0"]) == 1
    result, _ = _result(capsys)
    assert result["passed"] is False
    assert not result["claims"]["separable_train_accuracy"]["passed"]


def test_xor_claim_fails_if_the_data_were_separable(capsys, monkeypatch):
    # Swap XOR for AND (separable): the perceptron then reaches 100% and the ceiling claim trips.
    monkeypatch.setattr(pc, "xor_data", lambda: (pc.XOR_INPUTS.copy(), np.array([0, 0, 0, 1], np.float32)))
    assert main(["--quick"]) == 1
    result, text = _result(capsys)
    claim = result["claims"]["xor_best_accuracy"]
    assert (claim["value"], claim["op"], claim["target"], claim["passed"]) == (1.0, "<=", 0.75, False)
    assert "expected <= 0.7500 (off by 0.2500)" in text


def test_bad_arguments_exit_with_a_message(capsys):
    with pytest.raises(SystemExit):
        main(["--lr", "-1"])
    assert "--lr: expected a number >= 0, got '-1'" in capsys.readouterr().err


# ----- the pieces ---------------------------------------------------------------------------------
def test_separable_data_has_the_margin_and_both_classes():
    x, y = pc.make_separable(500, seed=1, margin=0.2)
    assert x.shape == (500, 2) and y.shape == (500,) and x.dtype == np.float32
    assert 0 < y.mean() < 1 and np.abs(x).max() <= 1
    # a perfect separator exists: training on it converges
    manual_seed(1)
    layer = Linear(2, 1)
    history = pc.train_perceptron(layer, x, y, lr=0.1, max_epochs=200)
    assert history[-1]["mistakes"] == 0 and pc.accuracy(layer, x, y) == 1.0


def test_rule_moves_weights_towards_a_misclassified_point():
    layer = Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[-1.0, 0.0]], np.float32), "bias": np.zeros(1, np.float32)})
    x = np.array([[1.0, 2.0]], np.float32)
    y = np.array([1.0], np.float32)  # predicted 0 (w.x = -1 < 0): one update of +lr * x
    history = pc.train_perceptron(layer, x, y, lr=0.5, max_epochs=1)
    assert history == [{"epoch": 1, "mistakes": 1, "accuracy": 1.0}]
    np.testing.assert_allclose(layer.weight.data, [[-0.5, 1.0]])
    np.testing.assert_allclose(layer.bias.data, [0.5])


def test_xor_is_never_above_three_quarters():
    x, y = pc.xor_data()
    for seed in range(5):
        manual_seed(seed)
        history = pc.train_perceptron(Linear(2, 1), x, y, lr=0.1, max_epochs=30)
        assert len(history) == 30 and max(h["accuracy"] for h in history) <= 0.75


def test_flops_and_parameters_come_from_the_layer_shape():
    layer = Linear(5, 3)
    assert pc.forward_flops(layer) == 30 and pc.update_flops(layer) == 36
    assert pc.parameter_count(layer) == 18
    assert pc.step(layer.weight).data.dtype == np.float32
