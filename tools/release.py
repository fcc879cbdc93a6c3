"""Release one TinyTorch distribution on its own: bump, check, build, test it and its dependents, tag.

Steps (docs/contributor-guide.md explains the why):

1. ``--tag`` needs a clean git tree (nothing staged, changed or untracked under the repo), so the
   tag names exactly what was tested; ``--tag`` with ``--no-test`` is refused.
2. ``--bump RULE`` rewrites the static ``version`` in the package's ``pyproject.toml``
   (``patch``, ``minor``, ``major``, ``rc``, or an explicit higher version; the rules of
   ``hatch version``); without it the current version is released.
3. The package's ``CHANGELOG.md`` must have a ``## <version>`` section for that version.
4. Every other distribution in the repo that depends on this one must still accept the new
   version with its declared range; otherwise the release stops and names them.
   ``tools/check_deps.py`` runs too when present.
5. The package's wheel is built alone into the wheelhouse (default ``dist/wheelhouse``), together
   with wheels of the sibling distributions it needs, at their current versions.
6. A fresh virtual environment installs the wheel from the wheelhouse (never the editable source)
   plus pytest and hypothesis, and the package's tests run from a copy outside the source tree;
   the test first checks that ``tinytorch.<name>`` is imported from that environment. Then every
   distribution in the repo that depends on it directly is tested the same way, installed over
   the new wheel (``--skip-dependents`` leaves that out, and is refused with ``--tag``).
7. With ``--tag`` the bump (pyproject and changelog) is committed and the tag
   ``tinytorch-<name>-v<version>`` is made on that commit; otherwise the commands are printed.

Any refusal or failure after the bump puts the package's ``pyproject.toml`` back as it was.

Usage::

    python tools/release.py tensor --bump patch
    python tools/release.py packages/tinytorch-layers --wheelhouse /tmp/wh --tag

Exit status 0 on success; 1 when a check or the tests fail; 2 on bad arguments.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


class ReleaseError(Exception):
    """A release step failed; the message says which and why."""


def read_project(folder):
    with (Path(folder) / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]


def distributions(repo):
    """canonical name -> folder for every distribution in the repo."""
    found = {}
    for pyproject in sorted(repo.glob("packages/*/pyproject.toml")) + sorted(repo.glob("milestones/*/pyproject.toml")):
        found[canonicalize_name(read_project(pyproject.parent)["name"])] = pyproject.parent
    return found


def resolve_folder(repo, key):
    """A package folder from a path, a distribution name, or a short name (``tensor``)."""
    path = Path(key)
    if (path / "pyproject.toml").is_file():
        return path.resolve()
    dists = distributions(repo)
    for name in (canonicalize_name(key), f"tinytorch-{key}", f"tinytorch-milestone-{key}"):
        if name in dists:
            return dists[name]
    raise ReleaseError(f"no distribution {key!r} in {repo}; known: {', '.join(sorted(dists))}")


def tool(name):
    """An executable from beside this interpreter, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise ReleaseError(f"`{name}` is needed for this step; install it (pip install {name})")
    return found


def run(cmd, **kwargs):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise ReleaseError(f"`{' '.join(map(str, cmd))}` failed (exit {proc.returncode}):\n"
                           f"{(proc.stdout + proc.stderr).strip()[-4000:]}")
    return proc.stdout


def next_version(current, rule):
    """The version after ``current`` for ``rule``: ``major``, ``minor``, ``patch``, ``rc`` or ``X.Y.Z``.

    ``rc`` moves ``0.2.0rc1`` to ``0.2.0rc2`` (and ``0.1.0`` to ``0.1.1rc0``); ``patch``, ``minor``
    and ``major`` on a release candidate give that release (``0.2.0rc2`` -> ``0.2.0`` for patch).
    Raises :class:`ReleaseError` unless the result is higher than ``current``.
    """
    old = Version(current)
    major, minor, micro = (list(old.release) + [0, 0])[:3]
    if rule == "major":
        new = f"{major + 1}.0.0"
    elif rule == "minor":
        new = f"{major}.{minor + 1}.0"
    elif rule == "patch":
        new = f"{major}.{minor}.{micro}" if old.pre else f"{major}.{minor}.{micro + 1}"
    elif rule == "rc":
        new = f"{major}.{minor}.{micro}rc{old.pre[1] + 1}" if old.pre and old.pre[0] == "rc" \
            else f"{major}.{minor}.{micro + 1}rc0"
    else:
        try:
            new = str(Version(rule))
        except InvalidVersion:
            raise ReleaseError(f"--bump takes major, minor, patch, rc or a version, got {rule!r}") from None
    if Version(new) <= old:
        raise ReleaseError(f"version {new} is not higher than the current {current}")
    return new


