"""tito submit and tito grade on a small module: honest, wrong and hostile submissions.

A toy module distribution is built into a wheelhouse with tools/wheelhouse.py; submissions are
archives written by the submission writer from copies with different ``src``. Every hostile
kind the grader must survive is graded in the same parallel run as the honest one.
"""

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinytorch.cli import main
from tinytorch.cli.confine import probe
from tinytorch.cli.discovery import component_from_pyproject
from tinytorch.cli.submission import read_submission, write_submission

REPO = Path(__file__).resolve().parents[3]
WHEELHOUSE_TOOL = REPO / "tools" / "wheelhouse.py"
UV = Path(sys.executable).parent / "uv"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not WHEELHOUSE_TOOL.is_file(), reason="needs tools/wheelhouse.py (the checkout)"),
              pytest.mark.skipif(not UV.exists() and shutil.which("uv") is None, reason="needs uv")]

GOOD = "def double(x):\n    return 2 * x\n"
HOSTILE = {
    "good": GOOD,
    "wrong": "def double(x):\n    return 3 * x\n",
    "loop": "while True:\n    pass\n",
    "memory": "HOG = bytearray(8 * 2**30)\n" + GOOD,
    "crash": "raise RuntimeError('broken at import')\n",
    "exit": "import os\nos._exit(3)\n",
    "deleter": textwrap.dedent('''\
        import os, shutil, tempfile
        from pathlib import Path
        for target in (Path.home(), Path(tempfile.gettempdir()), Path("..")):
            shutil.rmtree(target, ignore_errors=True)
        for target in {targets!r}:
            shutil.rmtree(target, ignore_errors=True) if os.path.isdir(target) else os.path.exists(target) and os.remove(target)
        ''') + GOOD,
    # by absolute path: another student's archive, a file in the grader's output folder, a new file there
    "escaper": textwrap.dedent('''\
        import os
        sibling, kept, planted = {targets!r}
        for name in os.listdir(sibling):
            os.remove(os.path.join(sibling, name))
        os.remove(kept)
        with open(planted, "w") as fh:
            fh.write("planted")
        ''') + GOOD,
}
CONFINEMENT = probe()


def toy_package(root):
    folder = root / "packages" / "tinytorch-toy"
    (folder / "src" / "tinytorch" / "toy").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "src" / "tinytorch" / "toy" / "__init__.py").write_text(GOOD)
    (folder / "tests" / "test_toy.py").write_text(
        "from tinytorch.toy import double\n\n\ndef test_double():\n    assert double(3) == 6\n\n\n"
        "def test_double_negative():\n    assert double(-2) == -4\n")
    (folder / "README.md").write_text("# toy\n")
    (folder / "pyproject.toml").write_text(textwrap.dedent('''\
        [build-system]
        requires = ["hatchling>=1.24"]
        build-backend = "hatchling.build"

        [project]
        name = "tinytorch-toy"
        version = "0.1.0"
        keywords = ["tinytorch", "tinytorch-module-99", "tinytorch-act-X"]
        dependencies = []

        [project.entry-points."tinytorch.modules"]
        toy = "tinytorch.toy"

        [tool.hatch.build.targets.wheel]
        packages = ["src/tinytorch"]
        '''))
    return folder


def toy_milestone(root):
    folder = root / "milestones" / "tinytorch-milestone-toy"
    (folder / "src" / "tinytorch" / "milestone_toy").mkdir(parents=True)
    (folder / "src" / "tinytorch" / "milestone_toy" / "__init__.py").write_text("")
    (folder / "src" / "tinytorch" / "milestone_toy" / "__main__.py").write_text(textwrap.dedent('''\
        import sys

        from tinytorch.results import Claim, milestone_main


        def run(args, console):
            from tinytorch.toy import double

            return [Claim.check("double(2)", double(2), "==", 4)], {}


        def main(argv=None):
            return milestone_main("toy", run, argv, description="toy milestone")


        if __name__ == "__main__":
            sys.exit(main())
        '''))
    (folder / "pyproject.toml").write_text(textwrap.dedent('''\
        [build-system]
        requires = ["hatchling>=1.24"]
        build-backend = "hatchling.build"

        [project]
        name = "tinytorch-milestone-toy"
        version = "0.1.0"
        keywords = ["tinytorch", "tinytorch-year-1999"]
        dependencies = ["tinytorch-toy>=0.1,<0.2", "tinytorch-results>=0.1,<0.2"]

        [project.entry-points."tinytorch.milestones"]
        toy = "tinytorch.milestone_toy.__main__:main"

        [tool.hatch.build.targets.wheel]
        packages = ["src/tinytorch"]
        '''))
    return folder


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    folder = toy_package(root)
    toy_milestone(root)
    wheelhouse = root / "wheelhouse"
    subprocess.run([sys.executable, str(WHEELHOUSE_TOOL), "--repo", str(root), "--out", str(wheelhouse)],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, str(WHEELHOUSE_TOOL), "--out", str(wheelhouse),
                    str(REPO / "packages" / "tinytorch-results")], check=True, capture_output=True)
    module = component_from_pyproject(folder / "pyproject.toml")
    submissions = root / "submissions"
    grades = root / "grades"  # the hostile run's output folder, with a file of the grader's in it
    grades.mkdir()
    (grades / "keep.txt").write_text("keep me")
    for student, code in HOSTILE.items():
        copy = root / "copies" / student
        shutil.copytree(folder, copy)
        targets = [str(submissions / "good")] if student == "deleter" else \
            [str(submissions / "good"), str(grades / "keep.txt"), str(grades / "planted.txt")]
        (copy / "src" / "tinytorch" / "toy" / "__init__.py").write_text(code.replace("{targets!r}", repr(targets)))
        write_submission(copy, submissions / student, student=student, module=module, tito_version="test")
    shutil.copytree(submissions, root / "kept")
    return root, wheelhouse, submissions


