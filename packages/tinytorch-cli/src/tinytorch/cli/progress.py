"""The learner's progress: one JSON file, locked, atomically replaced, checked entry by entry.

Layout (``version`` 2)::

    {"version": 2, "workspace": "/path/or/null",
     "modules": {"tinytorch-tensor": {"learner_path": ..., "completed_at": ..., "tests": {...}}},
     "milestones": {"perceptron": {"learner": {...run...}, "reference": {...run...}}}}

A milestone keeps one record per kind of run (``learner``: at least one prerequisite ran the
learner's completed code; ``reference``: none did), so a later reference run never replaces a
learner's achievement. Version-1 files are migrated on read.
"""

import contextlib
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .filelock import exclusive_lock

PROGRESS_VERSION = 2
TEMP_PREFIX = ".progress-"

# Known fields and the JSON types they must have; unknown fields are kept as they are.
_MODULE_FIELDS = {
    "learner_path": str, "started_at": str, "completed_at": str, "completed_code": str,
    "completed_version": str, "version": str, "tests_passed": int, "reference": dict, "tests": dict,
    "source_digest": str,
}
_RUN_FIELDS = {"achieved_at": str, "quick": bool, "claims": dict, "version": str,
               "learner_modules": list, "incomplete_modules": list, "metrics": dict}
RUN_KINDS = ("learner", "reference")


class ProgressError(RuntimeError):
    """The progress file cannot be used (unreadable, or from a newer ``tito``); the message says why."""


def tinytorch_home():
    """``$TINYTORCH_HOME``, or ``~/.tinytorch``."""
    return Path(os.environ.get("TINYTORCH_HOME") or Path.home() / ".tinytorch").expanduser()


