"""Build a class wheelhouse: every distribution's wheel, its reference tests, a PEP 503 index.

One folder that a class installs from, with no package index::

    dist/wheelhouse/
      tinytorch_tensor-0.1.0-py3-none-any.whl ...   one wheel per distribution in the checkout
      tests/tinytorch_tensor-0.1.0-tests.zip ...    reference tests + MANIFEST.json (sha256 of each file)
      simple/index.html, simple/<project>/index.html   a PEP 503 "simple" index of the wheels
      third-party wheels (numpy, rich, pytest, ...)  only with --third-party (downloaded by pip)

Install from it, as a folder of links or as an index::

    pip install --find-links dist/wheelhouse tinytorch-cli tinytorch-tensor pytest hypothesis
    pip install --index-url file://$PWD/dist/wheelhouse/simple tinytorch-tensor   # needs --third-party

``tito module test`` finds the reference tests through ``TINYTORCH_WHEELHOUSE=dist/wheelhouse``
(or ``PIP_FIND_LINKS``), and ``tito grade --wheelhouse dist/wheelhouse`` grades against them.

Usage::

    python tools/wheelhouse.py [--out DIR] [--third-party] [folder ...]

Exit status 0 on success, 1 when a build fails.
"""

import argparse
import hashlib
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
TEST_TOOLS = ("pytest", "hypothesis")


class WheelhouseError(RuntimeError):
    """A build step failed; the message has the command and its output."""


def distribution_folders(repo):
    return sorted(p.parent for p in list(repo.glob("packages/*/pyproject.toml")) + list(repo.glob("milestones/*/pyproject.toml")))


def read_project(folder):
    with (folder / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]


def _run(cmd, **kwargs):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise WheelhouseError(f"`{' '.join(map(str, cmd))}` failed (exit {proc.returncode}):\n"
                              f"{(proc.stdout + proc.stderr).strip()[-3000:]}")
    return proc.stdout


def build_wheel(folder, out):
    """Build one wheel into ``out`` (uv when found, else pip); returns its path."""
    project = read_project(folder)
    stem = f"{canonicalize_name(project['name']).replace('-', '_')}-{project['version']}-"
    uv = Path(sys.executable).parent / "uv"
    uv = str(uv) if uv.exists() else shutil.which("uv")
    with tempfile.TemporaryDirectory() as tmp:
        if uv:
            _run([uv, "build", "--wheel", "--out-dir", tmp, folder])
        else:
            _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp, folder])
        made = [w for w in Path(tmp).glob("*.whl") if w.name.startswith(stem)]
        if not made:
            raise WheelhouseError(f"building {folder} made no {stem}*.whl")
        target = out / made[0].name
        shutil.copyfile(made[0], target)
    return target


def build_tests(folder, out):
    """Write ``out/tests/<name>-<version>-tests.zip`` for a folder with tests; returns it or ``None``."""
    from tinytorch.cli.reftests import TESTS_SUBDIR, bundle_name, make_bundle, pack_bundle

    if not (folder / "tests").is_dir():
        return None
    project = read_project(folder)
    name, version = canonicalize_name(project["name"]), project["version"]
    (out / TESTS_SUBDIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        make_bundle(folder, Path(tmp) / "bundle", name, version)
        return pack_bundle(Path(tmp) / "bundle", out / TESTS_SUBDIR / bundle_name(name, version))


def third_party_requirements(folders):
    """Every non-TinyTorch runtime requirement of the folders (and the test tools), as strings."""
    found = set(TEST_TOOLS)
    for folder in folders:
        for text in read_project(folder).get("dependencies", []):
            req = Requirement(text)
            if not canonicalize_name(req.name).startswith("tinytorch-") and (req.marker is None or req.marker.evaluate()):
                found.add(str(req))
    return sorted(found)


def download_third_party(requirements, out):
    _run([sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--dest", out, *requirements])


def write_simple_index(out):
    """A PEP 503 index in ``out/simple`` over every wheel in ``out`` (links carry sha256)."""
    projects = {}
    for wheel in sorted(out.glob("*.whl")):
        name = canonicalize_name(parse_wheel_filename(wheel.name)[0])
        projects.setdefault(name, []).append(wheel)
    simple = out / "simple"
    if simple.exists():
        shutil.rmtree(simple)
    simple.mkdir()
    links = "".join(f'    <a href="{html.escape(n)}/">{html.escape(n)}</a><br>\n' for n in sorted(projects))
    (simple / "index.html").write_text(
        f"<!DOCTYPE html>\n<html>\n  <body>\n{links}  </body>\n</html>\n", encoding="utf-8")
    for name, wheels in projects.items():
        (simple / name).mkdir()
        rows = "".join(
            f'    <a href="../../{html.escape(w.name)}#sha256={hashlib.sha256(w.read_bytes()).hexdigest()}">'
            f"{html.escape(w.name)}</a><br>\n" for w in wheels)
        (simple / name / "index.html").write_text(
            f"<!DOCTYPE html>\n<html>\n  <body>\n    <h1>Links for {html.escape(name)}</h1>\n{rows}  </body>\n</html>\n",
            encoding="utf-8")
    return sorted(projects)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, help="distribution folders (default: every one)")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "wheelhouse")
    parser.add_argument("--third-party", action="store_true",
                        help="also download the third-party wheels (numpy, rich, pytest, ...) with pip")
    args = parser.parse_args(argv)
    folders = [f.resolve() for f in args.folders] or distribution_folders(args.repo)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        for folder in folders:
            wheel = build_wheel(folder, out)
            tests = build_tests(folder, out)
            print(f"built {wheel.name}" + (f" + tests/{tests.name}" if tests else ""))
        if args.third_party:
            requirements = third_party_requirements(folders)
            download_third_party(requirements, out)
            print(f"downloaded wheels for {', '.join(requirements)}")
        projects = write_simple_index(out)
    except WheelhouseError as exc:
        print(f"wheelhouse: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({len(projects)} projects in simple/). Install with:\n"
          f"  pip install --find-links {out} tinytorch-cli tinytorch-tensor pytest hypothesis\n"
          f"and point tito at the reference tests: export TINYTORCH_WHEELHOUSE={out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
