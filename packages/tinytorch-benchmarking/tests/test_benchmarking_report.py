"""Reports: the rich table, JSON written atomically, the PNG plot."""

import json
import os

import pytest
from rich.console import Console

from tinytorch.benchmarking import benchmark, compare, format_seconds, plot_results, results_table, save_json


@pytest.fixture(scope="module")
def results():
    return [benchmark(lambda: sum(range(100)), repeats=5, name="sum"),
            compare(lambda: sorted(range(300)), lambda: list(range(300)), repeats=5, names=("sorted", "list"))]


def test_format_seconds():
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(4.2e-6) == "4.2 us"
    assert format_seconds(3e-9) == "3 ns"


def test_table_lists_every_result(results):
    console = Console(record=True, width=200)
    console.print(results_table(results))
    text = console.export_text()
    for name in ("sum", "sorted", "list", "1.00x"):
        assert name in text
    with pytest.raises(TypeError, match="got int"):
        results_table([3])


def test_json_round_trip_and_no_temp_left(results, tmp_path):
    path = tmp_path / "bench.json"
    save_json(results, path)
    data = json.loads(path.read_text())
    assert data[0]["name"] == "sum" and len(data[0]["samples"]) == 5
    assert data[1]["ratio"] == pytest.approx(results[1].ratio)
    assert os.listdir(tmp_path) == ["bench.json"]


def test_png_plot(results, tmp_path):
    pytest.importorskip("matplotlib")
    path = plot_results(results, tmp_path / "bench.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["bench.png"]
