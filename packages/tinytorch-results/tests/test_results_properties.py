"""Property tests: any result survives the line and validation unchanged; passed follows the rule."""

from hypothesis import given
from hypothesis import strategies as st

from tinytorch.results import OPS, Claim, Result, format_line, parse_line

numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64))
texts = st.one_of(st.none(), st.text(max_size=20))


@st.composite
def claims(draw, name):
    op = draw(st.sampled_from(list(OPS)))
    target = draw(numbers)
    if draw(st.booleans()):
        return Claim.skip(name, op, target, draw(st.text(min_size=1, max_size=20)))
    return Claim.check(name, draw(st.one_of(st.none(), numbers)), op, target, description=draw(texts))


@st.composite
def results(draw):
    names = draw(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=5))
    metrics = draw(st.dictionaries(st.text(max_size=8), st.one_of(numbers, texts, st.booleans()), max_size=4))
    return Result(draw(st.text(min_size=1, max_size=8)), [draw(claims(n)) for n in names], metrics,
                  draw(st.booleans()))


@given(results())
def test_round_trip_through_the_line(result):
    assert parse_line(format_line(result)) == result


@given(results())
def test_passed_rule(result):
    checked = [c for c in result.claims if not c.skipped]
    assert result.passed == (len(checked) > 0 and all(c.passed for c in checked))
    for claim in checked:
        assert claim.passed == (claim.value is not None and OPS[claim.op](claim.value, claim.target))
