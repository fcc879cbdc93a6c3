"""``tito``: the command line for TinyTorch students, educators and contributors.

Commands (``tito <group> --help`` for details)::

    tito module list | status
    tito module start <n|name> [--workspace DIR] [--force | --resume] [--no-install]
    tito module test <n|name> [-k EXPR] [-v] [-- pytest args]
    tito module complete <n|name>
    tito module reset <n|name> [--discard] [--from PATH]
    tito milestone list | info <name> | run <name> [--quick] [-- milestone args]
    tito curriculum check <course.toml> [--repo DIR]
    tito curriculum lock <course.toml> [-o FILE] [--repo DIR]
    tito data list | fetch <name> | verify <name> [--root DIR]

Exit status: 0 success, 1 a check failed (tests, a milestone's claim, an incomplete curriculum),
2 a usage or environment problem; every failure prints one clear line saying what and why.
Nothing ever prompts: destructive steps need an explicit flag (``--force``, ``--discard``).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from rich.console import Console
from rich.table import Table

from .discovery import Catalog, installed_version, runtime_closure, tomllib
from .workspace import (
    InstallError, Installer, ProgressError, ProgressStore, StubError, copy_installed_files,
    copy_source_tree, snapshot_wheel, stub_tree, timestamp,
)

RESULT_PREFIX = "TINYTORCH_RESULT "


class CliError(Exception):
    """A problem to report in one line, with an exit status (2 unless told otherwise)."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def _console(stderr=False, quiet=False):
    width = None
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        width = 120  # wide enough that tables in logs and tests do not wrap
    return Console(stderr=stderr, width=width, highlight=False, markup=False, soft_wrap=True, quiet=quiet)


class Context:
    """What every command needs: consoles, the progress store, the catalog, the workspace."""

    def __init__(self, args):
        self.args = args
        self.out = _console(quiet=args.quiet)
        self.err = _console(stderr=True)
        self.store = ProgressStore(args.home)
        self._catalog = None

    @property
    def catalog(self):
        if self._catalog is None:
            self._catalog = Catalog.installed(getattr(self.args, "repo", None))
        return self._catalog

    def progress(self):
        data = self.store.read()
        self.flush_warnings()
        return data

    def flush_warnings(self):
        for warning in self.store.warnings:
            self.err.print(f"warning: {warning}")
        self.store.warnings.clear()

    def workspace(self, progress=None):
        explicit = getattr(self.args, "workspace", None) or os.environ.get("TINYTORCH_WORKSPACE")
        if explicit:
            return Path(explicit).expanduser().resolve()
        progress = progress if progress is not None else self.progress()
        if progress.get("workspace"):
            return Path(progress["workspace"])
        return (Path.cwd() / "workspace").resolve()

    def module(self, key):
        try:
            return self.catalog.module(key)
        except LookupError as exc:
            raise CliError(str(exc)) from None

    def milestone(self, key):
        try:
            return self.catalog.milestone(key)
        except LookupError as exc:
            raise CliError(str(exc)) from None


