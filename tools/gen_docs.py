"""Rewrite the generated blocks of the docs from package metadata and from a measured test run.

A generated block sits between two markers in a Markdown file::

    <!-- generated: packages -->
    ...rewritten...
    <!-- /generated: packages -->

Static blocks come from the ``pyproject.toml`` files of ``packages/*`` and ``milestones/*``, so
they cannot drift from the metadata ``tito`` reads:

- ``packages``: every distribution with its module number, act, import, what it builds and the
  modules it needs (from ``Requires-Dist``);
- ``milestones``: every milestone with its year, run command and the modules it needs
  (transitively, as ``tito milestone info`` lists them);
- ``exercise-regions DIST``: the number of ``# BEGIN SOLUTION`` regions ``tito module start``
  turns into exercises.

Measured blocks come from the JUnit reports a run wrote (``tox -p auto`` writes
``.tox/reports/<env>.xml``):

- ``test-counts``: per environment, tests passed / skipped / failed and pytest's seconds;
- ``journey``: per milestone of a saved run's output (``tox -e journey | tee journey.log``, read
  from its ``TINYTORCH_RESULT`` lines): status, wall seconds, claims met, claims skipped and why;
- ``measured-times``: the README's table of wall times. Its ``every test`` row comes from the
  timings tox saved (``tox -p auto --result-json .tox/result.json``) and the JUnit reports, its
  ``journey`` row from the journey output, one ``YEAR milestone`` row per saved milestone output
  (``python -m tinytorch.milestone_olympics | tee olympics.log``). A row with no saved run given
  is kept as it was; the block names the command that wrote it.

Usage::

    python tools/gen_docs.py                     rewrite the static blocks in README.md and docs/*.md
    python tools/gen_docs.py --reports .tox/reports   also rewrite test-counts from that run
    python tools/gen_docs.py --journey journey.log    also rewrite journey from that output
    python tools/gen_docs.py --tox-json .tox/result.json --reports .tox/reports --milestone-log olympics.log
                                                 also rewrite the rows of measured-times they cover
    python tools/gen_docs.py --check             exit 1 naming every stale static block (for lint)

Unknown block names and unbalanced markers are errors (exit 2).
"""

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
# A marker is a line of its own, so the syntax can be quoted inside a sentence.
BLOCK = re.compile(r"^(<!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)^(<!-- /generated: (?P=name) -->)$",
                   re.S | re.M)
OPEN = re.compile(r"^<!-- generated: ([^>]+?) -->$", re.M)
MEASURED = {"test-counts", "journey", "measured-times"}
_NUMBER = re.compile(r"^tinytorch-module-(\d+)$")
_ACT = re.compile(r"^tinytorch-act-(\w+)$")
_YEAR = re.compile(r"^tinytorch-year-(\d{4})$")


class DocsError(ValueError):
    """A marker problem: unknown block, unbalanced markers."""


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(text):
    return canonical(re.split(r"[\s<>=!~;\[(]", text.strip(), maxsplit=1)[0])


def load(repo):
    """``{distribution: record}`` for every distribution in the checkout."""
    found = {}
    for pyproject in sorted(repo.glob("packages/*/pyproject.toml")) + sorted(repo.glob("milestones/*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        keywords = project.get("keywords", [])
        groups = project.get("entry-points", {})
        module_ep = groups.get("tinytorch.modules", {})
        milestone_ep = groups.get("tinytorch.milestones", {})
        record = {
            "name": canonical(project["name"]), "folder": pyproject.parent, "description": project.get("description", ""),
            "requires": [requirement_name(r) for r in project.get("dependencies", [])],
            "number": next((int(m.group(1)) for k in keywords if (m := _NUMBER.match(k))), None),
            "act": next((m.group(1) for k in keywords if (m := _ACT.match(k))), None),
            "year": next((int(m.group(1)) for k in keywords if (m := _YEAR.match(k))), None),
            "import": next(iter(module_ep.values()), None),
            "milestone": next(iter(milestone_ep), None), "target": next(iter(milestone_ep.values()), None),
        }
        found[record["name"]] = record
    return found


def module_numbers(dists, names, transitive=False):
    seen, stack, numbers = set(), list(names), set()
    while stack:
        name = stack.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        if dists[name]["number"] is not None:
            numbers.add(dists[name]["number"])
        if transitive or dists[name]["number"] is None:
            stack.extend(dists[name]["requires"])
    return sorted(numbers)


def number_list(numbers):
    """``[1, 2, 3, 4]`` -> ``01–04``; ``[1, 3]`` -> ``01, 03``."""
    if not numbers:
        return "—"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]:02d}–{numbers[-1]:02d}"
    return ", ".join(f"{n:02d}" for n in numbers)


