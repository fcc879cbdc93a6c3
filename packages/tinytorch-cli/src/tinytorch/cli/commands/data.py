"""``tito data list | fetch | verify``: the verified datasets of ``tinytorch.data`` (module 08)."""

from rich.table import Table

from ..context import CliError


def data_api():
    try:
        import tinytorch.data as data
    except ImportError:
        raise CliError("`tito data` needs module 08: `pip install --find-links WHEELHOUSE tinytorch-data` "
                       "(or `pip install -e packages/tinytorch-data` in a checkout)") from None
    return data


def cmd_list(ctx):
    """``tito data list``: the datasets in tinytorch.data's registry."""
    data = data_api()
    table = Table(title=f"Datasets (root {data.data_root(ctx.args.root)})", title_justify="left")
    for column in ("name", "title", "files", "MB", "license"):
        table.add_column(column)
    for name, spec in data.DATASETS.items():
        size = sum(f.size for f in spec.files) / 1e6
        table.add_row(name, spec.title, str(len(spec.files)), f"{size:.1f}", spec.license)
    ctx.out.print(table)
    return 0


def _action(ctx, action):
    """Run ``tinytorch.data.fetch`` or ``verify`` and show one row per file report."""
    data = data_api()
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


def register(groups):
    """Add ``tito data list | fetch | verify``."""
    data = groups.add_parser("data", help="list, fetch and verify datasets (needs tinytorch-data)")
    sub = data.add_subparsers(dest="command", required=True)
    handlers = {"list": cmd_list, "fetch": lambda ctx: _action(ctx, "fetch"),
                "verify": lambda ctx: _action(ctx, "verify")}
    for name, handler in handlers.items():
        command = sub.add_parser(name, help=f"{name} datasets")
        if name != "list":
            command.add_argument("name")
        command.add_argument("--root", help="data folder (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
        command.set_defaults(handler=handler)
