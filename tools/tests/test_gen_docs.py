"""tools/gen_docs.py: generated blocks follow the metadata, and --check catches a stale one."""

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
gen_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_docs)


def package(repo, name, number=None, deps=(), year=None, body=""):
    dist = f"tinytorch-milestone-{name}" if year else f"tinytorch-{name}"
    folder = repo / ("milestones" if year else "packages") / dist
    (folder / "src" / "tinytorch" / name).mkdir(parents=True)
    (folder / "src" / "tinytorch" / name / "ops.py").write_text(body)
    keywords = ["tinytorch"] + ([f"tinytorch-module-{number:02d}", "tinytorch-act-I"] if number else []) + (
        [f"tinytorch-year-{year}"] if year else [])
    group = "tinytorch.milestones" if year else "tinytorch.modules"
    target = f"tinytorch.milestone_{name}.__main__:main" if year else f"tinytorch.{name}"
    deps_text = ", ".join(f'"{d}"' for d in deps)
    (folder / "pyproject.toml").write_text(textwrap.dedent(f'''\
        [project]
        name = "{dist}"
        version = "0.1.0"
        description = "TinyTorch module {number or 0:02d}: the {name}."
        keywords = {keywords!r}
        dependencies = [{deps_text}]

        [project.entry-points."{group}"]
        {name} = "{target}"
        ''').replace("'", '"'))


REGION = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"


@pytest.fixture
def repo(tmp_path):
    package(tmp_path, "tensor", 1, ["numpy>=1.26"], body=REGION * 2)
    package(tmp_path, "layers", 3, ["tinytorch-tensor>=0.1,<0.2"])
    package(tmp_path, "losses", 4, ["tinytorch-layers>=0.1,<0.2"])
    package(tmp_path, "perceptron", deps=["tinytorch-losses>=0.1,<0.2"], year=1957)
    return tmp_path


def doc(repo, *names):
    path = repo / "doc.md"
    path.write_text("intro\n" + "".join(f"<!-- generated: {n} -->\nstale\n<!-- /generated: {n} -->\n" for n in names) + "end\n")
    return path


def test_blocks_follow_the_metadata(repo):
    path = doc(repo, "packages", "milestones", "exercise-regions tinytorch-tensor")
    assert gen_docs.main(["--repo", str(repo), str(path)]) == 0
    text = path.read_text()
    assert "| 01 | I | tinytorch-tensor | `tinytorch.tensor` | the tensor | numpy |" in text
    assert "| 04 | I | tinytorch-losses | `tinytorch.losses` | the losses | 03 |" in text
    assert "| 1957 | tinytorch-milestone-perceptron | `python -m tinytorch.milestone_perceptron [--quick]`" in text
    assert text.rstrip().endswith("end") and "stale" not in text
    assert "| 01, 03, 04 |" in text  # the milestone needs what its module needs, transitively
    assert "and 2 exercise regions" in text
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 0


def test_check_names_a_stale_block_and_changes_nothing(repo, capsys):
    path = doc(repo, "packages")
    gen_docs.main(["--repo", str(repo), str(path)])
    package(repo, "optim", 6, ["tinytorch-tensor>=0.1,<0.2"])
    before = path.read_text()
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 1
    assert f"{path}: packages" in capsys.readouterr().out and path.read_text() == before


def test_measured_blocks_come_from_junit_reports(repo, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "tensor.xml").write_text('<testsuites><testsuite tests="10" failures="1" errors="0" skipped="2" '
                                        'time="3.5"/></testsuites>')
    path = doc(repo, "test-counts")
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 0  # measured: not checked statically
    assert gen_docs.main(["--repo", str(repo), "--reports", str(reports), str(path)]) == 0
    assert "| tensor | 7 | 2 | 1 | 0 | 3.5 |" in path.read_text()


def test_journey_comes_from_the_result_lines_of_a_saved_run(repo, tmp_path):
    results = pytest.importorskip("tinytorch.results")
    checked = results.Claim.check("mnist", 0.99, ">=", 0.98)
    skipped = results.Claim.skip("cifar10", ">=", 0.75, "CIFAR-10 is not in /data\nmore")
    log = tmp_path / "journey.log"
    log.write_text("training...\n"
                   + results.format_line(results.Result("cnn", [checked, skipped], {"wall_seconds": 398.2})) + "\n"
                   + results.format_line(results.Result("xor", [checked], {"wall_seconds": 2.9})) + "\n")
    path = doc(repo, "journey")
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 0
    assert gen_docs.main(["--repo", str(repo), "--journey", str(log), str(path)]) == 0
    text = path.read_text()
    assert "| cnn | passed | 398.2 | 1 of 1 | cifar10 (CIFAR-10 is not in /data) |" in text
    assert "| xor | passed | 2.9 | 1 of 1 | — |" in text and "| all | | 401.1 | | |" in text


HAND_TIMES = """\
<!-- generated: measured-times -->
| command | wall time | measured |
|---|---|---|
| every test (`tox -p auto`, what `.ci/run` runs) | 8 min 59 s | recorded by hand: 31 environments |
| 2017 milestone, full (`python -m tinytorch.milestone_transformer`) | about 17 min of CPU | recorded by hand: part by part |

Rows that say "recorded by hand" have no saved run behind them yet.
<!-- /generated: measured-times -->
"""


