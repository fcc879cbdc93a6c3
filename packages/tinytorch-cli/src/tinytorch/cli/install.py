"""Swapping a module's installed copy, and keeping the reference so that it can be put back.

:class:`Installer` installs the learner's editable copy over the reference (or the reference
back) with uv when found, pip otherwise, always ``--no-deps``: the copy has the reference's name,
version and requirements. :func:`snapshot_wheel` repacks a non-editable reference into a wheel,
and :func:`copy_source_tree` / :func:`copy_installed_files` make the learner's working folder.
"""

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


_COPY_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", "dist", "build", "*.egg-info", ".tox",
    ".venv",
)


def copy_source_tree(source_dir, dest):
    """Copy a distribution's source folder (pyproject, README, src/, tests/, ...) to ``dest``.

    Relative ``path = "..."`` entries in ``[tool.uv.sources]`` are rewritten to absolute paths so
    that the copy still finds its reference siblings from the workspace.
    """
    source_dir, dest = Path(source_dir), Path(dest)
    shutil.copytree(source_dir, dest, ignore=_COPY_IGNORE)
    pyproject = dest / "pyproject.toml"
    if pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")

        def absolute(match):
            target = (source_dir / match.group(2)).resolve()
            return f"{match.group(1)}{target.as_posix()}{match.group(3)}"

        text = re.sub(r'(path\s*=\s*")(\.\.?/[^"]*)(")', absolute, text)
        pyproject.write_text(text, encoding="utf-8")


def copy_installed_files(dist, package_path, dest):
    """Rebuild a source folder for a distribution installed from a wheel (no source tree).

    Copies the installed files under ``package_path`` (``tinytorch/tensor``) into
    ``dest/src/<package_path>`` and writes a ``pyproject.toml`` from the installed metadata.
    Wheels do not ship tests, so the copy has none (``tito module test`` says so).
    """
    dest = Path(dest)
    prefix = package_path.rstrip("/") + "/"
    copied = 0
    for file in dist.files or []:
        posix = file.as_posix()
        if not posix.startswith(prefix) or "__pycache__" in posix:
            continue
        target = dest / "src" / posix
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file.locate(), target)
        copied += 1
    if not copied:
        raise FileNotFoundError(f"{dist.metadata['Name']} lists no installed files under {prefix}")
    meta = dist.metadata
    keywords = [k for k in re.split(r"[,\s]+", meta.get("Keywords") or "") if k]
    requires = list(dist.requires or [])
    entry_points = {}
    for ep in dist.entry_points:
        entry_points.setdefault(ep.group, {})[ep.name] = ep.value
    lines = [
        "[build-system]", 'requires = ["hatchling>=1.24"]', 'build-backend = "hatchling.build"', "",
        "[project]", f"name = {json.dumps(meta['Name'])}", f"version = {json.dumps(dist.version)}",
        f"description = {json.dumps(meta.get('Summary') or '')}",
        f"requires-python = {json.dumps(meta.get('Requires-Python') or '>=3.10')}",
        f"keywords = {json.dumps(keywords)}", f"dependencies = {json.dumps(requires)}",
    ]
    for group, points in entry_points.items():
        lines += ["", f"[project.entry-points.{json.dumps(group)}]"]
        lines += [f"{json.dumps(name)} = {json.dumps(value)}" for name, value in points.items()]
    lines += ["", "[tool.hatch.build.targets.wheel]", 'packages = ["src/tinytorch"]', ""]
    (dest / "pyproject.toml").write_text("\n".join(lines), encoding="utf-8")


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def snapshot_wheel(dist, wheelhouse):
    """Pack an installed (non-editable) distribution back into a wheel under ``wheelhouse``.

    The wheel holds exactly the files in the installed ``RECORD`` below site-packages (scripts
    and byte-code are left out; installers regenerate them), with a fresh ``RECORD``. This is
    how ``tito module reset`` can reinstall a reference that came from an index or a deleted
    wheel file.

    Returns:
        The path of the wheel.
    """
    wheelhouse = Path(wheelhouse)
    wheelhouse.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    dist_info = f"{name}-{dist.version}.dist-info"
    skip_meta = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    entries = []
    for file in dist.files or []:
        posix = file.as_posix()
        if posix.startswith("..") or "__pycache__" in posix or posix.endswith(".pyc"):
            continue
        if posix.split("/", 1)[0].endswith(".dist-info"):
            base = posix.split("/", 1)[1]
            if base in skip_meta:
                continue
            posix = f"{dist_info}/{base}"
        entries.append((posix, Path(file.locate()).read_bytes()))
    if not any(p == f"{dist_info}/WHEEL" for p, _ in entries):
        entries.append((f"{dist_info}/WHEEL",
                        b"Wheel-Version: 1.0\nGenerator: tinytorch-cli\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    target = wheelhouse / f"{name}-{dist.version}-py3-none-any.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    fd, tmp = tempfile.mkstemp(dir=wheelhouse, suffix=".whl.part")
    os.close(fd)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in entries:
            zf.writestr(path, data)
            writer.writerow([path, _record_hash(data), len(data)])
        writer.writerow([f"{dist_info}/RECORD", "", ""])
        zf.writestr(f"{dist_info}/RECORD", record.getvalue())
    os.replace(tmp, target)
    return target


class InstallError(RuntimeError):
    """An install command failed; the message holds its command line and output."""


class Installer:
    """Install into the environment that runs ``tito`` (``sys.executable``), with uv or pip.

    uv is used when found (``$TINYTORCH_UV``, beside the interpreter, or on ``PATH``), pip
    otherwise; ``$TINYTORCH_INSTALLER=pip`` forces pip. Installs never touch dependencies: the
    swapped module keeps the same name, version and requirements as the reference it replaces.
    """

    def __init__(self, python=None):
        self.python = python or sys.executable
        self.uv = None if os.environ.get("TINYTORCH_INSTALLER") == "pip" else self._find_uv()

    def _find_uv(self):
        candidates = [os.environ.get("TINYTORCH_UV"), str(Path(self.python).parent / "uv"),
                      shutil.which("uv")]
        for candidate in candidates:
            if candidate and os.access(candidate, os.X_OK):
                return candidate
        return None

    @property
    def name(self):
        return "uv" if self.uv else "pip"

    def _run(self, args, distribution):
        if self.uv:
            cmd = [self.uv, "pip", "install", "--python", self.python, "--no-deps",
                   "--reinstall-package", distribution, *args]
        else:
            cmd = [self.python, "-m", "pip", "install", "--no-deps", "--force-reinstall", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr).strip()
            raise InstallError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{output}")
        return cmd

    def install_editable(self, path, distribution):
        """Install the folder ``path`` editable, replacing any installed ``distribution``."""
        return self._run(["-e", str(path)], distribution)

    def install_wheel(self, wheel, distribution):
        """Install a wheel file, replacing any installed ``distribution``."""
        return self._run([str(wheel)], distribution)