def _is_within(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def code_in_use(module, entry, workspace):
    """``"learner"`` when the installed copy is the learner's editable workspace copy."""
    path = module.editable_path
    if path is None:
        return "reference"
    recorded = entry.get("learner_path")
    if recorded and Path(recorded).resolve() == path.resolve():
        return "learner"
    return "learner" if _is_within(path, workspace) else "reference"


def progress_label(entry, code):
    """What the progress column shows for one module record."""
    if entry.get("completed_at"):
        return "complete" + (" (reference code)" if entry.get("completed_code") == "reference" else "")
    if code == "learner":
        return "in progress"
    if entry.get("learner_path") and Path(entry["learner_path"]).exists():
        return "started (reference installed)"
    return "not started"


def _module_table(ctx, progress, detailed=False):
    workspace = ctx.workspace(progress)
    table = Table(title="TinyTorch modules", title_justify="left")
    for column in ("#", "act", "module", "distribution", "version", "code", "progress"):
        table.add_column(column)
    if detailed:
        table.add_column("learner copy")
    for module in ctx.catalog.modules:
        entry = progress["modules"].get(module.distribution, {})
        code = code_in_use(module, entry, workspace)
        row = [
            f"{module.number:02d}" if module.number is not None else "?", module.act or "?",
            module.name, module.distribution, module.version, code, progress_label(entry, code),
        ]
        if detailed:
            row.append(entry.get("learner_path") or "")
        table.add_row(*row)
    return table


def _milestone_status(ctx, milestone, progress):
    achieved = progress["milestones"].get(milestone.name, {})
    try:
        needs = ctx.catalog.closure(milestone)
    except LookupError as exc:
        return "missing modules", str(exc)
    incomplete = [f"{m.number:02d}" if m.number is not None else m.name
                  for m in needs if not progress["modules"].get(m.distribution, {}).get("completed_at")]
    if achieved.get("achieved_at"):
        return ("achieved (quick run)" if achieved.get("quick") else "achieved"), ""
    if incomplete:
        return "locked", "complete module " + ", ".join(incomplete)
    return "unlocked", ""


def _milestone_table(ctx, progress):
    table = Table(title="TinyTorch milestones", title_justify="left")
    for column in ("year", "milestone", "distribution", "needs modules", "status", "to do"):
        table.add_column(column)
    for milestone in ctx.catalog.milestones:
        try:
            needs = ", ".join(f"{m.number:02d}" for m in ctx.catalog.closure(milestone) if m.number is not None)
        except LookupError:
            needs = "?"
        status, todo = _milestone_status(ctx, milestone, progress)
        table.add_row(str(milestone.year or "?"), milestone.name, milestone.distribution, needs, status, todo)
    return table


def cmd_module_list(ctx):
    """``tito module list``: one row per installed module."""
    progress = ctx.progress()
    if not ctx.catalog.modules:
        ctx.out.print("No TinyTorch modules are installed (no 'tinytorch.modules' entry points). "
                      "Install one, e.g. `pip install tinytorch-tensor`.")
        return 0
    ctx.out.print(_module_table(ctx, progress))
    return 0


def cmd_module_status(ctx):
    """``tito module status``: modules with their copies, milestones, and totals."""
    progress = ctx.progress()
    ctx.out.print(f"progress file: {ctx.store.path}")
    ctx.out.print(f"workspace:     {ctx.workspace(progress)}")
    ctx.out.print(_module_table(ctx, progress, detailed=True))
    if ctx.catalog.milestones:
        ctx.out.print(_milestone_table(ctx, progress))
    done = sum(1 for m in ctx.catalog.modules if progress["modules"].get(m.distribution, {}).get("completed_at"))
    ctx.out.print(f"{done} of {len(ctx.catalog.modules)} installed modules complete; "
                  f"{sum(1 for v in progress['milestones'].values() if v.get('achieved_at'))} milestones achieved.")
    return 0


def _reference_record(ctx, module):
    """Describe how to reinstall the currently installed reference (editable folder or a wheel)."""
    path = module.editable_path
    if path is not None:
        return {"kind": "editable", "path": str(path)}
    dist = metadata.distribution(module.distribution)
    wheel = snapshot_wheel(dist, ctx.store.home / "wheelhouse")
    return {"kind": "wheel", "path": str(wheel), "url": (module.direct_url or {}).get("url")}


def _check_import(module):
    proc = subprocess.run([sys.executable, "-c", f"import {module.import_name}"],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {proc.returncode}"


def cmd_module_start(ctx):
    """``tito module start``: copy the reference as exercises and install it editable over it."""
    args = ctx.args
    module = ctx.module(args.module)
    progress = ctx.progress()
    entry = progress["modules"].get(module.distribution, {})
    workspace = ctx.workspace(progress)
    dest = workspace / module.distribution
    code = code_in_use(module, entry, workspace)
    label = f"module {module.label}"

    if dest.exists() and args.resume:
        if not (dest / "pyproject.toml").is_file():
            raise CliError(f"{dest} has no pyproject.toml; it is not a learner copy to resume")
    elif dest.exists() and not args.force:
        raise CliError(
            f"{dest} already holds your work on {label}. Use `tito module start {args.module} --resume` "
            f"to reinstall it, or `--force` to start over (your copy is then moved aside, not deleted)."
        )

    reference = entry.get("reference")
    if code == "reference" or not reference:
        if code == "learner":
            raise CliError(
                f"the installed {module.distribution} is a learner copy ({module.editable_path}) and "
                "progress has no record of the reference; reinstall the reference first "
                f"(`tito module reset {args.module} --from PATH`)"
            )
        reference = _reference_record(ctx, module)

    if dest.exists() and not args.resume:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = dest.with_name(f"{dest.name}.backup-{stamp}")
        counter = 1
        while backup.exists():
            backup, counter = dest.with_name(f"{dest.name}.backup-{stamp}-{counter}"), counter + 1
        dest.rename(backup)
        ctx.out.print(f"Moved your previous copy to {backup}")
        if entry.get("completed_at"):
            ctx.store.update_module(module.distribution, completed_at=None, completed_code=None,
                                    completed_version=None, tests_passed=None)
            ctx.out.print(f"Starting over: {label} is no longer recorded as complete.")

    if not args.resume:
        workspace.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{module.distribution}-", dir=workspace))
        tree = staging / module.distribution
        try:
            if reference["kind"] == "editable":
                copy_source_tree(reference["path"], tree)
            else:
                copy_installed_files(metadata.distribution(module.distribution),
                                     module.import_name.replace(".", "/"), tree)
            regions = stub_tree(tree / "src", label)
            tree.rename(dest)
        except StubError as exc:
            raise CliError(f"cannot make exercises for {label}: {exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        ctx.out.print(f"Copied {label} to {dest} with {regions} exercise regions replaced by "
                      "`raise NotImplementedError(...)`.")
        if not (dest / "tests").is_dir():
            ctx.out.print("note: the installed reference ships no tests (a wheel); "
                          "`tito module test` needs a copy started from a source checkout.")

    with ctx.store.transaction() as data:
        record = data["modules"].setdefault(module.distribution, {})
        record.update(learner_path=str(dest), reference=reference, version=module.version)
        record.setdefault("started_at", timestamp())
        data["workspace"] = data.get("workspace") or str(workspace)
    ctx.flush_warnings()

    if args.no_install:
        ctx.out.print(f"Not installed (--no-install). Install it with `pip install -e {dest}`.")
        return 0
    installer = Installer()
    try:
        installer.install_editable(dest, module.distribution)
    except InstallError as exc:
        raise CliError(f"installing your copy failed; the reference is still installed.\n{exc}") from None
    problem = _check_import(module)
    if problem:
        ctx.err.print(f"warning: `import {module.import_name}` fails on your copy: {problem}")
    ctx.out.print(f"Installed your copy of {module.distribution} (editable, with {installer.name}) over "
                  f"the reference. Next: edit {dest / 'src'}, then `tito module test {args.module}`.")
    return 0


def _tests_dir(ctx, module, entry, workspace):
    code = code_in_use(module, entry, workspace)
    root = module.editable_path if code == "learner" else module.source_dir
    if root is None:
        raise CliError(
            f"{module.distribution} {module.version} is installed from a wheel, which ships no tests; "
            f"run `tito module start {module.name}` from a source checkout to get them"
        )
    if not (root / "tests").is_dir():
        raise CliError(f"{module.distribution} has no tests folder at {root / 'tests'}")
    return root, code


def _parse_junit(path):
    tree = ET.parse(path)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    problems = {}
    for suite in tree.iter("testsuite"):
        for key in counts:
            counts[key] += float(suite.get(key, 0)) if key == "time" else int(suite.get(key, 0))
    for case in tree.iter("testcase"):
        for kind in ("failure", "error"):
            node = case.find(kind)
            if node is None:
                continue
            message = (node.get("message") or "").strip()
            if not message or message == "collection failure":
                lines = [ln[2:].strip() for ln in (node.text or "").splitlines() if ln.startswith("E ")]
                message = lines[-1] if lines else message or kind
            message = message.splitlines()[0][:300]
            problems.setdefault(message, []).append(f"{case.get('classname', '')}::{case.get('name', '')}")
    return counts, problems


def run_module_tests(ctx, module, extra=(), verbose=False):
    """Run a module's own tests on whatever is installed; returns ``(ok, counts, problems)``."""
    progress = ctx.progress()
    entry = progress["modules"].get(module.distribution, {})
    root, code = _tests_dir(ctx, module, entry, ctx.workspace(progress))
    if installed_version("pytest") is None:
        raise CliError("running tests needs pytest in this environment: `pip install pytest hypothesis`")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rN",
               f"--junitxml={report}", "tests", *extra]
        ctx.out.print(f"Testing {module.label} ({code} code at {root}) ...")
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, capture_output=not verbose, text=True)
        elapsed = time.perf_counter() - started
        if not report.exists():
            output = ((proc.stdout or "") + (proc.stderr or "")).strip()
            raise CliError(f"pytest did not run (exit {proc.returncode}):\n{output[-2000:]}")
        counts, problems = _parse_junit(report)
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    ok = proc.returncode == 0 and failed == 0 and passed > 0
    summary = Table(title=f"{module.label}: {'PASSED' if ok else 'FAILED'}", title_justify="left")
    for column in ("passed", "failed", "errors", "skipped", "seconds"):
        summary.add_column(column, justify="right")
    summary.add_row(str(passed), str(counts["failures"]), str(counts["errors"]), str(counts["skipped"]),
                    f"{elapsed:.1f}")
    ctx.out.print(summary)
    if problems:
        table = Table(title="What failed (grouped by message)", title_justify="left")
        table.add_column("tests", justify="right")
        table.add_column("message")
        table.add_column("first test")
        ranked = sorted(problems.items(), key=lambda item: -len(item[1]))
        for message, tests in ranked[:15]:
            table.add_row(str(len(tests)), message, tests[0])
        ctx.out.print(table)
        if len(ranked) > 15:
            ctx.out.print(f"... and {len(ranked) - 15} more distinct messages; `-v` shows pytest's output.")
    if proc.returncode not in (0, 1) and not problems:
        ctx.out.print(f"pytest exited with status {proc.returncode}")
    return ok, counts, problems