def test_wheelhouse_has_wheel_tests_and_index(classroom):
    _, wheelhouse, _ = classroom
    assert (wheelhouse / "tinytorch_toy-0.1.0-py2.py3-none-any.whl").is_file()
    assert (wheelhouse / "tests" / "tinytorch_toy-0.1.0-tests.zip").is_file()
    index = (wheelhouse / "simple" / "tinytorch-toy" / "index.html").read_text()
    assert 'href="../../tinytorch_toy-0.1.0-py2.py3-none-any.whl#sha256=' in index


def test_a_tampered_archive_is_flagged(classroom, tmp_path):
    _, _, submissions = classroom
    submissions = submissions.parent / "kept"
    archive = next((submissions / "good").glob("*.zip"))
    manifest, problems = read_submission(archive, tmp_path / "ok")
    assert problems == [] and manifest["distribution"] == "tinytorch-toy"
    import zipfile
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"2 * x", b"4 * x") if info.filename.endswith(".py") else data)
    _, problems = read_submission(tampered, tmp_path / "bad")
    assert problems == ["src/tinytorch/toy/__init__.py differs from the manifest"]


@pytest.fixture(scope="module")
def hostile_run(classroom, tmp_path_factory):
    """Grade every HOSTILE submission in one parallel run into ``root/grades``."""
    root, wheelhouse, submissions = classroom
    work = tmp_path_factory.mktemp("hostile")
    sentinel = work / "grader-home" / "notes.txt"  # the grader's HOME: never the real one here
    sentinel.parent.mkdir()
    sentinel.write_text("keep me")
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()) as console:
        mp.setenv("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
        mp.setenv("HOME", str(sentinel.parent))
        status = main(["--home", str(work / "tito"), "grade", str(submissions), "--wheelhouse", str(wheelhouse),
                       "-o", str(root / "grades"), "--jobs", "2", "--timeout", "30", "--memory-mb", "1024"])
    assert status == 0, console.getvalue()
    return status, console.getvalue(), sentinel


def test_grading_a_class_survives_every_hostile_submission(classroom, hostile_run):
    root, _, submissions = classroom
    _, console, sentinel = hostile_run
    out = root / "grades"
    records = {r["student"]: r for r in json.loads((out / "gradebook.json").read_text())}
    assert sorted(records) == sorted(HOSTILE)
    assert (records["good"]["status"], records["good"]["passed"], records["good"]["failed"]) == ("graded", 2, 0)
    assert records["good"]["manifest_ok"] and records["good"]["reference_tests"].startswith("sha256:")
    assert (records["wrong"]["passed"], records["wrong"]["failed"]) == (0, 2)
    assert "assert 9 == 6" in records["wrong"]["failures"][0][1]
    assert records["loop"]["status"] == "timeout"
    assert records["memory"]["passed"] == 0 and "MemoryError" in json.dumps(records["memory"])
    assert records["crash"]["errors"] >= 1 and "broken at import" in json.dumps(records["crash"])
    assert records["exit"]["status"] == "crashed"
    # the deleter removed its own box (working folder, HOME, TMPDIR) and so failed its own run only
    assert records["deleter"]["status"] == "crashed" and "box/run" in records["deleter"]["notes"][-1]
    assert sentinel.read_text() == "keep me"  # HOME and TMPDIR were the box's, not the grader's
    if CONFINEMENT[0] is None:
        assert "Confinement: unavailable" in console
        assert all(r["confinement"].startswith("unavailable") for r in records.values())
        assert not (submissions / "good").exists()  # deleted by absolute path, yet graded from the staged copy
    else:
        assert f"Confinement: Landlock ABI {CONFINEMENT[0]}" in console
        assert all(r["confinement"].startswith("Landlock ABI") for r in records.values())
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert {r["student"]: r["status"] for r in rows}["loop"] == "timeout"
    feedback = (out / "feedback" / "wrong.md").read_text()
    assert "0 of 2 reference tests passed" in feedback and "assert 9 == 6" in feedback


@pytest.mark.skipif(CONFINEMENT[0] is None, reason=f"Landlock is unavailable here: {CONFINEMENT[1]}")
def test_landlock_keeps_every_file_outside_the_box(classroom, hostile_run):
    """The escaper fails its own tests only; everything it aimed at by absolute path survives."""
    root, _, submissions = classroom
    records = {r["student"]: r for r in json.loads((root / "grades" / "gradebook.json").read_text())}
    escaper = records["escaper"]
    assert escaper["status"] == "graded" and escaper["passed"] == 0 and escaper["errors"] >= 1
    assert "PermissionError" in json.dumps(escaper["failures"])
    assert sorted(p.name for p in (submissions / "good").iterdir()) == ["good--tinytorch-toy-0.1.0.zip"]
    assert (root / "grades" / "keep.txt").read_text() == "keep me"
    assert not (root / "grades" / "planted.txt").exists()
    assert (records["good"]["passed"], records["good"]["failed"]) == (2, 0)


def test_shards_merge_into_one_gradebook(classroom, tmp_path, monkeypatch):
    root, wheelhouse, submissions = classroom
    submissions = root / "kept"
    monkeypatch.setenv("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    only = tmp_path / "subs"
    for student in ("good", "wrong"):
        shutil.copytree(submissions / student, only / student)
    for shard in ("1/2", "2/2"):
        assert main(["--home", str(tmp_path / "tito"), "grade", str(only), "--wheelhouse", str(wheelhouse),
                     "-o", str(tmp_path / shard.replace("/", "of")), "--shard", shard, "--jobs", "1",
                     "--modules", "toy", "--milestones", "toy"]) == 0
    assert main(["grade", "--merge", str(tmp_path / "1of2" / "gradebook.json"),
                 str(tmp_path / "2of2" / "gradebook.json"), "-o", str(tmp_path / "all")]) == 0
    merged = {r["student"]: r for r in json.loads((tmp_path / "all" / "gradebook.json").read_text())}
    assert sorted(merged) == ["good", "wrong"]
    assert merged["good"]["milestones"]["toy"]["achieved"] is True
    wrong = merged["wrong"]["milestones"]["toy"]
    assert wrong["achieved"] is False and wrong["failed"] == ["double(2)"] and wrong["claims"]["double(2)"]["value"] == 6
    assert "milestone toy (quick run): not achieved" in (tmp_path / "all" / "feedback" / "wrong.md").read_text()
    assert main(["grade", str(only), "--wheelhouse", str(wheelhouse), "-o", str(tmp_path / "none"),
                 "--modules", "tensor"]) == 0
    assert json.loads((tmp_path / "none" / "gradebook.json").read_text()) == []


def test_a_course_installed_from_wheels_tests_modules_with_the_wheelhouse_bundles(classroom, tmp_path):
    root, _, _ = classroom
    wheelhouse = tmp_path / "wh"
    packages = [REPO / "packages" / name for name in ("tinytorch-cli", "tinytorch-results")]
    subprocess.run([sys.executable, str(WHEELHOUSE_TOOL), "--out", str(wheelhouse), str(root / "packages" / "tinytorch-toy"),
                    *map(str, packages)], check=True, capture_output=True)
    uv = str(UV) if UV.exists() else shutil.which("uv")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "--find-links", str(wheelhouse),
                    "tinytorch-cli", "tinytorch-toy", "pytest", "hypothesis"], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "TINYTORCH_WORKSPACE")}
    env.update(PATH=f"{venv / 'bin'}:/usr/bin:/bin", TINYTORCH_HOME=str(tmp_path / "home"), TINYTORCH_UV=uv,
               TINYTORCH_WHEELHOUSE=str(wheelhouse), COLUMNS="200")

    def tito(*args):
        proc = subprocess.run([str(venv / "bin" / "tito"), *args], cwd=tmp_path, env=env, capture_output=True, text=True)
        return proc.returncode, proc.stdout + proc.stderr

    rc, out = tito("module", "test", "toy")
    assert rc == 0 and "with the reference tests" in out and "PASSED" in out, out
    rc, out = tito("module", "start", "toy", "--workspace", str(tmp_path / "ws"))
    assert rc == 0, out
    copy = tmp_path / "ws" / "tinytorch-toy" / "src" / "tinytorch" / "toy" / "__init__.py"
    copy.write_text("def double(x):\n    return x + x + 1\n")
    rc, out = tito("module", "test", "toy")
    assert rc == 1 and "learner code" in out and "assert 7 == 6" in out, out
