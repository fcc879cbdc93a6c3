"""Curriculum checks: a course subset is complete exactly when it is closed under dependencies."""

import re
from importlib import metadata
from pathlib import Path

import pytest

from tinytorch.cli import main
from tinytorch.cli.commands.curriculum import check_course
from tinytorch.cli.discovery import Catalog, Component, tomllib


def module(name, number, requires=()):
    return Component("module", name, f"tinytorch-{name}", "0.1.0", f"tinytorch.{name}", number=number,
                     act="I", requires=[f"tinytorch-{r}" for r in requires])


CATALOG = Catalog([
    module("tensor", 1), module("activations", 2, ["tensor"]),
    module("layers", 3, ["tensor", "activations"]), module("losses", 4, ["tensor", "activations"]),
    module("autograd", 5, ["tensor", "activations", "losses"]),
    Component("milestone", "perceptron", "tinytorch-milestone-perceptron", "0.1.0", "p:main", year=1957,
              requires=["tinytorch-layers", "tinytorch-losses"]),
])


def test_closed_subset_has_no_problems():
    course = {"modules": ["tensor", 2, "03", "losses"], "milestones": ["perceptron"]}
    modules, milestones, problems = check_course(CATALOG, course)
    assert [m.number for m in modules] == [1, 2, 3, 4] and milestones[0].year == 1957
    assert problems == []


def test_missing_direct_and_transitive_prerequisites_are_all_reported():
    _, _, problems = check_course(CATALOG, {"modules": ["tensor", "layers"], "milestones": ["perceptron"]})
    assert ("module 03 layers", "02 activations (tinytorch-activations)", "declared dependency") in problems
    assert ("milestone 1957 perceptron", "04 losses (tinytorch-losses)", "declared dependency") in problems
    assert ("milestone 1957 perceptron", "02 activations (tinytorch-activations)",
            "needed through its dependencies") in problems
    assert len(problems) == 3


def test_unknown_names_are_problems():
    _, _, problems = check_course(CATALOG, {"modules": ["tensor", "quantum"]})
    assert problems and "unknown module 'quantum'" in problems[0][2]


def write(tmp_path, text):
    path = tmp_path / "course.toml"
    path.write_text(text)
    return path


def test_cli_check_and_lock_on_installed_modules(tmp_path, capsys):
    course = write(tmp_path, '[course]\nname = "Tensors only"\nmodules = ["tensor"]\n')
    assert main(["--home", str(tmp_path), "curriculum", "check", str(course)]) == 0
    assert "Complete: 1 modules" in capsys.readouterr().out
    out = tmp_path / "pins.txt"
    assert main(["--home", str(tmp_path), "curriculum", "lock", str(course), "-o", str(out)]) == 0
    pins = dict(line.split("==") for line in out.read_text().splitlines() if "==" in line)
    assert pins["tinytorch-tensor"] == metadata.version("tinytorch-tensor")
    assert pins["numpy"] == metadata.version("numpy")
    assert pins["tinytorch-cli"] == metadata.version("tinytorch-cli")
    for tool in ("pytest", "hypothesis", "tinytorch-results"):  # the course runs tests and milestones
        assert pins[tool] == metadata.version(tool)
    assert "--find-links WHEELHOUSE" in out.read_text().splitlines()[1]


def test_cli_check_fails_on_a_missing_prerequisite(tmp_path, capsys):
    layers = [c for c in Catalog.installed().modules if c.name == "layers"]
    if not layers:
        pytest.skip("tinytorch-layers is not installed in this environment")
    course = write(tmp_path, '[course]\nmodules = ["layers"]\n')
    assert main(["--home", str(tmp_path), "curriculum", "check", str(course)]) == 1
    out = capsys.readouterr().out
    assert "01 tensor (tinytorch-tensor)" in out and "Incomplete" in out
    assert main(["--home", str(tmp_path), "curriculum", "lock", str(course)]) == 1
    assert not (tmp_path / "course.constraints.txt").exists()


@pytest.mark.parametrize("text, message", [
    ("modules = [", "not valid TOML"),
    ("[course]\nmodules = \"tensor\"\n", "'modules' must be a list"),
    ("[course]\nname = \"x\"\n", "expected a [course] table"),
])
def test_bad_course_files_get_one_clear_error(tmp_path, capsys, text, message):
    course = write(tmp_path, text)
    assert main(["--home", str(tmp_path), "curriculum", "check", str(course)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


REPO = Path(__file__).resolve().parents[3]
EDUCATOR_GUIDE = REPO / "docs" / "educator-guide.md"


def guide_courses():
    if not EDUCATOR_GUIDE.is_file():
        return []
    return [block for block in re.findall(r"```toml\n(.*?)```", EDUCATOR_GUIDE.read_text(), re.S)
            if "[course]" in block]


@pytest.mark.skipif(not EDUCATOR_GUIDE.is_file(), reason="needs the monorepo checkout with docs/")
@pytest.mark.parametrize("index", range(4))
def test_educator_guide_courses_check_as_the_guide_says(tmp_path, capsys, index):
    courses = guide_courses()
    assert len(courses) == 4, "the guide's examples changed; update this test"
    text = courses[index]
    catalog = Catalog.installed(REPO)
    course = tomllib.loads(text)["course"]
    unknown = [k for k in course.get("modules", []) if not _known(catalog.module, k)]
    unknown += [k for k in course.get("milestones", []) if not _known(catalog.milestone, k)]
    if unknown:
        pytest.skip(f"{course['name']!r} names {unknown}, not in this checkout yet")
    path = write(tmp_path, text)
    status = main(["--home", str(tmp_path), "curriculum", "check", str(path), "--repo", str(REPO)])
    out = capsys.readouterr().out
    if "without" in course["name"]:
        assert status == 1 and "06 optim (tinytorch-optim)" in out and "declared dependency" in out
    else:
        assert status == 0, out


def _known(lookup, key):
    try:
        lookup(key)
        return True
    except LookupError:
        return False
