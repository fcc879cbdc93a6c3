"""Reference tests: a module's own tests, kept outside the learner's copy, checked by a manifest.

``tito module test`` and ``complete`` never run the tests in the learner's workspace copy (a
learner can edit those). They run a *reference test bundle*: the module's ``tests/`` folder with
its ``README.md`` and ``pyproject.toml`` (pytest settings), copied from the reference source or
unpacked from ``tests/<name>-<version>-tests.zip`` in a class wheelhouse, into
``$TINYTORCH_HOME/reference-tests/<distribution>-<version>/`` with a ``MANIFEST.json`` of every
file's sha256. The bundle is verified against its manifest before every run, and the manifest's
digest is recorded with the result, so a teacher can check which tests a completion ran.
"""

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MANIFEST = "MANIFEST.json"
BUNDLE_FILES = ("README.md", "pyproject.toml")
TESTS_SUBDIR = "tests"
_IGNORE = ("__pycache__", ".pytest_cache", ".hypothesis")


class ReferenceTestsError(RuntimeError):
    """Reference tests that are missing, or that no longer match their manifest."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def files_digest(files):
    """One digest for ``{relative posix path: sha256}``: sha256 of the sorted ``path sha`` lines."""
    text = "".join(f"{path} {files[path]}\n" for path in sorted(files))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_tree(root, subfolders=None, skip=()):
    """``{relative posix path: sha256}`` of every file under ``root`` (or under its ``subfolders``)."""
    root = Path(root)
    bases = [root / s for s in subfolders] if subfolders else [root]
    files = {}
    for base in bases:
        if base.is_file():
            files[base.relative_to(root).as_posix()] = sha256_file(base)
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(part in _IGNORE for part in rel.parts) \
                    and path.suffix != ".pyc" and rel.as_posix() not in skip:
                files[rel.as_posix()] = sha256_file(path)
    return files


def bundle_dir(home, distribution, version):
    return Path(home) / "reference-tests" / f"{distribution}-{version}"


def bundle_name(distribution, version):
    """``tinytorch_tensor-0.1.0-tests.zip``: the file name beside the wheels in a wheelhouse."""
    return f"{distribution.replace('-', '_')}-{version}-tests.zip"


def find_bundle(folder, distribution, version):
    """The bundle zip in a wheelhouse folder (its ``tests/`` subfolder, or beside the wheels), or ``None``.

    Wheelhouses keep bundles in ``tests/`` so that pip and uv, reading the folder as find-links,
    never mistake a ``*-tests.zip`` for a source distribution.
    """
    for candidate in (Path(folder) / TESTS_SUBDIR / bundle_name(distribution, version),
                      Path(folder) / bundle_name(distribution, version)):
        if candidate.is_file():
            return candidate
    return None


def write_manifest(folder, distribution, version, source):
    folder = Path(folder)
    files = hash_tree(folder, skip={MANIFEST})
    manifest = {"distribution": distribution, "version": version, "source": str(source),
                "files": files, "digest": files_digest(files)}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def make_bundle(source_dir, dest, distribution, version):
    """Copy ``tests/`` (+ README, pyproject) of a reference source folder to ``dest`` with a manifest."""
    source_dir, dest = Path(source_dir), Path(dest)
    if not (source_dir / "tests").is_dir():
        raise ReferenceTestsError(f"the reference {distribution} at {source_dir} has no tests/ folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        shutil.copytree(source_dir / "tests", staging / "tests", ignore=shutil.ignore_patterns(*_IGNORE, "*.pyc"))
        for name in BUNDLE_FILES:
            if (source_dir / name).is_file():
                shutil.copyfile(source_dir / name, staging / name)
        manifest = write_manifest(staging, distribution, version, source_dir)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def verify_bundle(folder):
    """Check every file of a bundle against its ``MANIFEST.json``; returns the manifest.

    Raises:
        ReferenceTestsError: naming the files that changed, disappeared or were added.
    """
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        expected = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReferenceTestsError(f"{folder / MANIFEST} is missing or unreadable ({exc})") from None
    actual = hash_tree(folder, skip={MANIFEST})
    changed = sorted(p for p in expected if p in actual and actual[p] != expected[p])
    missing = sorted(p for p in expected if p not in actual)
    added = sorted(p for p in actual if p not in expected)
    if changed or missing or added or files_digest(expected) != manifest.get("digest"):
        parts = [f"{label}: {', '.join(items[:5])}" for label, items in
                 (("changed", changed), ("missing", missing), ("added", added)) if items]
        raise ReferenceTestsError(f"the reference tests in {folder} do not match their manifest "
                                  f"({'; '.join(parts) or 'digest differs'})")
    return manifest


def pack_bundle(folder, path):
    """Write a verified bundle folder as a zip (the form a wheelhouse ships)."""
    verify_bundle(folder)
    folder, path = Path(folder), Path(path)
    tmp = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(folder).as_posix())
    os.replace(tmp, path)
    return path


def unpack_bundle(archive, dest):
    """Unpack a bundle zip to ``dest`` (refusing absolute or ``..`` paths) and verify it."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise ReferenceTestsError(f"{archive} holds an unsafe path {info.filename!r}")
                if not info.is_dir():
                    target = staging / Path(*name.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(info))
        manifest = verify_bundle(staging)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(staging, dest)
    except zipfile.BadZipFile as exc:
        raise ReferenceTestsError(f"{archive} is not a readable zip: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def wheelhouse_dirs():
    """Local folders that may hold test bundles: ``$TINYTORCH_WHEELHOUSE`` and ``$PIP_FIND_LINKS``."""
    folders = []
    for var in ("TINYTORCH_WHEELHOUSE", "PIP_FIND_LINKS"):
        for entry in (os.environ.get(var) or "").split():
            entry = entry.removeprefix("file://")
            if entry and Path(entry).is_dir():
                folders.append(Path(entry))
    return folders


def locate(home, distribution, version, source_dirs=(), search=None):
    """A verified reference test bundle for ``distribution`` ``version``: ``(folder, manifest)``.

    Looks, in order, in the reference source folders given (editable reference installs; copied
    afresh each time), in ``$TINYTORCH_HOME/reference-tests`` (unpacked earlier), and for a ``*-tests.zip`` in the wheelhouse
    folders (``search``, default :func:`wheelhouse_dirs`).

    Raises:
        ReferenceTestsError: when none is found (the message says where it looked and what to
            run), or when the cached bundle was changed.
    """
    dest = bundle_dir(home, distribution, version)
    for source in source_dirs:  # a source checkout is re-read each time: it may have new tests
        if source and (Path(source) / "tests").is_dir():
            return dest, make_bundle(source, dest, distribution, version)
    if (dest / MANIFEST).is_file():
        return dest, verify_bundle(dest)
    folders = list(search) if search is not None else wheelhouse_dirs()
    for folder in folders:
        archive = find_bundle(folder, distribution, version)
        if archive is not None:
            return dest, unpack_bundle(archive, dest)
    looked = [str(dest)] + [str(s) for s in source_dirs if s] + [
        str(Path(f) / TESTS_SUBDIR / bundle_name(distribution, version)) for f in folders]
    raise ReferenceTestsError(
        f"no reference tests for {distribution} {version} (looked in: {', '.join(looked)}). "
        "Install the course from a wheelhouse built by `python tools/wheelhouse.py` and set "
        "TINYTORCH_WHEELHOUSE to that folder, or install the reference from a source checkout."
    )
