"""tools/importlinter.ini: the layers follow DESIGN §2 and the contract breaks on a backward import.

The contract is run on a fake namespace package (`ttfake`, the config with `tinytorch` renamed) so
that the installed TinyTorch portions do not mix into the check.
"""

import configparser
import os
import subprocess
import sys
import textwrap
from importlib.metadata import requires
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "importlinter.ini"

MODULES = ["tensor", "activations", "layers", "losses", "autograd", "optim", "training", "data",
           "spatial", "tokenization", "embeddings", "attention", "transformer", "profiling", "quant",
           "compression", "memoization", "acceleration", "benchmarking", "capstone"]


def _layers():
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    lines = parser["importlinter:contract:layers"]["layers"].strip().splitlines()
    return [line.strip() for line in lines]


def test_every_module_is_its_own_layer_in_course_order():
    layers = _layers()
    # Under the milestones and the CLI: the facade (it re-exports modules) and the result protocol.
    assert layers[1:3] == ["(compat)", "(results)"]
    modules = [layer.strip("()") for layer in layers[3:]]
    assert modules == MODULES[::-1]
    assert all(layer.startswith("(") for layer in layers[3:-1])  # optional: any subset installed
    top = [part.strip().strip("()") for part in layers[0].split(":")]
    assert top[0] == "cli" and all(m.startswith("milestone_") for m in top[1:])


def test_the_result_protocol_declares_no_module():
    # check_deps fails on an undeclared sibling import, so no sibling declared = none imported.
    deps = requires("tinytorch-results") or []
    assert not [d for d in deps if d.startswith("tinytorch-") and "extra ==" not in d]


def _write(root, files):
    for rel, body in files.items():
        path = root / "ttfake" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))


def _lint(tmp_path):
    pytest.importorskip("importlinter")
    config = tmp_path / "fake.ini"
    config.write_text(CONFIG.read_text().replace("tinytorch", "ttfake"))
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
         str(config), "--no-cache"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def fake(tmp_path):
    """Three layers importing downwards, the lazy backward import, and a milestone on top."""
    _write(tmp_path, {
        "tensor/__init__.py": "from .tensor import Tensor\n",
        "tensor/tensor.py": """
            class Tensor:
                def backward(self):
                    try:
                        from ttfake.autograd import backward
                    except ImportError:
                        raise RuntimeError("backward() needs module 05") from None
                    backward(self)
        """,
        "activations/__init__.py": "from ttfake.tensor import Tensor\n",
        "autograd/__init__.py": "import ttfake.activations\nfrom ttfake.tensor import Tensor\n",
        "milestone_xor/__init__.py": "import ttfake.autograd\n",
    })
    return tmp_path


def test_downward_imports_keep_the_contract(fake):
    result = _lint(fake)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("offender, statement", [
    ("tensor/creation.py", "import ttfake.activations\n"),
    ("activations/fused.py", "def f():\n    from ttfake.autograd import backward\n"),
    ("autograd/engine.py", "from ttfake import milestone_xor\n"),
])
def test_importing_a_later_module_breaks_the_contract(fake, offender, statement):
    _write(fake, {offender: statement})
    result = _lint(fake)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "ttfake." + offender.split("/")[0] in result.stdout