def _builds(record):
    return re.sub(r"^TinyTorch module \d+:\s*", "", record["description"]).rstrip(".")


def gen_packages(dists, repo, arg):
    rows = ["| # | act | distribution | import | builds | needs |", "|---|---|---|---|---|---|"]
    modules = sorted((d for d in dists.values() if d["number"] is not None), key=lambda d: d["number"])
    others = sorted((d for d in dists.values() if d["number"] is None and d["year"] is None), key=lambda d: d["name"])
    for d in modules:
        third = [r for r in d["requires"] if not r.startswith("tinytorch-")]
        needs = number_list(module_numbers(dists, [r for r in d["requires"] if r.startswith("tinytorch-")]))
        needs = needs if needs != "—" else ", ".join(third) or "—"
        rows.append(f"| {d['number']:02d} | {d['act'] or '?'} | {d['name']} | `{d['import']}` | {_builds(d)} | {needs} |")
    for d in others:
        siblings = [r for r in d["requires"] if r.startswith("tinytorch-")]
        if siblings and all(dists.get(r, {}).get("number") is not None for r in siblings):
            needs = number_list(module_numbers(dists, siblings))  # a bundle of modules: their numbers
        else:
            needs = ", ".join(d["requires"]) or "—"
        rows.append(f"| — | — | {d['name']} | — | {d['description'].rstrip('.')} | {needs} |")
    return "\n".join(rows)


def gen_milestones(dists, repo, arg):
    rows = ["| year | distribution | run | needs |", "|---|---|---|---|"]
    for d in sorted((d for d in dists.values() if d["year"] is not None), key=lambda d: d["year"]):
        package = (d["target"] or "").split(":")[0].removesuffix(".__main__")
        needs = number_list(module_numbers(dists, d["requires"], transitive=True))
        rows.append(f"| {d['year']} | {d['name']} | `python -m {package} [--quick]` or `tito milestone run {d['milestone']}` "
                    f"| {needs} |")
    return "\n".join(rows)


def gen_regions(dists, repo, arg):
    from tinytorch.cli.stubs import count_regions

    if arg not in dists:
        raise DocsError(f"exercise-regions: no distribution {arg!r} in {repo}")
    d = dists[arg]
    count = count_regions(d["folder"] / "src")
    return (f"`tito module start {d['number']:02d}` copies {arg} with its source, its tests, and {count} exercise "
            f"regions.")


def gen_test_counts(reports):
    rows = ["| environment | passed | skipped | failed | errors | pytest seconds |", "|---|---|---|---|---|---|"]
    totals = [0, 0, 0, 0, 0.0]
    for report in sorted(Path(reports).glob("*.xml")):
        root = ET.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        tests, failed, errors, skipped = (sum(int(s.get(k, 0)) for s in suites)
                                          for k in ("tests", "failures", "errors", "skipped"))
        seconds = sum(float(s.get("time", 0)) for s in suites)
        passed = tests - failed - errors - skipped
        for i, v in enumerate((passed, skipped, failed, errors, seconds)):
            totals[i] += v
        rows.append(f"| {report.stem} | {passed} | {skipped} | {failed} | {errors} | {seconds:.1f} |")
    if len(rows) == 2:
        raise DocsError(f"no JUnit reports (*.xml) in {reports}")
    rows.append(f"| all | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {totals[4]:.1f} |")
    return "\n".join(rows)


def gen_journey(log):
    from tinytorch.results import parse_line

    rows = ["| milestone | status | wall seconds | claims met | skipped |", "|---|---|---|---|---|"]
    total = 0.0
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        result = parse_line(line.strip()) if line.strip().startswith("TINYTORCH_RESULT ") else None
        if result is None:
            continue
        seconds = float(result.metrics.get("wall_seconds") or 0.0)
        total += seconds
        checked = [c for c in result.claims if not c.skipped]
        skipped = "; ".join(f"{c.name} ({(c.reason or '').splitlines()[0]})" for c in result.claims if c.skipped)
        rows.append(f"| {result.milestone}{' (quick)' if result.quick else ''} | {result.status} | {seconds:.1f} | "
                    f"{sum(c.passed for c in checked)} of {len(checked)} | {skipped or '—'} |")
    if len(rows) == 2:
        raise DocsError(f"no TINYTORCH_RESULT lines in {log}")
    rows.append(f"| all | | {total:.1f} | | |")
    return "\n".join(rows)


def junit_counts(reports):
    """``{env: (tests passed, skipped, failed + errors)}`` of a folder of JUnit reports."""
    counts = {}
    for report in sorted(Path(reports).glob("*.xml")):
        root = ET.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        tests, failed, errors, skipped = (sum(int(s.get(k, 0)) for s in suites)
                                          for k in ("tests", "failures", "errors", "skipped"))
        counts[report.stem] = (tests - failed - errors - skipped, skipped, failed + errors)
    return counts


