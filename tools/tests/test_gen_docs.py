"""tools/gen_docs.py: generated blocks follow the metadata, and --check catches a stale one."""

import importlib.util
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
