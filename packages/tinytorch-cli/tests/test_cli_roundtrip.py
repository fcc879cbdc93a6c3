"""The whole student round trip on module 01, in a scratch virtual environment.

start (stubs import; the module's tests fail with NotImplementedError, not ImportError), put an
implementation back, test, complete, run a milestone on it, reset. A small milestone distribution
written by this test checks tito's claim handling on the learner's code; the real 1957
perceptron milestone runs too when it is in the checkout.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGES = REPO / "packages"
PERCEPTRON = REPO / "milestones" / "tinytorch-milestone-perceptron"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (PACKAGES / "tinytorch-tensor").is_dir(), reason="needs the monorepo checkout"),
]

SELFCHECK_MAIN = '''
"""A milestone for tito's own tests: Tensor addition must give the target sum."""

import os
import sys

from tinytorch.results import Claim, milestone_main


def run(args, console):
    from tinytorch.tensor import Tensor

    value = float((Tensor([1.0, 2.0]) + Tensor([3.0, 4.0])).sum().item())
    target = float(os.environ.get("SELFCHECK_TARGET", "10"))
    console.print(f"sum = {value}")
    return [Claim.check("sum", value, ">=", target), Claim.check("sum at most", value, "<=", target),
            Claim.skip("cifar", ">=", 0.75, "data absent")], {}


def main(argv=None):
    return milestone_main("selfcheck", run, argv, description="self-check")


if __name__ == "__main__":
    sys.exit(main())
