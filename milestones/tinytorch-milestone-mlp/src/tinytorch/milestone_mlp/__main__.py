"""``python -m tinytorch.milestone_mlp [--quick]``: run the 1986 MLP milestone."""

import sys

from .mlp import main

if __name__ == "__main__":
    sys.exit(main())
