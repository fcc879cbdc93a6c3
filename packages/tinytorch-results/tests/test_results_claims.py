"""Claims, the passed rule and the Result's JSON form, checked by hand."""

import math

import numpy as np
import pytest

from tinytorch.results import Claim, Result, ResultError, verdict


def test_check_computes_passed_for_every_op():
    assert Claim.check("a", 0.98, ">=", 0.98).passed
    assert not Claim.check("a", 0.9799, ">=", 0.98).passed
    assert Claim.check("a", 0.75, "<=", 0.75).passed
    assert not Claim.check("a", 0.76, "<=", 0.75).passed
    assert not Claim.check("a", 1.5, "<", 1.5).passed
    assert Claim.check("a", 1.49, "<", 1.5).passed
    assert not Claim.check("a", 12, ">", 12).passed
    assert Claim.check("a", 1, "==", 1.0).passed


def test_target_and_value_are_numbers_with_numpy_unwrapped():
    claim = Claim.check("acc", np.float32(0.5), ">=", np.float64(0.25))
    assert type(claim.value) is float and type(claim.target) is float
    assert Claim.check("n", np.int64(3), ">=", 2).value == 3
    assert Claim.check("n", np.array(0.5), ">=", 0.1).value == 0.5


@pytest.mark.parametrize("target", [">= 0.98", "0.98", None, True, [0.98]])
def test_target_that_is_not_a_number_is_refused(target):
    with pytest.raises(ResultError, match="target must be a real number"):
        Claim.check("acc", 0.99, ">=", target)


@pytest.mark.parametrize("value", ["0.99", True, [0.99], {"v": 1}])
def test_value_that_is_not_a_number_is_refused(value):
    with pytest.raises(ResultError, match="value must be a real number"):
        Claim.check("acc", value, ">=", 0.5)


def test_unknown_op_and_empty_name_are_refused():
    with pytest.raises(ResultError, match="op must be one of"):
        Claim.check("acc", 0.9, "=>", 0.5)
    with pytest.raises(ResultError, match="name must be a non-empty string"):
        Claim.check("", 0.9, ">=", 0.5)
    with pytest.raises(ResultError, match="target must be finite"):
        Claim("acc", ">=", math.inf, 1.0, True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, None])
def test_non_finite_or_missing_value_fails_with_a_reason(value):
    claim = Claim.check("loss", value, "<=", 1.5)
    assert claim.value is None and not claim.passed and not claim.skipped
    assert claim.reason and claim.status == "failed"


def test_skip_needs_a_reason_and_has_no_value():
    claim = Claim.skip("cifar10", ">=", 0.75, "CIFAR-10 absent: put it in ~/.cache/tinytorch")
    assert claim.skipped and not claim.passed and claim.value is None and claim.status == "skipped"
    with pytest.raises(ResultError, match="needs a reason"):
        Claim.skip("cifar10", ">=", 0.75, "")
    with pytest.raises(ResultError, match="no value and is not passed"):
        Claim("cifar10", ">=", 0.75, 0.8, False, True, "absent")


def test_hand_built_claim_whose_passed_lies_is_refused():
    with pytest.raises(ResultError, match="passed is True but value 0.5 >= target 0.9 is False"):
        Claim("acc", ">=", 0.9, 0.5, True)
    with pytest.raises(ResultError, match="passed must be true or false"):
        Claim("acc", ">=", 0.9, 0.95, 1)


def test_verdict_skipped_claims_count_neither_way_but_all_skipped_is_not_passed():
    ok = Claim.check("a", 1.0, ">=", 0.9)
    bad = Claim.check("b", 0.1, ">=", 0.9)
    gone = Claim.skip("c", ">=", 0.9, "data absent")
    assert verdict([ok, gone]) is True
    assert verdict([ok, bad, gone]) is False
    assert verdict([gone]) is False
    assert verdict([]) is False
    assert Result("m", [ok, gone]).status == "passed"
    assert Result("m", [bad, gone]).status == "failed"
    assert Result("m", [gone]).status == "skipped"
    assert Result("m", []).status == "skipped"


def test_result_refuses_duplicate_names_and_non_claims():
    ok = Claim.check("a", 1.0, ">=", 0.9)
    with pytest.raises(ResultError, match="appears twice"):
        Result("m", [ok, ok])
    with pytest.raises(ResultError, match="must be Claim objects"):
        Result("m", [ok.to_dict()])
    with pytest.raises(ResultError, match="milestone must be a non-empty string"):
        Result("", [ok])
    with pytest.raises(ResultError, match="quick must be true or false"):
        Result("m", [ok], quick="yes")


def test_metrics_become_plain_json():
    result = Result("m", [], {"params": np.int64(7), "curve": np.array([0.5, 1.0], dtype=np.float32),
                              "loss": float("nan"), "nested": {"t": (1, 2)}})
    assert result.metrics == {"params": 7, "curve": [0.5, 1.0], "loss": "nan", "nested": {"t": [1, 2]}}
    with pytest.raises(ResultError, match=r"metrics.nested: keys must be strings"):
        Result("m", [], {"nested": {1: 2}})
    with pytest.raises(ResultError, match=r"metrics.obj: object is not JSON"):
        Result("m", [], {"obj": object()})


def test_to_dict_has_every_field_and_claim_lookup():
    claim = Claim.check("acc", 0.99, ">=", 0.98, description="test accuracy")
    result = Result("mlp", [claim], {"wall_seconds": 1.0}, quick=True)
    data = result.to_dict()
    assert data == {"schema_version": 1, "milestone": "mlp", "quick": True, "passed": True,
                    "status": "passed", "claims": [claim.to_dict()], "metrics": {"wall_seconds": 1.0}}
    assert set(claim.to_dict()) == {"name", "op", "target", "value", "passed", "skipped", "reason",
                                    "description"}
    assert result.claim("acc") is claim
    with pytest.raises(KeyError, match="claims are"):
        result.claim("nope")
