"""Property tests (hypothesis): shapes, naive == fast, pooling bounds, normalisation, linearity."""

import numpy as np
from hypothesis import given, settings, strategies as st

from tinytorch.spatial import ops

_geometry = dict(
    n=st.integers(1, 3), c_in=st.integers(1, 3), c_out=st.integers(1, 4), h=st.integers(3, 9), w=st.integers(3, 9),
    k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2),
    seed=st.integers(0, 2**16),
)


def _conv_case(n, c_in, c_out, h, w, k, padding, dilation, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w))
    wt = rng.standard_normal((c_out, c_in, k, k))
    return rng, x, wt, h + 2 * padding - dilation * (k - 1) > 0 and w + 2 * padding - dilation * (k - 1) > 0


@settings(max_examples=40, deadline=None)
@given(**_geometry)
def test_fast_conv_equals_naive_and_has_torch_shape(n, c_in, c_out, h, w, k, stride, padding, dilation, seed):
    rng, x, wt, fits = _conv_case(n, c_in, c_out, h, w, k, padding, dilation, seed)
    if not fits:
        return
    args = ((stride, stride), (padding, padding), (dilation, dilation))
    b = rng.standard_normal(c_out)
    fast, naive = ops.conv2d(x, wt, b, *args), ops.conv2d_naive(x, wt, b, *args)
    ho = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    wo = (w + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    assert fast.shape == naive.shape == (n, c_out, ho, wo)
    np.testing.assert_allclose(fast, naive, rtol=1e-10, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(**_geometry)
def test_conv_backward_is_the_adjoint_of_forward(n, c_in, c_out, h, w, k, stride, padding, dilation, seed):
    # <conv(x), g> = <x, dx(g)> and = <w, dw(g)>: the rule is the transpose of the linear map.
    rng, x, wt, fits = _conv_case(n, c_in, c_out, h, w, k, padding, dilation, seed)
    if not fits:
        return
    args = ((stride, stride), (padding, padding), (dilation, dilation))
    out = ops.conv2d(x, wt, None, *args)
    g = rng.standard_normal(out.shape)
    dx, dw, _ = ops.conv2d_backward(g, out, x, wt, None, *args)
    np.testing.assert_allclose(np.vdot(out, g), np.vdot(x, dx), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.vdot(out, g), np.vdot(wt, dw), rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(2, 9), w=st.integers(2, 9), k=st.integers(1, 3),
       stride=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_pools_bound_each_other_and_route_all_gradient(n, c, h, w, k, stride, seed):
    if k > min(h, w):
        return
    x = np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(np.float32)
    args = ((k, k), (stride, stride))
    mx, avg = ops.max_pool2d(x, *args), ops.avg_pool2d(x, *args)
    assert mx.shape == avg.shape
    assert np.all(mx >= avg - 1e-5) and np.all(mx <= x.max())
    (dx,) = ops.max_pool2d_backward(np.ones_like(mx), mx, x, *args)
    assert dx.sum() == mx.size  # every output sends its whole gradient to exactly one element
    (da,) = ops.avg_pool2d_backward(np.ones_like(avg), avg, x, *args)
    np.testing.assert_allclose(da.sum(), avg.size, rtol=1e-5)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 5), c=st.integers(1, 4), hw=st.integers(1, 4), scale=st.floats(0.5, 50.0),
       shift=st.floats(-100.0, 100.0), seed=st.integers(0, 2**16))
def test_batch_norm_output_is_standardised_and_shift_invariant(n, c, hw, scale, shift, seed):
    x = np.random.default_rng(seed).standard_normal((n, c, hw, hw))
    y = ops.batch_norm(x, None, None, eps=0.0)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(ops.batch_norm(x * scale + shift, None, None, eps=0.0), y, atol=1e-6)
    (dx, _, _) = ops.batch_norm_backward(np.ones_like(x), y, x, None, None, eps=0.0)
    np.testing.assert_allclose(dx, 0.0, atol=1e-9)  # a constant upstream gradient is normalised away
