"""The one results table: columns, formatting, reasons and the verdict."""

import io

from rich.console import Console

from tinytorch.results import Claim, Result, claims_table, format_number, print_result, verdict_line


def render(result):
    console = Console(file=io.StringIO(), width=120, color_system=None)
    print_result(result, console)
    return console.file.getvalue()


def test_format_number():
    assert format_number(None) == "-"
    assert format_number(7) == "7"
    assert format_number(2.0) == "2.0000"
    assert format_number(0.98) == "0.9800"
    assert format_number(1234567) == "1,234,567"
    assert format_number(12345.25) == "12,345.2"


def test_table_shows_every_claim_with_status_and_systems_caption():
    claims = [Claim.check("mnist_test_accuracy", 0.9812, ">=", 0.98),
              Claim.check("loss", 1.7, "<=", 1.5),
              Claim.skip("cifar10_test_accuracy", ">=", 0.75, "CIFAR-10 absent: run `tito data fetch cifar10`")]
    text = render(Result("cnn", claims, {"parameters": 44426, "flops_per_sample": 570000, "wall_seconds": 12.34}))
    assert "mnist_test_accuracy" in text and "0.9812" in text and ">= 0.9800" in text and "PASS" in text
    assert "FAIL" in text and "SKIP" in text
    assert "parameters 44,426, FLOPs/sample 570,000, wall time 12.3 s" in text
    assert "claim failed: loss = 1.7000, expected <= 1.5000 (off by 0.2000)" in text
    assert "claim skipped: cifar10_test_accuracy: CIFAR-10 absent: run `tito data fetch cifar10`" in text
    assert "cnn: not achieved, failed: loss" in text


def test_verdicts():
    ok = Claim.check("a", 1.0, ">=", 0.9)
    gone = Claim.skip("b", ">=", 0.9, "data absent")
    assert "every checked claim holds[/bold green] (1 skipped)" in verdict_line(Result("m", [ok, gone]))
    assert "every claim was skipped" in verdict_line(Result("m", [gone]))
    assert "quick run" in claims_table(Result("m", [ok], quick=True)).title


def test_failed_claim_without_value_prints_its_reason():
    text = render(Result("m", [Claim.check("loss", float("nan"), "<=", 1.5)]))
    assert "claim failed: loss = the measured value was nan" in text


def test_markup_in_names_and_reasons_is_printed_literally():
    text = render(Result("m", [Claim.skip("[red]x", ">=", 1, "put files in [data]/mnist")]))
    assert "[red]x" in text and "put files in [data]/mnist" in text