def bump(folder, rule):
    """Rewrite the static ``version = "..."`` in the folder's pyproject (as ``hatch version`` does)."""
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    current = read_project(folder)["version"]
    new = next_version(current, rule)
    pattern = re.compile(r'^(version\s*=\s*")' + re.escape(current) + r'(")', re.M)
    if len(pattern.findall(text)) != 1:
        raise ReleaseError(f"{pyproject}: expected one static 'version = \"{current}\"' line to bump")
    pyproject.write_text(pattern.sub(lambda m: f"{m.group(1)}{new}{m.group(2)}", text), encoding="utf-8")
    return new


def broken_dependents(repo, name, version):
    """``[(dependent, requirement)]`` for siblings whose declared range excludes ``version``."""
    broken = []
    for dependent, folder in distributions(repo).items():
        for text in read_project(folder).get("dependencies", []):
            req = Requirement(text)
            if canonicalize_name(req.name) == name and not req.specifier.contains(Version(version), prereleases=True):
                broken.append((dependent, text))
    return broken


def sibling_closure(repo, name):
    """Folders of every sibling ``name`` needs at run time, transitively (not itself)."""
    dists, seen, stack = distributions(repo), {}, [name]
    while stack:
        current = stack.pop()
        for text in read_project(dists[current]).get("dependencies", []):
            req = Requirement(text)
            dep = canonicalize_name(req.name)
            if dep in dists and dep not in seen and (req.marker is None or req.marker.evaluate({"extra": ""})):
                seen[dep] = dists[dep]
                stack.append(dep)
    return seen


def build_wheel(folder, wheelhouse):
    before = set(wheelhouse.glob("*.whl"))
    run([tool("uv"), "build", "--wheel", "--out-dir", wheelhouse, folder])
    project = read_project(folder)
    stem = f"{canonicalize_name(project['name']).replace('-', '_')}-{project['version']}-"
    made = [w for w in wheelhouse.glob("*.whl") if w.name.startswith(stem)]
    if not made:
        raise ReleaseError(f"no wheel named {stem}*.whl appeared in {wheelhouse} (new: {set(wheelhouse.glob('*.whl')) - before})")
    return made[0]


def test_wheel(folder, wheel, sibling_wheels, extra=()):
    """Install ``wheel`` in a fresh venv from files only and run the package's tests on it."""
    project = read_project(folder)
    module = next(iter(project.get("entry-points", {}).get("tinytorch.modules", {}).values()), None)
    if module is None:
        target = next(iter(project.get("entry-points", {}).get("tinytorch.milestones", {}).values()), "")
        module = target.split(":", 1)[0].removesuffix(".__main__")
    if not module:  # not a module or milestone (tinytorch-results, the meta package): its own package
        packages = sorted(p.name for p in (folder / "src" / "tinytorch").glob("*") if p.is_dir()) \
            if (folder / "src" / "tinytorch").is_dir() else []
        module = f"tinytorch.{packages[0]}" if packages else None
    with tempfile.TemporaryDirectory(prefix="tinytorch-release-") as tmp:
        tmp = Path(tmp)
        venv = tmp / "venv"
        uv = tool("uv")
        run([uv, "venv", "-q", "--python", sys.executable, venv])
        python = venv / "bin" / "python"
        env = dict(os.environ, UV_FIND_LINKS=os.environ.get("UV_FIND_LINKS") or os.environ.get("PIP_FIND_LINKS", ""))
        env.pop("VIRTUAL_ENV", None)
        run([uv, "pip", "install", "-q", "--python", python, wheel, *sibling_wheels, "pytest", "hypothesis", *extra],
            env=env)
        where = str(wheel)
        if module:  # a meta package has no code of its own to locate
            where = run([python, "-c", f"import {module} as m; print(m.__file__)"], cwd=tmp).strip()
            if not Path(where).resolve().is_relative_to(venv.resolve()):
                raise ReleaseError(f"{module} was imported from {where}, not from the wheel in {venv}")
        if not (folder / "tests").is_dir():
            return 0, where
        shutil.copytree(folder / "tests", tmp / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        markers = ["-o", "markers=slow: slow tests"]
        proc = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                               "--rootdir", tmp, *markers, "tests"], cwd=tmp, env=env,
                              capture_output=True, text=True)
        print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:])
        if proc.returncode != 0:
            raise ReleaseError(f"the installed wheel fails its tests:\n{(proc.stdout + proc.stderr)[-4000:]}")
        return proc.returncode, where


def git_dirty(repo):
    """Lines of ``git status --porcelain`` for the repo ([] when clean)."""
    return [line for line in run(["git", "status", "--porcelain", "--untracked-files=normal"], cwd=repo).splitlines()
            if line.strip()]


