"""Differential tests against PyTorch: forward and backward with a random upstream gradient."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings, strategies as st  # noqa: E402

from tinytorch.spatial import (  # noqa: E402
    AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d, avg_pool2d, batch_norm, conv2d, max_pool2d,
)
from tinytorch.tensor import Tensor  # noqa: E402

TF = torch.nn.functional


def _pair(rng, *shape):
    a = rng.standard_normal(shape).astype(np.float32)
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


def _backward(ours, theirs, rng):
    g = rng.standard_normal(theirs.shape).astype(np.float32)
    ours.backward(Tensor(g))
    theirs.backward(torch.tensor(g))


def _close(a, t, tol=1e-4):
    np.testing.assert_allclose(np.asarray(a.numpy() if hasattr(a, "numpy") else a), t.detach().numpy(),
                               rtol=tol, atol=tol)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), c_in=st.integers(1, 4), c_out=st.integers(1, 5), h=st.integers(5, 11),
       w=st.integers(5, 11), kh=st.integers(1, 3), kw=st.integers(1, 3), stride=st.integers(1, 3),
       padding=st.integers(0, 2), dilation=st.integers(1, 2), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_conv2d_matches_torch(n, c_in, c_out, h, w, kh, kw, stride, padding, dilation, bias, seed):
    rng = np.random.default_rng(seed)
    x, tx = _pair(rng, n, c_in, h, w)
    wt, twt = _pair(rng, c_out, c_in, kh, kw)
    b, tb = _pair(rng, c_out) if bias else (None, None)
    out = conv2d(x, wt, b, stride, padding, dilation)
    ref = TF.conv2d(tx, twt, tb, stride, padding, dilation)
    _close(out, ref)
    _backward(out, ref, rng)
    _close(x.grad, tx.grad)
    _close(wt.grad, twt.grad, 1e-3)
    if bias:
        _close(b.grad, tb.grad, 1e-3)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(4, 10), w=st.integers(4, 10),
       k=st.integers(1, 3), stride=st.integers(1, 3), pad=st.integers(0, 1), dilation=st.integers(1, 2),
       ceil_mode=st.booleans(), ties=st.booleans(), seed=st.integers(0, 2**16))
def test_max_pool2d_matches_torch(n, c, h, w, k, stride, pad, dilation, ceil_mode, ties, seed):
    pad = min(pad, k // 2)
    if (h + 2 * pad - dilation * (k - 1) - 1) < 0 or (w + 2 * pad - dilation * (k - 1) - 1) < 0:
        return
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, c, h, w)).astype(np.float32)
    if ties:  # ReLU-like inputs: many equal zeros, where the first maximum must get the gradient
        a = np.maximum(a, 0).round(1)
    x, tx = Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)
    out = max_pool2d(x, k, stride, pad, dilation, ceil_mode)
    ref = TF.max_pool2d(tx, k, stride, pad, dilation, ceil_mode)
    _close(out, ref)
    _backward(out, ref, rng)
    _close(x.grad, tx.grad)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(4, 10), w=st.integers(4, 10),
       kh=st.integers(1, 3), kw=st.integers(1, 3), stride=st.integers(1, 3), pad=st.integers(0, 1),
       ceil_mode=st.booleans(), count_include_pad=st.booleans(), seed=st.integers(0, 2**16))
def test_avg_pool2d_matches_torch(n, c, h, w, kh, kw, stride, pad, ceil_mode, count_include_pad, seed):
    pad = (min(pad, kh // 2), min(pad, kw // 2))
    rng = np.random.default_rng(seed)
    x, tx = _pair(rng, n, c, h, w)
    out = avg_pool2d(x, (kh, kw), stride, pad, ceil_mode, count_include_pad)
    ref = TF.avg_pool2d(tx, (kh, kw), stride, pad, ceil_mode, count_include_pad)
    _close(out, ref)
    _backward(out, ref, rng)
    _close(x.grad, tx.grad)


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_module_matches_torch_train_and_eval(affine):
    rng = np.random.default_rng(0)
    ours, theirs = BatchNorm2d(5, momentum=0.3, affine=affine), torch.nn.BatchNorm2d(5, momentum=0.3, affine=affine)
    if affine:
        w = rng.standard_normal(5).astype(np.float32)
        ours.weight.data[...] = w
        theirs.weight.data[...] = torch.tensor(w)
    for step in range(3):
        x, tx = _pair(rng, 4, 5, 3, 6)
        x.data *= 3.0
        tx.data *= 3.0
        x.data += 2.0
        tx.data += 2.0
        out, ref = ours(x), theirs(tx)
        _close(out, ref)
        _backward(out, ref, rng)
        _close(x.grad, tx.grad, 1e-3)
        if affine:
            _close(ours.weight.grad, theirs.weight.grad, 1e-3)
            _close(ours.bias.grad, theirs.bias.grad, 1e-3)
            ours.zero_grad()
            theirs.zero_grad()
    _close(ours.running_mean, theirs.running_mean)
    _close(ours.running_var, theirs.running_var)
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked.item())
    ours.eval()
    theirs.eval()
    x, tx = _pair(rng, 2, 5, 4, 4)
    out, ref = ours(x), theirs(tx)
    _close(out, ref)
    _backward(out, ref, rng)
    _close(x.grad, tx.grad)
    if affine:
        _close(ours.weight.grad, theirs.weight.grad, 1e-3)


def test_functional_batch_norm_running_stats_match_torch():
    rng = np.random.default_rng(1)
    x, tx = _pair(rng, 6, 3, 2, 2)
    rm, rv = Tensor(np.zeros(3, np.float32)), Tensor(np.ones(3, np.float32))
    trm, trv = torch.zeros(3), torch.ones(3)
    batch_norm(x, rm, rv, training=True, momentum=0.2, eps=1e-3)
    TF.batch_norm(tx, trm, trv, training=True, momentum=0.2, eps=1e-3)
    _close(rm, trm)
    _close(rv, trv)


def test_cifar_shaped_network_matches_torch():
    """The benchmark's network, same weights: logits and every parameter gradient agree."""
    from tinytorch.layers import Linear, Sequential
    from tinytorch.spatial import Flatten

    rng = np.random.default_rng(2)
    ours = Sequential(Conv2d(3, 8, 3, padding=1), BatchNorm2d(8), MaxPool2d(2), Conv2d(8, 16, 3, padding=1),
                      AvgPool2d(2), Flatten(), Linear(16 * 4 * 4, 10))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
                                 torch.nn.Linear(16 * 4 * 4, 10))
    theirs.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((4, 3, 16, 16)).astype(np.float32)
    out, ref = ours(Tensor(x)), theirs(torch.tensor(x))
    _close(out, ref)
    _backward(out, ref, rng)
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, named[name].grad, 1e-3)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 4, 3, padding=1), lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.AvgPool2d(2), lambda nn: nn.BatchNorm2d(3), lambda nn: nn.BatchNorm2d(3).eval(),
])
def test_empty_batch_matches_torch(make):
    import tinytorch.spatial as ours_nn
    theirs_x = torch.zeros(0, 3, 8, 8, requires_grad=True)
    theirs = make(torch.nn)(theirs_x)
    theirs.sum().backward()
    x = Tensor(np.zeros((0, 3, 8, 8), np.float32), requires_grad=True)
    module = make(ours_nn)
    out = module(x)
    out.sum().backward()
    assert out.shape == tuple(theirs.shape)
    assert x.grad.shape == (0, 3, 8, 8)
    for p in module.parameters():
        np.testing.assert_array_equal(p.grad.data, 0)
    if isinstance(module, ours_nn.BatchNorm2d):
        np.testing.assert_array_equal(module.running_mean.data, 0)
        np.testing.assert_array_equal(module.running_var.data, 1)


