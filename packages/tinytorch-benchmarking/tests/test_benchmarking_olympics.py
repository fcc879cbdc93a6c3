"""The olympics harness: tasks, measured metrics, constraints and the leaderboard file."""

import json
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tinytorch.benchmarking import (
    CATEGORIES, Constraints, Leaderboard, Submission, classification_task, evaluate, mnist_task,
    next_token_task, validate_entry,
)
from tinytorch.layers import Linear
from tinytorch.tensor import Tensor


def _task(**kwargs):
    x = np.eye(4, dtype=np.float32)[np.arange(40) % 4]  # one-hot inputs: class = position of the 1
    return classification_task("toy", x, np.arange(40) % 4, batch_size=8, **kwargs)


def _perfect(width=4):
    m = Linear(4, width)
    m.weight.data[...] = 0
    m.weight.data[:4, :4] = np.eye(4)
    m.bias.data[...] = 0
    return m


def test_evaluate_measures_every_metric():
    model = _perfect()
    entry = evaluate(Submission("perfect", model, author="me", techniques=["none"]), _task(), repeats=5)
    validate_entry(entry)
    m = entry["metrics"]
    assert m["accuracy"] == 100.0
    assert m["model_bytes"] == 4 * (16 + 4) and m["parameters"] == 20
    assert m["accuracy_per_mb"] == pytest.approx(100.0 / (80 / 1e6))
    assert 0 < m["latency_p50_ms"] <= m["latency_p90_ms"]
    assert m["peak_memory_bytes"] >= 8 * 4 * 4  # at least the (8, 4) float32 logits
    assert entry["valid"] and entry["violations"] == [] and entry["schema"] == "tinytorch-olympics/1"
    json.dumps(entry)  # JSON-ready


def test_constraints_make_an_entry_invalid():
    entry = evaluate(Submission("big", _perfect(4000)), _task(constraints=Constraints(max_model_bytes=1000)),
                     repeats=3)
    assert not entry["valid"]
    assert entry["violations"] == [f"model is {4 * (4 * 4000 + 4000):,} bytes > 1,000"]
    low = evaluate(Submission("bad", Linear(4, 4)), _task(constraints=Constraints(min_accuracy=101)), repeats=3)
    assert any("accuracy" in v for v in low["violations"])


def test_submission_errors():
    with pytest.raises(TypeError, match="expects a Submission"):
        evaluate(_perfect(), _task())
    with pytest.raises(ValueError, match="give model_bytes"):
        evaluate(Submission("fn", lambda x: x), _task(), repeats=2)
    with pytest.raises(ValueError, match="need as many targets as inputs"):
        classification_task("bad", np.zeros((3, 2)), np.zeros(2))


def test_next_token_task_and_generation_speed():
    tokens = np.arange(100) % 10
    task = next_token_task("count", tokens, block_size=8, batch_size=2, prompt_length=3, max_new_tokens=5)
    assert task.inputs.shape == (12, 8) and (task.targets == (task.inputs + 1) % 10).all()
    assert task.prompts.shape == (2, 3)

    def logits(x):  # a perfect next-token model over the 10-token vocabulary
        return Tensor(np.eye(10, dtype=np.float32)[(x.data + 1) % 10])

    def generate(prompts, n):
        return np.concatenate([prompts, (prompts[:, -1:] + np.arange(1, n + 1)) % 10], axis=1)

    entry = evaluate(Submission("counter", logits, model_bytes=0, generate=generate), task, repeats=3)
    assert entry["metrics"]["accuracy"] == 100.0
    assert entry["metrics"]["tokens_per_second"] > 0
    with pytest.raises(ValueError, match="do not fill one window"):
        next_token_task("short", [1, 2], block_size=4)


