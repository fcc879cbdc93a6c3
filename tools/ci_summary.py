"""Print one pytest-style summary line per tox env and fail unless every env really passed.

``tox -p auto`` hides the output of passing envs, so each env's pytest writes a JUnit report to
``.tox/reports/<env>.xml`` (see tox.ini) and ``.ci/run`` calls this script afterwards:

    python tools/ci_summary.py .tox/reports tensor activations ... torch

Exit status 1 when an env has no report (it failed before pytest ran), ran no tests (pytest's
exit code 5 must never pass silently), or has failures or errors.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def summarize(report: Path) -> tuple[str, bool]:
    """A pytest-style summary line for one JUnit report, and whether the env passed."""
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = {key: sum(int(s.get(key, 0)) for s in suites)
              for key in ("tests", "failures", "errors", "skipped")}
    seconds = sum(float(s.get("time", 0.0)) for s in suites)
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    parts = [f"{n} {word}" for n, word in ((counts["failures"], "failed"), (passed, "passed"),
                                           (counts["skipped"], "skipped"),
                                           (counts["errors"], "errors")) if n]
    ok = counts["tests"] > 0 and passed > 0 and not counts["failures"] and not counts["errors"]
    if counts["tests"] == 0 or passed == 0:
        parts.append("no tests ran")
    return f"{', '.join(parts)} in {seconds:.2f}s", ok


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python tools/ci_summary.py REPORT_DIR ENV [ENV ...]", file=sys.stderr)
        return 2
    folder, envs = Path(args[0]), args[1:]
    width = max(len(e) for e in envs)
    bad = []
    for env in envs:
        report = folder / f"{env}.xml"
        if not report.is_file():
            line, ok = "no pytest report: the env failed before its tests ran (see above)", False
        else:
            try:
                line, ok = summarize(report)
            except ET.ParseError as exc:
                line, ok = f"unreadable report {report}: {exc}", False
        print(f"{env.ljust(width)}  {'OK  ' if ok else 'FAIL'}  {line}")
        if not ok:
            bad.append(env)
    if bad:
        print(f"{len(bad)} of {len(envs)} env(s) did not pass: {' '.join(bad)}")
        return 1
    print(f"all {len(envs)} env(s) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
