"""``tito grade FOLDER``: grade every submission alone, in parallel, into a gradebook.

``FOLDER`` holds the archives ``tito submit`` wrote, either directly or one subfolder per student
(the subfolder's name, made file-safe, is then the student). Each archive is graded by
:func:`tinytorch.cli.grading.grade_one` in its own sandbox and virtual environment; ``--jobs``
run at once. The output folder gets ``gradebook.csv``, ``gradebook.json`` and
``feedback/<student>.md``. ``--shard I/N`` grades every N-th archive only, so a CI matrix or a
batch array of N jobs splits a class; ``tito grade --merge`` joins their gradebooks.
"""

import csv
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..confine import describe, probe
from ..context import CliError
from ..grading import GradeOptions, grade_one
from ..submission import MANIFEST

COLUMNS = ("student", "module", "distribution", "version", "status", "manifest_ok", "tests", "passed", "failed",
           "errors", "skipped", "milestones", "seconds", "confinement", "notes")


def student_id(name):
    """A file-safe gradebook name for a folder or archive name (``"Lee, Ada 17"`` -> ``Lee_Ada_17``)."""
    safe = re.sub(r"[^A-Za-z0-9._@+-]+", "_", name).strip("._-")[:64]
    return safe or "student"


def collect(folder):
    """``[(student, archive)]`` in a stable order: ``FOLDER/*.zip`` and ``FOLDER/<student>/*.zip``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CliError(f"no folder {folder}")
    found = []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            found += [(student_id(path.name), archive) for archive in sorted(path.glob("*.zip"))]
        elif path.suffix == ".zip":
            found.append((student_id(path.name.split("--", 1)[0] if "--" in path.name else path.stem), path))
    return found


def _write_atomic(path, text):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _milestone_cell(record):
    return "; ".join(f"{name}: {'achieved' if m.get('achieved') else m.get('status')}"
                     for name, m in record.get("milestones", {}).items())


def feedback(student, records):
    lines = [f"# Feedback for {student}", ""]
    for r in records:
        lines.append(f"## {r.get('module') or Path(r['archive']).name} ({r.get('distribution', '?')} "
                     f"{r.get('version', '?')}): {r['status']}")
        lines.append("")
        if r.get("tests"):
            lines.append(f"{r['passed']} of {r['tests'] - r['skipped']} reference tests passed "
                         f"({r['failed']} failed, {r['errors']} errors, {r['skipped']} skipped).")
        if r.get("manifest_ok") is False:
            lines.append("The archive does not match its manifest: " + "; ".join(r.get("manifest_problems", [])[:10]))
        for note in r.get("notes", []):
            lines.append(f"- {note}")
        for test, message in r.get("failures", [])[:20]:
            lines += ["", f"- `{test}`", "", "  ```text", *("  " + ln for ln in message.splitlines()), "  ```"]
        for name, m in r.get("milestones", {}).items():
            state = "achieved" if m.get("achieved") else f"not achieved ({m.get('status')})"
            lines.append(f"- milestone {name} (quick run): {state}"
                         + (f"; failed claims: {', '.join(m['failed'])}" if m.get("failed") else ""))
        lines.append("")
    return "\n".join(lines)


def write_gradebook(out, records):
    out.mkdir(parents=True, exist_ok=True)
    records = sorted(records, key=lambda r: (r["student"], str(r.get("distribution"))))
    _write_atomic(out / "gradebook.json", json.dumps(records, indent=2, sort_keys=True) + "\n")
    tmp = out / ".gradebook.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in records:
            row = dict(r, milestones=_milestone_cell(r), notes=" | ".join(r.get("notes", [])))
            writer.writerow([row.get(c, "") for c in COLUMNS])
    os.replace(tmp, out / "gradebook.csv")
    (out / "feedback").mkdir(exist_ok=True)
    by_student = {}
    for r in records:
        by_student.setdefault(r["student"], []).append(r)
    for student, rows in by_student.items():
        _write_atomic(out / "feedback" / f"{student}.md", feedback(student, rows))
    return records


def _shard(text):
    try:
        index, total = (int(x) for x in text.split("/"))
    except ValueError:
        raise CliError(f"--shard takes I/N with 1 <= I <= N, got {text!r}") from None
    if not 1 <= index <= total:
        raise CliError(f"--shard takes I/N with 1 <= I <= N, got {text!r}")
    return index, total


def cmd_grade(ctx):
    args = ctx.args
    out = Path(args.output)
    if args.merge:
        records = []
        for part in args.merge:
            try:
                records += json.loads(Path(part).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CliError(f"cannot read gradebook {part}: {exc}") from None
        write_gradebook(out, records)
        ctx.out.print(f"Merged {len(records)} records into {out / 'gradebook.csv'}.")
        return 0
    if not args.folder or not args.wheelhouse:
        raise CliError("`tito grade FOLDER --wheelhouse DIR` (or `--merge GRADEBOOK.json ...`)")
    wheelhouse = Path(args.wheelhouse).resolve()
    if not wheelhouse.is_dir():
        raise CliError(f"no wheelhouse {wheelhouse}; build one with `python tools/wheelhouse.py`")
    jobs = collect(args.folder)
    if args.shard:
        index, total = _shard(args.shard)
        jobs = jobs[index - 1::total]
    wanted = set(args.modules or [])
    abi, reason = probe()
    options = GradeOptions(wheelhouse=wheelhouse, timeout=args.timeout, memory_mb=args.memory_mb,
                           milestones=list(args.milestones or []), offline=args.offline, keep=args.keep,
                           landlock_abi=abi, confinement=describe(abi, reason))
    records = []
    valid = [(student, archive) for student, archive in jobs if not wanted or _matches(archive, wanted)]
    ctx.out.print(f"Grading {len(valid)} submission(s) with {args.jobs} at a time "
                  f"(limits: {args.timeout:g} s, {args.memory_mb} MiB each) ...")
    ctx.out.print(f"Confinement: {options.confinement}.")
    # Every archive is copied to a private folder before the first one runs, so a submission
    # that deletes files it can reach cannot take another student's archive away.
    with tempfile.TemporaryDirectory(prefix="tito-grade-staging-") as staging, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        staged = []
        for number, (student, archive) in enumerate(valid):
            copy = Path(staging) / f"{number:05d}.zip"
            shutil.copyfile(archive, copy)
            staged.append((student, archive, copy))
        futures = [pool.submit(_grade, student, archive, copy, options) for student, archive, copy in staged]
        for future in as_completed(futures):
            record = future.result()
            records.append(record)
            ctx.out.print(f"  {record['student']:<20} {str(record.get('module')):<14} {record['status']:<14} "
                          f"{record.get('passed', 0)}/{record.get('tests', 0)} passed in {record['seconds']:.1f} s")
    write_gradebook(out, records)
    ctx.out.print(f"Wrote {out / 'gradebook.csv'}, {out / 'gradebook.json'} and {out / 'feedback'}/.")
    return 0


def _grade(student, archive, copy, options):
    record = grade_one(student, copy, options)
    record["archive"] = str(archive)
    return record


def _matches(archive, wanted):
    """Whether an archive's module (read from its manifest name, without unpacking) is wanted."""
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            manifest = json.loads(zf.read(MANIFEST))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return True  # let the grader report what is wrong with it
    keys = {str(manifest.get("module")), str(manifest.get("distribution"))}
    if isinstance(manifest.get("number"), int):
        keys |= {str(manifest["number"]), f"{manifest['number']:02d}"}
    return bool(keys & wanted)


def register(groups):
    """Add ``tito grade``."""
    grade = groups.add_parser("grade", help="grade a folder of submissions against the reference")
    grade.add_argument("folder", nargs="?", help="archives, or one subfolder of archives per student")
    grade.add_argument("--wheelhouse", help="the class wheelhouse (python tools/wheelhouse.py)")
    grade.add_argument("--modules", nargs="+", help="grade only these modules (names or numbers)")
    grade.add_argument("--milestones", nargs="+", help="also run these milestones' --quick versions")
    grade.add_argument("-o", "--output", default="grades", help="output folder (default ./grades)")
    grade.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="submissions at once")
    grade.add_argument("--timeout", type=float, default=600.0, help="seconds per test run (default 600)")
    grade.add_argument("--memory-mb", type=int, default=2048, help="address space per run (default 2048)")
    grade.add_argument("--offline", action="store_true", help="install from the wheelhouse only")
    grade.add_argument("--shard", help="I/N: grade every N-th submission starting at the I-th")
    grade.add_argument("--merge", nargs="+", metavar="GRADEBOOK", help="join gradebook.json files instead")
    grade.add_argument("--keep", action="store_true", help="keep each sandbox (for debugging)")
    grade.set_defaults(handler=cmd_grade, command="grade")
