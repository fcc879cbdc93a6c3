"""Every distribution keeps a CHANGELOG.md with a section for the version it declares."""

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDERS = sorted(p.parent for p in list(ROOT.glob("packages/*/pyproject.toml")) + list(ROOT.glob("milestones/*/pyproject.toml")))


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_changelog_has_the_declared_version(folder):
    version = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    changelog = folder / "CHANGELOG.md"
    assert changelog.is_file(), f"{changelog} is missing: add it with a '## {version}' section"
    heads = [line[3:].strip() for line in changelog.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert any(h == version or h.startswith(f"{version} ") for h in heads), (
        f"{changelog} has no '## {version}' section (has {heads}); say what this version changes")
