"""Submission archives: a learner's copy of one module, with a manifest a teacher can verify.

``tito submit`` writes ``<student>--<distribution>-<version>.zip`` holding ``pyproject.toml``,
``src/`` and ``SUBMISSION.json``: the module, its version, every file's sha256 and their digest,
the digest of the reference tests the learner's completion ran, and the ``tito`` version.
:func:`read_submission` opens one safely (no absolute or ``..`` paths, bounded size) and checks
the files against the manifest.
"""

import json
import os
import platform
import re
import zipfile
from pathlib import Path, PurePosixPath

from .reftests import files_digest, hash_tree, sha256_file

MANIFEST = "SUBMISSION.json"
FORMAT = 1
MAX_BYTES = 50 * 1024 * 1024  # a module's source is kilobytes; refuse zip bombs early
_STUDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


class SubmissionError(ValueError):
    """An archive that cannot be graded (unreadable, unsafe, or not a submission)."""


def check_student(name):
    if not _STUDENT.match(name or ""):
        raise SubmissionError(f"student name {name!r} must be 1-64 letters, digits or ._@+- "
                              "(it names files in the gradebook)")
    return name


def archive_name(student, distribution, version):
    return f"{student}--{distribution}-{version}.zip"


def write_submission(copy, dest_dir, *, student, module, tests=None, tito_version="", completed_at=None):
    """Pack the learner copy ``copy`` of ``module`` (a discovery Component) into ``dest_dir``."""
    copy, dest_dir = Path(copy), Path(dest_dir)
    check_student(student)
    files = hash_tree(copy, [p for p in ("pyproject.toml", "src") if (copy / p).exists()])
    if not any(p.startswith("src/") for p in files):
        raise SubmissionError(f"{copy} has no src/ folder to submit")
    manifest = {
        "format": FORMAT, "student": student, "module": module.name, "number": module.number,
        "distribution": module.distribution, "version": module.version, "files": files,
        "digest": files_digest(files), "reference_tests": tests or {}, "completed_at": completed_at,
        "tito": tito_version, "python": platform.python_version(),
    }
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / archive_name(student, module.distribution, module.version)
    tmp = target.with_name(f".{target.name}.part")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel in sorted(files):
                zf.write(copy / rel, rel)
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target, manifest


def read_submission(archive, dest):
    """Unpack ``archive`` into the empty folder ``dest``; returns ``(manifest, problems)``.

    ``problems`` lists every file whose hash differs from the manifest, is missing, or is extra;
    an empty list means the archive is exactly what ``tito submit`` wrote.

    Raises:
        SubmissionError: not a zip, no manifest, an unsafe path, or more than ``MAX_BYTES``.
    """
    dest = Path(dest)
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_BYTES:
                raise SubmissionError(f"{archive} unpacks to more than {MAX_BYTES // 2**20} MiB")
            for info in infos:
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts or not name.parts:
                    raise SubmissionError(f"{archive} holds an unsafe path {info.filename!r}")
            try:
                manifest = json.loads(zf.read(MANIFEST))
            except KeyError:
                raise SubmissionError(f"{archive} has no {MANIFEST}; make it with `tito submit`") from None
            for info in infos:
                if info.is_dir() or info.filename == MANIFEST:
                    continue
                target = dest / Path(*PurePosixPath(info.filename).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if isinstance(exc, SubmissionError):
            raise
        raise SubmissionError(f"{archive} is not a readable submission: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise SubmissionError(f"{archive}: {MANIFEST} is not a submission manifest")
    expected = manifest["files"]
    problems = []
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        rel = path.relative_to(dest).as_posix()
        if rel not in expected:
            problems.append(f"extra file {rel}")
        elif sha256_file(path) != expected[rel]:
            problems.append(f"{rel} differs from the manifest")
    problems += [f"missing {rel}" for rel in sorted(expected) if not (dest / rel).is_file()]
    if files_digest(expected) != manifest.get("digest"):
        problems.append("the manifest's digest does not match its file list")
    return manifest, problems
