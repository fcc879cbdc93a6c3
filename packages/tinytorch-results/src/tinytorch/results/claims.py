"""Claims and results: what a milestone measured, what it promised, and whether it delivered.

A **claim** is one checkable promise: ``mnist_test_accuracy >= 0.98``. Its target is a *number*
with a separate comparison operator (never a string such as ``">= 0.98"``): numbers compare
without parsing, every reader agrees on what the threshold is, and the table can print it in any
style. A claim is *skipped* (not failed) when its input cannot exist here, e.g. CIFAR-10 is not
downloaded; a skipped claim carries the reason and the fix.

A **result** is one run of a milestone: its claims, its metrics (parameters, FLOPs, wall time, ...)
and the verdict, computed by one rule (:func:`verdict`):

- a run *passes* when at least one claim was checked and every checked claim held;
- skipped claims do not count either way, but a run whose claims were all skipped is not passed
  (nothing was shown).
"""

import math
import numbers
from dataclasses import dataclass, field

SCHEMA_VERSION = 1

# Comparison operators a claim may use: ``value OP target``.
OPS = {
    ">=": lambda value, target: value >= target,
    "<=": lambda value, target: value <= target,
    ">": lambda value, target: value > target,
    "<": lambda value, target: value < target,
    "==": lambda value, target: value == target,
}


class ResultError(ValueError):
    """A claim or result that breaks the schema; the message names the field and what is wrong."""


