"""``tito run SCRIPT [ARGS...]``: run an unmodified PyTorch script on TinyTorch.

The same as ``python -m tinytorch.compat SCRIPT ARGS...`` (``tinytorch-compat`` makes ``torch``,
``torch.*`` and ``torchvision`` resolve to TinyTorch before the script starts); the script's exit
status is ``tito``'s.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

from ..context import CliError

FACADE = "tinytorch.compat"


def facade_installed():
    try:
        return importlib.util.find_spec(FACADE) is not None
    except ModuleNotFoundError:
        return False


def cmd_run(ctx):
    script = Path(ctx.args.script)
    if not script.is_file():
        raise CliError(f"no script {script}")
    if not facade_installed():
        raise CliError("`tito run` needs the torch-shaped facade: `pip install --find-links WHEELHOUSE "
                       "tinytorch-compat` (or `pip install -e packages/tinytorch-compat` in a checkout)")
    proc = subprocess.run([sys.executable, "-m", FACADE, str(script), *ctx.args.script_args])
    return proc.returncode


def register(groups):
    """Add ``tito run SCRIPT [ARGS...]``."""
    run = groups.add_parser("run", help="run a PyTorch script on TinyTorch (python -m tinytorch.compat)")
    run.add_argument("script", help="a Python script written for torch")
    run.add_argument("script_args", nargs="...", help="arguments for the script")
    run.set_defaults(handler=cmd_run, command="run")
