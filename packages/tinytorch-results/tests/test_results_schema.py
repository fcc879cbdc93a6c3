"""The shipped JSON schema and validate(): every problem named by its field."""

import copy
import json
from importlib.resources import files

import pytest

from tinytorch.results import OPS, SCHEMA_VERSION, Claim, Result, ResultError, schema, validate


def good():
    claims = [Claim.check("acc", 0.99, ">=", 0.98), Claim.skip("cifar", ">=", 0.75, "absent")]
    return Result("cnn", claims, {"parameters": 10}).to_dict()


def test_schema_file_ships_in_the_package_and_matches_the_code():
    text = files("tinytorch.results").joinpath("result.schema.json").read_text()
    data = json.loads(text)
    assert data == schema()
    assert data["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert data["properties"]["claims"]["items"]["properties"]["op"]["enum"] == list(OPS)
    assert set(data["required"]) == set(good())
    assert set(data["properties"]["claims"]["items"]["required"]) == set(good()["claims"][0])


def test_valid_result_round_trips():
    data = good()
    assert validate(data).to_dict() == data


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("claims"), "result: missing required field 'claims'"),
    (lambda d: d.update(extra=1), "result: unknown field 'extra'"),
    (lambda d: d.update(quick="no"), 'result.quick: expected boolean, got "no"'),
    (lambda d: d.update(milestone=""), "result.milestone: must not be empty"),
    (lambda d: d.update(status="ok"), "result.status: expected one of"),
    (lambda d: d.update(schema_version=0), "result.schema_version: expected 1, got 0"),
    (lambda d: d.pop("schema_version"), "missing required field 'schema_version'"),
    (lambda d: d.update(metrics=[]), "result.metrics: expected object, got list"),
    (lambda d: d["claims"][0].update(target=">= 0.98"), 'result.claims[0].target: expected number, got ">= 0.98"'),
    (lambda d: d["claims"][0].update(target=True), "result.claims[0].target: expected number, got true"),
    (lambda d: d["claims"][0].update(value="three"), 'result.claims[0].value: expected number or null'),
    (lambda d: d["claims"][1].pop("reason"), "result.claims[1]: missing required field 'reason'"),
    (lambda d: d["claims"][0].update(op="=>"), "result.claims[0].op: expected one of"),
    (lambda d: d["claims"][0].update(passed=False), "result.claims[0]: claim 'acc': passed is False"),
    (lambda d: d["claims"][1].update(reason=None), "result.claims[1]: claim 'cifar': a skipped claim needs"),
    (lambda d: d.update(passed=False), "result.passed is false but the claims give true"),
    (lambda d: d.update(status="failed"), 'result.status is "failed" but the claims give "passed"'),
])
def test_each_broken_field_is_named(edit, message):
    data = copy.deepcopy(good())
    edit(data)
    with pytest.raises(ResultError, match="invalid result") as info:
        validate(data)
    assert message in str(info.value)


def test_all_problems_are_listed_at_once():
    data = good()
    data["quick"] = 1
    data["claims"][0]["name"] = 5
    with pytest.raises(ResultError) as info:
        validate(data)
    assert "result.quick" in str(info.value) and "result.claims[0].name" in str(info.value)


def test_newer_schema_version_is_refused_with_the_upgrade():
    data = good()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ResultError, match="newer than the 1 this tinytorch-results reads: upgrade"):
        validate(data)


@pytest.mark.parametrize("data", [[], "x", None, 3])
def test_non_object_is_refused(data):
    with pytest.raises(ResultError, match="must be a JSON object"):
        validate(data)
