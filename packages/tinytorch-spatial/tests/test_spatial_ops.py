"""Hand-checkable unit tests of the spatial kernels, functional forms and errors."""

import numpy as np
import pytest

from tinytorch.spatial import avg_pool2d, batch_norm, conv2d, max_pool2d, ops
from tinytorch.tensor import Tensor


def test_conv2d_by_hand():
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    w = Tensor([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] - x[i + 1, j + 1] = -5 everywhere
    out = conv2d(x, w, Tensor([0.5]))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 1, 3, 3), -4.5))


def test_conv2d_stride_padding_dilation_shapes():
    x = Tensor(np.zeros((2, 3, 10, 9), np.float32))
    w = Tensor(np.zeros((5, 3, 3, 3), np.float32))
    assert conv2d(x, w, stride=2, padding=1).shape == (2, 5, 5, 5)
    assert conv2d(x, w, dilation=2).shape == (2, 5, 6, 5)
    assert conv2d(x, w, padding="same").shape == (2, 5, 10, 9)
    assert conv2d(x, w, padding="valid").shape == (2, 5, 8, 7)
    assert conv2d(x, w, stride=(1, 3), padding=(2, 0)).shape == (2, 5, 12, 3)


def test_conv2d_padding_is_zeros():
    out = conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3))), padding=1)
    np.testing.assert_array_equal(out.numpy()[0, 0], [[4.0, 4.0], [4.0, 4.0]])


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), ((1, 2), (2, 1), (2, 1)), (3, 2, 2)])
def test_naive_equals_fast(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    args = [(stride, stride) if isinstance(stride, int) else stride,
            (padding, padding) if isinstance(padding, int) else padding,
            (dilation, dilation) if isinstance(dilation, int) else dilation]
    np.testing.assert_allclose(ops.conv2d(x, w, b, *args), ops.conv2d_naive(x, w, b, *args), rtol=1e-5, atol=1e-5)
    fast = conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding, dilation)
    slow = conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding, dilation, naive=True)
    np.testing.assert_allclose(fast.numpy(), slow.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])  # stride 2 folds dx back by col2im
def test_conv2d_batch_chunking_matches_one_chunk(monkeypatch, stride):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    out = ops.conv2d(x, w, None, stride, (1, 1), (1, 1))
    g = rng.standard_normal(out.shape).astype(np.float32)
    dx, dw, _ = ops.conv2d_backward(g, out, x, w, None, stride, (1, 1), (1, 1))
    monkeypatch.setattr(ops, "CHUNK_BYTES", 1)  # one image per chunk
    np.testing.assert_allclose(ops.conv2d(x, w, None, stride, (1, 1), (1, 1)), out, rtol=1e-5, atol=1e-5)
    dx1, dw1, _ = ops.conv2d_backward(g, out, x, w, None, stride, (1, 1), (1, 1))
    np.testing.assert_allclose(dx1, dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw1, dw, rtol=1e-4, atol=1e-4)


def test_results_never_alias_scratch_buffers():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    first = ops.conv2d(x, w, None, (1, 1), (1, 1), (1, 1))
    kept = first.copy()
    ops.conv2d(-x, w, None, (1, 1), (1, 1), (1, 1))  # same shapes: reuses the same scratch
    np.testing.assert_array_equal(first, kept)
    ops.clear_workspace()
    np.testing.assert_array_equal(ops.conv2d(x, w, None, (1, 1), (1, 1), (1, 1)), kept)


def test_conv2d_output_is_channels_last_in_memory():
    out = ops.conv2d(np.zeros((2, 3, 6, 6), np.float32), np.zeros((4, 3, 3, 3), np.float32))
    assert out.shape == (2, 4, 4, 4)
    assert out.transpose(0, 2, 3, 1).flags.c_contiguous


def test_conv2d_backward_skips_unneeded_grads():
    x = np.ones((1, 1, 3, 3))
    w = np.ones((1, 1, 2, 2))
    out = ops.conv2d(x, w)
    dx, dw, db = ops.conv2d_backward(np.ones_like(out), out, x, w, None,
                                     needs_input_grad=(False, True, False))
    assert dx is None and db is None
    np.testing.assert_array_equal(dw, np.full((1, 1, 2, 2), 4.0))


