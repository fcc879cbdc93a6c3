"""Find TinyTorch modules and milestones from distribution metadata, never from a hard-coded list.

A module distribution declares ``keywords = ["tinytorch", "tinytorch-module-NN", "tinytorch-act-X"]``
and an entry point in the group ``tinytorch.modules``; a milestone declares
``"tinytorch-year-YYYY"`` and an entry point in ``tinytorch.milestones``. Prerequisites are the
sibling distributions in ``Requires-Dist``. Everything here reads metadata only, so a learner's
half-written module never has to import for ``tito`` to describe it.

The same records can also be read from a source checkout (``pyproject.toml`` files), which is
what ``tito curriculum check --repo`` and ``tools/release.py`` use.
"""

import json
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MODULE_GROUP = "tinytorch.modules"
MILESTONE_GROUP = "tinytorch.milestones"
SIBLING_PREFIX = "tinytorch-"

_MODULE_KEYWORD = re.compile(r"^tinytorch-module-(\d+)$")
_ACT_KEYWORD = re.compile(r"^tinytorch-act-([A-Za-z0-9]+)$")
_YEAR_KEYWORD = re.compile(r"^tinytorch-year-(\d{4})$")


@dataclass
class Component:
    """One module or milestone distribution, as its metadata describes it.

    Attributes:
        kind: ``"module"`` or ``"milestone"``.
        name: the entry-point name (``"tensor"``, ``"perceptron"``).
        distribution: the canonical distribution name (``"tinytorch-tensor"``).
        version: the version (installed, or declared in ``pyproject.toml``).
        target: the entry-point value (``"tinytorch.tensor"`` or ``"pkg.__main__:main"``).
        number: module number (``1``) or ``None`` for milestones.
        act: act label (``"I"``) or ``None``.
        year: milestone year or ``None``.
        requires: canonical names of the sibling distributions it depends on directly.
        summary: the one-line description.
        source_dir: the folder holding ``pyproject.toml`` when known (editable install or checkout).
        direct_url: the PEP 610 record of an installed distribution, ``None`` otherwise.
        third_party: names of non-sibling runtime dependencies.
    """

    kind: str
    name: str
    distribution: str
    version: str
    target: str
    number: int | None = None
    act: str | None = None
    year: int | None = None
    requires: list[str] = field(default_factory=list)
    summary: str = ""
    source_dir: Path | None = None
    direct_url: dict | None = None
    third_party: list[str] = field(default_factory=list)

    @property
    def label(self):
        """``"01 tensor"`` for modules, ``"1957 perceptron"`` for milestones."""
        if self.kind == "module":
            return f"{self.number:02d} {self.name}" if self.number is not None else self.name
        return f"{self.year} {self.name}" if self.year is not None else self.name

    @property
    def import_name(self):
        """The package a module installs (``tinytorch.tensor``) or a milestone's module path."""
        return self.target.split(":", 1)[0]

    @property
    def editable_path(self):
        """The folder of an editable install, from ``direct_url.json``, or ``None``."""
        info = self.direct_url or {}
        if not info.get("dir_info", {}).get("editable"):
            return None
        return url_to_path(info.get("url", ""))


def url_to_path(url):
    """``file:///a/b`` -> ``Path("/a/b")``; ``None`` for any other scheme."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def _keywords(meta):
    raw = meta.get("Keywords") or ""
    return [word.strip() for word in re.split(r"[,\s]+", raw) if word.strip()]


def _classify(keywords):
    number = act = year = None
    for word in keywords:
        if m := _MODULE_KEYWORD.match(word):
            number = int(m.group(1))
        elif m := _ACT_KEYWORD.match(word):
            act = m.group(1)
        elif m := _YEAR_KEYWORD.match(word):
            year = int(m.group(1))
    return number, act, year


def _split_requirements(requirement_strings):
    """Split requirement strings into (sibling names, third-party names), skipping extras."""
    siblings, others = [], []
    for text in requirement_strings or []:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        (siblings if name.startswith(SIBLING_PREFIX) else others).append(name)
    return siblings, others


def _direct_url(dist):
    try:
        text = dist.read_text("direct_url.json")
    except OSError:
        return None
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _from_entry_point(ep, kind):
    dist = ep.dist
    meta = dist.metadata
    number, act, year = _classify(_keywords(meta))
    siblings, others = _split_requirements(dist.requires)
    direct = _direct_url(dist)
    component = Component(
        kind=kind, name=ep.name, distribution=canonicalize_name(meta["Name"]),
        version=dist.version, target=ep.value, number=number, act=act, year=year,
        requires=siblings, third_party=others, summary=meta.get("Summary") or "",
        direct_url=direct,
    )
    path = component.editable_path
    if path is not None and (path / "pyproject.toml").is_file():
        component.source_dir = path
    return component


def _sort_key(component):
    if component.kind == "module":
        return (component.number if component.number is not None else 10**6, component.name)
    return (component.year if component.year is not None else 10**6, component.name)


def installed_components(kind):
    """Every installed module (``kind="module"``) or milestone, in course order.

    Distributions are read from ``importlib.metadata`` entry points; when one distribution is
    found twice on ``sys.path`` (a stale copy), the first one, which Python imports, wins.
    """
    group = MODULE_GROUP if kind == "module" else MILESTONE_GROUP
    found = {}
    for ep in metadata.entry_points(group=group):
        if ep.dist is None:
            continue
        component = _from_entry_point(ep, kind)
        found.setdefault(component.name, component)
    return sorted(found.values(), key=_sort_key)


def components_from_tree(root):
    """Modules and milestones declared by ``pyproject.toml`` files under a source checkout.

    Looks at ``root/packages/*/pyproject.toml`` and ``root/milestones/*/pyproject.toml``.
    """
    root = Path(root)
    found = []
    for pyproject in sorted(root.glob("packages/*/pyproject.toml")) + sorted(
        root.glob("milestones/*/pyproject.toml")
    ):
        component = component_from_pyproject(pyproject)
        if component is not None:
            found.append(component)
    return found


def support_from_tree(root):
    """``{name: sibling requirements}`` of the checkout's distributions that are not course items."""
    found = {}
    for pyproject in sorted(Path(root).glob("packages/*/pyproject.toml")):
        with pyproject.open("rb") as fh:
            project = tomllib.load(fh).get("project", {})
        groups = project.get("entry-points", {})
        if "name" in project and not (groups.get(MODULE_GROUP) or groups.get(MILESTONE_GROUP)):
            found[canonicalize_name(project["name"])] = _split_requirements(project.get("dependencies", []))[0]
    return found


