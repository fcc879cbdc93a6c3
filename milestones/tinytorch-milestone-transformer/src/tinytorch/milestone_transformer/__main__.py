"""``python -m tinytorch.milestone_transformer [--quick] [--part ...] [--seed N] [--root DIR] [--clock cpu]``."""

import sys

from .milestone import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
