"""``python -m tinytorch.milestone_olympics [--quick] [--seed N] [--root DIR] [--only PART ...]``."""

import sys

from tinytorch.results import milestone_main

from .olympics import DESCRIPTION, add_arguments, run


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("olympics", run, argv, description=DESCRIPTION, add_arguments=add_arguments)


if __name__ == "__main__":
    sys.exit(main())