'''


def write_selfcheck(root):
    pkg = root / "tinytorch-milestone-selfcheck"
    src = pkg / "src" / "tinytorch" / "milestone_selfcheck"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text('"""Self-check milestone."""\n')
    (src / "__main__.py").write_text(SELFCHECK_MAIN)
    (pkg / "pyproject.toml").write_text(textwrap.dedent(f'''\
        [build-system]
        requires = ["hatchling>=1.24"]
        build-backend = "hatchling.build"

        [project]
        name = "tinytorch-milestone-selfcheck"
        version = "0.1.0"
        description = "Self-check milestone for tito's tests."
        keywords = ["tinytorch", "tinytorch-milestone", "tinytorch-year-1950"]
        dependencies = ["tinytorch-tensor>=0.1,<0.2", "tinytorch-results>=0.1,<0.2"]

        [project.entry-points."tinytorch.milestones"]
        selfcheck = "tinytorch.milestone_selfcheck.__main__:main"

        [tool.hatch.build.targets.wheel]
        packages = ["src/tinytorch"]

        [tool.uv.sources]
        tinytorch-tensor = {{ path = "{(PACKAGES / 'tinytorch-tensor').as_posix()}", editable = true }}
        tinytorch-results = {{ path = "{(PACKAGES / 'tinytorch-results').as_posix()}", editable = true }}
        '''))
    return pkg


def uv_path():
    found = Path(sys.executable).parent / "uv"
    return str(found) if found.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A fresh venv with tensor, activations, layers, losses, the cli and milestones, editable."""
    root = tmp_path_factory.mktemp("roundtrip")
    uv = uv_path()
    if uv is None:
        pytest.fail("the round trip needs uv (pip install uv)")
    venv = root / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    names = ["tinytorch-results", "tinytorch-tensor", "tinytorch-activations", "tinytorch-layers",
             "tinytorch-losses", "tinytorch-cli"]
    editables = [str(PACKAGES / n) for n in names if (PACKAGES / n).is_dir()]
    editables.append(str(write_selfcheck(root)))
    if PERCEPTRON.is_dir():
        editables.append(str(PERCEPTRON))
    cmd = [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "pytest", "hypothesis"]
    for path in editables:
        cmd += ["-e", path]
    subprocess.run(cmd, check=True)
    env = dict(os.environ, TINYTORCH_HOME=str(root / "home"), TINYTORCH_UV=uv, COLUMNS="200",
               VIRTUAL_ENV=str(venv))
    env.pop("TINYTORCH_WORKSPACE", None)
    env.pop("PYTHONPATH", None)
    return root, venv, env


def tito(scratch, *args, extra_env=None):
    root, venv, env = scratch
    proc = subprocess.run([str(venv / "bin" / "tito"), *args], cwd=root, capture_output=True, text=True,
                          env=dict(env, **(extra_env or {})))
    return proc.returncode, proc.stdout + proc.stderr


def imported_from(scratch):
    root, venv, env = scratch
    out = subprocess.run([str(venv / "bin" / "python"), "-c", "import tinytorch.tensor as t; print(t.__file__)"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return Path(out.strip())


def progress(scratch):
    return json.loads((scratch[0] / "home" / "progress.json").read_text())


def test_student_round_trip_on_module_01(scratch):
    root = scratch[0]
    ws = root / "ws"
    copy = ws / "tinytorch-tensor"

    rc, out = tito(scratch, "module", "list")
    assert rc == 0 and "tinytorch-tensor" in out and "reference" in out

    rc, out = tito(scratch, "module", "start", "01", "--workspace", str(ws))
    assert rc == 0, out
    assert "exercise regions replaced" in out and "warning" not in out
    assert "raise NotImplementedError('Implement add in ops.py (module 01 tensor)" in (
        copy / "src/tinytorch/tensor/ops.py").read_text()
    assert (copy / "tests").is_dir()
    assert imported_from(scratch).is_relative_to(copy)

    # the learner's copy of the tests is not what grades them: reference tests run instead
    for test_file in (copy / "tests").glob("test_*.py"):
        test_file.write_text("def test_ok():\n    pass\n")
    rc, out = tito(scratch, "module", "test", "01")
    assert rc == 1 and "FAILED" in out and "with the reference tests" in out
    assert "NotImplementedError: Implement" in out
    assert "ImportError" not in out and "ModuleNotFoundError" not in out

    rc, out = tito(scratch, "module", "complete", "01")
    assert rc == 1 and "Not recorded" in out
    assert "completed_at" not in progress(scratch)["modules"]["tinytorch-tensor"]

    rc, out = tito(scratch, "milestone", "run", "selfcheck")
    assert rc != 0 and "selfcheck" not in progress(scratch)["milestones"]

    rc, out = tito(scratch, "module", "start", "01")
    assert rc == 2 and "already holds your work" in out and "--force" in out

    shutil.copytree(PACKAGES / "tinytorch-tensor" / "src", copy / "src", dirs_exist_ok=True)
    rc, out = tito(scratch, "module", "test", "tensor")
    assert rc == 0 and "PASSED" in out, out

    rc, out = tito(scratch, "module", "complete", "1")
    assert rc == 0 and "Recorded 01 tensor as complete (learner code)" in out, out
    assert "Unlocked milestone 1950 selfcheck" in out
    record = progress(scratch)["modules"]["tinytorch-tensor"]
    assert record["completed_code"] == "learner" and record["tests_passed"] > 10

    rc, out = tito(scratch, "milestone", "run", "selfcheck", extra_env={"SELFCHECK_TARGET": "11"})
    assert rc == 1 and "Not achieved: sum not met" in out and "cifar" in out
    assert "selfcheck" not in progress(scratch)["milestones"]

    rc, out = tito(scratch, "milestone", "run", "selfcheck")
    assert rc == 0 and "Achieved 1950 selfcheck on your code for 01 tensor" in out, out
    achieved = progress(scratch)["milestones"]["selfcheck"]["learner"]
    assert achieved["learner_modules"] == ["01 tensor"] and achieved["claims"]["sum"]["value"] == 10.0
    assert achieved["claims"]["cifar"]["skipped"]  # a skipped claim does not stop the achievement
    assert record["tests"]["digest"].startswith("sha256:") and record["source_digest"].startswith("sha256:")
    assert "TINYTORCH_RESULT {" not in out and out.count("sum at most") == 1  # one table, no raw line

    # an edit after completion is noticed, and the milestone is not credited to the edited code
    ops = copy / "src/tinytorch/tensor/ops.py"
    ops.write_text(ops.read_text() + "\n# an edit after completion\n")
    rc, out = tito(scratch, "module", "status")
    assert rc == 0 and "complete, changed since" in out and "re-checks it" in out
    rc, out = tito(scratch, "milestone", "run", "selfcheck")
    assert rc == 0 and "recorded as achieved on your code only once 01 tensor is recorded complete" in out
    rc, out = tito(scratch, "module", "complete", "01")
    assert rc == 0 and "complete, changed since" not in tito(scratch, "module", "status")[1]

    if PERCEPTRON.is_dir():
        rc, out = tito(scratch, "milestone", "run", "perceptron", "--quick")
        assert "01 tensor (learner)" in out and "TINYTORCH_RESULT {" not in out, out

    rc, out = tito(scratch, "module", "status")
    assert rc == 0 and "achieved" in out and "complete" in out

    rc, out = tito(scratch, "module", "reset", "01")
    assert rc == 0 and "Your copy stays" in out
    assert imported_from(scratch).is_relative_to(PACKAGES / "tinytorch-tensor")
    assert copy.is_dir()

    # a later run on the reference is recorded beside the learner's achievement, not over it
    rc, out = tito(scratch, "milestone", "run", "selfcheck")
    assert rc == 0 and "Achieved 1950 selfcheck on the reference code" in out
    runs = progress(scratch)["milestones"]["selfcheck"]
    assert runs["learner"]["learner_modules"] == ["01 tensor"] and runs["reference"]["learner_modules"] == []

    rc, out = tito(scratch, "module", "start", "01", "--resume")
    assert rc == 0 and imported_from(scratch).is_relative_to(copy)

    rc, out = tito(scratch, "module", "reset", "01", "--discard")
    assert rc == 0 and "Deleted your copy" in out
    assert not copy.exists()
    assert imported_from(scratch).is_relative_to(PACKAGES / "tinytorch-tensor")
