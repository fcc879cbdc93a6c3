"""``tito curriculum check | lock``: a course is a subset of modules closed under dependencies."""

import os
import sys
from pathlib import Path

from packaging.utils import canonicalize_name
from rich.table import Table

from ..context import CliError
from ..discovery import installed_version, runtime_closure, tomllib

# A course runs its modules' tests and milestones: pin the test tools too, so that every
# learner gets the same pytest and hypothesis as the machine that locked the course.
TEST_TOOLS = ("pytest", "hypothesis")


def load_course(path):
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise CliError(f"course file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"course file {path} is not valid TOML: {exc}") from None
    course = data.get("course", data)
    for key in ("modules", "milestones"):
        value = course.get(key, [])
        if not isinstance(value, list):
            raise CliError(f"{path}: '{key}' must be a list of names or numbers, got {value!r}")
    if not course.get("modules") and not course.get("milestones"):
        raise CliError(f"{path}: expected a [course] table with 'modules' and/or 'milestones' lists")
    return course


def check_course(catalog, course):
    """Resolve a course; returns ``(modules, milestones, problems)`` where problems are
    ``(item, missing_label, reason)`` rows (empty when the course is closed under dependencies)."""
    problems, modules, milestones = [], [], []
    for kind, keys, found, lookup in (("module", course.get("modules", []), modules, catalog.module),
                                      ("milestone", course.get("milestones", []), milestones,
                                       catalog.milestone)):
        for key in keys:
            try:
                found.append(lookup(key))
            except LookupError as exc:
                problems.append((f"{kind} {key}", "", str(exc)))
    chosen = {m.distribution for m in modules}
    for item in modules + milestones:
        try:
            needs = catalog.closure(item)
        except LookupError as exc:
            problems.append((item.label, "", str(exc)))
            continue
        direct = set(item.requires)
        for dep in needs:
            if dep.distribution not in chosen:
                how = "declared dependency" if dep.distribution in direct else "needed through its dependencies"
                problems.append((f"{item.kind} {item.label}", f"{dep.label} ({dep.distribution})", how))
    return modules, milestones, problems


def cmd_check(ctx):
    """``tito curriculum check``: exit 1 and list every missing prerequisite of a course."""
    course = load_course(ctx.args.file)
    modules, milestones, problems = check_course(ctx.catalog, course)
    name = course.get("name", Path(ctx.args.file).stem)
    table = Table(title=f"Course: {name}", title_justify="left")
    for column in ("kind", "item", "distribution", "version"):
        table.add_column(column)
    for item in modules + milestones:
        table.add_row(item.kind, item.label, item.distribution, item.version)
    ctx.out.print(table)
    if not problems:
        ctx.out.print(f"Complete: {len(modules)} modules and {len(milestones)} milestones, every "
                      "prerequisite included.")
        return 0
    missing = Table(title="Missing prerequisites", title_justify="left")
    for column in ("item", "needs", "why"):
        missing.add_column(column)
    for row in problems:
        missing.add_row(*row)
    ctx.out.print(missing)
    ctx.out.print(f"Incomplete: {len(problems)} problem(s); add the missing modules to the course.")
    return 1


def cmd_lock(ctx):
    """``tito curriculum lock``: pin a complete course's distributions, dependencies and test tools."""
    course = load_course(ctx.args.file)
    modules, milestones, problems = check_course(ctx.catalog, course)
    if problems:
        ctx.out.print("Not locked: the course is incomplete; `tito curriculum check` lists what is missing.")
        return 1
    ours = {c.distribution: c.version for c in modules + milestones}
    cli_version = installed_version("tinytorch-cli")
    if cli_version:
        ours["tinytorch-cli"] = cli_version
    tools = [t for t in TEST_TOOLS if installed_version(t)]
    pins = {name: version for name, version in runtime_closure([*ours, *tools]).items() if version is not None}
    pins.update(ours)
    output = Path(ctx.args.output or Path(ctx.args.file).with_suffix(".constraints.txt"))
    install = " ".join(sorted(ours) + tools)
    lines = [f"# Constraints for course {course.get('name', Path(ctx.args.file).stem)!r}, written by "
             f"`tito curriculum lock` on Python {sys.version_info.major}.{sys.version_info.minor}.",
             f"# Install with: pip install --find-links WHEELHOUSE -c {output.name} {install}",
             "# (WHEELHOUSE: the folder `python tools/wheelhouse.py` wrote; docs/educator-guide.md)", ""]
    lines += [f"{name}=={pins[name]}" for name in sorted(pins, key=canonicalize_name)]
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, output)
    ctx.out.print(f"Wrote {output} pinning {len(pins)} distributions.")
    return 0


def register(groups):
    """Add ``tito curriculum check | lock``."""
    curriculum = groups.add_parser("curriculum", help="check and lock a course made of modules")
    sub = curriculum.add_subparsers(dest="command", required=True)
    for name, text, handler in (("check", "report missing prerequisites", cmd_check),
                                ("lock", "write a constraints file", cmd_lock)):
        command = sub.add_parser(name, help=text)
        command.add_argument("file", help="course TOML file")
        command.add_argument("--repo", help="also read modules from this source checkout")
        if name == "lock":
            command.add_argument("-o", "--output", help="constraints file (default <file>.constraints.txt)")
        command.set_defaults(handler=handler)
