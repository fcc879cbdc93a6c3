"""``tito``: the command line for TinyTorch students, educators and contributors.

Commands (``tito <group> --help`` for details)::

    tito module list | status
    tito module start <n|name> [--workspace DIR] [--force | --resume] [--no-install]
    tito module test <n|name> [-v] [-- pytest args]
    tito module complete <n|name>
    tito module reset <n|name> [--discard] [--from PATH]
    tito milestone list | info <name> | run <name> [--quick] [-- milestone args]
    tito curriculum check <course.toml> [--repo DIR]
    tito curriculum lock <course.toml> [-o FILE] [--repo DIR]
    tito data list | fetch <name> | verify <name> [--root DIR]
    tito run SCRIPT [ARGS...]
    tito submit <n|name> [--student NAME] [-o DIR]
    tito grade FOLDER --wheelhouse DIR [--modules ...] [--milestones ...] [-j N] [--shard I/N]
    tito grade --merge GRADEBOOK.json ... [-o DIR]

Exit status: 0 success, 1 a check failed (tests, a milestone's claim, an incomplete curriculum),
2 a usage or environment problem; every failure prints one clear line saying what and why.
Nothing ever prompts: destructive steps need an explicit flag (``--force``, ``--discard``).
Each command group lives in its own module under :mod:`tinytorch.cli.commands`.
"""

import argparse
import sys

from .commands import GROUPS
from .context import CliError, Context
from .discovery import installed_version
from .progress import ProgressError


def build_parser():
    """The ``argparse`` parser for every ``tito`` command (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="tito", description="TinyTorch course workflows.")
    parser.add_argument("--version", action="version",
                        version=f"tito {installed_version('tinytorch-cli') or 'unknown'}")
    parser.add_argument("--home", help="progress folder (default $TINYTORCH_HOME or ~/.tinytorch)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only errors and warnings; the exit status tells the result")
    groups = parser.add_subparsers(dest="group", required=True)
    for group in GROUPS:
        group.register(groups)
    return parser


def _group_index(argv):
    """Index of the command group word in ``argv`` (after the global options), or ``None``."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--home":
            index += 2
        elif word.startswith("--home=") or word in ("-q", "--quiet"):
            index += 1
        else:
            return index if not word.startswith("-") else None
    return None


def parse_args(argv=None):
    """Parse ``argv``; words after a ``--`` go to pytest (``module test``) or the milestone (``run``).

    ``tito run SCRIPT ...`` hands every word after the script to the script, ``--`` included.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    group = _group_index(argv)
    extra = []
    if "--" in argv and not (group is not None and argv[group] == "run"):
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = build_parser()
    args = parser.parse_args(argv)
    if extra:
        target = getattr(args, "passthrough", None)
        if target is None:
            parser.error(f"`{args.group} {args.command}` takes no arguments after --")
        setattr(args, target, extra)
    return args


def main(argv=None):
    """Run ``tito`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = parse_args(argv)
    ctx = Context(args)
    try:
        return args.handler(ctx)
    except (CliError, ProgressError) as exc:
        ctx.err.print(f"error: {exc}")
        return getattr(exc, "status", 2)
    except KeyboardInterrupt:
        ctx.err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
