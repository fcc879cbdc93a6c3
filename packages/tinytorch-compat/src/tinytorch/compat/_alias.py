"""Make ``import torch`` (and ``torch.*``, ``torchvision``) resolve to the facade, in this process.

:func:`install` puts every facade module into ``sys.modules`` under its PyTorch name (``torch``,
``torch.nn``, ``torch.nn.functional``, ..., ``torchvision.transforms``) and adds one finder at the
front of ``sys.meta_path`` for the names it lacks, so ``import torch.distributed`` fails with the
facade's message instead of a bare "No module named". Nothing in TinyTorch or the script is
changed: the same module objects are reachable under a second name.
"""

import importlib
import importlib.abc
import pkgutil
import sys

from ._missing import missing_message

__all__ = ["install", "ALIASES"]

#: PyTorch's top-level package names and the facade packages they map to.
ALIASES = {"torch": "tinytorch.compat", "torchvision": "tinytorch.compat.vision"}


def _facade_modules(package_name):
    """Every module of the facade package ``package_name``, by its name relative to it."""
    package = importlib.import_module(package_name)
    found = {"": package}
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        relative = info.name[len(package_name):]
        if relative.split(".")[-1].startswith("_") or relative.startswith(".vision"):
            continue  # private helpers, and the vision part (aliased as torchvision)
        found[relative] = importlib.import_module(info.name)
    return found


class _MissingFinder(importlib.abc.MetaPathFinder):
    """Refuses ``torch.X`` / ``torchvision.X`` submodules the facade lacks, naming the owner."""

    def find_spec(self, fullname, path=None, target=None):
        root = fullname.split(".", 1)[0]
        if root in ALIASES and fullname not in sys.modules:
            error = ModuleNotFoundError(missing_message(fullname), name=fullname)
            raise error
        return None


def install():
    """Alias the facade as ``torch`` and ``torchvision`` in ``sys.modules``; idempotent."""
    for alias, real in ALIASES.items():
        for relative, module in _facade_modules(real).items():
            sys.modules.setdefault(alias + relative, module)
    if not any(isinstance(f, _MissingFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MissingFinder())
