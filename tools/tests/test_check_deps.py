"""tools/check_deps.py on small fake monorepos: a clean one passes, every failure mode fires."""

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_deps", TOOLS / "check_deps.py")
check_deps = importlib.util.module_from_spec(_spec)
sys.modules["check_deps"] = check_deps  # dataclasses look their module up there
_spec.loader.exec_module(check_deps)


def _toml_list(items):
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def make_dist(root, rel, name, deps=(), test_deps=(), sources=None, version='version = "0.1.0"',
              keywords=("tinytorch",), files=None, module=None):
    """Write one distribution: pyproject, src/tinytorch/<module>/__init__.py and extra files.

    ``sources`` defaults to a correct editable uv source for every tinytorch-* dependency.
    """
    folder = root / rel
    if module is None:
        short = name.removeprefix("tinytorch-")
        module = ("milestone_" + short.removeprefix("milestone-")) if short.startswith(
            "milestone-") else short
    if sources is None:
        sources = {}
        for req in list(deps) + list(test_deps):
            dep = req.split(">")[0].split("=")[0].split("<")[0].split("~")[0].strip()
            if dep.startswith("tinytorch-"):
                base = root / ("milestones" if dep.startswith("tinytorch-milestone-") else "packages")
                path = os.path.relpath(base / dep, folder).replace(os.sep, "/")
                sources[dep] = f'{{ path = "{path}", editable = true }}'
    text = f"""
        [project]
        name = "{name}"
        {version}
        keywords = {_toml_list(keywords)}
        dependencies = {_toml_list(deps)}
        """
    if test_deps:
        text += f"""
        [project.optional-dependencies]
        test = {_toml_list(test_deps)}
        """
    if sources:
        text += "\n[tool.uv.sources]\n" + "".join(f"{k} = {v}\n" for k, v in sources.items())
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent(text))
    if module != "all":
        pkg = folder / "src" / "tinytorch" / module
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text('"""A module."""\n')
    for relpath, body in (files or {}).items():
        f = folder / relpath
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(textwrap.dedent(body))
    return folder


@pytest.fixture
def repo(tmp_path):
    """A clean two-module repo: tinytorch-b imports and declares tinytorch-a."""
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a",
              keywords=("tinytorch", "tinytorch-module-01"))
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a>=0.1,<0.2"],
              keywords=("tinytorch", "tinytorch-module-02"),
              files={"src/tinytorch/b/core.py": "from tinytorch.a import thing\n"})
    return tmp_path


def problems(root):
    return check_deps.check_repo(root)[1]


def only_problem(root, *fragments):
    found = problems(root)
    assert len(found) == 1, found
    for fragment in fragments:
        assert fragment in found[0], (fragment, found[0])
    return found[0]


def test_clean_repo_passes(repo, capsys):
    assert problems(repo) == []
    assert check_deps.main(["--root", str(repo)]) == 0
    assert "2 distribution(s) OK" in capsys.readouterr().out


def test_empty_repo_is_an_error(tmp_path):
    assert check_deps.main(["--root", str(tmp_path)]) == 1


