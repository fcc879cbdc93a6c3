"""``tito milestone list | info | run``: historical milestones on the installed code.

A milestone runs in a subprocess; ``tito`` reads its ``TINYTORCH_RESULT`` line with
``tinytorch.results`` and shows that one results table. An achievement is recorded per kind of
run: ``learner`` when at least one prerequisite runs the learner's code and every such module is
recorded complete (and unchanged since), ``reference`` when every prerequisite is the reference.
A reference run never replaces a learner achievement, and a quick run never a full one.
"""

import os
import shutil
import subprocess
import sys

from rich.table import Table

import tinytorch.results as results
from tinytorch.results.main import TABLE_ENV

from ..context import CliError, code_in_use, completed_on_learner_code, make_console
from ..progress import RUN_KINDS, timestamp


def _label(module):
    return f"{module.number:02d}" if module.number is not None else module.name


def milestone_status(ctx, milestone, progress):
    """``(status, to do)`` for the milestone tables: locked, unlocked or achieved."""
    record = progress["milestones"].get(milestone.name, {})
    try:
        needs = ctx.catalog.closure(milestone)
    except LookupError as exc:
        return "missing modules", str(exc)
    incomplete = [_label(m) for m in needs if not progress["modules"].get(m.distribution, {}).get("completed_at")]
    for kind in RUN_KINDS:
        run = record.get(kind)
        if run:
            where = "on your code" if kind == "learner" else "on reference code"
            return f"achieved {where}" + (" (quick run)" if run.get("quick") else ""), ""
    if incomplete:
        return "locked", "complete module " + ", ".join(incomplete)
    return "unlocked", ""


def milestone_table(ctx, progress):
    table = Table(title="TinyTorch milestones", title_justify="left")
    for column in ("year", "milestone", "distribution", "needs modules", "status", "to do"):
        table.add_column(column)
    for milestone in ctx.catalog.milestones:
        try:
            needs = ", ".join(_label(m) for m in ctx.catalog.closure(milestone))
        except LookupError:
            needs = "?"
        status, todo = milestone_status(ctx, milestone, progress)
        table.add_row(str(milestone.year or "?"), milestone.name, milestone.distribution, needs, status, todo)
    return table


def prerequisites(ctx, milestone, progress):
    """``[(module, code, record)]`` for every module the milestone needs, in course order."""
    try:
        needs = ctx.catalog.closure(milestone)
    except LookupError as exc:
        raise CliError(f"cannot run {milestone.label}: {exc}") from None
    workspace = ctx.workspace(progress)
    rows = []
    for module in needs:
        entry = progress["modules"].get(module.distribution, {})
        rows.append((module, code_in_use(module, entry, workspace), entry))
    return rows


def cmd_list(ctx):
    """``tito milestone list``: installed milestones and whether each is locked or achieved."""
    progress = ctx.progress()
    if not ctx.catalog.milestones:
        ctx.out.print("No milestones are installed (no 'tinytorch.milestones' entry points). "
                      "Install one, e.g. `pip install --find-links WHEELHOUSE tinytorch-milestone-perceptron`.")
        return 0
    ctx.out.print(milestone_table(ctx, progress))
    return 0


def cmd_info(ctx):
    """``tito milestone info``: a milestone's prerequisites and their state."""
    milestone = ctx.milestone(ctx.args.milestone)
    progress = ctx.progress()
    ctx.out.print(f"{milestone.label}: {milestone.summary}")
    ctx.out.print(f"distribution {milestone.distribution} {milestone.version}; runs {milestone.target}")
    table = Table(title="Prerequisite modules", title_justify="left")
    for column in ("#", "module", "distribution", "code", "complete"):
        table.add_column(column)
    for module, code, entry in prerequisites(ctx, milestone, progress):
        table.add_row(_label(module), module.name, module.distribution, code,
                      "yes" if entry.get("completed_at") else "no")
    ctx.out.print(table)
    for kind in RUN_KINDS:
        run = progress["milestones"].get(milestone.name, {}).get(kind)
        if run:
            ctx.out.print(f"Achieved on {'your' if kind == 'learner' else 'reference'} code {run['achieved_at']}"
                          + (" (quick run)" if run.get("quick") else ""))
    return 0


