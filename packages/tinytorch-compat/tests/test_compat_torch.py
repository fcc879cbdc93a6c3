"""Every name the facade exposes, called the same way in torch and in the facade: same result or
the same exception class."""

import importlib
import math
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinytorch.compat as facade  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))  # the case table beside this file
from compat_cases import CASES  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

FACADE_MODULES = {
    "torch": "tinytorch.compat", "torch.nn": "tinytorch.compat.nn",
    "torch.nn.functional": "tinytorch.compat.nn.functional", "torch.nn.init": "tinytorch.compat.nn.init",
    "torch.nn.utils": "tinytorch.compat.nn.utils", "torch.optim": "tinytorch.compat.optim",
    "torch.optim.lr_scheduler": "tinytorch.compat.optim.lr_scheduler",
    "torch.utils": "tinytorch.compat.utils", "torch.utils.data": "tinytorch.compat.utils.data",
    "torch.cuda": "tinytorch.compat.cuda", "torch.backends": "tinytorch.compat.backends",
    "torch.backends.mps": "tinytorch.compat.backends.mps",
    "torch.backends.cudnn": "tinytorch.compat.backends.cudnn",
    "torch.accelerator": "tinytorch.compat.accelerator", "torch.autograd": "tinytorch.compat.autograd",
}


def _dtype_name(dtype):
    name = str(dtype).removeprefix("torch.")
    return {"bool_": "bool"}.get(name, name)


def _normalise(value, meta):
    """A comparable form: tensors become (shape, dtype[, values]), containers recurse."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        values = None if meta else value.numpy()
        return ("tensor", tuple(value.shape), _dtype_name(value.dtype), values)
    if isinstance(value, Tensor):
        values = None if meta else np.asarray(value.data)
        return ("tensor", tuple(value.shape), _dtype_name(value.dtype), values)
    if isinstance(value, np.ndarray):
        return ("tensor", value.shape, _dtype_name(value.dtype), None if meta else value)
    if isinstance(value, (tuple, list)):
        return tuple(_normalise(v, meta) for v in value)
    if isinstance(value, (torch.dtype, np.dtype)):
        return ("dtype", _dtype_name(value))
    if isinstance(value, (torch.Size,)):
        return tuple(value)
    if isinstance(value, (torch.Generator, np.random.Generator)):
        return ("generator",)
    return value


def _assert_same(ours, theirs, where):
    if isinstance(theirs, tuple) and theirs[:1] == ("tensor",):
        assert isinstance(ours, tuple) and ours[:1] == ("tensor",), f"{where}: got {ours!r}"
        assert ours[1] == theirs[1], f"{where}: shape {ours[1]} != torch's {theirs[1]}"
        assert ours[2] == theirs[2], f"{where}: dtype {ours[2]} != torch's {theirs[2]}"
        if theirs[3] is not None:
            np.testing.assert_allclose(np.asarray(ours[3], np.float64), np.asarray(theirs[3], np.float64),
                                       rtol=2e-5, atol=2e-6, equal_nan=True, err_msg=where)
    elif isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), f"{where}: {ours!r} vs {theirs!r}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _assert_same(o, t, f"{where}[{i}]")
    elif isinstance(theirs, float) and not isinstance(theirs, bool):
        assert math.isclose(ours, theirs, rel_tol=1e-5, abs_tol=1e-7) or (math.isnan(ours) and math.isnan(theirs)), \
            f"{where}: {ours} != {theirs}"
    else:
        assert ours == theirs, f"{where}: {ours!r} != torch's {theirs!r}"


def _outcome(lib, call):
    try:
        return call(lib), None
    except Exception as error:  # the comparison is of exception classes
        return None, error


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_same_call_same_result_or_same_error(case):
    name, kind, call = case
    torch.manual_seed(0)
    facade.manual_seed(0)
    theirs, their_error = _outcome(torch, call)
    ours, our_error = _outcome(facade, call)
    if kind == "error":
        assert their_error is not None, f"{name}: the case should raise in torch"
        assert our_error is not None, f"{name}: torch raises {type(their_error).__name__}, we returned {ours!r}"
        assert isinstance(our_error, type(their_error)), (
            f"{name}: torch raises {type(their_error).__name__}, we raise "
            f"{type(our_error).__name__}: {our_error}")
        return
    assert their_error is None, f"{name}: the case raises in torch: {their_error!r}"
    if our_error is not None:
        raise AssertionError(f"{name}: torch returns, we raise {type(our_error).__name__}: {our_error}") from our_error
    _assert_same(_normalise(ours, kind == "meta"), _normalise(theirs, kind == "meta"), name)


def test_every_exposed_name_has_a_case():
    covered = {case[0] for case in CASES}
    uncovered = []
    for qualified, module_name in FACADE_MODULES.items():
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if f"{qualified}.{name}" not in covered:
                uncovered.append(f"{qualified}.{name}")
    assert not uncovered, f"exposed names without a differential case: {uncovered}"


@pytest.mark.parametrize("qualified", sorted(FACADE_MODULES))
def test_every_exposed_name_exists_in_torch(qualified):
    module = importlib.import_module(FACADE_MODULES[qualified])
    theirs = importlib.import_module(qualified)
    extra = {"Parameter"} if qualified == "torch" else set()  # torch.nn.Parameter, also at the top
    missing = [n for n in module.__all__ if n not in extra and not hasattr(theirs, n)]
    assert not missing, f"{qualified} exposes names torch does not have: {missing}"
