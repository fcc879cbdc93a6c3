"""Release one TinyTorch distribution on its own: bump, check dependents, build, test the wheel.

Steps (docs/contributor-guide.md explains the why):

1. ``--bump RULE`` runs ``hatch version RULE`` in the package folder (``patch``, ``minor``,
   ``major``, ``rc``, or an explicit version); without it the current version is released.
2. Every other distribution in the repo that depends on this one must still accept the new
   version with its declared range; otherwise the release stops and names them.
   ``tools/check_deps.py`` runs too when present.
3. The package's wheel is built alone into the wheelhouse (default ``dist/wheelhouse``), together
   with wheels of the sibling distributions it needs, at their current versions.
4. A fresh virtual environment installs the wheel from the wheelhouse (never the editable source)
   plus pytest and hypothesis, and the package's tests run from a copy outside the source tree;
   the test first checks that ``tinytorch.<name>`` is imported from that environment.
5. It prints the tag to push, ``tinytorch-<name>-v<version>``, and creates it with ``--tag``.

Usage::

    python tools/release.py tensor --bump patch
    python tools/release.py packages/tinytorch-layers --wheelhouse /tmp/wh --tag

Exit status 0 on success; 1 when a check or the tests fail; 2 on bad arguments.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

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


def bump(folder, rule):
    run([tool("hatch"), "version", rule], cwd=folder)
    return read_project(folder)["version"]


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="folder, distribution name, or short name (tensor, perceptron)")
    parser.add_argument("--bump", help="hatch version rule: patch, minor, major, rc, or X.Y.Z")
    parser.add_argument("--wheelhouse", type=Path, default=REPO / "dist" / "wheelhouse")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--no-test", action="store_true", help="build only (not for real releases)")
    parser.add_argument("--tag", action="store_true", help="create the git tag after the checks pass")
    args = parser.parse_args(argv)
    try:
        folder = resolve_folder(args.repo, args.package)
        project = read_project(folder)
        name = canonicalize_name(project["name"])
        version = bump(folder, args.bump) if args.bump else project["version"]
        print(f"{name} {version} ({folder})")
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
        tag = f"{name}-v{version}"
        if args.tag:
            run(["git", "tag", "-a", tag, "-m", f"{name} {version}"], cwd=args.repo)
            print(f"tagged {tag}; push it with `git push origin {tag}`")
        else:
            print(f"next: git tag -a {tag} -m '{name} {version}' && git push origin {tag}")
        return 0
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