def cmd_module_test(ctx):
    """``tito module test``: the module's own tests on whatever is installed."""
    module = ctx.module(ctx.args.module)
    ok, _, _ = run_module_tests(ctx, module, ctx.args.pytest_args, ctx.args.verbose)
    return 0 if ok else 1


def cmd_module_complete(ctx):
    """``tito module complete``: record completion only when the tests pass; show unlocks."""
    module = ctx.module(ctx.args.module)
    before = ctx.progress()
    unlocked_before = {m.name for m in ctx.catalog.milestones if _milestone_status(ctx, m, before)[0] != "locked"}
    ok, counts, _ = run_module_tests(ctx, module)
    if not ok:
        ctx.out.print(f"Not recorded: {module.label} is complete only when all its tests pass.")
        return 1
    code = code_in_use(module, before["modules"].get(module.distribution, {}), ctx.workspace(before))
    ctx.store.update_module(module.distribution, completed_at=timestamp(), completed_version=module.version,
                            completed_code=code, tests_passed=counts["tests"] - counts["skipped"])
    ctx.flush_warnings()
    ctx.out.print(f"Recorded {module.label} as complete ({code} code).")
    if code == "reference":
        ctx.out.print("note: the reference is installed, so this records the reference "
                      f"passing; `tito module start {module.name}` to write it yourself.")
    after = ctx.progress()
    newly = [m for m in ctx.catalog.milestones
             if m.name not in unlocked_before and _milestone_status(ctx, m, after)[0] != "locked"]
    for milestone in newly:
        ctx.out.print(f"Unlocked milestone {milestone.label}: `tito milestone run {milestone.name}`")
    if not newly:
        waiting = [(m, _milestone_status(ctx, m, after)) for m in ctx.catalog.milestones]
        for milestone, (status, todo) in waiting:
            if status == "locked":
                ctx.out.print(f"Next milestone {milestone.label}: {todo}.")
                break
    return 0