@pytest.mark.parametrize("shape", [(8, 5), (6, 5, 7)])
@pytest.mark.parametrize("affine, momentum", [(True, 0.1), (False, None)])
def test_batch_norm_1d_matches_torch_in_train_and_eval(shape, affine, momentum):
    from tinytorch.spatial import BatchNorm1d
    rng = np.random.default_rng(5)
    ours = BatchNorm1d(5, affine=affine, momentum=momentum)
    theirs = torch.nn.BatchNorm1d(5, affine=affine, momentum=momentum)
    if affine:
        w, b = rng.standard_normal(5).astype(np.float32), rng.standard_normal(5).astype(np.float32)
        ours.weight.data[...] = w
        ours.bias.data[...] = b
        theirs.weight.data = torch.tensor(w)
        theirs.bias.data = torch.tensor(b)
    for _ in range(3):
        x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
        ox, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        oy, ty = ours(ox), theirs(tx)
        g = rng.standard_normal(shape).astype(np.float32)
        oy.backward(Tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(oy.data, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)
    assert repr(ours) == repr(theirs)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_batch_norm_1d_and_dropout2d_bad_input_errors_match_torch():
    from tinytorch.spatial import BatchNorm1d, Dropout2d
    for bad in [(4,), (2, 3, 4, 5)]:
        with pytest.raises(ValueError):
            torch.nn.BatchNorm1d(3)(torch.zeros(bad))
        with pytest.raises(ValueError):
            BatchNorm1d(3)(Tensor(np.zeros(bad, np.float32)))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.zeros(1, 3))
    with pytest.raises(ValueError):
        BatchNorm1d(3)(Tensor(np.zeros((1, 3), np.float32)))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError):
            torch.nn.Dropout2d(p)
        with pytest.raises(ValueError):
            Dropout2d(p)


