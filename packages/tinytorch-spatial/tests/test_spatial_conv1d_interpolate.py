"""conv1d / Conv1d, 1-d pooling and interpolate / Upsample: by hand, properties, float64 gradient
checks, bad input, and against PyTorch 2.13 with a random upstream gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.autograd import gradcheck
from tinytorch.spatial import (
    AdaptiveAvgPool1d, AvgPool1d, Conv1d, MaxPool1d, Upsample, adaptive_avg_pool1d, avg_pool1d, conv1d,
    conv2d, interpolate, max_pool1d,
)
from tinytorch.tensor import ShapeError, Tensor, arange, ones


def f64(rng, *shape, grad=True):
    return Tensor(rng.standard_normal(shape), requires_grad=grad)


class TestConv1dByHand:
    def test_sums_of_a_window(self):
        out = conv1d(arange(5.0).reshape(1, 1, 5), ones(1, 1, 2))
        np.testing.assert_array_equal(out.data, [[[1.0, 3.0, 5.0, 7.0]]])

    def test_equals_conv2d_of_height_one(self):
        rng = np.random.default_rng(0)
        x, w, b = f64(rng, 2, 3, 9, grad=False), f64(rng, 4, 3, 3, grad=False), f64(rng, 4, grad=False)
        ref = conv2d(x.unsqueeze(2), w.unsqueeze(2), b, (1, 2), (0, 1), (1, 2)).squeeze(2)
        np.testing.assert_allclose(conv1d(x, w, b, 2, 1, 2).data, ref.data)

    def test_unbatched_and_same_padding(self):
        x, w = ones(3, 7), ones(2, 3, 4)
        assert conv1d(x, w).shape == (2, 4)
        out = conv1d(x, w, padding="same")  # total padding 3: one zero left, two right
        assert out.shape == (2, 7)
        np.testing.assert_array_equal(out.data[0], [9.0, 12.0, 12.0, 12.0, 12.0, 9.0, 6.0])

    def test_layer(self):
        m = Conv1d(16, 33, 3, stride=2, bias=False)
        assert m.weight.shape == (33, 16, 3) and m.bias is None
        assert m(ones(20, 16, 50)).shape == (20, 33, 24)
        assert [n for n, _ in Conv1d(2, 3, 1).named_parameters()] == ["weight", "bias"]
        bound = 1 / np.sqrt(16 * 3)
        assert np.abs(m.weight.data).max() <= bound and m.weight.dtype == np.float32


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(3, 12), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_conv1d_output_length_formula(n, c, length, k, stride, padding, dilation):
    if dilation * (k - 1) + 1 > length + 2 * padding:
        return
    out = conv1d(ones(n, c, length), ones(2, c, k), None, stride, padding, dilation)
    assert out.shape == (n, 2, (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, "same", 2), (1, "same", 1)])
def test_conv1d_gradcheck(stride, padding, dilation):
    rng = np.random.default_rng(1)
    x, w, b = f64(rng, 2, 3, 8), f64(rng, 4, 3, 2), f64(rng, 4)
    assert gradcheck(lambda x, w, b: conv1d(x, w, b, stride, padding, dilation), x, w, b)


class TestConv1dBadInput:
    def test_wrong_input_rank(self):
        with pytest.raises(ShapeError, match=r"2D \(unbatched\) or 3D \(batched\).*\[5\]"):
            conv1d(ones(5), ones(1, 1, 1))

    def test_wrong_weight_rank_and_channels(self):
        with pytest.raises(ShapeError, match="weight of shape"):
            conv1d(ones(1, 3, 5), ones(4, 3, 3, 1))
        with pytest.raises(RuntimeError, match="3 channels"):
            conv1d(ones(1, 3, 5), ones(4, 2, 3))

    def test_bad_options(self):
        with pytest.raises(ValueError, match="stride must be at least 1"):
            conv1d(ones(1, 1, 5), ones(1, 1, 1), stride=0)
        with pytest.raises(ValueError, match="needs stride 1"):
            Conv1d(1, 1, 3, stride=2, padding="same")
        with pytest.raises(ValueError, match="in_channels must be a positive int"):
            Conv1d(0, 1, 3)


class TestPool1d:
    def test_by_hand(self):
        x = Tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]])
        assert max_pool1d(x, 2).data.tolist() == [[[3.0, 2.0]]]
        assert avg_pool1d(x, 2, 1).data.tolist() == [[[2.0, 2.5, 1.0, 2.5]]]
        np.testing.assert_allclose(adaptive_avg_pool1d(x, 1).data, [[[2.2]]], rtol=1e-6)
        assert max_pool1d(x[0], 3, 1, 1).shape == (1, 5)  # unbatched

    def test_layers(self):
        x = ones(2, 4, 10)
        assert MaxPool1d(2)(x).shape == (2, 4, 5) and AvgPool1d(3, 2)(x).shape == (2, 4, 4)
        assert AdaptiveAvgPool1d(3)(x).shape == (2, 4, 3)

    @pytest.mark.parametrize("fn, args", [(max_pool1d, (2,)), (max_pool1d, (3, 2, 1)),
                                          (avg_pool1d, (3, 2, 1)), (adaptive_avg_pool1d, (3,))])
    def test_gradcheck(self, fn, args):
        # distinct values, so the max of each window is unique and the gradient is defined
        x = Tensor(np.random.default_rng(7).permutation(18).reshape(1, 2, 9) * 0.1, requires_grad=True)
        assert gradcheck(lambda x: fn(x, *args), x)

    def test_bad_input(self):
        with pytest.raises(ShapeError, match=r"2D \(unbatched\) or 3D"):
            max_pool1d(ones(1, 1, 2, 2), 2)
        with pytest.raises(ValueError, match="kernel_size must be"):
            avg_pool1d(ones(1, 1, 4), (2, 2))


class TestInterpolateByHand:
    def test_nearest_repeats(self):
        out = interpolate(arange(4.0).reshape(1, 1, 2, 2), scale_factor=2)
        np.testing.assert_array_equal(out.data[0, 0], [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])

    def test_linear_half_pixel_centres(self):
        out = interpolate(Tensor([[[0.0, 4.0]]]), size=4, mode="linear")
        np.testing.assert_allclose(out.data, [[[0.0, 1.0, 3.0, 4.0]]])

    def test_layer(self):
        assert Upsample(scale_factor=2, mode="bilinear")(ones(1, 3, 4, 5)).shape == (1, 3, 8, 10)
        assert Upsample(size=(2, 3))(ones(1, 1, 4, 4)).shape == (1, 1, 2, 3)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 9), st.integers(1, 9),
       st.sampled_from(["nearest", "bilinear"]))
def test_constant_images_stay_constant(h, w, out_h, out_w, mode):
    out = interpolate(ones(1, 2, h, w) * 3.0, size=(out_h, out_w), mode=mode)
    assert out.shape == (1, 2, out_h, out_w)
    np.testing.assert_allclose(out.data, 3.0, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"size": (5, 7), "mode": "bilinear"},
    {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True},
    {"scale_factor": 2, "mode": "nearest"},
])
def test_interpolate_gradcheck(kwargs):
    rng = np.random.default_rng(2)
    x = f64(rng, 1, 2, 3, 4)
    assert gradcheck(lambda x: interpolate(x, **kwargs), x)


class TestInterpolateBadInput:
    x = ones(1, 1, 3, 4)

    @pytest.mark.parametrize("kwargs, error, match", [
        ({}, ValueError, "either size or scale_factor"),
        ({"size": 2, "scale_factor": 2}, ValueError, "only one of size or scale_factor"),
        ({"scale_factor": 2, "align_corners": True}, ValueError, "align_corners option"),
        ({"scale_factor": 2, "mode": "linear"}, NotImplementedError, "Got 4D input, but linear"),
        ({"scale_factor": 2, "mode": "bicubic"}, NotImplementedError, "'bicubic' is not implemented"),
        ({"size": (2, 3, 4)}, ValueError, "same number of spatial dimensions"),
        ({"size": (5, 0)}, RuntimeError, "greater than 0"),
        ({"scale_factor": 2, "antialias": True}, NotImplementedError, "antialias"),
    ])
    def test_errors(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            interpolate(self.x, **kwargs)

    def test_integer_input(self):
        with pytest.raises(NotImplementedError, match="int64"):
            interpolate(Tensor(np.zeros((1, 1, 2, 2), np.int64)), scale_factor=2)


@pytest.fixture
def torch():
    """PyTorch 2.13 for the differential tests; only they are skipped without it."""
    return pytest.importorskip("torch")


def _against_torch(torch, ours_fn, torch_fn, *arrays, rtol=1e-10):
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours_fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=1e-12)
    upstream = np.random.default_rng(3).standard_normal(ref.shape)
    out.backward(Tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=1e-11)


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": "same"},
                                    {"padding": "same"}, {"padding": "valid"}])
def test_conv1d_matches_torch(torch, kwargs):
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 4)), rng.standard_normal(4)
    _against_torch(torch, lambda x, w, b: conv1d(x, w, b, **kwargs),
                   lambda x, w, b: torch.nn.functional.conv1d(x, w, b, **kwargs), x, w, b)


def test_conv1d_layer_matches_torch_with_copied_weights(torch):
    ours, theirs = Conv1d(3, 5, 3, padding=1), torch.nn.Conv1d(3, 5, 3, padding=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((2, 3, 7)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 5, 7), {"scale_factor": 2}),
    ((2, 3, 5, 7), {"size": (3, 11)}),
    ((2, 3, 5, 7), {"scale_factor": (1.7, 0.4)}),
    ((2, 3, 5, 7), {"size": (8, 13), "mode": "bilinear"}),
    ((2, 3, 5, 7), {"size": (8, 3), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 5, 7), {"scale_factor": 1.5, "mode": "bilinear", "recompute_scale_factor": True}),
    ((2, 3, 6), {"size": 13, "mode": "linear"}),
    ((2, 3, 6), {"scale_factor": 2.5, "mode": "linear", "align_corners": True}),
    ((2, 3, 6), {"scale_factor": 3}),
])
def test_interpolate_matches_torch(torch, shape, kwargs):
    x = np.random.default_rng(6).standard_normal(shape)
    _against_torch(torch, lambda x: interpolate(x, **kwargs),
                   lambda x: torch.nn.functional.interpolate(x, **kwargs), x)


@pytest.mark.parametrize("ours, name, args", [
    (max_pool1d, "max_pool1d", (2,)), (max_pool1d, "max_pool1d", (3, 2, 1, 1, True)),
    (avg_pool1d, "avg_pool1d", (3, 2, 1)), (avg_pool1d, "avg_pool1d", (2, None, 1, True, False)),
    (adaptive_avg_pool1d, "adaptive_avg_pool1d", (4,)),
])
def test_pool1d_matches_torch(torch, ours, name, args):
    x = np.random.default_rng(8).standard_normal((2, 3, 9))
    theirs = getattr(torch.nn.functional, name)
    _against_torch(torch, lambda x: ours(x, *args), lambda x: theirs(x, *args), x)


def test_pool1d_layer_reprs_match_torch(torch):
    assert repr(MaxPool1d(2)) == repr(torch.nn.MaxPool1d(2))
    assert repr(AvgPool1d(3, 2)) == repr(torch.nn.AvgPool1d(3, 2))
    assert repr(AdaptiveAvgPool1d(4)) == repr(torch.nn.AdaptiveAvgPool1d(4))
