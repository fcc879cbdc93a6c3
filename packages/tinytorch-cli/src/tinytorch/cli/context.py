"""What every ``tito`` command shares: one-line errors, consoles, progress, the catalog."""

import os
import sys
from pathlib import Path

from rich.console import Console

from .discovery import Catalog
from .progress import ProgressStore
from .reftests import files_digest, hash_tree


class CliError(Exception):
    """A problem to report in one line, with an exit status (2 unless told otherwise)."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def make_console(stderr=False, quiet=False, markup=False):
    width = None
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        width = 120  # wide enough that tables in logs and tests do not wrap
    return Console(stderr=stderr, width=width, highlight=False, markup=markup, soft_wrap=True, quiet=quiet)


class Context:
    """Consoles, the progress store, the catalog and the workspace for one command."""

    def __init__(self, args):
        self.args = args
        self.out = make_console(quiet=getattr(args, "quiet", False))
        self.err = make_console(stderr=True)
        self.store = ProgressStore(getattr(args, "home", None))
        self._catalog = None

    @property
    def catalog(self):
        if self._catalog is None:
            self._catalog = Catalog.installed(getattr(self.args, "repo", None))
        return self._catalog

    def progress(self):
        data = self.store.read()
        self.flush_warnings()
        return data

    def flush_warnings(self):
        for warning in self.store.warnings:
            self.err.print(f"warning: {warning}")
        self.store.warnings.clear()

    def workspace(self, progress=None):
        explicit = getattr(self.args, "workspace", None) or os.environ.get("TINYTORCH_WORKSPACE")
        if explicit:
            return Path(explicit).expanduser().resolve()
        progress = progress if progress is not None else self.progress()
        if progress.get("workspace"):
            return Path(progress["workspace"])
        return (Path.cwd() / "workspace").resolve()

    def module(self, key):
        try:
            return self.catalog.module(key)
        except LookupError as exc:
            raise CliError(str(exc)) from None

    def milestone(self, key):
        try:
            return self.catalog.milestone(key)
        except LookupError as exc:
            raise CliError(str(exc)) from None


def is_within(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def code_in_use(module, entry, workspace):
    """``"learner"`` when the installed copy is the learner's editable workspace copy."""
    path = module.editable_path
    if path is None:
        return "reference"
    recorded = entry.get("learner_path")
    if recorded and Path(recorded).resolve() == path.resolve():
        return "learner"
    return "learner" if is_within(path, workspace) else "reference"


def source_digest(copy):
    """Digest of a learner copy's ``src/`` (what ``complete`` records and ``status`` re-checks)."""
    return files_digest(hash_tree(copy, ["src"])) if (Path(copy) / "src").is_dir() else ""


def changed_since_completion(entry):
    """True when the learner copy's code differs from what passed at completion."""
    recorded, path = entry.get("source_digest"), entry.get("learner_path")
    if not (entry.get("completed_at") and recorded and path and Path(path).is_dir()):
        return False
    return source_digest(path) != recorded


def progress_label(entry, code):
    """What the progress column shows for one module record."""
    if entry.get("completed_at"):
        if entry.get("completed_code") == "reference":
            return "complete (reference code)"
        return "complete, changed since" if changed_since_completion(entry) else "complete"
    if code == "learner":
        return "in progress"
    if entry.get("learner_path") and Path(entry["learner_path"]).exists():
        return "started (reference installed)"
    return "not started"


def completed_on_learner_code(entry):
    """The module passed its reference tests on the learner's copy, unchanged since."""
    return bool(entry.get("completed_at")) and entry.get("completed_code") == "learner" \
        and not changed_since_completion(entry)
