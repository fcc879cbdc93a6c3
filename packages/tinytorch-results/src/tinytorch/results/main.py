"""``main`` for a milestone: the same few lines in every ``__main__.py``.

Example ``__main__.py``::

    import sys

    from tinytorch.results import milestone_main

    from .mlp import add_arguments, run


    def main(argv=None):
        return milestone_main("mlp", run, argv, description="1986: ...", add_arguments=add_arguments)


    if __name__ == "__main__":
        sys.exit(main())

``run(args, console)`` does the work, prints whatever it wants through ``console`` and returns
``(claims, metrics)``; :func:`milestone_main` parses ``--quick`` and ``--seed`` (plus the
milestone's own options), times the run, prints the one results table, emits the
``TINYTORCH_RESULT`` line and returns the exit status (0 only when the run passed). With
``TINYTORCH_RESULT_TABLE=0`` in the environment the table is left to the caller.
"""

import argparse
import os
import time

from .claims import Result, ResultError
from .line import emit
from .table import console_for_output, print_result

# Set to "0" by a caller that renders the parsed result itself (``tito milestone run``): the
# milestone then prints its own output and the result line, but not the results table.
TABLE_ENV = "TINYTORCH_RESULT_TABLE"


def _number_type(cast, low, inclusive, what):
    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (value >= low if inclusive else value > low) or value != value:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    return parse


non_negative_int = _number_type(int, 0, True, "an int >= 0")
positive_int = _number_type(int, 0, False, "an int > 0")
non_negative_float = _number_type(float, 0.0, True, "a number >= 0")
positive_float = _number_type(float, 0.0, False, "a number > 0")


def milestone_parser(name, description, add_arguments=None):
    """The argument parser every milestone shares: ``--quick``, ``--seed`` and the milestone's own."""
    parser = argparse.ArgumentParser(prog=f"python -m tinytorch.milestone_{name}", description=description)
    parser.add_argument("--quick", action="store_true", help="reduced run for CI (seconds, reduced claims)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed for data, init and order (default 0)")
    if add_arguments is not None:
        add_arguments(parser)
    return parser


def milestone_main(name, run, argv=None, *, description, add_arguments=None, check_args=None, console=None):
    """Parse arguments, run the milestone, print its table and result line; return the exit status.

    Args:
        name: the milestone's short name (``"mlp"``); the result's ``milestone`` field.
        run: ``run(args, console) -> (claims, metrics)``.
        argv: arguments (default ``sys.argv[1:]``).
        description: the ``--help`` text.
        add_arguments: optional ``add_arguments(parser)`` adding the milestone's own options.
        check_args: optional ``check_args(args, parser)`` for checks across options; it calls
            ``parser.error(message)`` (exit status 2) on a bad combination.
        console: where human output goes (default: the terminal, or 100 columns in a pipe).

    Returns:
        0 when the run passed (:func:`~.claims.verdict`), else 1.
    """
    parser = milestone_parser(name, description, add_arguments)
    args = parser.parse_args(argv)
    if check_args is not None:
        check_args(args, parser)
    console = console_for_output() if console is None else console
    start = time.perf_counter()
    outcome = run(args, console)
    wall = time.perf_counter() - start
    if not (isinstance(outcome, tuple) and len(outcome) == 2):
        raise ResultError(f"milestone {name}: run() must return (claims, metrics), got {type(outcome).__name__}")
    claims, metrics = outcome
    metrics = dict(metrics)
    metrics.setdefault("wall_seconds", round(wall, 3))
    result = Result(name, list(claims), metrics, bool(args.quick))
    if os.environ.get(TABLE_ENV) != "0":
        print_result(result, console)
    emit(result)
    return 0 if result.passed else 1