def test_dropout2d_zeroes_whole_channels_with_torchs_statistics():
    from tinytorch.spatial import Dropout2d
    from tinytorch.tensor import manual_seed
    manual_seed(0)
    torch.manual_seed(0)
    x = np.ones((64, 32, 4, 4), np.float32)
    ours = Dropout2d(0.3)(Tensor(x)).data
    theirs = torch.nn.Dropout2d(0.3)(torch.tensor(x)).numpy()
    for out in (ours, theirs):
        per_channel = out.reshape(64 * 32, 16)
        assert (per_channel.min(axis=1) == per_channel.max(axis=1)).all()  # a channel is whole
        assert set(np.unique(out).tolist()) == {0.0, np.float32(1 / 0.7)}
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.03)
    m = Dropout2d(0.3).eval()
    assert m(Tensor(x)).data is x or np.array_equal(m(Tensor(x)).data, x)
    assert repr(m) == repr(torch.nn.Dropout2d(0.3).eval())


@pytest.mark.parametrize("call", [
    lambda nn, x: nn.Conv2d(4, 2, 3)(x),  # channel mismatch
    lambda nn, x: nn.Conv2d(3, 2, 9)(x),  # kernel larger than the input
    lambda nn, x: nn.MaxPool2d(3, padding=2)(x),  # padding more than half the kernel
    lambda nn, x: nn.MaxPool2d(9)(x),
])
def test_shape_errors_are_runtime_errors_like_torch(call):
    import tinytorch.spatial as ours_nn
    with pytest.raises(RuntimeError):
        call(torch.nn, torch.zeros(2, 3, 6, 6))
    with pytest.raises(RuntimeError):
        call(ours_nn, Tensor(np.zeros((2, 3, 6, 6), np.float32)))


@pytest.mark.parametrize("shape, output_size", [
    ((2, 3, 8, 8), 1), ((2, 3, 7, 5), (3, 2)), ((1, 2, 5, 9), (4, None)), ((1, 1, 3, 3), 5),
    ((2, 2, 6, 6), (6, 6)),
])
def test_adaptive_avg_pool_matches_torch_with_gradients(shape, output_size):
    from tinytorch.spatial import AdaptiveAvgPool2d
    x = np.random.default_rng(4).standard_normal(shape)
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = AdaptiveAvgPool2d(output_size)(ours_x), torch.nn.AdaptiveAvgPool2d(output_size)(theirs_x)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(5).standard_normal(ours.shape)
    ours.backward(Tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert repr(AdaptiveAvgPool2d(output_size)) == repr(torch.nn.AdaptiveAvgPool2d(output_size))
    assert AdaptiveAvgPool2d(1)(Tensor(np.zeros((2, 3, 4, 4), np.float32))).dtype == np.float32


@pytest.mark.parametrize("shape, amounts, value", [
    ((2, 3, 4, 5), (1, 2), None), ((2, 3, 4, 5), (1, 1, 2, 0), 0.5), ((3, 4), (0, 0, 1, 3), -1.0),
    ((2, 3, 4, 5), (-1, 2, 0, -2), None), ((2, 5), (2, -3), 2.0), ((4,), (3, 0), None),
])
def test_pad_matches_torch_with_gradients(shape, amounts, value):
    from tinytorch.spatial import pad
    x = np.random.default_rng(6).standard_normal(shape)
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = {} if value is None else {"value": value}
    ours = pad(ours_x, amounts, **kwargs)
    theirs = torch.nn.functional.pad(theirs_x, amounts, **kwargs)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    g = np.random.default_rng(7).standard_normal(ours.shape)
    ours.backward(Tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_array_equal(ours_x.grad.data, theirs_x.grad.numpy())


@pytest.mark.parametrize("amounts", [(1,), (1, 1, 1, 1, 1, 1)])
def test_pad_bad_lengths_raise_like_torch(amounts):
    from tinytorch.spatial import pad
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(torch.zeros(2, 3), amounts)
    with pytest.raises(RuntimeError):
        pad(Tensor(np.zeros((2, 3), np.float32)), amounts)
    with pytest.raises(NotImplementedError):
        pad(Tensor(np.zeros((1, 2, 3), np.float32)), (1, 1), mode="reflect")
