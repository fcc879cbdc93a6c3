"""tools/release.py: bumping one package, guarding dependents' ranges, testing the built wheel."""

import importlib.util
import shutil
import subprocess
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
    (folder / "CHANGELOG.md").write_text(f"# tinytorch-{name}\n\n## 0.2.0\n\nA change.\n\n## 0.1.0\n\nFirst.\n")
    return folder


def test_resolve_folder_by_short_name_distribution_or_path(release, tmp_path):
    folder = make_package(tmp_path, "alpha")
    for key in ("alpha", "tinytorch-alpha", str(folder)):
        assert release.resolve_folder(tmp_path, key) == folder.resolve()
    with pytest.raises(release.ReleaseError, match="no distribution 'beta'"):
        release.resolve_folder(tmp_path, "beta")


def test_a_minor_bump_outside_a_dependents_range_stops_the_release_and_rolls_back(release, tmp_path, capsys):
    make_package(tmp_path, "alpha")
    make_package(tmp_path, "beta", ["tinytorch-alpha>=0.1,<0.2"])
    make_package(tmp_path, "gamma", ["tinytorch-alpha>=0.1"])
    pyproject = tmp_path / "packages/tinytorch-alpha/pyproject.toml"
    before = pyproject.read_text()
    status = release.main(["alpha", "--bump", "minor", "--repo", str(tmp_path), "--no-test",
                           "--wheelhouse", str(tmp_path / "wh")])
    assert status == 1
    err = capsys.readouterr().err
    assert "tinytorch-alpha 0.2.0 falls outside the declared range of" in err
    assert "tinytorch-beta: tinytorch-alpha>=0.1,<0.2" in err and "gamma" not in err
    assert pyproject.read_text() == before and "put" in err  # the refused bump is undone
    assert release.broken_dependents(tmp_path, "tinytorch-alpha", "0.1.1") == []


def test_a_bump_without_a_changelog_section_is_refused_and_rolled_back(release, tmp_path, capsys):
    folder = make_package(tmp_path, "alpha")
    before = (folder / "pyproject.toml").read_text()
    assert release.main(["alpha", "--bump", "patch", "--repo", str(tmp_path), "--no-test"]) == 1
    assert "has no '## 0.1.1' section (it has: 0.2.0, 0.1.0)" in capsys.readouterr().err
    assert (folder / "pyproject.toml").read_text() == before
    (folder / "CHANGELOG.md").unlink()
    assert release.main(["alpha", "--repo", str(tmp_path), "--no-test"]) == 1
    assert "CHANGELOG.md does not exist" in capsys.readouterr().err


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_tag_refuses_a_dirty_tree_and_an_untested_release(release, tmp_path, capsys):
    make_package(tmp_path, "alpha")
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    assert release.main(["alpha", "--repo", str(tmp_path), "--tag", "--no-test"]) == 1
    assert "--tag with --no-test is refused" in capsys.readouterr().err
    assert release.main(["alpha", "--repo", str(tmp_path), "--tag", "--skip-dependents"]) == 1
    assert "--skip-dependents is refused" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("uncommitted")
    assert release.main(["alpha", "--repo", str(tmp_path), "--tag", "--bump", "patch"]) == 1
    err = capsys.readouterr().err
    assert "--tag needs a clean git tree" in err and "notes.txt" in err
    assert 'version = "0.1.0"' in (tmp_path / "packages/tinytorch-alpha/pyproject.toml").read_text()


@pytest.mark.parametrize("current, rule, new", [
    ("0.1.0", "patch", "0.1.1"), ("0.1.3", "minor", "0.2.0"), ("0.9.1", "major", "1.0.0"),
    ("0.1.0", "rc", "0.1.1rc0"), ("0.2.0rc1", "rc", "0.2.0rc2"), ("0.2.0rc2", "patch", "0.2.0"),
    ("0.1.0", "0.3.0", "0.3.0"),
])
def test_next_version(release, current, rule, new):
    assert release.next_version(current, rule) == new


@pytest.mark.parametrize("current, rule, message", [
    ("0.2.0", "0.1.9", "not higher"), ("0.2.0", "banana", "--bump takes"),
])
def test_next_version_refuses(release, current, rule, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.next_version(current, rule)


def test_direct_dependents(release, tmp_path):
    make_package(tmp_path, "alpha")
    make_package(tmp_path, "beta", ["tinytorch-alpha>=0.1,<0.2"])
    make_package(tmp_path, "gamma", ["tinytorch-beta>=0.1"])
    assert sorted(release.direct_dependents(tmp_path, "tinytorch-alpha")) == ["tinytorch-beta"]


@pytest.mark.slow
def test_release_builds_and_tests_the_installed_wheel_of_a_real_module(release, tmp_path, capsys):
    wheelhouse = tmp_path / "wh"
    assert release.main(["tensor", "--wheelhouse", str(wheelhouse), "--skip-dependents"]) == 0
    out = capsys.readouterr().out
    assert "tests pass on the installed wheel" in out and "/site-packages/tinytorch/tensor" in out
    assert "git tag -a tinytorch-tensor-v" in out
    assert [w.name.split("-")[0] for w in wheelhouse.glob("*.whl")] == ["tinytorch_tensor"]


@pytest.mark.slow
def test_a_dependent_that_fails_over_the_new_wheel_stops_the_release(release, tmp_path, capsys):
    alpha = make_package(tmp_path, "alpha")
    (alpha / "src/tinytorch/alpha/__init__.py").write_text("VALUE = 3\n")
    (alpha / "CHANGELOG.md").write_text("# alpha\n\n## 0.2.0\n\nx\n\n## 0.1.1\n\nVALUE is 3.\n")
    beta = make_package(tmp_path, "beta", ["tinytorch-alpha>=0.1,<0.2"])
    (beta / "tests").mkdir()
    (beta / "tests/test_beta.py").write_text("import tinytorch.alpha\n\n\ndef test_value():\n"
                                            "    assert tinytorch.alpha.VALUE == 2\n")
    before = (alpha / "pyproject.toml").read_text()
    status = release.main(["alpha", "--repo", str(tmp_path), "--bump", "0.2.0", "--wheelhouse", str(tmp_path / "wh")])
    assert status == 1  # 0.2.0 is outside beta's range: stopped before any build
    status = release.main(["alpha", "--repo", str(tmp_path), "--bump", "patch", "--wheelhouse", str(tmp_path / "wh")])
    out, err = capsys.readouterr()
    assert status == 1 and "tests pass on the installed wheel" in out
    assert "the installed wheel fails its tests" in err and "assert 3 == 2" in err
    assert (alpha / "pyproject.toml").read_text() == before