def cmd_module_reset(ctx):
    """``tito module reset``: reinstall the recorded reference; keep the copy unless --discard."""
    args = ctx.args
    module = ctx.module(args.module)
    progress = ctx.progress()
    entry = progress["modules"].get(module.distribution, {})
    reference = entry.get("reference")
    if args.source:
        source = Path(args.source).expanduser().resolve()
        kind = "wheel" if source.suffix == ".whl" else "editable"
        reference = {"kind": kind, "path": str(source)}
    if not reference:
        raise CliError(
            f"no record of where the reference {module.distribution} came from (was it started with "
            f"tito?); pass `--from PATH` with its source folder or wheel"
        )
    installer = Installer()
    path = Path(reference["path"])
    if not path.exists():
        raise CliError(f"the reference {reference['kind']} {path} no longer exists; pass `--from PATH`")
    try:
        if reference["kind"] == "editable":
            installer.install_editable(path, module.distribution)
        else:
            installer.install_wheel(path, module.distribution)
    except InstallError as exc:
        raise CliError(f"reinstalling the reference failed:\n{exc}") from None
    ctx.out.print(f"Reinstalled the reference {module.distribution} from {path}.")
    learner = entry.get("learner_path")
    if args.discard and learner and Path(learner).exists():
        shutil.rmtree(learner)
        ctx.out.print(f"Deleted your copy at {learner} (--discard).")
        ctx.store.update_module(module.distribution, learner_path=None, started_at=None)
    elif learner and Path(learner).exists():
        ctx.out.print(f"Your copy stays at {learner}; `tito module start {module.name} --resume` "
                      "installs it again.")
    ctx.flush_warnings()
    return 0