def test_leaderboard_ranks_per_category_and_round_trips(tmp_path):
    path = tmp_path / "board.json"
    board = Leaderboard(path)
    entries = []
    for name, acc, lat, nbytes in [("a", 99.0, 5.0, 4_000_000), ("b", 98.0, 2.0, 1_000_000),
                                   ("c", 99.5, 9.0, 8_000_000), ("d", 99.9, 1.0, 50_000_000)]:
        e = evaluate(Submission(name, _perfect()), _task(), repeats=2)
        e["metrics"].update(accuracy=acc, latency_p50_ms=lat, model_bytes=nbytes, accuracy_per_mb=acc / (nbytes / 1e6))
        e["violations"] = [] if nbytes <= 10_000_000 else ["too big"]
        e["valid"] = not e["violations"]
        board.add(e)
        entries.append(e)
    assert [e["submission"] for e in board.ranking("toy", "accuracy")] == ["c", "a", "b"]  # d invalid
    assert board.winners("toy") == {"accuracy": "c", "speed": "b", "size": "b", "accuracy_per_mb": "b"}
    assert set(board.winners("toy")) == set(CATEGORIES)
    again = Leaderboard(path)
    assert [e["submission"] for e in again.entries] == ["a", "b", "c", "d"]
    again.add(dict(entries[0], metrics=dict(entries[0]["metrics"], accuracy=10.0)))  # resubmission replaces
    assert [e["submission"] for e in Leaderboard(path).entries] == ["b", "c", "d", "a"]
    assert sorted(os.listdir(tmp_path)) == ["board.json"]
    console = Console(record=True, width=220)
    console.print(again.table("toy"))
    assert "too big" in console.export_text()
    with pytest.raises(ValueError, match="category must be one of"):
        board.ranking("toy", "fastest")


def test_leaderboard_refuses_a_corrupt_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "board.json"
    path.write_text('{"schema": "tinytorch-olympics/1", "entries": [{"schema": "x"}]}')
    with pytest.raises(ValueError, match="entry schema 'x'"):
        Leaderboard(path)
    path.write_text("not json")
    with pytest.raises(ValueError, match="not a leaderboard file"):
        Leaderboard(path)
    assert path.read_text() == "not json"
    with pytest.raises(ValueError, match="metric 'accuracy' missing"):
        validate_entry({"schema": "tinytorch-olympics/1", "task": "t", "submission": "s", "metrics": {},
                        "valid": True, "violations": []})


def test_mnist_task_uses_the_held_out_test_set():
    try:
        task = mnist_task("mlp")
    except FileNotFoundError as exc:
        pytest.skip(f"MNIST not available: {exc}")
    assert task.inputs.shape == (10000, 1, 28, 28) and task.inputs.dtype == np.float32
    assert task.targets.shape == (10000,) and 0.0 <= task.inputs.min() <= task.inputs.max() <= 1.0


def test_command_line_shows_the_leaderboard(tmp_path, capsys):
    from tinytorch.benchmarking.__main__ import main

    path = tmp_path / "board.json"
    assert main([str(path)]) == 1
    Leaderboard(path).add(evaluate(Submission("perfect", _perfect()), _task(), repeats=2))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "Olympics leaderboard: toy" in out and "accuracy: perfect" in out
    path.write_text("{}")
    assert main([str(path)]) == 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.01, 500), st.integers(1, 20_000_000), st.booleans()),
                min_size=1, max_size=8))
def test_rankings_are_sorted_and_hold_exactly_the_valid_entries(rows):
    with tempfile.TemporaryDirectory() as folder:
        board = Leaderboard(os.path.join(folder, "board.json"))  # entries set directly, never saved
    for i, (acc, lat, nbytes, valid) in enumerate(rows):
        board.entries.append({
            "schema": "tinytorch-olympics/1", "task": "t", "submission": f"s{i}", "valid": valid,
            "violations": [] if valid else ["x"],
            "metrics": {"accuracy": acc, "latency_p50_ms": lat, "model_bytes": nbytes,
                        "accuracy_per_mb": acc / (nbytes / 1e6)},
        })
    valid_names = {e["submission"] for e in board.entries if e["valid"]}
    for category, (metric, higher) in CATEGORIES.items():
        ranked = board.ranking("t", category)
        assert {e["submission"] for e in ranked} == valid_names
        values = [e["metrics"][metric] for e in ranked]
        assert values == sorted(values, reverse=higher)