def tox_result(path, envs):
    """A ``tox --result-json`` file: ``envs`` maps a name to (success, duration, last end)."""
    path.write_text(json.dumps({"reportversion": "1", "toxversion": "4.67.15", "testenvs": {
        name: {"result": {"success": ok, "exit_code": 0 if ok else 1, "duration": duration, "skipped": False},
               "setup": [{"run_id": "install_deps", "start": end - duration, "end": end - duration + 1}],
               "test": [{"run_id": "commands[0]", "start": end - duration + 1, "end": end}]}
        for name, (ok, duration, end) in envs.items()} | {".pkg": {"test": []}}}))
    return path


def test_measured_times_rows_come_from_saved_runs_and_hand_rows_stay(repo, tmp_path):
    results = pytest.importorskip("tinytorch.results")
    path = repo / "README.md"
    path.write_text("intro\n" + HAND_TIMES + "end\n")
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 0  # measured: never stale
    assert gen_docs.main(["--repo", str(repo), str(path)]) == 0 and path.read_text() == "intro\n" + HAND_TIMES + "end\n"
    # tensor ran from t=100 to 110, layers from 105 to 245: the run took 145 s
    timings = tox_result(tmp_path / "result.json", {"tensor": (True, 10.0, 110.0), "layers": (False, 140.0, 245.0)})
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "tensor.xml").write_text('<testsuite tests="1200" failures="0" errors="0" skipped="3" time="8"/>')
    (reports / "layers.xml").write_text('<testsuite tests="50" failures="1" errors="0" skipped="0" time="130"/>')
    log = tmp_path / "perceptron.log"
    claim = results.Claim.check("accuracy", 0.99, ">=", 0.95)
    log.write_text("epoch 1\n" + results.format_line(results.Result("perceptron", [claim], {"wall_seconds": 0.5})))
    journey = tmp_path / "journey.log"
    journey.write_text(log.read_text() + "\n" + results.format_line(
        results.Result("xor", [results.Claim.check("accuracy", 0.5, ">=", 0.95)], {"wall_seconds": 72.4})))
    assert gen_docs.main(["--repo", str(repo), "--tox-json", str(timings), "--reports", str(reports),
                          "--journey", str(journey), "--milestone-log", str(log), str(path)]) == 0
    text = path.read_text()
    assert ("| journey (`tox -e journey`) | 1 min 13 s | perceptron 0.5 s, xor 1 min 12 s (failed) "
            "(the milestones' own wall seconds, summed) |") in text
    assert ("| every test (`tox -p auto`, what `.ci/run` runs) | 2 min 25 s | 2 environments, 1 failed (layers): "
            "1,246 tests passed, 3 skipped; slowest layers 140 s (49 tests), tensor 10 s (1,197 tests) |") in text
    assert "| 1957 milestone, full (`python -m tinytorch.milestone_perceptron`) | 0.5 s | passed: 1 of 1 claims met |" in text
    assert "| 2017 milestone, full (`python -m tinytorch.milestone_transformer`) | about 17 min of CPU | recorded by hand" in text
    assert text.index("every test") < text.index("| journey") < text.index("1957 milestone") < text.index("2017 milestone")
    assert (f"Generated by `python tools/gen_docs.py --tox-json {timings} --reports {reports} --journey {journey} "
            f"--milestone-log {log}` from the saved output of those runs.") in text
    assert '"recorded by hand" have no saved run behind them yet' in text and "8 min 59 s" not in text


def test_measured_times_refuses_input_that_is_not_a_saved_run(repo, tmp_path, capsys):
    path = repo / "README.md"
    path.write_text(HAND_TIMES)
    (tmp_path / "bad.json").write_text("{}")
    assert gen_docs.main(["--repo", str(repo), "--tox-json", str(tmp_path / "bad.json"), str(path)]) == 2
    assert "is not a tox --result-json file" in capsys.readouterr().err
    (tmp_path / "empty.log").write_text("no result here\n")
    assert gen_docs.main(["--repo", str(repo), "--milestone-log", str(tmp_path / "empty.log"), str(path)]) == 2
    assert "no TINYTORCH_RESULT lines" in capsys.readouterr().err and path.read_text() == HAND_TIMES


@pytest.mark.parametrize("text, message", [
    ("<!-- generated: bogus -->\nx\n<!-- /generated: bogus -->\n", "unknown generated block 'bogus'"),
    ("<!-- generated: packages -->\nx\n", "unclosed generated block"),
])
def test_marker_errors(repo, capsys, text, message):
    path = repo / "bad.md"
    path.write_text(text)
    assert gen_docs.main(["--repo", str(repo), str(path)]) == 2
    assert message in capsys.readouterr().err


def test_markers_quoted_in_a_sentence_are_not_blocks(repo):
    path = repo / "quoted.md"
    path.write_text("Write `<!-- generated: NAME -->` on a line of its own.\n")
    assert gen_docs.main(["--repo", str(repo), "--check", str(path)]) == 0


def test_the_repository_docs_are_up_to_date():
    assert gen_docs.main(["--check"]) == 0