def _prerequisites(ctx, milestone, progress):
    try:
        needs = ctx.catalog.closure(milestone)
    except LookupError as exc:
        raise CliError(f"cannot run {milestone.label}: {exc}") from None
    rows = []
    workspace = ctx.workspace(progress)
    for module in needs:
        entry = progress["modules"].get(module.distribution, {})
        rows.append((module, code_in_use(module, entry, workspace), bool(entry.get("completed_at"))))
    return rows


def cmd_milestone_list(ctx):
    """``tito milestone list``: installed milestones and whether each is locked or achieved."""
    progress = ctx.progress()
    if not ctx.catalog.milestones:
        ctx.out.print("No milestones are installed (no 'tinytorch.milestones' entry points). "
                      "Install one, e.g. `pip install tinytorch-milestone-perceptron`.")
        return 0
    ctx.out.print(_milestone_table(ctx, progress))
    return 0


def cmd_milestone_info(ctx):
    """``tito milestone info``: a milestone's prerequisites and their state."""
    milestone = ctx.milestone(ctx.args.milestone)
    progress = ctx.progress()
    ctx.out.print(f"{milestone.label}: {milestone.summary}")
    ctx.out.print(f"distribution {milestone.distribution} {milestone.version}; runs {milestone.target}")
    table = Table(title="Prerequisite modules", title_justify="left")
    for column in ("#", "module", "distribution", "code", "complete"):
        table.add_column(column)
    for module, code, complete in _prerequisites(ctx, milestone, progress):
        table.add_row(f"{module.number:02d}" if module.number is not None else "?", module.name,
                      module.distribution, code, "yes" if complete else "no")
    ctx.out.print(table)
    record = progress["milestones"].get(milestone.name)
    if record and record.get("achieved_at"):
        ctx.out.print(f"Achieved {record['achieved_at']}" + (" (quick run)" if record.get("quick") else ""))
    return 0


def _run_milestone_process(ctx, milestone, argv):
    """Run ``main(argv)`` of the milestone's entry point, echo its output, parse its result line."""
    module_name, _, attr = milestone.target.partition(":")
    code = ("import sys\nfrom importlib import import_module\n"
            f"sys.exit(getattr(import_module({module_name!r}), {attr or 'main'!r})(sys.argv[1:]))")
    env = dict(os.environ)
    if sys.stdout.isatty():
        env.setdefault("FORCE_COLOR", "1")
        env.setdefault("COLUMNS", str(shutil.get_terminal_size().columns))
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, text=True,
                            env=env, bufsize=1)
    result = None
    for line in proc.stdout:
        if line.startswith(RESULT_PREFIX):
            try:
                result = json.loads(line[len(RESULT_PREFIX):])
            except json.JSONDecodeError:
                ctx.err.print(f"warning: unreadable result line: {line.strip()[:200]}")
        if not ctx.args.quiet:
            sys.stdout.write(line)
            sys.stdout.flush()
    return proc.wait(), result


