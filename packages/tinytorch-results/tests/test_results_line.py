"""The TINYTORCH_RESULT line: emitted on one line, found and validated by the reader."""

import io
import json

import pytest

from tinytorch.results import PREFIX, Claim, Result, ResultError, emit, find_result, format_line, parse_line


def result():
    return Result("xor", [Claim.check("acc", 1.0, ">=", 1.0), Claim.check("loss", 0.01, "<=", 0.1)],
                  {"note": "line\nbreak é", "loss_curve": [1.0, float("inf")]})


def test_emit_writes_one_line_that_parses_back():
    out = io.StringIO()
    out.write("human output\n")
    emit(result(), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith(PREFIX)
    assert lines[1].isascii()
    back = parse_line(lines[1] + "\n")
    assert back == result()
    assert json.loads(lines[1][len(PREFIX):])["metrics"]["loss_curve"] == [1.0, "inf"]


def test_parse_line_ignores_other_lines():
    assert parse_line("epoch 1: loss 0.3") is None
    assert parse_line(" TINYTORCH_RESULT {}") is None


def test_parse_line_names_unreadable_json():
    with pytest.raises(ResultError, match="unreadable result line .*column"):
        parse_line(PREFIX + '{"milestone": ')


def test_parse_line_validates():
    data = result().to_dict()
    data["passed"] = False
    with pytest.raises(ResultError, match="result.passed is false"):
        parse_line(PREFIX + json.dumps(data))


def test_find_result_takes_the_last_line_from_text_or_lines():
    first = Result("a", [Claim.check("x", 0, ">=", 1)])
    text = "\n".join(["start", format_line(first), "more", format_line(result()), "end"])
    assert find_result(text) == result()
    assert find_result(iter(text.splitlines(keepends=True))) == result()
    assert find_result("no result here\n") is None


def test_format_line_needs_a_result():
    with pytest.raises(ResultError, match="needs a Result"):
        format_line({"milestone": "x"})
