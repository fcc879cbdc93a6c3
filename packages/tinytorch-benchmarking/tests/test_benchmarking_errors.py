"""Careless inputs to the olympics harness: refused with a message naming the bad value."""

import numpy as np
import pytest

from tinytorch.benchmarking import Constraints, Submission, mnist_task, next_token_task
from tinytorch.layers import Linear


@pytest.mark.parametrize("kwargs", [{"max_model_bytes": -5}, {"max_model_bytes": 0}, {"max_latency_ms": 0},
                                    {"max_latency_ms": float("nan")}, {"min_accuracy": "90"},
                                    {"max_model_bytes": True}])
def test_constraints_refuse_limits_no_entry_could_meet(kwargs):
    (name, value), = kwargs.items()
    with pytest.raises(ValueError, match=f"Constraints: {name} must be None or a finite"):
        Constraints(**kwargs)


def test_constraints_accept_none_and_numbers():
    c = Constraints(max_model_bytes=None, max_latency_ms=2.5, min_accuracy=101)
    assert c.violations({"model_bytes": 10**9, "latency_p50_ms": 1.0, "accuracy": 100.0}) == [
        "accuracy 100.00% < 101%"
    ]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": ""}, ValueError, "name must be a non-empty str"),
    ({"name": 3}, ValueError, "name must be a non-empty str, got 3"),
    ({"techniques": "quantize_dynamic"}, TypeError, "techniques must be a list of str, got 'quantize_dynamic'"),
    ({"techniques": [1]}, TypeError, r"techniques must be a list of str, got \[1\]"),
    ({"model_bytes": -1}, ValueError, "model_bytes must be None or an int >= 0, got -1"),
    ({"model_bytes": 1.5}, ValueError, "model_bytes must be None or an int >= 0, got 1.5"),
    ({"generate": 5}, TypeError, "generate must be callable, got int"),
])
def test_submission_refuses_bad_fields(kwargs, error, message):
    fields = {"name": "entry", "model": Linear(4, 2), **kwargs}
    with pytest.raises(error, match=message):
        Submission(**fields)


def test_submission_keeps_a_tuple_of_techniques_as_a_list():
    assert Submission("entry", Linear(4, 2), techniques=("prune", "quantize")).techniques == ["prune", "quantize"]


@pytest.mark.parametrize("kwargs, message", [
    ({"block_size": 0}, "block_size must be an int >= 1, got 0"),
    ({"block_size": 2.0}, "block_size must be an int >= 1, got 2.0"),
    ({"prompt_length": 0}, "prompt_length must be an int >= 1, got 0"),
    ({"max_new_tokens": -1}, "max_new_tokens must be an int >= 0, got -1"),
    ({"prompt_length": 9}, "prompt_length 9 exceeds block_size 8"),
])
def test_next_token_task_refuses_bad_sizes(kwargs, message):
    args = {"block_size": 8, **kwargs}
    with pytest.raises(ValueError, match=message):
        next_token_task("text", np.arange(100), **args)


def test_next_token_task_refuses_a_batch_of_token_rows():
    with pytest.raises(ValueError, match=r"tokens must be a 1-d sequence of ids, got shape \(2, 50\)"):
        next_token_task("text", np.zeros((2, 50), np.int64), block_size=8)


def test_mnist_task_refuses_an_unknown_kind_before_loading_data():
    with pytest.raises(ValueError, match="model_kind must be 'mlp' or 'cnn', got 'rnn'"):
        mnist_task("rnn", root="/nonexistent")


@pytest.mark.parametrize("samples", [[1.0, float("nan"), 2.0], [float("inf"), 1.0]])
def test_bootstrap_ci_refuses_samples_that_are_not_finite(samples):
    from tinytorch.benchmarking import bootstrap_ci

    with pytest.raises(ValueError, match="bootstrap_ci needs finite samples"):
        bootstrap_ci(samples)


@pytest.mark.parametrize("resamples", [0, -5, 2.5])
def test_bootstrap_ci_refuses_a_resample_count_below_one(resamples):
    from tinytorch.benchmarking import bootstrap_ci

    with pytest.raises(ValueError, match=f"resamples must be an int >= 1, got {resamples}"):
        bootstrap_ci([1.0, 2.0], resamples=resamples)


@pytest.mark.parametrize("names", [("a",), ("a", "b", "c"), "ab", ("a", 2)])
def test_compare_checks_its_names_before_timing_anything(names):
    from tinytorch.benchmarking import compare

    calls = []
    with pytest.raises(ValueError, match="names must be two strings"):
        compare(lambda: calls.append(1), lambda: calls.append(2), repeats=2, names=names)
    assert calls == []


def test_plot_results_refuses_an_empty_list(tmp_path):
    from tinytorch.benchmarking import plot_results

    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="no results to plot"):
        plot_results([], tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()
