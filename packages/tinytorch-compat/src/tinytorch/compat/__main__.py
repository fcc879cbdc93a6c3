"""``python -m tinytorch.compat SCRIPT [ARGS...]``: run an unmodified PyTorch script on TinyTorch.

The facade is aliased as ``torch``/``torchvision`` (see :mod:`tinytorch.compat._alias`), then the
script runs as ``python SCRIPT ARGS...`` would run it: ``__name__ == "__main__"``,
``sys.argv == [SCRIPT, *ARGS]`` and the script's folder first on ``sys.path``.
``python -m tinytorch.compat -m package.module ARGS...`` runs a module the same way.
"""

import os
import runpy
import sys

USAGE = "usage: python -m tinytorch.compat SCRIPT [ARGS...]  |  python -m tinytorch.compat -m MODULE [ARGS...]"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 0 if argv else 2
    from ._alias import install

    install()
    if argv[0] == "-m":
        if len(argv) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = [argv[1], *argv[2:]]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"tinytorch.compat: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    sys.argv = [script, *argv[1:]]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
