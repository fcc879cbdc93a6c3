"""tools/release.py: bumping one package, guarding dependents' ranges, testing the built wheel."""

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "release.py"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="needs the monorepo checkout (tools/release.py)")


@pytest.fixture(scope="module")
def release():
    spec = importlib.util.spec_from_file_location("tinytorch_release_tool", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_package(root, name, deps=()):
    folder = root / "packages" / f"tinytorch-{name}"
    (folder / "src" / "tinytorch" / name).mkdir(parents=True)
    (folder / "src" / "tinytorch" / name / "__init__.py").write_text("")
    dependencies = ", ".join(f'"{d}"' for d in deps)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.24"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "tinytorch-{name}"\nversion = "0.1.0"\ndependencies = [{dependencies}]\n\n'
        f'[project.entry-points."tinytorch.modules"]\n{name} = "tinytorch.{name}"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/tinytorch"]\n')
    return folder


def test_resolve_folder_by_short_name_distribution_or_path(release, tmp_path):
    folder = make_package(tmp_path, "alpha")
    for key in ("alpha", "tinytorch-alpha", str(folder)):
        assert release.resolve_folder(tmp_path, key) == folder.resolve()
    with pytest.raises(release.ReleaseError, match="no distribution 'beta'"):
        release.resolve_folder(tmp_path, "beta")


@pytest.mark.skipif(shutil.which("hatch") is None and not (Path(sys.executable).parent / "hatch").exists(),
                    reason="hatch is not installed")
def test_a_minor_bump_outside_a_dependents_range_stops_the_release(release, tmp_path, capsys):
    make_package(tmp_path, "alpha")
    make_package(tmp_path, "beta", ["tinytorch-alpha>=0.1,<0.2"])
    make_package(tmp_path, "gamma", ["tinytorch-alpha>=0.1"])
    status = release.main(["alpha", "--bump", "minor", "--repo", str(tmp_path), "--no-test",
                           "--wheelhouse", str(tmp_path / "wh")])
    assert status == 1
    assert 'version = "0.2.0"' in (tmp_path / "packages/tinytorch-alpha/pyproject.toml").read_text()
    err = capsys.readouterr().err
    assert "tinytorch-alpha 0.2.0 falls outside the declared range of" in err
    assert "tinytorch-beta: tinytorch-alpha>=0.1,<0.2" in err and "gamma" not in err
    assert release.broken_dependents(tmp_path, "tinytorch-alpha", "0.1.1") == []


@pytest.mark.slow
def test_release_builds_and_tests_the_installed_wheel_of_a_real_module(release, tmp_path, capsys):
    wheelhouse = tmp_path / "wh"
    assert release.main(["tensor", "--wheelhouse", str(wheelhouse)]) == 0
    out = capsys.readouterr().out
    assert "tests pass on the installed wheel" in out and "/site-packages/tinytorch/tensor" in out
    assert "git tag -a tinytorch-tensor-v" in out
    assert [w.name.split("-")[0] for w in wheelhouse.glob("*.whl")] == ["tinytorch_tensor"]