def cmd_milestone_run(ctx):
    """``tito milestone run``: run on the installed code; record the achievement if all claims hold."""
    args = ctx.args
    milestone = ctx.milestone(args.milestone)
    progress = ctx.progress()
    rows = _prerequisites(ctx, milestone, progress)
    incomplete = [m.label for m, _, complete in rows if not complete]
    learner = [m.label for m, code, _ in rows if code == "learner"]
    ctx.out.print(f"Running {milestone.label} on: " + ", ".join(
        f"{m.label} ({code})" for m, code, _ in rows))
    if incomplete:
        ctx.out.print(f"note: not yet complete: {', '.join(incomplete)} "
                      "(`tito module complete <n>` records them).")
    argv = (["--quick"] if args.quick else []) + list(args.milestone_args)
    status, result = _run_milestone_process(ctx, milestone, argv)
    if result is None:
        raise CliError(f"{milestone.label} exited with status {status} and printed no "
                       f"'{RESULT_PREFIX.strip()}' line", status=1)
    claims = result.get("claims") or {}
    table = Table(title=f"{milestone.label} claims", title_justify="left")
    for column in ("claim", "value", "target", "met"):
        table.add_column(column)
    for name, claim in claims.items():
        table.add_row(name, str(claim.get("value")), str(claim.get("target")),
                      "yes" if claim.get("passed") else "NO")
    ctx.out.print(table)
    passed = status == 0 and bool(result.get("passed")) and all(c.get("passed") for c in claims.values())
    if not passed:
        failed = [name for name, c in claims.items() if not c.get("passed")]
        ctx.out.print(f"Not achieved: {', '.join(failed) or 'the milestone'} not met (exit status {status}).")
        return 1
    with ctx.store.transaction() as data:
        previous = data["milestones"].get(milestone.name, {})
        if previous.get("achieved_at") and not previous.get("quick") and args.quick:
            ctx.out.print(f"{milestone.label} met its quick claims; the full achievement stays recorded.")
        else:
            data["milestones"][milestone.name] = {
                "achieved_at": timestamp(), "quick": bool(args.quick), "claims": claims,
                "version": milestone.version, "learner_modules": learner,
                "incomplete_modules": incomplete,
            }
    ctx.flush_warnings()
    ctx.out.print(f"Achieved {milestone.label}" + (" (quick run)" if args.quick else "")
                  + (f" on your code for {', '.join(learner)}." if learner else " on the reference code."))
    return 0


def _load_course(path):
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise CliError(f"course file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"course file {path} is not valid TOML: {exc}") from None
    course = data.get("course", data)
    for key in ("modules", "milestones"):
        value = course.get(key, [])
        if not isinstance(value, list):
            raise CliError(f"{path}: '{key}' must be a list of names or numbers, got {value!r}")
    if not course.get("modules") and not course.get("milestones"):
        raise CliError(f"{path}: expected a [course] table with 'modules' and/or 'milestones' lists")
    return course


def check_course(catalog, course):
    """Resolve a course; returns ``(modules, milestones, problems)`` where problems are
    ``(item, missing_label, reason)`` rows (empty when the course is closed under dependencies)."""
    problems, modules, milestones = [], [], []
    for kind, keys, found, lookup in (("module", course.get("modules", []), modules, catalog.module),
                                      ("milestone", course.get("milestones", []), milestones,
                                       catalog.milestone)):
        for key in keys:
            try:
                found.append(lookup(key))
            except LookupError as exc:
                problems.append((f"{kind} {key}", "", str(exc)))
    chosen = {m.distribution for m in modules}
    for item in modules + milestones:
        try:
            needs = catalog.closure(item)
        except LookupError as exc:
            problems.append((item.label, "", str(exc)))
            continue
        direct = set(item.requires)
        for dep in needs:
            if dep.distribution not in chosen:
                how = "declared dependency" if dep.distribution in direct else "needed through its dependencies"
                problems.append((f"{item.kind} {item.label}", f"{dep.label} ({dep.distribution})", how))
    return modules, milestones, problems


def cmd_curriculum_check(ctx):
    """``tito curriculum check``: exit 1 and list every missing prerequisite of a course."""
    course = _load_course(ctx.args.file)
    modules, milestones, problems = check_course(ctx.catalog, course)
    name = course.get("name", Path(ctx.args.file).stem)
    table = Table(title=f"Course: {name}", title_justify="left")
    for column in ("kind", "item", "distribution", "version"):
        table.add_column(column)
    for item in modules + milestones:
        table.add_row(item.kind, item.label, item.distribution, item.version)
    ctx.out.print(table)
    if not problems:
        ctx.out.print(f"Complete: {len(modules)} modules and {len(milestones)} milestones, every "
                      "prerequisite included.")
        return 0
    missing = Table(title="Missing prerequisites", title_justify="left")
    for column in ("item", "needs", "why"):
        missing.add_column(column)
    for row in problems:
        missing.add_row(*row)
    ctx.out.print(missing)
    ctx.out.print(f"Incomplete: {len(problems)} problem(s); add the missing modules to the course.")
    return 1


def cmd_curriculum_lock(ctx):
    """``tito curriculum lock``: pin a complete course's distributions and their dependencies."""
    course = _load_course(ctx.args.file)
    modules, milestones, problems = check_course(ctx.catalog, course)
    if problems:
        ctx.out.print("Not locked: the course is incomplete; `tito curriculum check` lists what is missing.")
        return 1
    ours = {c.distribution: c.version for c in modules + milestones}
    cli_version = installed_version("tinytorch-cli")
    if cli_version:
        ours["tinytorch-cli"] = cli_version
    pins = {name: version for name, version in runtime_closure(ours).items() if version is not None}
    pins.update(ours)
    output = Path(ctx.args.output or Path(ctx.args.file).with_suffix(".constraints.txt"))
    lines = [f"# Constraints for course {course.get('name', Path(ctx.args.file).stem)!r}, written by "
             f"`tito curriculum lock` on Python {sys.version_info.major}.{sys.version_info.minor}.",
             f"# Install with: pip install -c {output.name} " + " ".join(sorted(ours)), ""]
    lines += [f"{name}=={pins[name]}" for name in sorted(pins, key=canonicalize_name)]
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, output)
    ctx.out.print(f"Wrote {output} pinning {len(pins)} distributions.")
    return 0