def test_max_pool_by_hand_and_tie_gradient():
    x = np.array([[[[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 1.0, 0.0]]]])
    out = ops.max_pool2d(x, (2, 2), (2, 2))
    np.testing.assert_array_equal(out, [[[[3.0, 2.0]]]])
    (dx,) = ops.max_pool2d_backward(np.array([[[[1.0, 5.0]]]]), out, x, (2, 2), (2, 2))
    # Ties go to the first maximum in row-major window order, as in PyTorch.
    np.testing.assert_array_equal(dx, [[[[0.0, 1.0, 5.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])


def test_max_pool_padding_is_minus_infinity():
    x = Tensor(-np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(max_pool2d(x, 3, stride=1, padding=1).numpy(), -np.ones((1, 1, 2, 2)))


def test_avg_pool_count_include_pad():
    x = Tensor(np.ones((1, 1, 2, 2)))
    with_pad = avg_pool2d(x, 3, stride=1, padding=1).numpy()
    np.testing.assert_allclose(with_pad[0, 0], [[4 / 9, 4 / 9], [4 / 9, 4 / 9]])
    np.testing.assert_allclose(avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False).numpy(), 1.0)


def test_ceil_mode_adds_partial_windows():
    x = Tensor(np.arange(25.0).reshape(1, 1, 5, 5))
    assert max_pool2d(x, 2).shape == (1, 1, 2, 2)
    out = max_pool2d(x, 2, ceil_mode=True)
    assert out.shape == (1, 1, 3, 3)
    assert out.numpy()[0, 0, 2, 2] == 24.0
    np.testing.assert_allclose(avg_pool2d(x, 2, ceil_mode=True).numpy()[0, 0, 2, 2], 24.0)


def test_batch_norm_train_normalises_each_channel():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((8, 3, 4, 4)) * [[[[2.0]], [[5.0]], [[0.5]]]] + 7.0)
    y = batch_norm(x, None, None, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1.0, rtol=1e-4)


def test_batch_norm_updates_running_stats_with_unbiased_var():
    x = Tensor(np.array([1.0, 3.0]).reshape(2, 1, 1, 1))
    rm, rv = Tensor(np.zeros(1)), Tensor(np.ones(1))
    batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(rm.numpy(), [1.0])  # 0.5 · 0 + 0.5 · 2
    np.testing.assert_allclose(rv.numpy(), [1.5])  # 0.5 · 1 + 0.5 · 2 (unbiased var of 1, 3)


def test_batch_norm_eval_uses_running_stats():
    x = Tensor(np.full((2, 2, 1, 1), 3.0))
    y = batch_norm(x, Tensor([1.0, 3.0]), Tensor([4.0, 1.0]), Tensor([2.0, 1.0]), Tensor([0.0, 1.0]), eps=0.0)
    np.testing.assert_allclose(y.numpy()[0, :, 0, 0], [2.0, 1.0])


@pytest.mark.parametrize("call,match", [
    (lambda: conv2d(Tensor(np.zeros((1, 2, 5, 5))), Tensor(np.zeros((4, 3, 3, 3)))), "2 channels"),
    (lambda: conv2d(Tensor(np.zeros((2, 5, 5))), Tensor(np.zeros((4, 2, 3, 3)))), r"\(N, C, H, W\)"),
    (lambda: conv2d(Tensor(np.zeros((1, 1, 2, 2))), Tensor(np.zeros((1, 1, 3, 3)))), "larger than"),
    (lambda: conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 3, 3))), stride=0), "stride"),
    (lambda: conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 2, 2))), padding="same"), "same"),
    (lambda: conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((2, 1, 3, 3))), Tensor(np.zeros(3))), "bias"),
    (lambda: max_pool2d(Tensor(np.zeros((1, 1, 4, 4))), 2, padding=2), "half the kernel"),
    (lambda: max_pool2d(Tensor(np.zeros((1, 1, 4, 4))), (2, 2, 2)), "kernel_size"),
    (lambda: avg_pool2d(Tensor(np.zeros((1, 1, 1, 1))), 2), "larger than"),
    (lambda: batch_norm(Tensor(np.zeros((1, 2, 1, 1))), None, None, training=True), "more than one value"),
    (lambda: batch_norm(Tensor(np.zeros((2, 2, 1, 1))), Tensor(np.zeros(3)), None, training=True), "running_mean"),
    (lambda: batch_norm(Tensor(np.zeros((2, 2, 1, 1))), None, None), "eval mode"),
])
def test_bad_input_raises_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_integer_input_rejected():
    with pytest.raises(TypeError, match="floating point"):
        conv2d(Tensor(np.zeros((1, 1, 3, 3), np.int64)), Tensor(np.zeros((1, 1, 3, 3))))


def test_workspace_stays_bounded():
    ops.clear_workspace()
    w = np.ones((1, 1, 3, 3), np.float32)
    for size in range(3, 3 + 2 * ops._WORKSPACE_LIMIT):
        ops.conv2d(np.ones((1, 1, size, size), np.float32), w, None, (1, 1), (1, 1), (1, 1))
    assert 0 < len(ops._workspace) <= ops._WORKSPACE_LIMIT
    ops.clear_workspace()
    assert len(ops._workspace) == 0