def run_process(ctx, milestone, argv):
    """Run the milestone's ``main(argv)``, echo its output, and parse its result line."""
    module_name, _, attr = milestone.target.partition(":")
    code = ("import sys\nfrom importlib import import_module\n"
            f"sys.exit(getattr(import_module({module_name!r}), {attr or 'main'!r})(sys.argv[1:]))")
    env = dict(os.environ, **{TABLE_ENV: "0"})  # tito shows the one table itself
    if sys.stdout.isatty():
        env.setdefault("FORCE_COLOR", "1")
        env.setdefault("COLUMNS", str(shutil.get_terminal_size().columns))
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, text=True,
                            env=env, bufsize=1)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if not line.startswith(results.PREFIX) and not ctx.args.quiet:
            sys.stdout.write(line)
            sys.stdout.flush()
    status = proc.wait()
    try:
        result = results.find_result(lines)
    except results.ResultError as exc:
        ctx.err.print(f"warning: {exc}")
        result = None
    return status, result


def failed_claims(result):
    return [c.name for c in result.claims if not c.skipped and not c.passed]


def claims_record(result):
    return {c.name: c.to_dict() for c in result.claims}


def _record(ctx, milestone, kind, quick, result, learner, incomplete):
    with ctx.store.transaction() as data:
        entry = data["milestones"].setdefault(milestone.name, {})
        previous = entry.get(kind)
        if previous and not previous.get("quick") and quick:
            ctx.out.print(f"{milestone.label} met its quick claims; the full achievement stays recorded.")
            return
        entry[kind] = {"achieved_at": timestamp(), "quick": quick, "claims": claims_record(result),
                       "metrics": result.metrics, "version": milestone.version,
                       "learner_modules": learner, "incomplete_modules": incomplete}
    ctx.flush_warnings()


def cmd_run(ctx):
    """``tito milestone run``: run on the installed code; record it when every checked claim holds."""
    args = ctx.args
    milestone = ctx.milestone(args.milestone)
    progress = ctx.progress()
    rows = prerequisites(ctx, milestone, progress)
    incomplete = [m.label for m, _, entry in rows if not entry.get("completed_at")]
    learner = [m.label for m, code, _ in rows if code == "learner"]
    unproven = [m for m, code, entry in rows if code == "learner" and not completed_on_learner_code(entry)]
    ctx.out.print(f"Running {milestone.label} on: " + ", ".join(f"{m.label} ({code})" for m, code, _ in rows))
    if incomplete:
        ctx.out.print(f"note: not yet complete: {', '.join(incomplete)} "
                      "(`tito module complete <n>` records them).")
    argv = (["--quick"] if args.quick else []) + list(args.milestone_args)
    status, result = run_process(ctx, milestone, argv)
    if result is None:
        raise CliError(f"{milestone.label} exited with status {status} and printed no "
                       f"'{results.PREFIX.strip()}' line", status=1)
    results.print_result(result, make_console(quiet=ctx.args.quiet, markup=True))
    failed = failed_claims(result)
    if status != 0 or not result.passed:
        ctx.out.print(f"Not achieved: {', '.join(failed) or 'the milestone'} not met (exit status {status}).")
        return 1
    quick = bool(args.quick)
    if unproven:
        names = ", ".join(m.label for m in unproven)
        ctx.out.print(f"{milestone.label} met its claims on your code, but it is recorded as achieved on your "
                      f"code only once {names} {'is' if len(unproven) == 1 else 'are'} recorded complete "
                      f"(`tito module complete {unproven[0].name}` checks it against the reference tests).")
        return 0
    kind = "learner" if learner else "reference"
    _record(ctx, milestone, kind, quick, result, learner, incomplete)
    ctx.out.print(f"Achieved {milestone.label}" + (" (quick run)" if quick else "")
                  + (f" on your code for {', '.join(learner)}." if learner else " on the reference code."))
    return 0


def register(groups):
    """Add ``tito milestone`` and its subcommands to the top-level subparsers."""
    milestone = groups.add_parser("milestone", help="list, describe and run historical milestones")
    sub = milestone.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every installed milestone and whether it is unlocked").set_defaults(handler=cmd_list)
    info = sub.add_parser("info", help="what a milestone needs")
    info.add_argument("milestone")
    info.set_defaults(handler=cmd_info)
    run = sub.add_parser("run", help="run a milestone on the installed code and record it if met "
                                     "(words after -- go to the milestone)")
    run.add_argument("milestone")
    run.add_argument("--quick", action="store_true", help="the reduced CI version")
    run.set_defaults(handler=cmd_run, passthrough="milestone_args", milestone_args=[])
