"""The ``TINYTORCH_RESULT {json}`` line: how a milestone hands its result to ``tito`` and CI.

A milestone prints any human output it likes, then exactly one line that starts with
:data:`PREFIX` followed by the result's JSON on one line (no NaN, no wrapping, no colour). A reader
takes the last such line of the output.
"""

import json
import sys

from .claims import Result, ResultError
from .schema import validate

PREFIX = "TINYTORCH_RESULT "


def format_line(result):
    """The result line for ``result`` (without a newline).

    Example:
        >>> from tinytorch.results import Claim
        >>> format_line(Result("demo", [Claim.check("acc", 1, ">=", 1)]))[:40]
        'TINYTORCH_RESULT {"schema_version": 1, "'
    """
    if not isinstance(result, Result):
        raise ResultError(f"format_line needs a Result, got {type(result).__name__}")
    return PREFIX + json.dumps(result.to_dict(), allow_nan=False, ensure_ascii=True)


def emit(result, file=None):
    """Print the result line to ``file`` (default ``sys.stdout``) after flushing earlier output."""
    file = sys.stdout if file is None else file
    line = format_line(result)
    file.flush()
    print(line, file=file, flush=True)


def parse_line(line):
    """The :class:`Result` of one result line, or ``None`` when ``line`` is not a result line.

    Raises:
        ResultError: the line starts with the prefix but its JSON is unreadable or breaks the schema.
    """
    line = line.rstrip("\r\n")
    if not line.startswith(PREFIX):
        return None
    payload = line[len(PREFIX):]
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        shown = payload if len(payload) <= 80 else payload[:77] + "..."
        raise ResultError(f"unreadable result line ({exc.msg} at column {exc.pos + 1}): {shown}") from None
    return validate(data)


def find_result(output):
    """The result of the last result line in ``output`` (a string or an iterable of lines), or None."""
    lines = output.splitlines() if isinstance(output, str) else output
    found = None
    for line in lines:
        if line.startswith(PREFIX):
            found = line
    return None if found is None else parse_line(found)