def tox_timings(path):
    """``(wall seconds, {env: (success, seconds)})`` from a ``tox --result-json`` file.

    An environment started ``duration`` seconds before its last command ended, so the run's wall
    time is the last end minus the earliest start (tox's monotonic clock)."""
    try:
        envs = json.loads(Path(path).read_text(encoding="utf-8"))["testenvs"]
    except (OSError, ValueError, KeyError) as exc:
        raise DocsError(f"{path} is not a tox --result-json file: {exc}") from None
    results, spans = {}, []
    for name, env in envs.items():
        result = env.get("result")
        if name.startswith(".") or not result:  # packaging envs have no result of their own
            continue
        results[name] = (bool(result["success"]), float(result["duration"]))
        ends = [step["end"] for step in env.get("setup", []) + env.get("test", []) if "end" in step]
        if ends:
            spans.append((max(ends) - float(result["duration"]), max(ends)))
    if not results:
        raise DocsError(f"no environment results in {path}")
    wall = max(e for _, e in spans) - min(s for s, _ in spans) if spans else max(d for _, d in results.values())
    return wall, results


def minutes(seconds):
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{seconds:.1f} s" if seconds < 10 else f"{whole} s"


def suite_row(tox_json, reports):
    wall, results = tox_timings(tox_json)
    counts = junit_counts(reports) if reports else {}
    failed = sorted(name for name, (ok, _) in results.items() if not ok)
    verdict = "all passed" if not failed else f"{len(failed)} failed ({', '.join(failed)})"
    measured = f"{len(results)} environments, {verdict}"
    if counts:
        passed, skipped = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
        measured += f": {passed:,} tests passed, {skipped} skipped"
    slowest = sorted(results.items(), key=lambda item: -item[1][1])[:3]
    measured += "; slowest " + ", ".join(
        f"{name} {seconds:.0f} s" + (f" ({counts[name][0]:,} tests)" if name in counts else "")
        for name, (_, seconds) in slowest)
    return "every test", f"| every test (`tox -p auto`, what `.ci/run` runs) | {minutes(wall)} | {measured} |"


def read_results(log):
    from tinytorch.results import ResultError, parse_line

    try:
        found = [parse_line(line.strip()) for line in Path(log).read_text(encoding="utf-8").splitlines()
                 if line.strip().startswith("TINYTORCH_RESULT ")]
    except (OSError, ResultError) as exc:
        raise DocsError(f"{log}: {exc}") from None
    if not found:
        raise DocsError(f"no TINYTORCH_RESULT lines in {log}")
    return found


def _seconds(result):
    return float(result.metrics.get("wall_seconds") or 0.0)


def journey_row(log):
    found = read_results(log)
    parts = ", ".join(f"{r.milestone}{' (quick)' if r.quick else ''} {minutes(_seconds(r))}"
                      + ("" if r.status == "passed" else f" ({r.status})") for r in found)
    return "journey", (f"| journey (`tox -e journey`) | {minutes(sum(map(_seconds, found)))} | {parts} "
                       f"(the milestones' own wall seconds, summed) |")


def milestone_rows(dists, log):
    rows = []
    for r in read_results(log):
        d = next((d for d in dists.values() if d["milestone"] == r.milestone and d["year"]), None)
        if d is None:
            raise DocsError(f"{log}: no milestone {r.milestone!r} in the checkout")
        package = (d["target"] or "").split(":")[0].removesuffix(".__main__")
        checked = [c for c in r.claims if not c.skipped]
        skipped = [c.name for c in r.claims if c.skipped]
        measured = f"{r.status}: {sum(c.passed for c in checked)} of {len(checked)} claims met" + (
            f"; skipped: {', '.join(skipped)}" if skipped else "")
        kind = "quick" if r.quick else "full"
        rows.append((f"{d['year']} milestone", f"| {d['year']} milestone, {kind} (`python -m {package}`"
                     f"{' --quick' if r.quick else ''}) | {minutes(_seconds(r))} | {measured} |"))
    return rows


def _row_key(line):
    """``every test``, ``journey``, ``YEAR milestone`` or the first cell: which run a row shows."""
    first = line.strip("|").split("|", 1)[0].strip()
    match = re.match(r"(every test|journey|\d{4} milestone)", first)
    return match.group(1) if match else first


