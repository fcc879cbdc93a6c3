"""The milestone result protocol as ``tito`` reads it (interim: dict-based until tinytorch-results)."""

import json

from rich.table import Table

PREFIX = "TINYTORCH_RESULT "
TABLE_ENV = "TINYTORCH_RESULT_TABLE"


def is_result_line(line):
    return line.startswith(PREFIX)


def parse_output(text):
    result = None
    for line in text.splitlines():
        if is_result_line(line):
            try:
                result = json.loads(line[len(PREFIX):])
            except json.JSONDecodeError as exc:
                raise ValueError(f"{line.strip()[:200]} ({exc})") from None
    return result


def _claims(result):
    return result.get("claims") or {}


def failed_claims(result):
    return [n for n, c in _claims(result).items() if not c.get("skipped") and not c.get("passed")]


def skipped_claims(result):
    return [n for n, c in _claims(result).items() if c.get("skipped")]


def achieved(result):
    checked = [c for c in _claims(result).values() if not c.get("skipped")]
    return bool(result.get("passed")) and bool(checked) and all(c.get("passed") for c in checked)


def claims_dict(result):
    return _claims(result)


def metrics_dict(result):
    return result.get("metrics") or {}


def render(result):
    table = Table(title=f"{result.get('milestone')} claims", title_justify="left")
    for column in ("claim", "value", "target", "met"):
        table.add_column(column)
    for name, claim in _claims(result).items():
        met = "skipped" if claim.get("skipped") else ("yes" if claim.get("passed") else "NO")
        table.add_row(name, str(claim.get("value")), str(claim.get("target")), met)
    return table