def timestamp():
    """Current UTC time in ISO format (seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def empty_progress():
    return {"version": PROGRESS_VERSION, "workspace": None, "modules": {}, "milestones": {}}


def _type_name(value):
    return "null" if value is None else type(value).__name__


def _check_fields(entry, fields):
    """A reason string for the first field of ``entry`` with the wrong type, else ``None``."""
    for key, kind in fields.items():
        if key not in entry or entry[key] is None:
            continue
        value = entry[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"'{key}' is a {_type_name(value)} ({value!r:.60}), expected a {kind.__name__}"
    return None


def check_module_entry(entry):
    if not isinstance(entry, dict):
        return f"is a {_type_name(entry)}, expected an object"
    reason = _check_fields(entry, _MODULE_FIELDS)
    if reason is None and isinstance(entry.get("reference"), dict):
        ref = entry["reference"]
        if not isinstance(ref.get("kind"), str) or not isinstance(ref.get("path"), str):
            reason = "'reference' needs string 'kind' and 'path'"
    return reason


def check_milestone_entry(entry):
    if not isinstance(entry, dict):
        return f"is a {_type_name(entry)}, expected an object"
    for kind in RUN_KINDS:
        run = entry.get(kind)
        if run is None:
            continue
        if not isinstance(run, dict):
            return f"'{kind}' is a {_type_name(run)}, expected an object"
        reason = _check_fields(run, _RUN_FIELDS)
        if reason:
            return f"'{kind}': {reason}"
    return None


def _migrate_v1(data):
    """Version 1 kept one run per milestone: file it under ``learner`` or ``reference``."""
    for name, entry in list(data.get("milestones", {}).items()):
        if isinstance(entry, dict) and "achieved_at" in entry:
            kind = "learner" if entry.get("learner_modules") else "reference"
            data["milestones"][name] = {kind: entry}
    data["version"] = PROGRESS_VERSION
    return data


class ProgressStore:
    """Progress in ``$TINYTORCH_HOME/progress.json`` (default ``~/.tinytorch``).

    Every change goes through :meth:`transaction`: an exclusive lock on a sibling ``.lock`` file
    (:func:`~tinytorch.cli.filelock.exclusive_lock`) is held while the file is read, changed and
    written back through a temporary file and ``os.replace``, so concurrent ``tito`` processes
    serialise instead of overwriting each other. While the lock is held no other writer exists,
    so any ``.progress-*.json`` temporary file left by a killed process is removed.

    What is wrong with a file decides what happens to it:

    - not JSON, or not an object with ``modules`` and ``milestones`` objects: moved aside to
      ``progress.json.corrupt-<time>``, progress starts empty, :attr:`warnings` says so;
    - one bad entry (say ``learner_path`` a number): a copy of the file is kept as
      ``progress.json.corrupt-<time>``, only that entry is dropped, the others are kept;
    - a ``version`` newer than this ``tito`` reads: :class:`ProgressError`, nothing is touched.

    Args:
        home: the folder holding ``progress.json``; defaults to :func:`tinytorch_home`.

    Example:
        >>> import tempfile
        >>> store = ProgressStore(tempfile.mkdtemp())
        >>> with store.transaction() as data:
        ...     data["modules"]["tinytorch-tensor"] = {"completed_at": "now"}
        >>> sorted(store.read()["modules"])
        ['tinytorch-tensor']
    """

    def __init__(self, home=None):
        self.home = Path(home) if home is not None else tinytorch_home()
        self.path = self.home / "progress.json"
        self.warnings = []

    @contextlib.contextmanager
    def _locked(self):
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            lock = exclusive_lock(self.home / "progress.json.lock")
            lock.__enter__()
        except OSError as exc:
            raise ProgressError(f"cannot lock the progress file in {self.home}: {exc}") from exc
        try:
            self._remove_stale_temps()
            yield
        finally:
            lock.__exit__(None, None, None)

    def _remove_stale_temps(self):
        for stale in self.home.glob(f"{TEMP_PREFIX}*.json"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _backup_name(self):
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        return self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")

    def _load(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return empty_progress()
        except OSError as exc:
            raise ProgressError(f"cannot read {self.path}: {exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self._discard(f"not valid JSON ({exc})")
        if not isinstance(data, dict):
            return self._discard(f"top level is a {_type_name(data)}, expected an object")
        version = data.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > PROGRESS_VERSION:
            raise ProgressError(
                f"{self.path} was written by a newer tito (progress format {version}; this tito reads "
                f"up to {PROGRESS_VERSION}). Upgrade it (`pip install -U tinytorch-cli`) or point "
                "TINYTORCH_HOME elsewhere; the file was not changed."
            )
        if version not in (1, PROGRESS_VERSION):
            return self._discard(f"version is {version!r}, expected {PROGRESS_VERSION}")
        for key in ("modules", "milestones"):
            if not isinstance(data.get(key), dict):
                return self._discard(f"'{key}' is a {_type_name(data.get(key))}, expected an object")
        if not (data.get("workspace") is None or isinstance(data.get("workspace"), str)):
            return self._discard("'workspace' must be a string or null")
        if version == 1:
            data = _migrate_v1(data)
        bad = []
        for key, check in (("modules", check_module_entry), ("milestones", check_milestone_entry)):
            for name, entry in list(data[key].items()):
                reason = check(entry)
                if reason:
                    bad.append(f"'{key}.{name}' {reason}")
                    del data[key][name]
        if bad:
            backup = self._backup_name()
            shutil.copyfile(self.path, backup)
            self._write(data)
            self.warnings.append(
                f"{self.path}: dropped {len(bad)} unusable entr{'y' if len(bad) == 1 else 'ies'} "
                f"({'; '.join(bad)}); every other record is kept. The original is saved as {backup}."
            )
        return data

    def _discard(self, reason):
        backup = self._backup_name()
        os.replace(self.path, backup)
        self.warnings.append(
            f"{self.path} could not be used: {reason}. It was moved to {backup} and progress "
            "starts empty; copy entries back from the backup by hand if you need them."
        )
        return empty_progress()

    def _write(self, data):
        fd, tmp = tempfile.mkstemp(dir=self.home, prefix=TEMP_PREFIX, suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def read(self):
        """A snapshot of the progress data (repairing or moving aside a bad file if needed)."""
        with self._locked():
            return self._load()

    @contextlib.contextmanager
    def transaction(self):
        """Lock, load, yield the data for changing in place, then write it back atomically.

        Nothing is written when the block raises.
        """
        with self._locked():
            data = self._load()
            yield data
            self._write(data)

    def update_module(self, distribution, **fields):
        """Merge ``fields`` into one module's record (``None`` values delete keys)."""
        with self.transaction() as data:
            entry = data["modules"].setdefault(distribution, {})
            for key, value in fields.items():
                if value is None:
                    entry.pop(key, None)
                else:
                    entry[key] = value
            return dict(entry)
