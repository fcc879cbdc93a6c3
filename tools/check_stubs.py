"""Check that every package with solution markers turns into importable exercise stubs.

For each distribution under ``packages/`` and ``milestones/`` whose ``src/`` holds
``# BEGIN SOLUTION`` / ``# END SOLUTION`` regions, this makes the stubbed copy exactly as
``tito module start`` does (``tinytorch.cli.stubs.stub_tree``), then imports the stubbed
package in a fresh interpreter with the stub ``src/`` first on ``sys.path`` (the other modules
come from the current environment). It fails on unbalanced or misplaced markers, on a stub that
does not import, and on a package whose import calls a stubbed function.

Usage (from the repo root, in an env with tinytorch-cli and all modules installed, e.g. the
``lint`` tox env or ``.venv``)::

    python tools/check_stubs.py [--repo .] [package-folder ...]

Exit status 0 when every package is fine, 1 otherwise.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tinytorch.cli.discovery import component_from_pyproject
from tinytorch.cli.stubs import StubError, count_regions, stub_tree


def check_package(folder, scratch):
    """Return ``(regions, problem or None)`` for one distribution folder."""
    component = component_from_pyproject(folder / "pyproject.toml")
    src = folder / "src"
    if component is None or not src.is_dir():
        return 0, None
    try:
        regions = count_regions(src)
    except StubError as exc:
        return 0, str(exc)
    if not regions:
        return 0, None
    copy = scratch / folder.name
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    label = f"module {component.label}" if component.kind == "module" else component.label
    stub_tree(copy, label)
    package = component.import_name.removesuffix(".__main__")
    probe = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(copy)!r})\n"
        f"m = importlib.import_module({package!r})\n"
        f"assert m.__file__.startswith({str(copy)!r}), m.__file__\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        return regions, f"stubbed `import {package}` fails: {lines[-1] if lines else proc.returncode}"
    return regions, None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, help="distribution folders (default: all)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    folders = args.folders or sorted(
        p.parent for p in list(args.repo.glob("packages/*/pyproject.toml"))
        + list(args.repo.glob("milestones/*/pyproject.toml"))
    )
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            regions, problem = check_package(folder.resolve(), Path(tmp))
            if problem:
                failures += 1
                print(f"FAIL {folder.name}: {problem}")
            elif regions:
                print(f"ok   {folder.name}: {regions} regions, stubs import")
    print(f"check_stubs: {failures} package(s) failed" if failures else "check_stubs: all stubs import")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
