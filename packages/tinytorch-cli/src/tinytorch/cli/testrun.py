"""Run a module's tests with pytest in a subprocess and read the JUnit report it writes.

The report, not pytest's console text, is the source of truth: counts, each failing test's id,
and its message. The message keeps the values pytest's assertion rewriting shows
(``assert 3 == 4``, ``where False = allclose(array([1., 2.]), array([1., 3.]))``, NumPy's
``Mismatched elements ... ACTUAL ... DESIRED``), the same lines ``pytest -rA`` would print.
"""

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

MESSAGE_CHARS = 400


@dataclass
class TestReport:
    """What one pytest run did.

    Attributes:
        tests, failures, errors, skipped: JUnit counts.
        seconds: wall time of the pytest process.
        failed: ``[(test id, message)]`` for every failing or erroring test, in report order.
        ids_digest: sha256 of the sorted ids of every test that ran (passed, failed or skipped).
        returncode: pytest's exit status; ``None`` when it was killed for running too long.
        output: pytest's console output (empty when it was shown live).
    """

    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    failed: list = field(default_factory=list)
    ids_digest: str = ""
    returncode: int | None = 0
    output: str = ""

    @property
    def passed(self):
        return self.tests - self.failures - self.errors - self.skipped

    @property
    def ok(self):
        return self.returncode == 0 and not self.failures and not self.errors and self.passed > 0

    def groups(self):
        """``[(first message line, [(test id, message)])]``, the most frequent first."""
        grouped = {}
        for test, message in self.failed:
            grouped.setdefault(message.split("\n", 1)[0], []).append((test, message))
        return sorted(grouped.items(), key=lambda item: -len(item[1]))


def failure_message(node):
    """The message of a JUnit ``<failure>``/``<error>``, with the values that explain it."""
    message = (node.get("message") or "").strip()
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    if not lines or lines in (["collection failure"], ["AssertionError:"]) or (
            len(lines) == 1 and lines[0].endswith(":")):
        # pytest's "E   ..." lines hold the explanation when the attribute has none
        explained = [ln[1:].strip() for ln in (node.text or "").splitlines() if ln.startswith("E ")]
        lines = [ln for ln in explained if ln] or lines or [node.tag]
    head, rest = lines[0], lines[1:]
    text = head + ("\n" + "\n".join(rest[:6]) if rest else "")
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 3] + "..."


def parse_junit(path):
    """Read a pytest JUnit XML report into a :class:`TestReport` (returncode left at 0)."""
    report = TestReport()
    tree = ET.parse(path)
    for suite in tree.iter("testsuite"):
        report.tests += int(suite.get("tests", 0))
        report.failures += int(suite.get("failures", 0))
        report.errors += int(suite.get("errors", 0))
        report.skipped += int(suite.get("skipped", 0))
    ids = []
    for case in tree.iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}".lstrip(":")
        ids.append(test)
        for kind in ("failure", "error"):
            node = case.find(kind)
            if node is not None:
                report.failed.append((test, failure_message(node)))
    report.ids_digest = "sha256:" + hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    return report


def run_process(cmd, *, cwd=None, env=None, timeout=None, capture=True, isolate=False, preexec_fn=None):
    """Run ``cmd``; returns ``(returncode or None on timeout, output)``.

    With ``isolate`` the process gets its own session and, on a timeout, its whole process group
    is killed, so nothing it started keeps running.
    """
    pipe = subprocess.PIPE if capture else None
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=pipe, stderr=subprocess.STDOUT if capture else None,
                            text=True, errors="replace", start_new_session=isolate, preexec_fn=preexec_fn)
    try:
        output, _ = proc.communicate(timeout=timeout)
        return proc.returncode, output or ""
    except subprocess.TimeoutExpired:
        if isolate and hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        output, _ = proc.communicate()
        return None, output or ""


def run_pytest(folder, extra=(), *, python=None, verbose=False, env=None, timeout=None, isolate=False,
               preexec_fn=None, report_dir=None):
    """Run ``python -m pytest tests`` in ``folder`` and return its :class:`TestReport`.

    Args:
        folder: holds ``tests/`` (and the ``pyproject.toml`` with the pytest settings).
        extra: more pytest arguments.
        python: the interpreter (default: the one running ``tito``).
        verbose: show pytest's output live instead of capturing it.
        env, timeout, isolate, preexec_fn: see :func:`run_process`; on a timeout the report has
            ``returncode=None``.
        report_dir: an existing folder for pytest's JUnit report (default: a new temporary
            folder), for a confined run that may write only in folders of its own.

    Raises:
        RuntimeError: when pytest wrote no report (it could not start or was killed); the
            message has its output.
    """
    folder = Path(folder)
    with tempfile.TemporaryDirectory(dir=report_dir) as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [python or sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rN",
               "--rootdir", str(folder), f"--junitxml={junit}", "tests", *extra]
        started = time.perf_counter()
        returncode, output = run_process(cmd, cwd=folder, env=env, timeout=timeout, capture=not verbose,
                                         isolate=isolate, preexec_fn=preexec_fn)
        elapsed = time.perf_counter() - started
        if returncode is None:
            return TestReport(returncode=None, seconds=elapsed, output=output)
        if not junit.exists():
            raise RuntimeError(f"pytest did not run (exit {returncode}):\n{output.strip()[-2000:]}")
        report = parse_junit(junit)
    report.returncode, report.seconds, report.output = returncode, elapsed, output
    return report
