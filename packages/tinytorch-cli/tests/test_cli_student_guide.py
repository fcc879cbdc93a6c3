"""Run every command of docs/student-guide.md, in order, on a fresh clone in a scratch HOME.

Each ``bash`` block line is one command, run in one shell state carried from command to command
(working folder and exported variables), so ``cd`` and ``source .venv/bin/activate`` work as in a
terminal. A command commented ``# fails ...`` must exit non-zero; every other must exit 0.
``<!-- guide-test: implement <distribution> -->`` stands for the learner writing the code: the
test copies the reference source into the workspace copy at that point.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
GUIDE = REPO / "docs" / "student-guide.md"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not GUIDE.is_file() or not (REPO / ".git").exists(),
                                 reason="needs the monorepo git checkout with docs/student-guide.md")]


def guide_steps(text):
    """``[("run", command) | ("implement", distribution)]`` in document order."""
    steps = []
    pattern = re.compile(r"```bash\n(.*?)```|<!-- guide-test: implement (\S+) -->", re.S)
    for match in pattern.finditer(text):
        if match.group(2):
            steps.append(("implement", match.group(2)))
            continue
        for line in match.group(1).splitlines():
            if line.strip():
                steps.append(("run", line.strip()))
    return steps


def test_guide_has_the_whole_journey():
    commands = [c for kind, c in guide_steps(GUIDE.read_text()) if kind == "run"]
    for needed in ("tito module start 01", "tito module complete 01", "tito milestone run perceptron"):
        assert needed in commands


@pytest.mark.skipif(not (REPO / "milestones" / "tinytorch-milestone-perceptron").is_dir(),
                    reason="the 1957 milestone (milestones/tinytorch-milestone-perceptron) is not in the checkout")
def test_every_command_in_the_student_guide_works(tmp_path):
    text = GUIDE.read_text()
    home = tmp_path / "home"
    home.mkdir()
    state = tmp_path / "state.sh"
    state.write_text("")
    cwd_file = tmp_path / "cwd"
    cwd_file.write_text(str(home))
    # a learner's machine: no dev venv on PATH, HOME in tmp; keep the shared download caches warm
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if "/work/main/.venv" not in p)
    env = {"HOME": str(home), "PATH": path, "TINYTORCH_REPO_URL": str(REPO), "COLUMNS": "200",
           "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
           "LANG": "C.UTF-8"}
    for key in ("PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_INDEX_URL", "SSL_CERT_FILE",
                "TINYTORCH_DATA_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"):
        if key in os.environ:
            env[key] = os.environ[key]
    outputs = {}
    for kind, item in guide_steps(text):
        cwd = Path(cwd_file.read_text().strip())
        if kind == "implement":
            reference = REPO / "packages" / item / "src"
            shutil.copytree(reference, cwd / "workspace" / item / "src", dirs_exist_ok=True)
            continue
        script = (f'source "{state}"\ncd "{cwd}"\n{item}\nrc=$?\n'
                  f'pwd > "{cwd_file}"\nexport -p > "{state}"\nexit $rc\n')
        proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=600)
        output = proc.stdout + proc.stderr
        outputs[item] = output
        if "# fails" in item:
            assert proc.returncode != 0, f"`{item}` should fail:\n{output[-3000:]}"
        else:
            assert proc.returncode == 0, f"`{item}` exited {proc.returncode}:\n{output[-3000:]}"
    started = outputs["tito module start 01"]
    regions = re.search(r"with (\d+) exercise regions", started).group(1)
    assert f"and {regions} exercise regions" in text.replace("\n", " "), "the guide quotes a stale count"
    failing = outputs["tito module test 01  # fails until you implement the exercises"]
    assert "NotImplementedError: Implement" in failing and "ImportError" not in failing
    assert "Recorded 01 tensor as complete (learner code)" in outputs["tito module complete 01"]
    assert "Achieved 1957 perceptron" in outputs["tito milestone run perceptron"]
    assert "achieved" in outputs["tito module status"]
