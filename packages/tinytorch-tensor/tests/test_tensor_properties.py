"""Property tests: Tensor ops agree with the NumPy expressions they stand for, on random shapes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinytorch.tensor as tt
from tinytorch.tensor import Tensor

settings.register_profile("tinytorch", max_examples=60, deadline=None)
settings.load_profile("tinytorch")

finite = st.floats(-100, 100, width=32, allow_nan=False, allow_infinity=False)
arrays = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=4, max_side=5), elements=finite)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    a = draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=finite))
    b = draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=finite))
    return a, b


@st.composite
def array_and_dim(draw):
    a = draw(arrays)
    return a, draw(st.integers(-a.ndim, a.ndim - 1))


@given(broadcastable_pair())
def test_binary_ops_broadcast_like_numpy(pair):
    a, b = pair
    ta, tb = Tensor(a), Tensor(b)
    np.testing.assert_array_equal((ta + tb).data, a + b)
    np.testing.assert_array_equal((ta * tb).data, a * b)
    np.testing.assert_array_equal((ta - tb).data, a - b)
    assert (ta + tb).shape == np.broadcast_shapes(a.shape, b.shape)


@given(broadcastable_pair())
def test_addition_commutes_and_zero_is_neutral(pair):
    a, b = pair
    ta, tb = Tensor(a), Tensor(b)
    np.testing.assert_array_equal((ta + tb).data, (tb + ta).data)
    np.testing.assert_array_equal((ta + 0.0).data, a)


@given(array_and_dim(), st.booleans())
def test_reductions_match_numpy(a_dim, keepdim):
    a, dim = a_dim
    t = Tensor(a)
    np.testing.assert_allclose(t.sum(dim=dim, keepdim=keepdim).data, a.sum(axis=dim, keepdims=keepdim), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(t.mean(dim=dim, keepdim=keepdim).data, a.mean(axis=dim, keepdims=keepdim), rtol=1e-5, atol=1e-3)
    values, indices = t.max(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(values.data, a.max(axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.data, a.argmax(axis=dim, keepdims=keepdim))


@given(arrays)
def test_reshape_and_flatten_round_trip(a):
    t = Tensor(a)
    np.testing.assert_array_equal(t.flatten().reshape(a.shape).data, a)
    assert t.flatten().shape == (a.size,)


@given(arrays, st.data())
def test_transpose_is_an_involution_and_permute_inverts(a, data):
    t = Tensor(a)
    d0 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    d1 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    np.testing.assert_array_equal(t.transpose(d0, d1).transpose(d0, d1).data, a)
    perm = data.draw(st.permutations(range(a.ndim)))
    inverse = np.argsort(perm)
    np.testing.assert_array_equal(t.permute(*perm).permute(*inverse).data, a)


@given(arrays, st.data())
def test_unsqueeze_then_squeeze_is_identity(a, data):
    dim = data.draw(st.integers(-a.ndim - 1, a.ndim))
    t = Tensor(a)
    assert t.unsqueeze(dim).squeeze(dim).shape == a.shape


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(0, 3))
def test_matmul_matches_numpy_with_batch_dims(n, k, m, batch):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    a = rng.standard_normal((batch, n, k) if batch else (n, k)).astype(np.float32)
    b = rng.standard_normal((k, m)).astype(np.float32)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b, rtol=1e-5, atol=1e-5)


@given(arrays)
def test_clip_bounds_and_abs_nonnegative(a):
    t = Tensor(a)
    c = t.clip(-1.0, 1.0).data
    assert c.min(initial=-1) >= -1 and c.max(initial=1) <= 1
    assert (t.abs().data >= 0).all()


@given(st.integers(0, 2**32 - 1))
def test_manual_seed_determines_every_draw(seed):
    tt.manual_seed(seed)
    first = (tt.randn(3).data, tt.rand(2).data)
    tt.manual_seed(seed)
    second = (tt.randn(3).data, tt.rand(2).data)
    assert all(np.array_equal(x, y) for x, y in zip(first, second))