def gen_measured_times(dists, body, measured):
    """The table of ``body`` with every row a saved run is given for rewritten, the rest kept."""
    tox_json, reports, journey, logs, command = measured
    lines = body.splitlines()
    table = [ln for ln in lines if ln.startswith("|")]
    header, rows = table[:2] or ["| command | wall time | measured |", "|---|---|---|"], {}
    for line in table[2:]:
        rows[_row_key(line)] = line
    fresh = ([suite_row(tox_json, reports)] if tox_json else []) + ([journey_row(journey)] if journey else [])
    for log in logs:
        fresh += milestone_rows(dists, log)
    for key, line in fresh:
        rows[key] = line
    order = sorted(rows, key=lambda k: (k != "every test", k != "journey", k))
    footer = [f"Generated by `{command}` from the saved output of those runs."]
    if any("recorded by hand" in rows[k] for k in order):
        footer.append("Rows that say \"recorded by hand\" have no saved run behind them yet; giving this "
                      "command the saved output of such a run replaces its row.")
    return "\n".join([*header, *(rows[k] for k in order), "", " ".join(footer)])


STATIC = {"packages": gen_packages, "milestones": gen_milestones, "exercise-regions": gen_regions}


def render(name, dists, repo, reports, journey=None, body="", measured=None):
    """The body of block ``name`` (``None`` for a measured block whose input is not given)."""
    kind, _, arg = name.strip().partition(" ")
    if kind == "measured-times":
        return gen_measured_times(dists, body, measured) if measured else None
    if kind == "journey":
        return gen_journey(journey) if journey else None
    if kind in MEASURED:
        return gen_test_counts(reports) if reports else None
    if kind not in STATIC:
        raise DocsError(f"unknown generated block {name!r}; known: {', '.join(sorted(STATIC) + sorted(MEASURED))}")
    return STATIC[kind](dists, repo, arg.strip())


def rewrite(text, dists, repo, reports=None, journey=None, measured=None):
    """``(new_text, [names of blocks whose body changed])``.

    ``measured``: ``(tox_json, reports, journey, milestone_logs, command)`` for measured-times, or
    ``None`` to leave that block as it is."""
    opened = OPEN.findall(text)
    blocks = list(BLOCK.finditer(text))
    if len(opened) != len(blocks):
        closed = {m.group("name") for m in blocks}
        raise DocsError(f"unclosed generated block(s): {', '.join(n for n in opened if n not in closed)}")
    changed, out, last = [], [], 0
    for match in blocks:
        body = render(match.group("name"), dists, repo, reports, journey, match.group("body"), measured)
        new = match.group("body") if body is None else body.rstrip("\n") + "\n"
        if new != match.group("body"):
            changed.append(match.group("name"))
        out += [text[last:match.start("body")], new]
        last = match.end("body")
    out.append(text[last:])
    return "".join(out), changed


def default_files(repo):
    return [p for p in [repo / "README.md", *sorted((repo / "docs").glob("*.md")), *sorted((repo / "docs").glob("*/*.md"))]
            if p.is_file()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default README.md and docs/)")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--reports", type=Path, help="folder of JUnit reports for test-counts")
    parser.add_argument("--journey", type=Path, help="saved output of a milestone run for journey")
    parser.add_argument("--tox-json", type=Path, help="tox --result-json of the every-test run, for measured-times")
    parser.add_argument("--milestone-log", type=Path, action="append", default=[],
                        help="saved output of one milestone run, for measured-times (repeatable)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a static block is stale")
    args = parser.parse_args(argv)
    dists = load(args.repo)
    measured = None
    if (args.tox_json or args.journey or args.milestone_log) and not args.check:
        given = [f"--tox-json {args.tox_json}"] * bool(args.tox_json) + [f"--reports {args.reports}"] * bool(
            args.reports and args.tox_json) + [f"--journey {args.journey}"] * bool(args.journey)
        given += [f"--milestone-log {log}" for log in args.milestone_log]
        measured = (args.tox_json, args.reports, args.journey, args.milestone_log,
                    " ".join(["python tools/gen_docs.py", *given]))
    stale = []
    try:
        for path in args.files or default_files(args.repo):
            text = path.read_text(encoding="utf-8")
            new, changed = rewrite(text, dists, args.repo, None if args.check else args.reports,
                                   None if args.check else args.journey, measured)
            if not changed:
                continue
            if args.check:
                stale += [f"{path}: {name}" for name in changed]
            else:
                path.write_text(new, encoding="utf-8")
                print(f"rewrote {path}: {', '.join(changed)}")
    except DocsError as exc:
        print(f"gen_docs: {exc}", file=sys.stderr)
        return 2
    if stale:
        print("stale generated blocks (run `python tools/gen_docs.py`):\n  " + "\n  ".join(stale))
        return 1
    if args.check:
        print("gen_docs: every generated block is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
