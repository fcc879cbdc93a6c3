"""Grade one submission: a fresh virtual environment, the reference tests, limits on everything.

For each archive :func:`grade_one`

1. unpacks it and checks it against its manifest (:mod:`tinytorch.cli.submission`);
2. makes a fresh virtual environment and installs, from the class wheelhouse, the reference wheel
   of the submitted module with its ``test`` extra (which brings the reference wheels of its
   prerequisites and of the siblings its tests import), pytest, hypothesis and any milestones
   asked for; then replaces that module's package files in the
   environment with the submission's ``src/`` (the metadata and entry points stay the teacher's,
   and nothing in the submission is built or installed by its own ``pyproject.toml``);
3. runs the reference tests (the wheelhouse's ``tests/*-tests.zip``, verified by its manifest) from a
   copied folder as the working directory, with ``HOME``, ``TMPDIR`` and ``TINYTORCH_HOME``
   inside the sandbox, in a new session, under a wall-clock timeout, on POSIX with limits on
   address space, CPU seconds, file size and core dumps, and where the kernel has Landlock
   confined (:mod:`tinytorch.cli.confine`): writes only inside its box, reads only its
   environment, Python and the system folders; then the milestones' ``--quick`` runs, alike;
4. returns one JSON-able record, whatever happened (``status``: ``graded``, ``timeout``,
   ``crashed``, ``invalid`` or ``install-failed``; ``confinement``: what the runs were held to).

Without Landlock the limits still keep a broken or careless submission from stopping the run, but
nothing stops code that writes or deletes by absolute path (docs/grading.md: one container or
batch job per submission).
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

import tinytorch.results as results
from tinytorch.results.main import TABLE_ENV

from .confine import Confinement, ConfinementError, describe, python_folders
from .reftests import ReferenceTestsError, find_bundle, unpack_bundle
from .submission import SubmissionError, read_submission
from .testrun import run_process, run_pytest

TAIL = 1500


@dataclass
class GradeOptions:
    """How to grade: where the reference comes from and the limits per submission."""

    wheelhouse: Path
    timeout: float = 600.0
    memory_mb: int = 2048
    milestones: list = field(default_factory=list)
    offline: bool = False
    uv: str | None = None
    keep: bool = False
    work: Path | None = None
    landlock_abi: int | None = None
    confinement: str = field(default_factory=lambda: describe(None, "not probed"))


def find_uv():
    for candidate in (os.environ.get("TINYTORCH_UV"), str(Path(sys.executable).parent / "uv"), shutil.which("uv")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def limits(memory_mb, cpu_seconds, confinement=None):
    """A ``preexec_fn`` applying POSIX resource limits and then ``confinement`` in the child
    (``None`` where there is neither)."""
    try:
        import resource
    except ImportError:
        return confinement.restrict if confinement is not None else None

    def apply():
        memory = memory_mb * 2**20
        for name, value in (("RLIMIT_AS", memory), ("RLIMIT_CPU", int(cpu_seconds) + 1),
                            ("RLIMIT_FSIZE", 512 * 2**20), ("RLIMIT_CORE", 0)):
            kind = getattr(resource, name, None)
            if kind is not None:
                resource.setrlimit(kind, (value, value))
        if confinement is not None:
            confinement.restrict()

    return apply


def confine(root, options):
    """A context of the Landlock ruleset for one run of a submission (``None`` inside it where
    Landlock is unavailable); a new one per process, since each adds its own ``/proc/<pid>``.

    Writable: ``root/box`` (working folder, HOME, TMPDIR) and ``root/report`` (pytest's JUnit
    report). Readable: ``root/venv``, the Python install, the dataset folder, the system folders.
    ``root/submission`` (the unpacked archive) is neither: the code it holds is in the venv.
    """
    if options.landlock_abi is None:
        return contextlib.nullcontext()
    readable = [root / "venv", *python_folders()]
    if os.environ.get("TINYTORCH_DATA_DIR"):
        readable.append(Path(os.environ["TINYTORCH_DATA_DIR"]).resolve())
    return Confinement([root / "box", root / "report"], readable, options.landlock_abi)


def sandbox_env(root, venv_bin):
    """A small environment: the venv first on PATH; HOME, temp and tito's home inside ``root``.

    ``root`` is the submission's box: its working folder ``run``, ``home`` and ``tmp``, and
    nothing else (the environment and the unpacked archive sit one level up).
    """
    env = {"PATH": os.pathsep.join([str(venv_bin), os.environ.get("PATH", "")]), "LANG": "C.UTF-8",
           "HOME": str(root / "home"), "TMPDIR": str(root / "tmp"), "TEMP": str(root / "tmp"),
           "TMP": str(root / "tmp"), "TINYTORCH_HOME": str(root / "home" / ".tinytorch"),
           "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "TINYTORCH_OFFLINE": "1"}
    for key in ("TINYTORCH_DATA_DIR", "SYSTEMROOT"):
        if key in os.environ:
            env[key] = os.environ[key]
    for folder in ("home", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return env


def _installer_env():
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return env


def make_venv(root, requirements, options):
    """Create ``root/venv`` and install ``requirements`` from the wheelhouse; returns its python."""
    venv = root / "venv"
    uv = options.uv if options.uv is not None else find_uv()
    env = _installer_env()
    if uv:
        steps = [[uv, "venv", "-q", "--python", sys.executable, str(venv)]]
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        install = [uv, "pip", "install", "-q", "--python", str(python), "--find-links", str(options.wheelhouse)]
        install += ["--offline"] if options.offline else []
    else:
        steps = [[sys.executable, "-m", "venv", str(venv)]]
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        install = [str(python), "-m", "pip", "install", "-q", "--find-links", str(options.wheelhouse)]
        install += ["--no-index"] if options.offline else []
    steps.append(install + list(requirements))
    for cmd in steps:
        code, output = run_process(cmd, env=env, timeout=max(options.timeout, 300))
        if code != 0:
            raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {code}): {output.strip()[-TAIL:]}")
    return python


def overlay(python, submission):
    """Replace the installed package files with the submission's ``src/tinytorch/<name>``."""
    code, purelib = run_process([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                env=_installer_env(), timeout=120)
    if code != 0:
        raise RuntimeError(f"cannot find the environment's site-packages: {purelib.strip()[-TAIL:]}")
    site = Path(purelib.strip())
    packages = [p for p in (submission / "src" / "tinytorch").iterdir() if p.is_dir() and p.name != "__pycache__"] \
        if (submission / "src" / "tinytorch").is_dir() else []
    if len(packages) != 1:
        raise SubmissionError(f"expected one package under src/tinytorch in the submission, found "
                              f"{[p.name for p in packages] or 'none'}")
    target = site / "tinytorch" / packages[0].name
    if not target.is_dir():
        raise SubmissionError(f"the submission's package tinytorch.{packages[0].name} is not the submitted module")
    shutil.rmtree(target)
    shutil.copytree(packages[0], target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


MILESTONE_RUNNER = (
    "import sys\nfrom importlib.metadata import entry_points\n"
    "ep = [e for e in entry_points(group='tinytorch.milestones') if e.name == sys.argv[1]]\n"
    "sys.exit(2 if not ep else ep[0].load()(sys.argv[2:]))\n"
)


def run_milestone(python, name, root, env, options):
    """Run milestone ``name --quick`` in ``root/box/run``, confined like the tests."""
    with confine(root, options) as confinement:
        code, output = run_process([str(python), "-c", MILESTONE_RUNNER, name, "--quick"], cwd=root / "box" / "run",
                                   env=dict(env, **{TABLE_ENV: "0"}), timeout=options.timeout, isolate=True,
                                   preexec_fn=limits(options.memory_mb, options.timeout, confinement))
    if code is None:
        return {"status": "timeout", "achieved": False, "claims": {}}
    try:
        result = results.find_result(output)
    except results.ResultError:
        result = None
    if result is None:
        return {"status": "no result", "achieved": False, "claims": {}, "exit": code, "output": output[-TAIL:]}
    return {"status": "ran", "exit": code, "achieved": code == 0 and result.passed,
            "claims": {c.name: c.to_dict() for c in result.claims},
            "failed": [c.name for c in result.claims if not c.skipped and not c.passed]}


def reference_version(wheelhouse, distribution, version):
    """The version to grade against: ``version`` when the wheelhouse has its wheel and tests,
    else the highest version it has both for (a patch released after the student submitted).
    ``None`` when it has none."""
    stem = distribution.replace("-", "_")
    found = set()
    for wheel in Path(wheelhouse).glob(f"{stem}-*.whl"):
        try:
            name, candidate, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        if canonicalize_name(name) == distribution and find_bundle(wheelhouse, distribution, str(candidate)):
            found.add(candidate)
    try:
        if Version(version) in found:
            return version
    except InvalidVersion:
        pass
    return str(max(found)) if found else None


def grade_one(student, archive, options):
    """Grade one archive; never raises for anything the submission does. Returns the record."""
    started = time.perf_counter()
    record = {"student": student, "archive": str(archive), "status": "invalid", "passed": 0, "failed": 0,
              "errors": 0, "skipped": 0, "tests": 0, "failures": [], "milestones": {}, "notes": [],
              "confinement": options.confinement}
    root = Path(tempfile.mkdtemp(prefix="tito-grade-", dir=options.work))
    try:
        manifest, problems = read_submission(archive, root / "submission")
        record.update(module=manifest.get("module"), distribution=manifest.get("distribution"),
                      version=manifest.get("version"), digest=manifest.get("digest"),
                      manifest_ok=not problems, manifest_problems=problems)
        distribution, version = str(manifest.get("distribution")), str(manifest.get("version"))
        graded = reference_version(options.wheelhouse, distribution, version)
        if graded is None:
            raise SubmissionError(f"the wheelhouse has no reference wheel and tests for {distribution}")
        if graded != version:
            record["notes"].append(f"submitted from {distribution} {version}; graded against {graded}")
        record["graded_version"] = graded
        # the test extra brings the siblings the reference tests import (a module without one installs as is)
        requirement = f"{distribution}[test]=={graded}"
        box = root / "box"
        reference = unpack_bundle(find_bundle(options.wheelhouse, distribution, graded), box / "run")
        record["reference_tests"] = reference["digest"]
        record["status"] = "install-failed"
        milestone_reqs = [f"tinytorch-milestone-{name}" for name in options.milestones]
        python = make_venv(root, [requirement, *milestone_reqs, "pytest", "hypothesis"], options)
        overlay(python, root / "submission")
        env = sandbox_env(box, python.parent)
        (root / "report").mkdir()
        with confine(root, options) as confinement:
            report = run_pytest(box / "run", python=str(python), env=env, timeout=options.timeout, isolate=True,
                                preexec_fn=limits(options.memory_mb, options.timeout, confinement),
                                report_dir=root / "report")
        record.update(tests=report.tests, passed=report.passed, failed=report.failures, errors=report.errors,
                      skipped=report.skipped, failures=[list(f) for f in report.failed[:50]],
                      test_seconds=round(report.seconds, 2))
        if report.returncode is None:
            record["status"] = "timeout"
            record["notes"].append(f"the tests ran past the {options.timeout:g} s limit and were stopped")
        else:
            record["status"] = "graded"
            if any("MemoryError" in message for _, message in report.failed):
                record["notes"].append(f"a test ran out of memory (limit {options.memory_mb} MiB)")
            for name in options.milestones:
                record["milestones"][name] = run_milestone(python, name, root, env, options)
    except (SubmissionError, ReferenceTestsError) as exc:
        record["notes"].append(str(exc))
    except (ConfinementError, subprocess.SubprocessError) as exc:  # never run a submission unconfined
        record["status"] = "crashed"
        record["notes"].append(f"could not confine the run: {exc}")
    except RuntimeError as exc:  # pytest could not run, or an install step failed
        if record["status"] != "install-failed" or "pytest did not run" in str(exc):
            record["status"] = "crashed"
        record["notes"].append(str(exc)[-TAIL:])
    finally:
        record["seconds"] = round(time.perf_counter() - started, 2)
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            record["sandbox"] = str(root)
    return record
