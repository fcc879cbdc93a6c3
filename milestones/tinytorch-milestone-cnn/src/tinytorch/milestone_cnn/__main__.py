"""``python -m tinytorch.milestone_cnn [--quick] [--seed N] [--root DIR] [--only TASK ...] [--threads N]``."""

import sys

from tinytorch.results import milestone_main

from .cnn import DESCRIPTION, add_arguments, check_args, run


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("cnn", run, argv, description=DESCRIPTION, add_arguments=add_arguments,
                          check_args=check_args)


if __name__ == "__main__":
    sys.exit(main())