def _data_api():
    try:
        import tinytorch.data as data
    except ImportError:
        raise CliError("`tito data` needs module 08: pip install tinytorch-data") from None
    return data


def cmd_data_list(ctx):
    """``tito data list``: the datasets in tinytorch.data's registry."""
    data = _data_api()
    table = Table(title=f"Datasets (root {data.data_root(ctx.args.root)})", title_justify="left")
    for column in ("name", "title", "files", "MB", "license"):
        table.add_column(column)
    for name, spec in data.DATASETS.items():
        size = sum(f.size for f in spec.files) / 1e6
        table.add_row(name, spec.title, str(len(spec.files)), f"{size:.1f}", spec.license)
    ctx.out.print(table)
    return 0


def _data_action(ctx, action):
    """Run ``tinytorch.data.fetch`` or ``verify`` and show one row per file report."""
    data = _data_api()
    if ctx.args.name not in data.DATASETS:
        raise CliError(f"unknown dataset {ctx.args.name!r}; known: {', '.join(data.DATASETS)}")
    try:
        reports = getattr(data, action)(ctx.args.name, root=ctx.args.root)
    except (OSError, ValueError) as exc:  # the data package's errors name the file, hash and folder
        ctx.out.print(f"{action} {ctx.args.name} failed: {exc}")
        return 1
    table = Table(title=f"{action} {ctx.args.name}", title_justify="left")
    for column in ("file", "status", "path"):
        table.add_column(column)
    for report in reports:
        table.add_row(report.name, report.status, str(report.path))
    ctx.out.print(table)
    bad = [r for r in reports if not r.ok]
    if bad:
        ctx.out.print(f"{len(bad)} of {len(reports)} files not ok; "
                      + (data.DATASETS[ctx.args.name].how_to_get or f"`tito data fetch {ctx.args.name}`"))
        return 1
    ctx.out.print(f"{ctx.args.name}: all {len(reports)} files verified.")
    return 0


