"""``python -m tinytorch.milestone_xor [--quick] [--seed N] [--hidden H] [--lr LR] [--momentum M]``.

Part one trains a single layer (``Linear(2, 1) -> Sigmoid``) on XOR by gradient descent and
checks that it stays at or below 75% accuracy with a loss stuck at ln 2. Part two trains one
hidden layer (``Linear(2, 4) -> Tanh -> Linear(4, 1) -> Sigmoid``) the same way and checks that it
reaches 100% with a small loss. Both run from several seeds (``seed, seed + 1, ...``); every
claim must hold for every seed.
"""

import sys

from tinytorch.results import milestone_main

from .xor import DESCRIPTION, add_arguments, run


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("xor", run, argv, description=DESCRIPTION, add_arguments=add_arguments)


if __name__ == "__main__":
    sys.exit(main())
