"""TinyTorch milestone results: one claim/result schema for every milestone and for ``tito``.

A milestone checks :class:`Claim` objects (``value op target``, or skipped with a reason), bundles
them with its metrics into a :class:`Result`, prints one table (:func:`print_result`) and one
machine-readable line (:func:`emit`: ``TINYTORCH_RESULT {json}``). ``tito`` and CI read that line
back with :func:`parse_line` / :func:`find_result`, which validate it against the versioned JSON
schema shipped in this package (:func:`schema`). :func:`milestone_main` is every milestone's
``main``. Depends on nothing in TinyTorch.
"""

from importlib.metadata import PackageNotFoundError, version

from .claims import OPS, SCHEMA_VERSION, Claim, Result, ResultError, verdict
from .line import PREFIX, emit, find_result, format_line, parse_line
from .main import (
    milestone_main, milestone_parser, non_negative_float, non_negative_int, positive_float, positive_int,
)
from .schema import schema, validate
from .table import claims_table, console_for_output, format_number, print_result, systems_line, verdict_line

try:
    __version__ = version("tinytorch-results")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Claim", "Result", "ResultError", "verdict", "OPS", "SCHEMA_VERSION",
    "schema", "validate",
    "PREFIX", "emit", "format_line", "parse_line", "find_result",
    "claims_table", "print_result", "verdict_line", "systems_line", "format_number", "console_for_output",
    "milestone_main", "milestone_parser",
    "non_negative_int", "positive_int", "non_negative_float", "positive_float",
]
