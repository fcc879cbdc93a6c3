"""milestone_main: the shared argparse, the table, the line and the exit status."""

import io
import subprocess
import sys

import pytest
from rich.console import Console

from tinytorch.results import Claim, ResultError, find_result, milestone_main, positive_int


def quiet():
    return Console(file=io.StringIO(), width=100, color_system=None)


def run_ok(args, console):
    console.print(f"running quick={args.quick} seed={args.seed} width={args.width}")
    return [Claim.check("acc", 1.0 if args.width > 1 else 0.5, ">=", 0.9)], {"parameters": 3}


def add_width(parser):
    parser.add_argument("--width", type=positive_int, default=2)


def test_exit_status_table_and_line(capsys):
    console = quiet()
    code = milestone_main("demo", run_ok, ["--quick", "--seed", "3"], description="d",
                          add_arguments=add_width, console=console)
    assert code == 0
    assert "running quick=True seed=3 width=2" in console.file.getvalue()
    assert "demo claims (quick run)" in console.file.getvalue()
    result = find_result(capsys.readouterr().out)
    assert result.passed and result.quick and result.metrics["parameters"] == 3
    assert isinstance(result.metrics["wall_seconds"], float)


def test_table_left_to_the_caller_when_asked(monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_RESULT_TABLE", "0")
    console = quiet()
    assert milestone_main("demo", run_ok, [], description="d", add_arguments=add_width, console=console) == 0
    text = console.file.getvalue()
    assert "running" in text and "demo claims" not in text and "every checked claim" not in text
    assert find_result(capsys.readouterr().out).passed


def test_failed_claim_exits_one(capsys):
    assert milestone_main("demo", run_ok, ["--width", "1"], description="d", add_arguments=add_width,
                          console=quiet()) == 1
    assert not find_result(capsys.readouterr().out).passed


def test_all_skipped_exits_one(capsys):
    def run(args, console):
        return [Claim.skip("cifar", ">=", 0.75, "absent")], {}
    assert milestone_main("demo", run, [], description="d", console=quiet()) == 1
    assert find_result(capsys.readouterr().out).status == "skipped"


@pytest.mark.parametrize("argv, message", [(["--seed", "-1"], "expected an int >= 0, got '-1'"),
                                           (["--width", "0"], "expected an int > 0, got '0'"),
                                           (["--width", "two"], "expected an int > 0, got 'two'")])
def test_bad_arguments_exit_two_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        milestone_main("demo", run_ok, argv, description="d", add_arguments=add_width, console=quiet())
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_check_args_can_refuse_a_combination(capsys):
    def check(args, parser):
        if args.quick and args.width > 2:
            parser.error("--width > 2 needs a full run")
    with pytest.raises(SystemExit) as info:
        milestone_main("demo", run_ok, ["--quick", "--width", "3"], description="d", add_arguments=add_width,
                       check_args=check, console=quiet())
    assert info.value.code == 2 and "--width > 2 needs a full run" in capsys.readouterr().err


def test_run_returning_the_wrong_thing_is_named():
    with pytest.raises(ResultError, match=r"run\(\) must return \(claims, metrics\)"):
        milestone_main("demo", lambda args, console: None, [], description="d", console=quiet())


def test_in_a_subprocess_the_result_is_the_last_line():
    code = ("import sys\nfrom tinytorch.results import Claim, milestone_main\n"
            "sys.exit(milestone_main('demo', lambda a, c: ([Claim.check('x', 2, '>=', 1)], {}), "
            "sys.argv[1:], description='d'))")
    proc = subprocess.run([sys.executable, "-c", code, "--quick"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("TINYTORCH_RESULT ")
    assert find_result(proc.stdout).quick