def test_script_exit_status(repo):
    ok = subprocess.run([sys.executable, str(TOOLS / "check_deps.py"), "--root", str(repo)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    (repo / "packages/tinytorch-b/src/tinytorch/b/extra.py").write_text("import tinytorch.c\n")
    bad = subprocess.run([sys.executable, str(TOOLS / "check_deps.py"), "--root", str(repo)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "tinytorch.c" in bad.stdout


@pytest.mark.parametrize("statement", [
    "import tinytorch.c",
    "import tinytorch.c.ops as k",
    "from tinytorch.c import thing",
    "from tinytorch.c.ops import thing",
    "from tinytorch import c",
    "def f():\n    from tinytorch.c import thing\n",
    "import importlib\nm = importlib.import_module('tinytorch.c')\n",
])
def test_undeclared_sibling_import(repo, statement):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    (repo / "packages/tinytorch-b/src/tinytorch/b/extra.py").write_text(statement + "\n")
    msg = only_problem(repo, "tinytorch-b", "src/tinytorch/b/extra.py", "tinytorch.c",
                       "not declared")
    assert '"tinytorch-c>=0.1,<0.2"' in msg
    assert 'tinytorch-c = { path = "../tinytorch-c", editable = true }' in msg


def test_undeclared_import_in_tests(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    (repo / "packages/tinytorch-b/tests").mkdir()
    (repo / "packages/tinytorch-b/tests/test_b_x.py").write_text("from tinytorch.c import q\n")
    only_problem(repo, "tests/test_b_x.py", "optional-dependencies] test")


def test_test_extra_allows_imports_in_tests_only(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", test_deps=["tinytorch-a>=0.1,<0.2"],
              files={"tests/test_b_uses_a.py": "import tinytorch.a\n"})
    assert problems(tmp_path) == []
    (tmp_path / "packages/tinytorch-b/src/tinytorch/b/core.py").write_text("import tinytorch.a\n")
    only_problem(tmp_path, "src/tinytorch/b/core.py", "only a test extra",
                 "move it to [project] dependencies")


def test_unused_test_extra(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", test_deps=["tinytorch-a>=0.1,<0.2"])
    only_problem(tmp_path, "optional-dependencies.test declares tinytorch-a", "remove")


def test_unused_dependency(repo):
    (repo / "packages/tinytorch-b/src/tinytorch/b/core.py").write_text("x = 1\n")
    only_problem(repo, "tinytorch-b", "declares tinytorch-a but nothing", "remove")


def test_missing_uv_source(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a>=0.1,<0.2"],
              sources={}, files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "tinytorch-a has no [tool.uv.sources]",
                 'tinytorch-a = { path = "../tinytorch-a", editable = true }')


def test_uv_source_wrong_path(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a>=0.1,<0.2"],
              sources={"tinytorch-a": '{ path = "../tinytorch-x", editable = true }'},
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "points at '../tinytorch-x'", 'path = "../tinytorch-a"')


def test_uv_source_not_editable(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a>=0.1,<0.2"],
              sources={"tinytorch-a": '{ path = "../tinytorch-a" }'},
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "is not editable", "editable = true")


def test_milestone_sources_point_two_levels_up(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "milestones/tinytorch-milestone-m", "tinytorch-milestone-m",
              deps=["tinytorch-a>=0.1,<0.2"],
              files={"src/tinytorch/milestone_m/__main__.py": "from tinytorch.a import f\n"})
    assert problems(tmp_path) == []
    src = tmp_path / "milestones/tinytorch-milestone-m/pyproject.toml"
    src.write_text(src.read_text().replace("../../packages/tinytorch-a", "../tinytorch-a"))
    only_problem(tmp_path, "tinytorch-milestone-m", 'path = "../../packages/tinytorch-a"')


def test_range_not_satisfied_by_sibling_version(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a", version='version = "0.2.0"')
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a>=0.1,<0.2"],
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "at version 0.2.0", '"tinytorch-a>=0.2,<0.3"')


def test_exact_pin_between_siblings(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a==0.1.0"],
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "'=='", '"tinytorch-a>=0.1,<0.2"')


def test_missing_range(tmp_path):
    make_dist(tmp_path, "packages/tinytorch-a", "tinytorch-a")
    make_dist(tmp_path, "packages/tinytorch-b", "tinytorch-b", deps=["tinytorch-a"],
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n"})
    only_problem(tmp_path, "no version range", '"tinytorch-a>=0.1,<0.2"')


def test_dynamic_version(repo):
    pp = repo / "packages/tinytorch-a/pyproject.toml"
    pp.write_text(pp.read_text().replace('version = "0.1.0"', 'dynamic = ["version"]'))
    only_problem(repo, "tinytorch-a", "version must be static")


def test_stray_namespace_init(repo):
    (repo / "packages/tinytorch-b/src/tinytorch/__init__.py").write_text("")
    only_problem(repo, "tinytorch-b", "src/tinytorch/__init__.py must not exist", "delete it")


def test_guarded_import_is_optional(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    (repo / "packages/tinytorch-b/src/tinytorch/b/lazy.py").write_text(textwrap.dedent("""
        def backward():
            try:
                from tinytorch.c import engine
            except ImportError:
                raise RuntimeError("needs tinytorch-c") from None
            try:
                import tinytorch.zzz
            except (ModuleNotFoundError, OSError):
                pass
    """))
    (repo / "packages/tinytorch-b/tests").mkdir()
    (repo / "packages/tinytorch-b/tests/test_b_opt.py").write_text(
        "import pytest\nc = pytest.importorskip('tinytorch.c')\n")
    assert problems(repo) == []


def test_import_guarded_by_other_exception_is_strict(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    (repo / "packages/tinytorch-b/src/tinytorch/b/lazy.py").write_text(textwrap.dedent("""
        try:
            import tinytorch.c
        except KeyError:
            pass
        else:
            pass
    """))
    only_problem(repo, "imports tinytorch.c", "not declared")


def test_import_in_except_body_is_strict(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    (repo / "packages/tinytorch-b/src/tinytorch/b/lazy.py").write_text(textwrap.dedent("""
        try:
            x = 1
        except ImportError:
            import tinytorch.c
    """))
    only_problem(repo, "imports tinytorch.c", "not declared")


def test_unknown_tinytorch_module(repo):
    (repo / "packages/tinytorch-b/src/tinytorch/b/core.py").write_text(
        "from tinytorch.a import thing\nfrom tinytorch.nowhere import x\n")
    only_problem(repo, "tinytorch.nowhere", "no distribution")


def test_dependency_on_unrelated_tinytorch(repo):
    pp = repo / "packages/tinytorch-a/pyproject.toml"
    pp.write_text(pp.read_text().replace("dependencies = []", 'dependencies = ["tinytorch>=1"]'))
    only_problem(repo, "unrelated project")


def test_dependency_on_missing_sibling(repo):
    pp = repo / "packages/tinytorch-a/pyproject.toml"
    pp.write_text(pp.read_text().replace("dependencies = []",
                                         'dependencies = ["tinytorch-ghost>=0.1,<0.2"]'))
    only_problem(repo, "tinytorch-ghost", "not a distribution")


def test_stale_uv_source(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c")
    pp = repo / "packages/tinytorch-b/pyproject.toml"
    pp.write_text(pp.read_text() + 'tinytorch-c = { path = "../tinytorch-c", editable = true }\n')
    only_problem(repo, "entry for tinytorch-c, which is not a dependency")


def test_wrong_module_folder(repo):
    (repo / "packages/tinytorch-a/src/tinytorch/other").mkdir()
    only_problem(repo, "tinytorch-a", "src/tinytorch/{a,other}")


def test_self_import_is_fine(repo):
    (repo / "packages/tinytorch-a/tests").mkdir()
    (repo / "packages/tinytorch-a/tests/test_a_self.py").write_text("from tinytorch.a import x\n")
    assert problems(repo) == []


def test_meta_package_declares_without_importing(repo):
    make_dist(repo, "packages/tinytorch-all", "tinytorch-all", module="all",
              deps=["tinytorch-a>=0.1,<0.2", "tinytorch-b>=0.1,<0.2"])
    assert problems(repo) == []


def test_meta_package_must_list_every_module(repo):
    make_dist(repo, "packages/tinytorch-all", "tinytorch-all", module="all",
              deps=["tinytorch-a>=0.1,<0.2"])
    only_problem(repo, "tinytorch-all", "every module", '"tinytorch-b>=0.1,<0.2"')


def test_unused_dependency_outside_meta_still_fails(repo):
    make_dist(repo, "packages/tinytorch-c", "tinytorch-c", deps=["tinytorch-a>=0.1,<0.2"])
    only_problem(repo, "tinytorch-c", "declares tinytorch-a but nothing")


def test_syntax_error_is_reported(repo):
    (repo / "packages/tinytorch-b/src/tinytorch/b/broken.py").write_text("def (:\n")
    only_problem(repo, "broken.py", "cannot parse")


def test_real_repo_copy_flags_an_injected_undeclared_import(tmp_path):
    """On a copy of this checkout, one undeclared sibling import adds exactly one problem."""
    import shutil

    real = TOOLS.parent
    for pyproject in list(real.glob("packages/*/pyproject.toml")) + list(
            real.glob("milestones/*/pyproject.toml")):
        folder = pyproject.parent
        dest = tmp_path / folder.relative_to(real)
        dest.mkdir(parents=True)
        shutil.copy(pyproject, dest / "pyproject.toml")
        for sub in ("src", "tests"):
            if (folder / sub).is_dir():
                shutil.copytree(folder / sub, dest / sub,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dists = {d.name: d for d in check_deps.check_repo(tmp_path)[0]}
    assert "tinytorch-tensor" in dists
    other = next((d for n, d in sorted(dists.items())
                  if n not in ("tinytorch-tensor", "tinytorch-all") and d.module.isidentifier()),
                 None)
    if other is None:
        pytest.skip("the checkout has only tinytorch-tensor so far")
    before = problems(tmp_path)
    (tmp_path / "packages/tinytorch-tensor/src/tinytorch/tensor/injected.py").write_text(
        f"import tinytorch.{other.module}\n")
    added = [p for p in problems(tmp_path) if p not in before]
    assert len(added) == 1, added
    assert f"imports tinytorch.{other.module}" in added[0] and "not declared" in added[0]


def test_repo_under_a_dot_folder_is_still_scanned(tmp_path):
    root = tmp_path / ".checkouts" / "repo"
    make_dist(root, "packages/tinytorch-a", "tinytorch-a")
    make_dist(root, "packages/tinytorch-b", "tinytorch-b",
              files={"src/tinytorch/b/core.py": "import tinytorch.a\n",
                     "src/tinytorch/b/.hidden/skip.py": "import tinytorch.zzz\n"})
    only_problem(root, "imports tinytorch.a", "not declared")
