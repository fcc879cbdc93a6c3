"""``python -m tinytorch.milestone_mlp [--quick] [--seed N] [--root DIR]``: the 1986 MLP milestone."""

import sys

from tinytorch.results import milestone_main

from .mlp import DESCRIPTION, add_arguments, run


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("mlp", run, argv, description=DESCRIPTION, add_arguments=add_arguments)


if __name__ == "__main__":
    sys.exit(main())
