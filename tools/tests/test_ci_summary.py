"""tools/ci_summary.py: a line per env from its JUnit report; anything but a real pass fails."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "ci_summary", Path(__file__).resolve().parent.parent / "ci_summary.py")
ci_summary = importlib.util.module_from_spec(_spec)
sys.modules["ci_summary"] = ci_summary
_spec.loader.exec_module(ci_summary)


def _report(folder, env, tests, failures=0, errors=0, skipped=0, time=1.5):
    (folder / f"{env}.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
        f'<testsuite name="pytest" errors="{errors}" failures="{failures}" skipped="{skipped}" '
        f'tests="{tests}" time="{time}"></testsuite></testsuites>')


def test_all_passing(tmp_path, capsys):
    _report(tmp_path, "tensor", 58, skipped=1, time=2.07)
    _report(tmp_path, "lint", 40)
    assert ci_summary.main([str(tmp_path), "tensor", "lint"]) == 0
    out = capsys.readouterr().out
    assert "tensor  OK    57 passed, 1 skipped in 2.07s" in out
    assert "all 2 env(s) passed" in out


def test_failures_and_errors_fail(tmp_path, capsys):
    _report(tmp_path, "a", 10, failures=2)
    _report(tmp_path, "b", 10, errors=1)
    assert ci_summary.main([str(tmp_path), "a", "b"]) == 1
    out = capsys.readouterr().out
    assert "2 failed, 8 passed" in out and "9 passed, 1 errors" in out
    assert "2 of 2 env(s) did not pass: a b" in out


def test_no_tests_collected_fails(tmp_path, capsys):
    _report(tmp_path, "empty", 0)
    _report(tmp_path, "skipped", 3, skipped=3)
    assert ci_summary.main([str(tmp_path), "empty", "skipped"]) == 1
    assert capsys.readouterr().out.count("no tests ran") == 2


def test_missing_or_broken_report_fails(tmp_path, capsys):
    _report(tmp_path, "ok", 5)
    (tmp_path / "broken.xml").write_text("<testsuites")
    assert ci_summary.main([str(tmp_path), "ok", "gone", "broken"]) == 1
    out = capsys.readouterr().out
    assert "gone" in out and "no pytest report" in out and "unreadable report" in out


def test_usage(capsys):
    assert ci_summary.main(["only-a-folder"]) == 2
