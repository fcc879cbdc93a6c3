"""tinytorch-all pulls in every module: each one imports and reports the version it is installed at."""

import importlib
from importlib.metadata import requires, version

import pytest
from packaging.requirements import Requirement

SIBLINGS = [Requirement(r) for r in requires("tinytorch-all") or []
            if Requirement(r).name.startswith("tinytorch-") and Requirement(r).marker is None]


def _module_name(dist):
    return "tinytorch." + dist.removeprefix("tinytorch-").replace("-", "_")


def test_meta_package_lists_the_foundation():
    names = {r.name for r in SIBLINGS}
    assert {"tinytorch-tensor", "tinytorch-activations", "tinytorch-layers",
            "tinytorch-losses"} <= names


@pytest.mark.parametrize("req", SIBLINGS, ids=lambda r: r.name)
def test_module_imports_at_a_version_in_range(req):
    module = importlib.import_module(_module_name(req.name))
    assert module.__version__ == version(req.name)
    assert req.specifier.contains(module.__version__, prereleases=True), (
        f"{req.name} {module.__version__} is outside the range {req.specifier} tinytorch-all asks for"
    )
    assert module.__all__, f"{module.__name__} exports nothing"
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{module.__name__}.__all__ names missing attributes {missing}"


def test_tinytorch_is_a_namespace_package():
    import tinytorch

    assert getattr(tinytorch, "__file__", None) is None, (
        f"a stray tinytorch/__init__.py at {tinytorch.__file__} shadows the other packages"
    )
    assert len(list(tinytorch.__path__)) >= 1
