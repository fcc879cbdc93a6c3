"""Show a leaderboard file: ``python -m tinytorch.benchmarking leaderboard.json [--task NAME]``.

Prints one table per task (every entry with its rank in each category, invalid entries with the
limits they broke) and the winners; exits 1 when the file is missing or not a leaderboard.
"""

import argparse
import os
import sys

from rich.console import Console

from .olympics import Leaderboard


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinytorch.benchmarking", description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a leaderboard file written by Leaderboard.add")
    parser.add_argument("--task", help="show only this task")
    args = parser.parse_args(argv)
    console = Console()
    if not os.path.exists(args.path):
        console.print(f"no leaderboard at {args.path}")
        return 1
    try:
        board = Leaderboard(args.path)
    except ValueError as exc:
        console.print(f"error: {exc}")
        return 1
    tasks = [args.task] if args.task else board.tasks()
    for task in tasks:
        console.print(board.table(task))
        winners = board.winners(task)
        console.print("winners: " + (", ".join(f"{c}: {n}" for c, n in winners.items()) or "no valid entry"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
