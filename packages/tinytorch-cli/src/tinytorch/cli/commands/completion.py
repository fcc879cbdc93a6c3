"""``tito module test`` and ``tito module complete``: the reference tests, on the installed code.

The tests come from a reference bundle (:mod:`tinytorch.cli.reftests`), never from the learner's
workspace copy, and a completion records which tests ran (the bundle's digest and the digest of
the test ids) and the digest of the learner's ``src/`` that passed them.
"""

from pathlib import Path

from rich.table import Table

from ..context import CliError, code_in_use, source_digest
from ..discovery import installed_version, url_to_path
from ..progress import timestamp
from ..reftests import ReferenceTestsError, locate, wheelhouse_dirs
from ..testrun import run_pytest
from .milestone import milestone_status


def reference_tests(ctx, module, reference=None):
    """``(folder, manifest)`` of the verified reference tests for the installed ``module``."""
    progress = ctx.progress()
    entry = progress["modules"].get(module.distribution, {})
    reference = reference or entry.get("reference") or {}
    sources = []
    if reference.get("kind") == "editable":
        sources.append(Path(reference["path"]))
    if code_in_use(module, entry, ctx.workspace(progress)) == "reference" and module.source_dir:
        sources.append(module.source_dir)
    search = wheelhouse_dirs()
    for url in (reference.get("url"), (module.direct_url or {}).get("url")):
        path = url_to_path(url or "")
        if path is not None and path.suffix == ".whl":
            search.append(path.parent)
    try:
        return locate(ctx.store.home, module.distribution, module.version, sources, search)
    except ReferenceTestsError as exc:
        raise CliError(str(exc)) from None


def print_report(ctx, module, report):
    title = f"{module.label}: {'PASSED' if report.ok else 'FAILED'}"
    summary = Table(title=title, title_justify="left")
    for column in ("passed", "failed", "errors", "skipped", "seconds"):
        summary.add_column(column, justify="right")
    summary.add_row(str(report.passed), str(report.failures), str(report.errors), str(report.skipped),
                    f"{report.seconds:.1f}")
    ctx.out.print(summary)
    groups = report.groups()
    if groups:
        table = Table(title="What failed (grouped by message; the first test's message in full)",
                      title_justify="left")
        table.add_column("tests", justify="right")
        table.add_column("first failing test")
        table.add_column("message")
        for _, failures in groups[:15]:
            test, message = failures[0]
            table.add_row(str(len(failures)), test, message)
        ctx.out.print(table)
        if len(groups) > 15:
            ctx.out.print(f"... and {len(groups) - 15} more distinct messages; `-v` shows pytest's output.")
    if report.returncode not in (0, 1) and not groups:
        ctx.out.print(f"pytest exited with status {report.returncode}")


def run_module_tests(ctx, module, extra=(), verbose=False):
    """Run a module's reference tests on whatever is installed: ``(report, manifest, code)``."""
    if installed_version("pytest") is None:
        raise CliError("running tests needs pytest in this environment: `pip install pytest hypothesis`")
    progress = ctx.progress()
    entry = progress["modules"].get(module.distribution, {})
    code = code_in_use(module, entry, ctx.workspace(progress))
    folder, manifest = reference_tests(ctx, module)
    where = module.editable_path or "site-packages"
    ctx.out.print(f"Testing {module.label} ({code} code at {where}) with the reference tests "
                  f"({len(manifest['files'])} files, {manifest['digest'][:19]}...) ...")
    try:
        report = run_pytest(folder, extra, verbose=verbose)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    print_report(ctx, module, report)
    return report, manifest, code


def cmd_test(ctx):
    """``tito module test``: the module's reference tests on whatever is installed."""
    module = ctx.module(ctx.args.module)
    report, _, _ = run_module_tests(ctx, module, ctx.args.pytest_args, ctx.args.verbose)
    return 0 if report.ok else 1


def cmd_complete(ctx):
    """``tito module complete``: record completion only when every reference test passes."""
    module = ctx.module(ctx.args.module)
    before = ctx.progress()
    unlocked_before = {m.name for m in ctx.catalog.milestones if milestone_status(ctx, m, before)[0] != "locked"}
    report, manifest, code = run_module_tests(ctx, module)
    if not report.ok:
        ctx.out.print(f"Not recorded: {module.label} is complete only when all its tests pass.")
        return 1
    digest = source_digest(module.editable_path) if code == "learner" else None
    tests = {"digest": manifest["digest"], "files": len(manifest["files"]), "source": manifest["source"],
             "ids_digest": report.ids_digest, "passed": report.passed, "skipped": report.skipped}
    ctx.store.update_module(module.distribution, completed_at=timestamp(), completed_version=module.version,
                            completed_code=code, tests_passed=report.passed, tests=tests,
                            source_digest=digest)
    ctx.flush_warnings()
    ctx.out.print(f"Recorded {module.label} as complete ({code} code): {report.passed} reference tests "
                  f"passed ({manifest['digest'][:19]}...).")
    if code == "reference":
        ctx.out.print("note: the reference is installed, so this records the reference "
                      f"passing; `tito module start {module.name}` to write it yourself.")
    after = ctx.progress()
    newly = [m for m in ctx.catalog.milestones
             if m.name not in unlocked_before and milestone_status(ctx, m, after)[0] != "locked"]
    for milestone in newly:
        ctx.out.print(f"Unlocked milestone {milestone.label}: `tito milestone run {milestone.name}`")
    if not newly:
        for milestone in ctx.catalog.milestones:
            status, todo = milestone_status(ctx, milestone, after)
            if status == "locked":
                ctx.out.print(f"Next milestone {milestone.label}: {todo}.")
                break
    return 0
