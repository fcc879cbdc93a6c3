"""The versioned JSON schema of a result, and validation with errors that name the field.

The schema ships as ``result.schema.json`` beside this file (JSON Schema 2020-12), so any tool can
check a result line. :func:`validate` interprets that same file (the subset of keywords it uses:
``type``, ``const``, ``enum``, ``required``, ``properties``, ``additionalProperties``, ``items``,
``minLength``), so there is one definition, then checks what a schema cannot say: that ``passed``
agrees with each claim's value, op and target, and the result's with :func:`~.claims.verdict`.
"""

import json
from functools import cache
from importlib.resources import files

from .claims import SCHEMA_VERSION, Claim, Result, ResultError

SCHEMA_FILE = "result.schema.json"

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


@cache
def schema():
    """The JSON schema of result version :data:`~.claims.SCHEMA_VERSION`, as a dict."""
    return json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _describe(value):
    text = json.dumps(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _check(value, rule, path, problems):
    """Append ``"path: what is wrong"`` for every way ``value`` breaks ``rule``."""
    if "const" in rule and value != rule["const"]:
        problems.append(f"{path}: expected {json.dumps(rule['const'])}, got {_describe(value)}")
        return
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"{path}: expected one of {', '.join(map(json.dumps, rule['enum']))}, "
                        f"got {_describe(value)}")
        return
    if "type" in rule:
        types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        if not any(_TYPES[t](value) for t in types):
            problems.append(f"{path}: expected {' or '.join(types)}, got {_describe(value)}")
            return
    if isinstance(value, str) and len(value) < rule.get("minLength", 0):
        problems.append(f"{path}: must not be empty")
    if isinstance(value, dict):
        for key in rule.get("required", ()):
            if key not in value:
                problems.append(f"{path}: missing required field {key!r}")
        properties = rule.get("properties", {})
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], f"{path}.{key}", problems)
            elif rule.get("additionalProperties", True) is False:
                problems.append(f"{path}: unknown field {key!r}")
    if isinstance(value, list) and "items" in rule:
        for i, item in enumerate(value):
            _check(item, rule["items"], f"{path}[{i}]", problems)


def validate(data):
    """Check a result's JSON form against the schema and the passed rule; return the :class:`Result`.

    Raises:
        ResultError: listing every problem found, each as ``field: what is wrong``; a result
            written by a newer schema version is refused with the upgrade to make.

    Example:
        >>> validate({"schema_version": 1, "milestone": "demo", "quick": False, "passed": False,
        ...           "status": "skipped", "claims": [], "metrics": {}}).status
        'skipped'
    """
    if not isinstance(data, dict):
        raise ResultError(f"a result must be a JSON object, got {_describe(data)}")
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ResultError(f"result uses schema version {version}, newer than the {SCHEMA_VERSION} this "
                          "tinytorch-results reads: upgrade tinytorch-results")
    problems = []
    _check(data, schema(), "result", problems)
    if problems:
        raise ResultError("invalid result: " + "; ".join(problems))
    claims = []
    for i, item in enumerate(data["claims"]):
        try:
            claims.append(Claim(**item))
        except ResultError as exc:
            problems.append(f"result.claims[{i}]: {exc}")
    if problems:
        raise ResultError("invalid result: " + "; ".join(problems))
    result = Result(data["milestone"], claims, data["metrics"], data["quick"])
    for key in ("passed", "status"):
        if data[key] != getattr(result, key):
            raise ResultError(f"invalid result: result.{key} is {json.dumps(data[key])} but the claims "
                              f"give {json.dumps(getattr(result, key))}")
    return result