def _number(value, what):
    """``value`` as an int or float (NumPy scalars and 0-d arrays included); ResultError otherwise."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()  # NumPy scalar / 0-d array -> Python number
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ResultError(f"{what} must be a real number, got {value!r} ({type(value).__name__})")
    return value if isinstance(value, int) else float(value)


@dataclass(frozen=True)
class Claim:
    """One promise a milestone checks: ``value op target``.

    Build claims with :meth:`check` (measured) or :meth:`skip` (not measurable here) rather than
    by hand, so that ``passed`` always agrees with ``value``, ``op`` and ``target``.

    Args:
        name: identifier, e.g. ``"mnist_test_accuracy"``.
        op: one of ``>=``, ``<=``, ``>``, ``<``, ``==``.
        target: the threshold (a number).
        value: what was measured, or ``None`` when nothing was (skipped, or the value was NaN).
        passed: whether ``value op target`` holds; always False for a skipped claim.
        skipped: the claim could not be checked here (missing data); it counts neither way.
        reason: why it was skipped or why there is no value, with the fix.
        description: one human line saying what the claim means.

    Example:
        >>> Claim.check("test_accuracy", 0.981, ">=", 0.98).passed
        True
        >>> Claim.skip("cifar10_test_accuracy", ">=", 0.75, "CIFAR-10 not found").skipped
        True
    """

    name: str
    op: str
    target: float
    value: float | None
    passed: bool
    skipped: bool = False
    reason: str | None = None
    description: str | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ResultError(f"claim name must be a non-empty string, got {self.name!r}")
        if self.op not in OPS:
            raise ResultError(f"claim {self.name!r}: op must be one of {', '.join(OPS)}, got {self.op!r}")
        object.__setattr__(self, "target", _number(self.target, f"claim {self.name!r}: target"))
        if not math.isfinite(self.target):
            raise ResultError(f"claim {self.name!r}: target must be finite, got {self.target!r}")
        if self.value is not None:
            object.__setattr__(self, "value", _number(self.value, f"claim {self.name!r}: value"))
            if not math.isfinite(self.value):
                raise ResultError(f"claim {self.name!r}: value must be finite or None, got {self.value!r}")
        for flag in ("passed", "skipped"):
            if not isinstance(getattr(self, flag), bool):
                raise ResultError(f"claim {self.name!r}: {flag} must be true or false, "
                                  f"got {getattr(self, flag)!r}")
        for text in ("reason", "description"):
            if getattr(self, text) is not None and not isinstance(getattr(self, text), str):
                raise ResultError(f"claim {self.name!r}: {text} must be a string or None, "
                                  f"got {getattr(self, text)!r}")
        if self.skipped:
            if self.passed or self.value is not None:
                raise ResultError(f"claim {self.name!r}: a skipped claim has no value and is not passed")
            if not self.reason:
                raise ResultError(f"claim {self.name!r}: a skipped claim needs a reason (and its fix)")
        else:
            expected = self.value is not None and OPS[self.op](self.value, self.target)
            if self.passed != expected:
                raise ResultError(
                    f"claim {self.name!r}: passed is {self.passed} but value {self.value!r} {self.op} "
                    f"target {self.target!r} is {expected}")

    @classmethod
    def check(cls, name, value, op, target, *, description=None, reason=None):
        """A measured claim; ``passed`` is computed. A NaN/inf/None value fails with a reason."""
        if value is not None:
            value = _number(value, f"claim {name!r}: value")
            if not math.isfinite(value):
                reason = reason or f"the measured value was {value}"
                value = None
        elif reason is None:
            reason = "no value was measured"
        target = _number(target, f"claim {name!r}: target")
        if op not in OPS:
            raise ResultError(f"claim {name!r}: op must be one of {', '.join(OPS)}, got {op!r}")
        passed = value is not None and bool(OPS[op](value, target))
        return cls(name, op, target, value, passed, False, reason, description)

    @classmethod
    def skip(cls, name, op, target, reason, *, description=None):
        """A claim that cannot be checked here; ``reason`` says why and how to enable it."""
        return cls(name, op, target, None, False, True, reason, description)

    @property
    def status(self):
        """``"passed"``, ``"failed"`` or ``"skipped"``."""
        return "skipped" if self.skipped else "passed" if self.passed else "failed"

    def to_dict(self):
        """The JSON form (every field present, ``null`` where empty)."""
        return {"name": self.name, "op": self.op, "target": self.target, "value": self.value,
                "passed": self.passed, "skipped": self.skipped, "reason": self.reason,
                "description": self.description}


def verdict(claims):
    """The one passed rule: some claim checked, and every checked claim held.

    Example:
        >>> ok = Claim.check("a", 1.0, ">=", 0.9)
        >>> gone = Claim.skip("b", ">=", 0.9, "data absent")
        >>> verdict([ok, gone]), verdict([gone])
        (True, False)
    """
    checked = [c for c in claims if not c.skipped]
    return bool(checked) and all(c.passed for c in checked)


def _jsonable(value, where):
    """Metrics as plain JSON: NumPy values unwrapped, non-finite floats spelled as strings."""
    if hasattr(value, "tolist"):
        value = value.tolist()  # NumPy scalar or array
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # 'nan', 'inf', '-inf': JSON has none
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise ResultError(f"{where}: keys must be strings, got {key!r}")
            out[key] = _jsonable(v, f"{where}.{key}")
        return out
    raise ResultError(f"{where}: {type(value).__name__} is not JSON (use numbers, strings, lists, dicts)")


@dataclass(frozen=True)
class Result:
    """One run of a milestone: its claims, metrics and the verdict.

    Args:
        milestone: the milestone's short name, e.g. ``"mlp"``.
        claims: the :class:`Claim` list, in the order to show them.
        metrics: JSON-able values; conventional keys are ``parameters``, ``flops_per_sample``
            and ``wall_seconds`` (the systems insight every milestone reports).
        quick: whether this was the reduced ``--quick`` run.

    Example:
        >>> r = Result("demo", [Claim.check("acc", 0.99, ">=", 0.9)], {"wall_seconds": 1.5})
        >>> r.passed, r.status
        (True, 'passed')
    """

    milestone: str
    claims: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    quick: bool = False

    def __post_init__(self):
        if not isinstance(self.milestone, str) or not self.milestone:
            raise ResultError(f"milestone must be a non-empty string, got {self.milestone!r}")
        claims = list(self.claims)
        names = set()
        for claim in claims:
            if not isinstance(claim, Claim):
                raise ResultError(f"claims must be Claim objects, got {claim!r}")
            if claim.name in names:
                raise ResultError(f"claim name {claim.name!r} appears twice")
            names.add(claim.name)
        if not isinstance(self.metrics, dict):
            raise ResultError(f"metrics must be a dict, got {type(self.metrics).__name__}")
        if not isinstance(self.quick, bool):
            raise ResultError(f"quick must be true or false, got {self.quick!r}")
        object.__setattr__(self, "claims", claims)
        object.__setattr__(self, "metrics", _jsonable(self.metrics, "metrics"))

    @property
    def passed(self):
        """The verdict of :func:`verdict` over the claims."""
        return verdict(self.claims)

    @property
    def status(self):
        """``"passed"``, ``"failed"`` (a checked claim did not hold) or ``"skipped"`` (none checked)."""
        if self.passed:
            return "passed"
        return "failed" if any(not c.skipped for c in self.claims) else "skipped"

    def claim(self, name):
        """The claim called ``name`` (KeyError naming the known ones otherwise)."""
        for claim in self.claims:
            if claim.name == name:
                return claim
        raise KeyError(f"no claim {name!r}; claims are {[c.name for c in self.claims]}")

    def to_dict(self):
        """The JSON form: schema version, milestone, quick, passed, status, claims, metrics."""
        return {"schema_version": SCHEMA_VERSION, "milestone": self.milestone, "quick": self.quick,
                "passed": self.passed, "status": self.status,
                "claims": [c.to_dict() for c in self.claims], "metrics": self.metrics}
