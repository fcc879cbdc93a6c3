"""``python -m tinytorch.compat``: aliases, argv, __main__, sys.path, and the missing-name errors."""

import subprocess
import sys
import textwrap

import pytest

from tinytorch.compat._missing import missing_message


def run(tmp_path, source, *args, module=False):
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent(source))
    target = ["-m", "prog"] if module else [str(script)]
    return subprocess.run([sys.executable, "-m", "tinytorch.compat", *target, *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_script_sees_torch_as_the_facade_with_its_own_argv(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    result = run(tmp_path, """
        import sys
        import torch, torch.nn as nn, torch.nn.functional as F, torchvision
        from torch.utils.data import DataLoader
        from torchvision import transforms
        import helper  # the script's folder is on sys.path
        print(__name__, sys.argv[1:], torch.__name__, nn.__name__, torchvision.__name__,
              helper.VALUE + 1, torch.cuda.is_available())
    """, "--epochs", "2", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__main__", "['--epochs',", "'2',", "'-v']", "tinytorch.compat", "tinytorch.compat.nn",
        "tinytorch.compat.vision", "42", "False"]


def test_dash_m_runs_a_module(tmp_path):
    result = run(tmp_path, "import sys, torch\nprint(__name__, sys.argv[1:], torch.zeros(2).shape)\n",
                 "a", module=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "__main__ ['a'] (2,)"


def test_script_failure_keeps_its_traceback_and_exit_code(tmp_path):
    result = run(tmp_path, "import sys\nprint('x')\nsys.exit(3)\n")
    assert result.returncode == 3 and result.stdout == "x\n"
    result = run(tmp_path, "import torch\ntorch.nn.LSTM(2, 2)\n")
    assert result.returncode == 1
    assert "AttributeError: TinyTorch has no torch.nn.LSTM yet" in result.stderr


def test_missing_submodule_import_names_the_problem(tmp_path):
    result = run(tmp_path, "import torch.distributed\n")
    assert result.returncode == 1
    assert "ModuleNotFoundError: TinyTorch has no torch.distributed: CUDA, AMP/GradScaler, " \
           "distributed, ONNX and bfloat16 are out of scope" in result.stderr
    result = run(tmp_path, "import torchvision.models\n")
    assert "TinyTorch has no torchvision.models yet; it would belong in tinytorch.data" in result.stderr


def test_usage_and_missing_script():
    ok = subprocess.run([sys.executable, "-m", "tinytorch.compat", "--help"], capture_output=True, text=True)
    assert ok.returncode == 0 and "usage" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "tinytorch.compat"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr
    gone = subprocess.run([sys.executable, "-m", "tinytorch.compat", "nope.py"], capture_output=True, text=True)
    assert gone.returncode == 2 and "can't open file 'nope.py'" in gone.stderr


@pytest.mark.parametrize("name, owner", [
    ("torch.nn.LSTM", "recurrent"), ("torch.nn.Conv3d", "tinytorch.spatial (module 09)"),
    ("torch.nn.functional.unfold", "tinytorch.spatial (module 09)"),
    ("torch.nn.HuberLoss", "tinytorch.losses (module 04)"),
    ("torch.nn.functional.embedding_bag", "tinytorch.embeddings (module 11)"),
    ("torch.nn.PReLU", "tinytorch.activations (module 02)"),
    ("torch.nn.functional.elu", "tinytorch.activations (module 02)"),
    ("torch.nn.TransformerEncoder", "tinytorch.transformer (module 13)"),
    ("torch.optim.LBFGS", "tinytorch.optim (module 06)"),
    ("torch.utils.data.IterableDataset", "tinytorch.data (module 08)"),
    ("torch.einsum", "tinytorch.tensor (module 01)"),
    ("torch.compile", "tinytorch.acceleration (module 18)"),
])
def test_missing_names_say_which_module_would_own_them(name, owner):
    message = missing_message(name)
    assert message.startswith(f"TinyTorch has no {name} yet") and owner in message


@pytest.mark.parametrize("name", ["torch.cuda.amp", "torch.amp", "torch.distributed", "torch.onnx",
                                  "torch.bfloat16", "torch.cuda.Stream", "torch.mps"])
def test_out_of_scope_names_say_so(name):
    assert "out of scope" in missing_message(name)


def test_attribute_errors_come_from_every_facade_module():
    import tinytorch.compat as torch
    for module, name in [(torch, "einsum"), (torch.nn, "GRU"), (torch.nn.functional, "elu"),
                         (torch.nn.init, "orthogonal_"), (torch.optim, "LBFGS"),
                         (torch.optim.lr_scheduler, "OneCycleLR"), (torch.utils.data, "IterableDataset"),
                         (torch.cuda, "Stream"), (torch.accelerator, "synchronize")]:
        with pytest.raises(AttributeError, match="TinyTorch has no torch"):
            getattr(module, name)
    assert not hasattr(torch, "__wrapped__")  # dunder probes stay ordinary AttributeErrors
