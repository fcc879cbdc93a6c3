"""``python -m tinytorch.milestone_perceptron [--quick] [--seed N] [--lr LR]``: the 1957 milestone.

Part one trains Rosenblatt's perceptron on generated linearly separable 2-D data and checks that
it reaches 100% training accuracy and at least 98% on held-out points. Part two trains the same
machine on XOR and checks that its best accuracy over all epochs stays at or below 75%: no line
separates XOR, the cliffhanger that milestone 1969 resolves with a hidden layer.
"""

import sys

from tinytorch.results import milestone_main

from .perceptron import DESCRIPTION, add_arguments, run


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("perceptron", run, argv, description=DESCRIPTION, add_arguments=add_arguments)


if __name__ == "__main__":
    sys.exit(main())
