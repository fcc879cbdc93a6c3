"""The learner's side of ``tito``: exercise stubs, the progress file, and swapping installs.

Three pieces, each usable on its own:

- :func:`make_stubs` turns reference code into an exercise by replacing every
  ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region with ``raise NotImplementedError(<hint>)``.
- :class:`ProgressStore` keeps progress in one JSON file, locked with ``fcntl`` around every
  read-modify-write and replaced atomically, so two ``tito`` processes at once lose nothing and a
  crash never leaves half a file.
- :class:`Installer` swaps a module's installed copy between the reference and the learner's
  editable copy with uv (or pip), and :func:`snapshot_wheel` keeps a non-editable reference as a
  wheel so that it can always be put back.
"""

import ast
import base64
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"
PROGRESS_VERSION = 1


class StubError(ValueError):
    """Solution markers that cannot be turned into stubs (unbalanced, nested, outside a function)."""


def _enclosing_functions(tree):
    """``[(start, end, qualname, first docstring line)]`` for every function, innermost last."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{prefix}{child.name}"
                doc = ast.get_docstring(child) or ""
                first = doc.strip().splitlines()[0].strip() if doc.strip() else ""
                spans.append((child.lineno, child.end_lineno, qualname, first))
                visit(child, f"{qualname}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def find_regions(source, filename="<source>"):
    """Locate solution regions: ``[(begin_line, end_line, qualname, hint)]`` with 1-based lines.

    Raises:
        StubError: on an END without BEGIN, a BEGIN without END, nested BEGINs, or a region that
            is not inside a function body; the message names the file and line.
    """
    lines = source.splitlines()
    regions, open_line = [], None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN_MARKER:
            if open_line is not None:
                raise StubError(
                    f"{filename}:{number}: '{BEGIN_MARKER}' inside the region opened at line "
                    f"{open_line}; expected '{END_MARKER}' first"
                )
            open_line = number
        elif stripped == END_MARKER:
            if open_line is None:
                raise StubError(f"{filename}:{number}: '{END_MARKER}' without a '{BEGIN_MARKER}'")
            regions.append((open_line, number))
            open_line = None
    if open_line is not None:
        raise StubError(f"{filename}:{open_line}: '{BEGIN_MARKER}' is never closed by '{END_MARKER}'")
    if not regions:
        return []
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise StubError(f"{filename}:{exc.lineno}: cannot parse the reference code: {exc.msg}") from exc
    functions = _enclosing_functions(tree)
    located = []
    for begin, end in regions:
        inside = [f for f in functions if f[0] < begin <= f[1]]  # END may trail the last statement
        if not inside:
            raise StubError(
                f"{filename}:{begin}: solution region is not inside a function or method body; "
                "markers may only wrap statements of a function"
            )
        _, _, qualname, doc = max(inside, key=lambda f: f[0])
        located.append((begin, end, qualname, doc))
    return located


def make_stubs(source, filename="<source>", module_label=""):
    """Replace every solution region of ``source`` by ``raise NotImplementedError(<hint>)``.

    The ``raise`` takes the indentation of the ``# BEGIN SOLUTION`` line; everything else,
    including line endings outside the regions, is kept. The hint names what to implement:
    ``Implement Tensor.sum in tensor.py (module 01 tensor): Sum over dim.``

    Args:
        source: the reference file's text.
        filename: the name used in hints and error messages.
        module_label: e.g. ``"module 01 tensor"``; left out of the hint when empty.

    Returns:
        ``(stubbed_text, number_of_regions)``.

    Raises:
        StubError: on unbalanced or misplaced markers.

    Example:
        >>> text = "def f(x):\\n    '''Double x.'''\\n    # BEGIN SOLUTION\\n    return 2 * x\\n    # END SOLUTION\\n"
        >>> print(make_stubs(text, "f.py")[0])
        def f(x):
            '''Double x.'''
            raise NotImplementedError('Implement f in f.py: Double x.')
        <BLANKLINE>
    """
    regions = find_regions(source, filename)
    if not regions:
        return source, 0
    lines = source.splitlines(keepends=True)
    where = f"{filename} ({module_label})" if module_label else filename
    for begin, end, qualname, doc in reversed(regions):
        marker_line = lines[begin - 1]
        indent = marker_line[: len(marker_line) - len(marker_line.lstrip())]
        newline = "\r\n" if marker_line.endswith("\r\n") else "\n"
        hint = f"Implement {qualname} in {where}" + (f": {doc}" if doc else "")
        lines[begin - 1 : end] = [f"{indent}raise NotImplementedError({hint!r}){newline}"]
    return "".join(lines), len(regions)


def stub_tree(root, module_label=""):
    """Stub every ``*.py`` file under ``root`` in place; returns the number of regions replaced.

    All files are checked before any is written, so a marker error leaves the tree unchanged.
    """
    root = Path(root)
    pending, total = [], 0
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        stubbed, count = make_stubs(text, path.name, module_label)
        if count:
            pending.append((path, stubbed))
            total += count
    for path, stubbed in pending:
        path.write_text(stubbed, encoding="utf-8")
    return total


def count_regions(root):
    """Number of solution regions under ``root`` (raises :class:`StubError` on bad markers)."""
    return sum(len(find_regions(p.read_text(encoding="utf-8"), str(p))) for p in Path(root).rglob("*.py"))


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


class ProgressError(RuntimeError):
    """The progress file could not be read or written (the message says which and why)."""


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _empty_progress():
    return {"version": PROGRESS_VERSION, "workspace": None, "modules": {}, "milestones": {}}


def _validate(data):
    """Return a reason string when ``data`` is not a progress record we can trust, else ``None``."""
    if not isinstance(data, dict):
        return f"top level is a {type(data).__name__}, expected an object"
    if data.get("version") != PROGRESS_VERSION:
        return f"version is {data.get('version')!r}, expected {PROGRESS_VERSION}"
    if not (data.get("workspace") is None or isinstance(data.get("workspace"), str)):
        return "'workspace' must be a string or null"
    for key in ("modules", "milestones"):
        section = data.get(key)
        if not isinstance(section, dict):
            return f"'{key}' is a {type(section).__name__}, expected an object"
        for name, entry in section.items():
            if not isinstance(entry, dict):
                return f"'{key}.{name}' is a {type(entry).__name__}, expected an object"
    return None


class ProgressStore:
    """Progress in one JSON file under ``$TINYTORCH_HOME`` (default ``~/.tinytorch``).

    Every change goes through :meth:`transaction`: an exclusive ``fcntl`` lock on a sibling
    ``.lock`` file is held while the file is read, changed and written back via a temporary file
    and ``os.replace``, so concurrent ``tito`` processes serialise instead of overwriting each
    other. A file that is not valid progress JSON is moved aside to
    ``progress.json.corrupt-<timestamp>`` and progress starts empty; :attr:`warnings` says so.

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
            lock = open(self.home / "progress.json.lock", "a+")
        except OSError as exc:
            raise ProgressError(f"cannot open the progress lock in {self.home}: {exc}") from exc
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _load(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _empty_progress()
        except OSError as exc:
            raise ProgressError(f"cannot read {self.path}: {exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
            reason = _validate(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = f"not valid JSON ({exc})"
        if reason is None:
            return data
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")
        os.replace(self.path, backup)
        self.warnings.append(
            f"{self.path} could not be used: {reason}. It was moved to {backup} and progress "
            "starts empty; copy entries back from the backup by hand if you need them."
        )
        return _empty_progress()

    def _write(self, data):
        fd, tmp = tempfile.mkstemp(dir=self.home, prefix=".progress-", suffix=".json")
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
        """A snapshot of the progress data (moving a corrupt file aside if needed)."""
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


def tinytorch_home():
    """``$TINYTORCH_HOME``, or ``~/.tinytorch``."""
    return Path(os.environ.get("TINYTORCH_HOME") or Path.home() / ".tinytorch").expanduser()


def timestamp():
    """Current UTC time in ISO format (seconds)."""
    return _now()


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
