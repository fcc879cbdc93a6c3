"""One results table, printed the same way by every milestone and by ``tito``."""

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_STATUS = {"passed": "[green]PASS[/green]", "failed": "[bold red]FAIL[/bold red]",
           "skipped": "[yellow]SKIP[/yellow]"}
_SYSTEMS = (("parameters", "parameters"), ("flops_per_sample", "FLOPs/sample"),
            ("wall_seconds", "wall time"))


def format_number(value):
    """A claim value or target for people: ints exact, floats to 4 decimals (1 from 10,000 up).

    Example:
        >>> format_number(0.98), format_number(1.0), format_number(3), format_number(123456.7)
        ('0.9800', '1.0000', '3', '123,456.7')
    """
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}" if abs(value) >= 1e4 else f"{value:.4f}"


def console_for_output():
    """A Console 100 columns wide when stdout is not a terminal (CI logs, a pipe), else the terminal's."""
    return Console(highlight=False) if sys.stdout.isatty() else Console(highlight=False, width=100)


def claims_table(result):
    """The claims of ``result`` as a rich Table: claim, value, target, result."""
    title = f"{result.milestone} claims" + (" (quick run)" if result.quick else "")
    table = Table(title=title, title_justify="left")
    table.add_column("claim")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("result")
    for claim in result.claims:
        table.add_row(escape(claim.name), format_number(claim.value),
                      f"{claim.op} {format_number(claim.target)}", _STATUS[claim.status])
    return table


def systems_line(result):
    """``parameters N, FLOPs/sample N, wall time S s`` from the conventional metrics present, or ``""``."""
    parts = []
    for key, label in _SYSTEMS:
        value = result.metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"{label} {value:.1f} s" if key == "wall_seconds" else f"{label} {format_number(value)}")
    return ", ".join(parts)


def verdict_line(result):
    """One line of rich markup saying whether the milestone was achieved, and why not."""
    failed = [c.name for c in result.claims if c.status == "failed"]
    skipped = [c.name for c in result.claims if c.skipped]
    if result.status == "passed":
        line = f"[bold green]{escape(result.milestone)}: every checked claim holds[/bold green]"
        return line + (f" ({len(skipped)} skipped)" if skipped else "")
    if result.status == "skipped":
        return (f"[bold yellow]{escape(result.milestone)}: not achieved, every claim was skipped"
                "[/bold yellow] (nothing was checked; see the reasons above)")
    return f"[bold red]{escape(result.milestone)}: not achieved[/bold red], failed: {escape(', '.join(failed))}"


def print_result(result, console=None):
    """Print the claims table, the systems line, the reason for every failed or skipped claim, and the verdict."""
    console = console_for_output() if console is None else console
    console.print(claims_table(result))
    if systems_line(result):
        console.print(systems_line(result))
    for claim in result.claims:
        if claim.status == "failed":
            if claim.value is None:
                detail = claim.reason or "no value"
            else:
                detail = (f"{format_number(claim.value)}, expected {claim.op} {format_number(claim.target)}"
                          f" (off by {format_number(abs(claim.value - claim.target))})")
                detail += f"; {claim.reason}" if claim.reason else ""
            console.print(f"[red]claim failed:[/red] {escape(claim.name)} = {escape(detail)}")
        elif claim.skipped:
            console.print(f"[yellow]claim skipped:[/yellow] {escape(claim.name)}: {escape(claim.reason)}")
    console.print(verdict_line(result))
