"""The README's commands are the ones CI and tox actually run."""

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _code_blocks(text):
    return [block.strip() for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S)]


def _one_block_with(fragment):
    blocks = [b for b in _code_blocks(README) if fragment in b]
    assert len(blocks) == 1, f"expected one README code block with {fragment!r}, got {blocks}"
    assert "\n" not in blocks[0], f"the README command must be one line: {blocks[0]!r}"
    return blocks[0]


def _tox():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    return parser


def test_ci_runs_the_readme_test_command_verbatim():
    command = _one_block_with("tox -p auto")
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install tox tox-uv && ")
    assert any(line.strip().startswith(command) for line in CI_RUN.splitlines()), (
        f".ci/run does not run the README's test command {command!r}"
    )


def test_ci_script_is_strict_and_non_interactive():
    assert CI_RUN.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in CI_RUN
    assert "export CI=true" in CI_RUN
    assert "</dev/null" in CI_RUN
    assert "tools/ci_summary.py" in CI_RUN
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def _milestones_by_year():
    """Every milestone's package in the checkout, in the order of its ``tinytorch-year-YYYY``."""
    found = []
    for pyproject in ROOT.glob("milestones/*/pyproject.toml"):
        text = pyproject.read_text(encoding="utf-8")
        year = re.search(r'"tinytorch-year-(\d{4})"', text)
        package = re.search(r'"(tinytorch\.milestone_\w+)\.__main__:main"', text)
        if year and package:
            found.append((int(year.group(1)), package.group(1)))
    return [package for _, package in sorted(found)]


def test_journey_command_runs_every_milestone_in_year_order():
    command = _one_block_with("tox -e journey")
    assert command.startswith("python3 -m venv .venv && ")
    journey = _tox()["testenv:journey"]["commands"].split()
    modules = [w for w in journey if w.startswith("tinytorch.milestone_")]
    assert modules == _milestones_by_year() and len(modules) >= 4


def test_every_env_the_readme_names_exists_in_tox():
    tox = _tox()
    listed = tox["tox"]["env_list"].replace("\n", " ")
    names = {n.strip() for n in listed.split(",")}
    names |= {s.split(":", 1)[1] for s in tox.sections() if s.startswith("testenv:")}
    for env in re.findall(r"`tox -e ([\w-]+)`", README):
        assert env in names or env.startswith("milestone-"), env
    section = README[README.index("(env names:"):]
    section = section[: section.index(")")]
    for env in re.findall(r"[\w-]+", section.split("`", 1)[1]):
        assert env in listed or env.startswith("milestone-"), env