def support_requires(name, known):
    """Sibling requirements of a non-module sibling (known from a tree, or installed), else ``None``."""
    if name in known:
        return list(known[name])
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    return _split_requirements(dist.requires)[0]


def component_from_pyproject(pyproject):
    """Read one ``pyproject.toml``; ``None`` when it declares neither a module nor a milestone."""
    pyproject = Path(pyproject)
    with pyproject.open("rb") as fh:
        project = tomllib.load(fh).get("project", {})
    entry_points = project.get("entry-points", {})
    for group, kind in ((MODULE_GROUP, "module"), (MILESTONE_GROUP, "milestone")):
        points = entry_points.get(group)
        if not points:
            continue
        name, target = next(iter(points.items()))
        number, act, year = _classify(project.get("keywords", []))
        siblings, others = _split_requirements(project.get("dependencies", []))
        return Component(
            kind=kind, name=name, distribution=canonicalize_name(project["name"]),
            version=str(project.get("version", "0")), target=target, number=number, act=act,
            year=year, requires=siblings, third_party=others,
            summary=project.get("description", ""), source_dir=pyproject.parent,
        )
    return None


class Catalog:
    """Modules and milestones by name, number or distribution, with prerequisite closures.

    Args:
        components: the :class:`Component` records to index; later records with the same
            distribution name replace earlier ones.

    Example:
        >>> c = Catalog([Component("module", "tensor", "tinytorch-tensor", "0.1.0",
        ...                        "tinytorch.tensor", number=1, act="I")])
        >>> c.module("01").distribution
        'tinytorch-tensor'
    """

    def __init__(self, components, support=None):
        self.by_dist = {c.distribution: c for c in components}
        self.support = dict(support or {})  # sibling name -> its sibling requirements (source tree)

    @classmethod
    def installed(cls, repo=None):
        """The installed components, overlaid on those of a source checkout when ``repo`` is given."""
        components = components_from_tree(repo) if repo is not None else []
        components += installed_components("module") + installed_components("milestone")
        return cls(components, support_from_tree(repo) if repo is not None else None)

    @property
    def modules(self):
        return sorted((c for c in self.by_dist.values() if c.kind == "module"), key=_sort_key)

    @property
    def milestones(self):
        return sorted((c for c in self.by_dist.values() if c.kind == "milestone"), key=_sort_key)

    def module(self, key):
        """Find a module by number (``1``, ``"01"``), name (``"tensor"``) or distribution.

        Raises:
            LookupError: naming the key and the modules that exist.
        """
        return self._find(self.modules, str(key).strip(), "module")

    def milestone(self, key):
        """Find a milestone by name, year or distribution; raises ``LookupError`` if unknown."""
        return self._find(self.milestones, str(key).strip(), "milestone")

    def _find(self, candidates, key, kind):
        wanted = canonicalize_name(key)
        for c in candidates:
            numbers = {str(c.number), f"{c.number:02d}"} if c.number is not None else set()
            if c.kind == "milestone" and c.year is not None:
                numbers.add(str(c.year))
            if key in numbers or wanted in (c.name, c.distribution, canonicalize_name(c.name)):
                return c
        known = ", ".join(c.label for c in candidates) or f"none installed (no '{kind}' entry points)"
        raise LookupError(f"unknown {kind} {key!r}; known: {known}")

    def closure(self, component):
        """All sibling modules a component needs, directly or transitively, in course order.

        Raises:
            LookupError: when a declared sibling is not known to this catalog.
        """
        seen, stack, missing = {}, list(component.requires), []
        while stack:
            name = stack.pop()
            if name in seen or name in missing:
                continue
            dep = self.by_dist.get(name)
            if dep is None:
                support = support_requires(name, self.support)
                if support is None:
                    missing.append(name)
                else:  # a sibling that is not a course module (tinytorch-results): look through it
                    stack.extend(support)
                continue
            seen[name] = dep
            stack.extend(dep.requires)
        if missing:
            raise LookupError(
                f"{component.distribution} needs {', '.join(sorted(missing))}, "
                "which is neither installed nor in the source tree"
            )
        return sorted((c for c in seen.values() if c.kind == "module"), key=_sort_key)


def installed_version(name):
    """The installed version of a distribution, or ``None``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def runtime_closure(names):
    """Installed distributions that ``names`` need at run time, transitively (canonical -> version).

    Names that are not installed are returned with version ``None``.
    """
    result, stack = {}, [canonicalize_name(n) for n in names]
    while stack:
        name = stack.pop()
        if name in result:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            result[name] = None
            continue
        result[name] = dist.version
        siblings, others = _split_requirements(dist.requires)
        stack.extend(siblings + others)
    return result
