"""Check that every distribution declares exactly the TinyTorch siblings it imports.

Run from anywhere as ``python tools/check_deps.py`` (or ``--root PATH`` for another checkout).
It reads every ``packages/*/pyproject.toml`` and ``milestones/*/pyproject.toml``, AST-scans each
distribution's ``src/`` and ``tests/`` for ``tinytorch.<m>`` imports and compares them with the
declared dependencies. Exit status 0 when the repo is clean, 1 when any problem is found; every
problem names the distribution, the import or dependency, and the fix.

Rules (DESIGN §2, decisions recorded in docs/architecture.md, "Dependency checking"):

- Every ``tinytorch.<m>`` imported by ``src/`` is a declared sibling in ``[project] dependencies``.
  Imports in ``tests/`` may also come from the optional-dependency group ``test``.
- Every declared sibling is imported somewhere in ``src/`` or ``tests/`` (``test`` extras: in
  ``tests/``), except in the meta distribution ``tinytorch-all``, which must declare every module
  distribution (keyword ``tinytorch-module-NN``) and imports nothing itself.
- An import inside a ``try`` block whose handler catches ``ImportError`` (or
  ``ModuleNotFoundError``) is optional: it need not be declared (``Tensor.backward`` importing the
  autograd engine, ``tito`` discovering what is installed). ``pytest.importorskip`` is optional too.
- Each sibling dependency has a range (``>=0.1,<0.2``), never ``==``, that the sibling's current
  static version satisfies, and a ``[tool.uv.sources]`` entry ``{ path = "<folder>", editable = true }``
  pointing at the sibling's folder.
- Versions are static; no distribution ships ``src/tinytorch/__init__.py``.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
except ModuleNotFoundError:  # a bare interpreter still has pip's vendored copy
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.specifiers import SpecifierSet
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import InvalidVersion, Version

META = "tinytorch-all"
TEST_EXTRA = "test"
DIST_GLOBS = ("packages/*/pyproject.toml", "milestones/*/pyproject.toml")
OPTIONAL_CALLS = {"importorskip"}
IMPORT_CALLS = {"import_module", "__import__"}
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


@dataclass
class Dist:
    """One distribution in the monorepo, as its pyproject declares it."""

    name: str
    folder: Path
    rel: str  # folder relative to the repo root, for messages
    version: str | None
    dynamic_version: bool
    deps: dict[str, Requirement]
    test_deps: dict[str, Requirement]
    sources: dict[str, object]
    keywords: list[str]
    bad_requirements: list[str] = field(default_factory=list)

    @property
    def module(self) -> str:
        """The ``tinytorch.<module>`` this distribution provides (by naming convention)."""
        short = self.name.removeprefix("tinytorch-")
        if short.startswith("milestone-"):
            return "milestone_" + short.removeprefix("milestone-").replace("-", "_")
        return short.replace("-", "_")

    @property
    def is_module(self) -> bool:
        return any(k.startswith("tinytorch-module-") for k in self.keywords)


@dataclass(frozen=True)
class Import:
    """A ``tinytorch.<module>`` import found in a file."""

    module: str
    path: Path
    line: int
    optional: bool


def load_dist(pyproject: Path, root: Path) -> Dist:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    folder = pyproject.parent
    bad = []

    def parse(reqs):
        out = {}
        for text in reqs:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                bad.append(text)
                continue
            out[canonicalize_name(req.name)] = req
        return out

    return Dist(
        name=canonicalize_name(project.get("name", folder.name)),
        folder=folder,
        rel=folder.relative_to(root).as_posix(),
        version=project.get("version"),
        dynamic_version="version" in project.get("dynamic", []),
        deps=parse(project.get("dependencies", [])),
        test_deps=parse(project.get("optional-dependencies", {}).get(TEST_EXTRA, [])),
        sources={canonicalize_name(k): v
                 for k, v in data.get("tool", {}).get("uv", {}).get("sources", {}).items()},
        keywords=list(project.get("keywords", [])),
        bad_requirements=bad,
    )


def _guards_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        (isinstance(n, ast.Name) and n.id in IMPORT_ERRORS)
        or (isinstance(n, ast.Attribute) and n.attr in IMPORT_ERRORS)
        for n in names
    )


def _tinytorch_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[0] == "tinytorch":
        return parts[1]
    return None


class _ImportVisitor(ast.NodeVisitor):
    """Collects ``tinytorch.<m>`` imports, noting which sit under ``try/except ImportError``."""

    def __init__(self, path: Path):
        self.path = path
        self.found: list[Import] = []
        self._guarded = 0

    def _add(self, module, node, optional=False):
        if module:
            self.found.append(Import(module, self.path, node.lineno, optional or self._guarded > 0))

    def visit_Try(self, node):
        guarded = any(_guards_import_error(h) for h in node.handlers if h.type is not None)
        self._guarded += guarded
        for stmt in node.body:
            self.visit(stmt)
        self._guarded -= guarded
        for part in (node.handlers, node.orelse, node.finalbody):
            for stmt in part:
                self.visit(stmt)

    visit_TryStar = visit_Try

    def visit_Import(self, node):
        for alias in node.names:
            self._add(_tinytorch_module(alias.name), node)

    def visit_ImportFrom(self, node):
        if node.level or not node.module:
            return  # relative imports stay inside the distribution
        if node.module == "tinytorch":
            for alias in node.names:
                self._add(alias.name if alias.name != "*" else None, node)
        else:
            self._add(_tinytorch_module(node.module), node)

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if (name in IMPORT_CALLS | OPTIONAL_CALLS and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            self._add(_tinytorch_module(node.args[0].value), node, optional=name in OPTIONAL_CALLS)
        self.generic_visit(node)


def scan_imports(folder: Path) -> tuple[list[Import], list[str]]:
    """All ``tinytorch.<m>`` imports in the ``.py`` files under ``folder``, plus syntax errors."""
    found, errors = [], []
    if not folder.is_dir():
        return found, errors
    for path in sorted(folder.rglob("*.py")):
        if any(part.startswith(".") or part == "__pycache__"
               for part in path.relative_to(folder).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            errors.append(f"{path}: cannot parse ({exc.msg}, line {exc.lineno})")
            continue
        visitor = _ImportVisitor(path)
        visitor.visit(tree)
        found.extend(visitor.found)
    return found, errors


def _where(imp: Import, root: Path) -> str:
    return f"{imp.path.relative_to(root).as_posix()}:{imp.line}"


def _range_hint(version: str | None) -> str:
    try:
        v = Version(version or "")
    except InvalidVersion:
        return ">=0.1,<0.2"
    if v.major == 0:
        return f">=0.{v.minor},<0.{v.minor + 1}"
    return f">={v.major}.{v.minor},<{v.major + 1}"


def _dep_line(sib: Dist) -> str:
    return f'"{sib.name}{_range_hint(sib.version)}"'


def _source_line(dist: Dist, sib: Dist) -> str:
    path = os.path.relpath(sib.folder, dist.folder).replace(os.sep, "/")
    return f'{sib.name} = {{ path = "{path}", editable = true }}'


def check_dist(dist: Dist, by_name: dict[str, Dist], by_module: dict[str, Dist],
               root: Path) -> list[str]:
    """Every problem with one distribution, each message naming the fix."""
    problems = []
    p = problems.append
    where = f"{dist.name} ({dist.rel}/pyproject.toml)"

    for text in dist.bad_requirements:
        p(f"{where}: cannot parse requirement {text!r}; write it as a PEP 508 requirement")
    if dist.dynamic_version or dist.version is None:
        p(f'{where}: version must be static: put version = "0.1.0" in [project] and remove '
          f'"version" from dynamic')
    else:
        try:
            Version(dist.version)
        except InvalidVersion:
            p(f"{where}: version {dist.version!r} is not a valid PEP 440 version")
    stray = dist.folder / "src" / "tinytorch" / "__init__.py"
    if stray.exists():
        p(f"{dist.name}: {stray.relative_to(root).as_posix()} must not exist (tinytorch is a "
          f"PEP 420 namespace; this file shadows every other package): delete it")

    ns = dist.folder / "src" / "tinytorch"
    shipped = sorted(c.name for c in ns.iterdir() if c.is_dir() and c.name != "__pycache__") \
        if ns.is_dir() else []
    if shipped and shipped != [dist.module]:
        p(f"{dist.name}: ships src/tinytorch/{{{','.join(shipped)}}} but its name says it provides "
          f"tinytorch.{dist.module}: ship exactly src/tinytorch/{dist.module}/ or rename the "
          f"distribution")

    # Imports, by where they occur.
    src_imports, errs = scan_imports(dist.folder / "src")
    test_imports, terrs = scan_imports(dist.folder / "tests")
    problems.extend(f"{dist.name}: {e}" for e in errs + terrs)
    used = set()
    for imp, in_tests in [(i, False) for i in src_imports] + [(i, True) for i in test_imports]:
        if imp.module == dist.module:
            continue
        sib = by_module.get(imp.module)
        if sib is None:
            if not imp.optional:
                p(f"{dist.name}: {_where(imp, root)} imports tinytorch.{imp.module}, which no "
                  f"distribution under packages/ or milestones/ provides: remove the import or add "
                  f"the distribution tinytorch-{imp.module.replace('_', '-')}")
            continue
        declared = sib.name in dist.deps or (in_tests and sib.name in dist.test_deps)
        if declared:
            used.add(sib.name)
        elif imp.optional:
            continue
        elif sib.name in dist.test_deps:
            p(f"{dist.name}: {_where(imp, root)} imports tinytorch.{imp.module} in src/ but "
              f"{sib.name} is only a {TEST_EXTRA} extra: move it to [project] dependencies")
        elif in_tests:
            p(f"{dist.name}: {_where(imp, root)} imports tinytorch.{imp.module} but {sib.name} is "
              f"not declared: add {_dep_line(sib)} to [project] dependencies or to "
              f"[project.optional-dependencies] {TEST_EXTRA}, plus [tool.uv.sources] "
              f"{_source_line(dist, sib)}")
        else:
            p(f"{dist.name}: {_where(imp, root)} imports tinytorch.{imp.module} but {sib.name} is "
              f"not declared: add {_dep_line(sib)} to [project] dependencies and "
              f"[tool.uv.sources] {_source_line(dist, sib)}")

    # Declared siblings.
    for group, reqs in (("dependencies", dist.deps),
                        (f"optional-dependencies.{TEST_EXTRA}", dist.test_deps)):
        for name, req in reqs.items():
            if name == "tinytorch":
                p(f"{where}: depends on 'tinytorch', an unrelated project on the public index: "
                  f"remove it (the meta package is tinytorch-all)")
                continue
            sib = by_name.get(name)
            if sib is None:
                if name.startswith("tinytorch-"):
                    p(f"{where}: {group} lists {name}, which is not a distribution under "
                      f"packages/ or milestones/: remove it or fix the name")
                continue
            if sib is dist:
                p(f"{where}: {group} lists the distribution itself: remove {name}")
                continue
            if name not in used and dist.name != META:
                p(f"{where}: {group} declares {name} but nothing in "
                  f"{'tests/' if group != 'dependencies' else 'src/ or tests/'} imports "
                  f"tinytorch.{sib.module}: remove {str(req)!r}")
            spec = req.specifier
            if any(s.operator in ("==", "===") for s in spec):
                p(f"{where}: {group} pins {str(req)!r} with '==' between siblings: use a range "
                  f"{_dep_line(sib)}")
            elif not spec:
                p(f"{where}: {group} has no version range for {name}: write {_dep_line(sib)}")
            elif sib.version is not None and not sib.dynamic_version:
                try:
                    ok = SpecifierSet(str(spec)).contains(Version(sib.version), prereleases=True)
                except InvalidVersion:
                    ok = True  # reported on the sibling itself
                if not ok:
                    p(f"{where}: {group} requires {str(req)!r} but {sib.rel} is at version "
                      f"{sib.version}: change the range to {_dep_line(sib)}")
            src = dist.sources.get(name)
            want = os.path.normpath(sib.folder)
            if not isinstance(src, dict) or "path" not in src:
                p(f"{where}: {name} has no [tool.uv.sources] path entry, so uv would look for it on "
                  f"the index: add {_source_line(dist, sib)}")
            else:
                if os.path.normpath(dist.folder / str(src["path"])) != want:
                    p(f"{where}: [tool.uv.sources] {name} points at {src['path']!r}, not at "
                      f"{sib.rel}: write {_source_line(dist, sib)}")
                if src.get("editable") is not True:
                    p(f"{where}: [tool.uv.sources] {name} is not editable (stale installs): "
                      f"write {_source_line(dist, sib)}")

    declared = set(dist.deps) | set(dist.test_deps)
    for name in sorted(set(dist.sources) - declared):
        if name in by_name:
            p(f"{where}: [tool.uv.sources] has an entry for {name}, which is not a dependency: "
              f"remove the entry")

    if dist.name == META:
        for sib in sorted(by_name.values(), key=lambda d: d.name):
            if sib.is_module and sib.name not in dist.deps:
                p(f"{where}: the meta package must depend on every module: add "
                  f"{_dep_line(sib)} to [project] dependencies and [tool.uv.sources] "
                  f"{_source_line(dist, sib)}")
    return problems


def check_repo(root: Path) -> tuple[list[Dist], list[str]]:
    """Load every distribution under ``root`` and return it with the list of problems."""
    dists = [load_dist(pp, root) for pattern in DIST_GLOBS for pp in sorted(root.glob(pattern))]
    problems = []
    by_name: dict[str, Dist] = {}
    by_module: dict[str, Dist] = {}
    for d in dists:
        if d.name in by_name:
            problems.append(f"{d.rel}: distribution name {d.name} is also used by "
                            f"{by_name[d.name].rel}: rename one")
        by_name[d.name] = d
        if d.name != META and not d.name.startswith("tinytorch-"):
            problems.append(f"{d.rel}: distribution name {d.name!r} must start with 'tinytorch-'")
        by_module.setdefault(d.module, d)
    for d in dists:
        problems.extend(check_dist(d, by_name, by_module, root))
    return dists, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="repository root (default: the checkout this script is in)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    dists, problems = check_repo(root)
    for line in problems:
        print(line)
    if problems:
        print(f"check_deps: {len(problems)} problem(s) in {len(dists)} distribution(s)")
        return 1
    if not dists:
        print(f"check_deps: no distributions found under {root}/packages or {root}/milestones")
        return 1
    print(f"check_deps: {len(dists)} distribution(s) OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