def check_changelog(folder, version):
    """Refuse a release whose ``CHANGELOG.md`` has no ``## <version>`` section."""
    changelog = folder / "CHANGELOG.md"
    if not changelog.is_file():
        raise ReleaseError(f"{changelog} does not exist; add it with a '## {version}' section saying what changed")
    heads = [line[3:].strip() for line in changelog.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    if not any(h == version or h.startswith(f"{version} ") for h in heads):
        raise ReleaseError(f"{changelog} has no '## {version}' section (it has: {', '.join(heads) or 'none'}); "
                           "write what this release changes first")


def direct_dependents(repo, name):
    """Folders of the distributions that list ``name`` in their runtime dependencies."""
    found = {}
    for dependent, folder in distributions(repo).items():
        for text in read_project(folder).get("dependencies", []):
            if canonicalize_name(Requirement(text).name) == name:
                found[dependent] = folder
    return found


def test_dependents(repo, name, wheel, wheelhouse):
    """Test every direct dependent installed over the new ``wheel``; returns the names tested."""
    tested = []
    for dependent, folder in sorted(direct_dependents(repo, name).items()):
        dep_wheel = build_wheel(folder, wheelhouse)
        others = [build_wheel(f, wheelhouse) for n, f in sibling_closure(repo, dependent).items() if n != name]
        test_wheel(folder, dep_wheel, [wheel, *others])
        print(f"  {dependent}: tests pass over the new wheel")
        tested.append(dependent)
    return tested


def release(args):
    folder = resolve_folder(args.repo, args.package)
    if args.tag and args.no_test:
        raise ReleaseError("--tag with --no-test is refused: a tag says the release was tested")
    if args.tag and args.skip_dependents:
        raise ReleaseError("--tag with --skip-dependents is refused: a tag says its dependents were tested too")
    if args.tag:
        dirty = git_dirty(args.repo)
        if dirty:
            raise ReleaseError("--tag needs a clean git tree (commit or remove these first):\n  "
                               + "\n  ".join(dirty[:20]))
    pyproject = folder / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")
    try:
        return _release(args, folder)
    except BaseException:
        if pyproject.read_text(encoding="utf-8") != original:
            pyproject.write_text(original, encoding="utf-8")
            print(f"release: put {pyproject} back as it was", file=sys.stderr)
        raise


def _release(args, folder):
    project = read_project(folder)
    name = canonicalize_name(project["name"])
    version = bump(folder, args.bump) if args.bump else project["version"]
    print(f"{name} {version} ({folder})")
    check_changelog(folder, version)
    broken = broken_dependents(args.repo, name, version)
    if broken:
        lines = "\n".join(f"  {dep}: {req}" for dep, req in broken)
        raise ReleaseError(f"{name} {version} falls outside the declared range of:\n{lines}\n"
                           "widen those ranges (and release those packages) or choose another version")
    check_deps = args.repo / "tools" / "check_deps.py"
    if check_deps.is_file():
        run([sys.executable, check_deps], cwd=args.repo)
        print("check_deps: ok")
    args.wheelhouse.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(folder, args.wheelhouse)
    siblings = [build_wheel(f, args.wheelhouse) for f in sibling_closure(args.repo, name).values()]
    print(f"built {wheel.name}" + (f" (+ {', '.join(w.name for w in siblings)})" if siblings else ""))
    if not args.no_test:
        _, where = test_wheel(folder, wheel, siblings)
        print(f"tests pass on the installed wheel ({where})")
        if not args.skip_dependents:
            tested = test_dependents(args.repo, name, wheel, args.wheelhouse)
            print(f"dependents pass over it: {', '.join(tested) or 'none in the repo'}")
    tag = f"{name}-v{version}"
    if args.tag:
        paths = [p for p in (folder / "pyproject.toml", folder / "CHANGELOG.md") if p.is_file()]
        if git_dirty(args.repo):
            run(["git", "add", *paths], cwd=args.repo)
            run(["git", "commit", "-m", f"{name} {version}", "--", *paths], cwd=args.repo)
        run(["git", "tag", "-a", tag, "-m", f"{name} {version}"], cwd=args.repo)
        print(f"tagged {tag} on the commit holding the bump; push it with `git push origin HEAD {tag}`")
    else:
        print(f"next: commit the bump, then git tag -a {tag} -m '{name} {version}' && git push origin {tag}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="folder, distribution name, or short name (tensor, perceptron)")
    parser.add_argument("--bump", help="patch, minor, major, rc, or X.Y.Z")
    parser.add_argument("--wheelhouse", type=Path, default=REPO / "dist" / "wheelhouse")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--no-test", action="store_true", help="build only (not for real releases; no --tag)")
    parser.add_argument("--skip-dependents", action="store_true",
                        help="test only the package, not its dependents (not for real releases; no --tag)")
    parser.add_argument("--tag", action="store_true", help="commit the bump and tag it after every check passes")
    args = parser.parse_args(argv)
    try:
        return release(args)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
