import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse_loss,
)
from tinytorch.tensor import Tensor

settings.register_profile("losses", max_examples=60, deadline=None)
settings.load_profile("losses")

logit = st.floats(-1e4, 1e4, allow_nan=False, width=64)


@st.composite
def classification(draw):
    n = draw(st.integers(1, 6))
    c = draw(st.integers(1, 6))
    logits = draw(hnp.arrays(np.float64, (n, c), elements=logit))
    target = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    ignored = draw(hnp.arrays(np.bool_, (n,)))
    target[ignored] = -100
    return logits, target


@given(classification(), st.floats(0, 1))
def test_cross_entropy_is_nonnegative_and_ignores_ignored(case, eps):
    logits, target = case
    per = cross_entropy(Tensor(logits), Tensor(target), reduction="none",
                        label_smoothing=eps).data
    assert (per >= 0).all()
    assert (per[target == -100] == 0).all()
    total = cross_entropy(Tensor(logits), Tensor(target), reduction="sum",
                          label_smoothing=eps).item()
    np.testing.assert_allclose(total, per.sum(), rtol=1e-12)


@given(classification(), st.floats(-1e3, 1e3))
def test_cross_entropy_is_invariant_to_shifting_the_logits(case, shift):
    logits, target = case
    a = cross_entropy(Tensor(logits), Tensor(target), reduction="none").data
    b = cross_entropy(Tensor(logits + shift), Tensor(target), reduction="none").data
    np.testing.assert_allclose(a, b, atol=1e-9 * (1 + np.abs(logits).max()))


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=logit))
def test_mse_is_zero_against_itself_and_symmetric(a):
    assert mse_loss(Tensor(a), Tensor(a), reduction="sum").item() == 0
    b = a[::-1].copy() if a.ndim else a
    np.testing.assert_array_equal(mse_loss(Tensor(a), Tensor(b), reduction="none").data,
                                  mse_loss(Tensor(b), Tensor(a), reduction="none").data)


@st.composite
def logits_and_labels(draw):
    shape = draw(hnp.array_shapes(max_dims=3, max_side=5))
    x = draw(hnp.arrays(np.float64, shape, elements=logit))
    y = draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    return x, y


@given(logits_and_labels())
def test_bce_with_logits_is_finite_nonnegative_and_at_least_the_entropy(case):
    x, y = case
    loss = binary_cross_entropy_with_logits(Tensor(x), Tensor(y), reduction="none").data
    assert np.isfinite(loss).all()
    # cross-entropy >= entropy of the target distribution, with equality at sigmoid(x) = y
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nan_to_num(y * np.log(y)) - np.nan_to_num((1 - y) * np.log1p(-y))
    assert (loss >= entropy - 1e-9 * (1 + np.abs(x))).all()


@given(logits_and_labels())
def test_bce_of_probabilities_is_bounded_by_the_clamp(case):
    x, y = case
    p = np.clip(np.abs(x) / 1e4, 0, 1)
    loss = binary_cross_entropy(Tensor(p), Tensor(y), reduction="none").data
    assert ((loss >= 0) & (loss <= 100 + 1e-9)).all()
