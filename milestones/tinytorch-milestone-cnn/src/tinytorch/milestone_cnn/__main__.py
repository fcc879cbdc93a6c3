"""``python -m tinytorch.milestone_cnn [--quick]``: run the 1998 CNN milestone."""

import sys

from .cnn import main

if __name__ == "__main__":
    sys.exit(main())
