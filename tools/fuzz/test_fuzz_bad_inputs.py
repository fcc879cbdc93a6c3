"""The differential bad-input suite in CI: each probe's result or error class equals torch's.

Probes that still differ are listed with their owner in ``known_gaps.PROBES`` and run as
``xfail(strict=True)``.
"""

import pytest

pytest.importorskip("torch")

import known_gaps  # noqa: E402
from bad_inputs import PROBES, differ, outcome  # noqa: E402
from sides import OURS, THEIRS  # noqa: E402


@pytest.mark.parametrize("name", list(PROBES))
def test_bad_input_matches_torch(name, request):
    if name in known_gaps.PROBES:
        request.applymarker(pytest.mark.xfail(strict=True, reason=known_gaps.PROBES[name]))
    ours, theirs = outcome(PROBES[name], OURS), outcome(PROBES[name], THEIRS)
    if name in known_gaps.TORCH_IS_WRONG:
        expected, why = known_gaps.TORCH_IS_WRONG[name]
        assert ours[0] == "error" and issubclass(ours[1], expected), f"expected {expected.__name__} ({why}), got {ours}"
        return
    diff = differ(ours, theirs)
    assert diff is None, f"{name}: {diff}"


def test_known_gaps_name_real_probes():
    assert set(known_gaps.PROBES) <= set(PROBES)
    assert set(known_gaps.TORCH_IS_WRONG) <= set(PROBES)
    assert not set(known_gaps.PROBES) & set(known_gaps.TORCH_IS_WRONG)
