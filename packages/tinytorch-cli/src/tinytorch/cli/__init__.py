"""tito: the TinyTorch command line for students, educators and contributors.

Everything is discovered from installed distribution metadata (entry point groups
``tinytorch.modules`` and ``tinytorch.milestones``, keywords ``tinytorch-module-NN``,
``tinytorch-act-X``, ``tinytorch-year-YYYY``, and ``Requires-Dist``), so modules and milestones
released later work without changing this package. No TinyTorch module is imported by ``tito``
itself; ``tito data`` imports ``tinytorch.data`` lazily.
"""

from importlib.metadata import PackageNotFoundError, version

from .app import build_parser, main
from .commands.curriculum import check_course
from .discovery import Catalog, Component, component_from_pyproject, components_from_tree
from .install import Installer, snapshot_wheel
from .progress import ProgressError, ProgressStore, tinytorch_home
from .stubs import StubError, count_regions, find_regions, make_stubs, stub_tree

try:
    __version__ = version("tinytorch-cli")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "main", "build_parser", "check_course",
    "Catalog", "Component", "component_from_pyproject", "components_from_tree",
    "Installer", "ProgressError", "ProgressStore", "StubError", "count_regions", "find_regions", "make_stubs",
    "snapshot_wheel", "stub_tree", "tinytorch_home",
]