def build_parser():
    """The ``argparse`` parser for every ``tito`` command (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="tito", description="TinyTorch course workflows.")
    parser.add_argument("--version", action="version",
                        version=f"tito {installed_version('tinytorch-cli') or 'unknown'}")
    parser.add_argument("--home", help="progress folder (default $TINYTORCH_HOME or ~/.tinytorch)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only errors and warnings; the exit status tells the result")
    groups = parser.add_subparsers(dest="group", required=True, metavar="{module,milestone,curriculum,data}")

    module = groups.add_parser("module", help="list, start, test, complete and reset course modules")
    msub = module.add_subparsers(dest="command", required=True)
    msub.add_parser("list", help="every installed module with its act, version, code and progress")
    msub.add_parser("status", help="modules, milestones and where your work lives")
    start = msub.add_parser("start", help="copy a module into your workspace as exercises and install it")
    start.add_argument("module", help="number or name, e.g. 01 or tensor")
    start.add_argument("--workspace", help="folder for your copies (default ./workspace or the recorded one)")
    how = start.add_mutually_exclusive_group()
    how.add_argument("--force", action="store_true", help="start over; an existing copy is moved aside")
    how.add_argument("--resume", action="store_true", help="reinstall your existing copy as it is")
    start.add_argument("--no-install", action="store_true", help="only copy; do not install")
    test = msub.add_parser("test", help="run the module's tests on the installed code "
                                         "(words after -- go to pytest)")
    test.add_argument("module")
    test.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    test.set_defaults(pytest_args=[])
    complete = msub.add_parser("complete", help="record the module complete if its tests pass")
    complete.add_argument("module")
    reset = msub.add_parser("reset", help="reinstall the reference; your copy stays unless --discard")
    reset.add_argument("module")
    reset.add_argument("--discard", action="store_true", help="also delete your copy")
    reset.add_argument("--from", dest="source", help="reference source folder or wheel to install")

    milestone = groups.add_parser("milestone", help="list, describe and run historical milestones")
    tsub = milestone.add_subparsers(dest="command", required=True)
    tsub.add_parser("list", help="every installed milestone and whether it is unlocked")
    info = tsub.add_parser("info", help="what a milestone needs")
    info.add_argument("milestone")
    run = tsub.add_parser("run", help="run a milestone on the installed code and record it if met "
                                      "(words after -- go to the milestone)")
    run.add_argument("milestone")
    run.add_argument("--quick", action="store_true", help="the reduced CI version")
    run.set_defaults(milestone_args=[])

    curriculum = groups.add_parser("curriculum", help="check and lock a course made of modules")
    csub = curriculum.add_subparsers(dest="command", required=True)
    for name, text in (("check", "report missing prerequisites"), ("lock", "write a constraints file")):
        sub = csub.add_parser(name, help=text)
        sub.add_argument("file", help="course TOML file")
        sub.add_argument("--repo", help="also read modules from this source checkout")
        if name == "lock":
            sub.add_argument("-o", "--output", help="constraints file (default <file>.constraints.txt)")

    data = groups.add_parser("data", help="list, fetch and verify datasets (needs tinytorch-data)")
    dsub = data.add_subparsers(dest="command", required=True)
    for name in ("list", "fetch", "verify"):
        sub = dsub.add_parser(name, help=f"{name} datasets")
        if name != "list":
            sub.add_argument("name")
        sub.add_argument("--root", help="data folder (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
    return parser


COMMANDS = {
    ("module", "list"): cmd_module_list, ("module", "status"): cmd_module_status,
    ("module", "start"): cmd_module_start, ("module", "test"): cmd_module_test,
    ("module", "complete"): cmd_module_complete, ("module", "reset"): cmd_module_reset,
    ("milestone", "list"): cmd_milestone_list, ("milestone", "info"): cmd_milestone_info,
    ("milestone", "run"): cmd_milestone_run,
    ("curriculum", "check"): cmd_curriculum_check, ("curriculum", "lock"): cmd_curriculum_lock,
    ("data", "list"): cmd_data_list,
    ("data", "fetch"): lambda ctx: _data_action(ctx, "fetch"),
    ("data", "verify"): lambda ctx: _data_action(ctx, "verify"),
}


def parse_args(argv=None):
    """Parse ``argv``; words after a ``--`` go to pytest (``module test``) or the milestone (``run``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = build_parser().parse_args(argv)
    if extra:
        if not hasattr(args, "pytest_args") and not hasattr(args, "milestone_args"):
            build_parser().error(f"`{args.group} {args.command}` takes no arguments after --")
        for name in ("pytest_args", "milestone_args"):
            if hasattr(args, name):
                setattr(args, name, extra)
    return args


def main(argv=None):
    """Run ``tito`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = parse_args(argv)
    ctx = Context(args)
    try:
        return COMMANDS[(args.group, args.command)](ctx)
    except CliError as exc:
        ctx.err.print(f"error: {exc}")
        return exc.status
    except ProgressError as exc:
        ctx.err.print(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        ctx.err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
