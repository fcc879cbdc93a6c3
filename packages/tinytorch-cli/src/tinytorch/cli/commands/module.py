"""``tito module list | status | start | test | complete | reset``."""

import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from rich.table import Table

from ..context import CliError, code_in_use, progress_label
from ..install import InstallError, Installer, copy_installed_files, copy_source_tree, snapshot_wheel
from ..progress import timestamp
from ..stubs import StubError, stub_tree
from . import completion
from .milestone import milestone_table


def module_table(ctx, progress, detailed=False):
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


def cmd_list(ctx):
    """``tito module list``: one row per installed module."""
    progress = ctx.progress()
    if not ctx.catalog.modules:
        ctx.out.print("No TinyTorch modules are installed (no 'tinytorch.modules' entry points). "
                      "Install one, e.g. `pip install --find-links WHEELHOUSE tinytorch-tensor` "
                      "(docs/educator-guide.md builds the wheelhouse).")
        return 0
    ctx.out.print(module_table(ctx, progress))
    return 0


def cmd_status(ctx):
    """``tito module status``: modules with their copies, milestones, and totals."""
    progress = ctx.progress()
    ctx.out.print(f"progress file: {ctx.store.path}")
    ctx.out.print(f"workspace:     {ctx.workspace(progress)}")
    ctx.out.print(module_table(ctx, progress, detailed=True))
    changed = [m for m in ctx.catalog.modules
               if progress_label(progress["modules"].get(m.distribution, {}), "") == "complete, changed since"]
    for module in changed:
        ctx.out.print(f"note: your copy of {module.label} changed after it was recorded complete; "
                      f"`tito module complete {module.name}` re-checks it.")
    if ctx.catalog.milestones:
        ctx.out.print(milestone_table(ctx, progress))
    done = sum(1 for m in ctx.catalog.modules if progress["modules"].get(m.distribution, {}).get("completed_at"))
    achieved = sum(1 for v in progress["milestones"].values() if v)
    ctx.out.print(f"{done} of {len(ctx.catalog.modules)} installed modules complete; {achieved} milestones achieved.")
    return 0


def reference_record(ctx, module):
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


def _move_aside(ctx, dest, module, entry):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = dest.with_name(f"{dest.name}.backup-{stamp}")
    counter = 1
    while backup.exists():
        backup, counter = dest.with_name(f"{dest.name}.backup-{stamp}-{counter}"), counter + 1
    dest.rename(backup)
    ctx.out.print(f"Moved your previous copy to {backup}")
    if entry.get("completed_at"):
        ctx.store.update_module(module.distribution, completed_at=None, completed_code=None,
                                completed_version=None, tests_passed=None, tests=None, source_digest=None)
        ctx.out.print(f"Starting over: module {module.label} is no longer recorded as complete.")


def _make_copy(ctx, module, reference, workspace, dest, label):
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


def cmd_start(ctx):
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
        reference = reference_record(ctx, module)

    if dest.exists() and not args.resume:
        _move_aside(ctx, dest, module, entry)
    if not args.resume:
        _make_copy(ctx, module, reference, workspace, dest, label)
        try:  # fix the reference tests now, while the reference is what is installed
            completion.reference_tests(ctx, module, reference)
        except CliError as exc:
            ctx.err.print(f"note: {exc}")

    with ctx.store.transaction() as data:
        record = data["modules"].setdefault(module.distribution, {})
        record.update(learner_path=str(dest), reference=reference, version=module.version)
        record.setdefault("started_at", timestamp())
        data["workspace"] = data.get("workspace") or str(workspace)
    ctx.flush_warnings()

    if args.no_install:
        ctx.out.print(f"Not installed (--no-install). Install it with `pip install --no-deps -e {dest}`.")
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


def cmd_reset(ctx):
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


def register(groups):
    """Add ``tito module`` and its subcommands to the top-level subparsers."""
    module = groups.add_parser("module", help="list, start, test, complete and reset course modules")
    sub = module.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every installed module with its act, version, code and progress"
                   ).set_defaults(handler=cmd_list)
    sub.add_parser("status", help="modules, milestones and where your work lives").set_defaults(handler=cmd_status)
    start = sub.add_parser("start", help="copy a module into your workspace as exercises and install it")
    start.add_argument("module", help="number or name, e.g. 01 or tensor")
    start.add_argument("--workspace", help="folder for your copies (default ./workspace or the recorded one)")
    how = start.add_mutually_exclusive_group()
    how.add_argument("--force", action="store_true", help="start over; an existing copy is moved aside")
    how.add_argument("--resume", action="store_true", help="reinstall your existing copy as it is")
    start.add_argument("--no-install", action="store_true", help="only copy; do not install")
    start.set_defaults(handler=cmd_start)
    test = sub.add_parser("test", help="run the module's reference tests on the installed code "
                                       "(words after -- go to pytest)")
    test.add_argument("module")
    test.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    test.set_defaults(handler=completion.cmd_test, passthrough="pytest_args", pytest_args=[])
    complete = sub.add_parser("complete", help="record the module complete if its reference tests pass")
    complete.add_argument("module")
    complete.set_defaults(handler=completion.cmd_complete)
    reset = sub.add_parser("reset", help="reinstall the reference; your copy stays unless --discard")
    reset.add_argument("module")
    reset.add_argument("--discard", action="store_true", help="also delete your copy")
    reset.add_argument("--from", dest="source", help="reference source folder or wheel to install")
    reset.set_defaults(handler=cmd_reset)
