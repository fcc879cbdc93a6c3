import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.activations import gelu, log_softmax, relu, sigmoid, softmax
from tinytorch.tensor import Tensor

settings.register_profile("activations", max_examples=60, deadline=None)
settings.load_profile("activations")

finite64 = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=64)
arrays64 = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=5),
                      elements=finite64)


@st.composite
def array_and_dim(draw):
    a = draw(arrays64)
    return a, draw(st.integers(-a.ndim, a.ndim - 1))


@given(array_and_dim())
def test_softmax_is_a_distribution(case):
    a, dim = case
    p = softmax(Tensor(a), dim).data
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=dim), 1.0, rtol=1e-12)


@given(array_and_dim())
def test_log_softmax_is_log_of_softmax_in_float64(case):
    a, dim = case
    a = np.clip(a, -300, 300)  # keep softmax clear of underflow so that log(softmax) is finite
    np.testing.assert_allclose(log_softmax(Tensor(a), dim).data,
                               np.log(softmax(Tensor(a), dim).data), rtol=1e-9, atol=1e-12)


@given(array_and_dim(), st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(case, shift):
    a, dim = case
    np.testing.assert_allclose(softmax(Tensor(a + shift), dim).data, softmax(Tensor(a), dim).data,
                               atol=1e-9)


@given(arrays64)
def test_relu_is_idempotent_and_nonnegative(a):
    once = relu(Tensor(a))
    np.testing.assert_array_equal(relu(once).data, once.data)
    assert (once.data >= 0).all()


@given(arrays64)
def test_sigmoid_symmetry_and_range(a):
    s = sigmoid(Tensor(a)).data
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(s + sigmoid(Tensor(-a)).data, 1.0, rtol=1e-15)


@given(arrays64, st.sampled_from(["none", "tanh"]))
def test_gelu_is_between_min_and_relu(a, approximate):
    # GELU(x) = x * Phi(x) with Phi in [0, 1]: between min(x, 0) and max(x, 0)
    g = gelu(Tensor(a), approximate=approximate).data
    assert (g <= np.maximum(a, 0) + 1e-12).all()
    assert (g >= np.minimum(a, 0) - 1e-12).all()
    assert (g >= -0.17).all()  # the global minimum of GELU is about -0.17


@given(arrays64)
def test_gelu_tanh_approximation_is_close_to_exact(a):
    np.testing.assert_allclose(gelu(Tensor(a), approximate="tanh").data, gelu(Tensor(a)).data,
                               atol=5e-4)


finite32 = st.floats(-2.0**126, 2.0**126, allow_nan=False, allow_infinity=False, width=32)
arrays32 = hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=4, max_side=6),
                      elements=finite32 | st.floats(-20, 20, width=32))


@given(arrays32)
def test_float32_gelu_agrees_with_the_float64_path(a):
    # the in-place float32 path (and its clamped branch for |a| >= 16) against float64 on the
    # same values, rounded to float32: within 3e-7 absolute or 4e-7 relative
    g = gelu(Tensor(a)).data
    assert g.dtype == np.float32 and g.shape == a.shape
    reference = gelu(Tensor(a.astype(np.float64))).data
    np.testing.assert_allclose(g, reference, rtol=4e-7, atol=3e-7)
    assert (g <= np.maximum(a, 0)).all() and (g >= np.minimum(a, 0)).all()
