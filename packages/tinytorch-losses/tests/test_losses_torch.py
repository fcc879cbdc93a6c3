import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402

import tinytorch.losses as L  # noqa: E402
from tinytorch.activations import log_softmax  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402

F = torch.nn.functional
TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-11, atol=1e-12)}
DTYPES = [np.float32, np.float64]
REDUCTIONS = ["none", "mean", "sum"]


def rng_for(*key):
    return np.random.default_rng(abs(hash(key)) % 2**32)


def compare(ours, theirs, dtype, scale=1.0):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    tol = TOL[dtype]
    np.testing.assert_allclose(ours.data, theirs, rtol=tol["rtol"], atol=tol["atol"] * scale)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), ()])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(shape, dtype, reduction):
    rng = rng_for(shape, reduction)
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    y = np.asarray(rng.standard_normal(shape), dtype=dtype)
    expected = F.mse_loss(torch.from_numpy(x), torch.from_numpy(y), reduction=reduction)
    compare(L.mse_loss(Tensor(x), Tensor(y), reduction=reduction), expected, dtype)
    compare(L.MSELoss(reduction=reduction)(Tensor(x), Tensor(y)),
            torch.nn.MSELoss(reduction=reduction)(torch.from_numpy(x), torch.from_numpy(y)), dtype)


CE_SHAPES = [((8, 5), (8,)), ((4, 3, 6), (4, 6)), ((2, 4, 3, 5), (2, 3, 5)), ((7,), ()),
             ((1, 1), (1,))]


@pytest.mark.parametrize("input_shape, target_shape", CE_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_and_nll_match_torch(input_shape, target_shape, dtype, reduction,
                                           label_smoothing, scale):
    rng = rng_for(input_shape, reduction, label_smoothing, scale)
    n_classes = input_shape[0 if len(input_shape) == 1 else 1]
    x = np.asarray(rng.standard_normal(input_shape) * scale, dtype=dtype)
    t = np.asarray(rng.integers(0, n_classes, target_shape), dtype=np.int64)
    if t.ndim:
        t.reshape(-1)[:: 3] = -100  # a third of the targets ignored
        ignore_index = -100
    else:
        ignore_index = n_classes + 1
    kwargs = dict(ignore_index=ignore_index, reduction=reduction)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)
    expected = F.cross_entropy(tx, tt, label_smoothing=label_smoothing, **kwargs)
    compare(L.cross_entropy(Tensor(x), Tensor(t), label_smoothing=label_smoothing, **kwargs),
            expected, dtype, scale)
    module = torch.nn.CrossEntropyLoss(label_smoothing=label_smoothing, **kwargs)
    compare(L.CrossEntropyLoss(label_smoothing=label_smoothing, **kwargs)(Tensor(x), Tensor(t)),
            module(tx, tt), dtype, scale)
    class_dim = 0 if x.ndim == 1 else 1
    logp = F.log_softmax(tx, class_dim)
    compare(L.nll_loss(log_softmax(Tensor(x), class_dim), Tensor(t), **kwargs),
            F.nll_loss(logp, tt, **kwargs), dtype, scale)
    compare(L.NLLLoss(**kwargs)(log_softmax(Tensor(x), class_dim), Tensor(t)),
            torch.nn.NLLLoss(**kwargs)(logp, tt), dtype, scale)


def test_cross_entropy_all_ignored_matches_torch():
    x = torch.zeros(3, 4, dtype=torch.float64)
    t = torch.full((3,), -100)
    ours = L.cross_entropy(Tensor(x.numpy()), Tensor(t.numpy())).item()
    assert np.isnan(ours) and torch.isnan(F.cross_entropy(x, t))


@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 3, 5), ()])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(shape, dtype, reduction, weighted):
    rng = rng_for(shape, reduction, weighted)
    p = np.asarray(rng.random(shape), dtype=dtype)
    if p.ndim:
        p.reshape(-1)[:2] = [0.0, 1.0][: p.size]  # the clamped logs
    y = np.asarray(rng.random(shape) > 0.5, dtype=dtype)
    w = np.asarray(rng.random(shape[-1:]) + 0.5, dtype=dtype) if weighted else None
    tw = torch.from_numpy(w) if weighted else None
    expected = F.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(y), tw,
                                      reduction=reduction)
    compare(L.binary_cross_entropy(Tensor(p), Tensor(y), None if w is None else Tensor(w),
                                   reduction=reduction), expected, dtype, scale=100)
    compare(L.BCELoss(None if w is None else Tensor(w), reduction=reduction)(Tensor(p), Tensor(y)),
            torch.nn.BCELoss(tw, reduction=reduction)(torch.from_numpy(p), torch.from_numpy(y)),
            dtype, scale=100)


@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 3, 5), ()])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_bce_with_logits_matches_torch(shape, dtype, reduction, weighted, scale):
    rng = rng_for(shape, reduction, weighted, scale)
    x = np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)
    y = np.asarray(rng.random(shape), dtype=dtype)
    w = np.asarray(rng.random(shape) + 0.5, dtype=dtype) if weighted else None
    pw = np.asarray(rng.random(shape[-1:]) * 3, dtype=dtype) if weighted else None
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    tw = torch.from_numpy(w) if weighted else None
    tpw = torch.from_numpy(pw) if weighted else None
    ow = None if w is None else Tensor(w)
    opw = None if pw is None else Tensor(pw)
    expected = F.binary_cross_entropy_with_logits(tx, ty, tw, reduction=reduction, pos_weight=tpw)
    compare(L.binary_cross_entropy_with_logits(Tensor(x), Tensor(y), ow, reduction=reduction,
                                               pos_weight=opw), expected, dtype, scale)
    module = torch.nn.BCEWithLogitsLoss(tw, reduction=reduction, pos_weight=tpw)
    compare(L.BCEWithLogitsLoss(ow, reduction=reduction, pos_weight=opw)(Tensor(x), Tensor(y)),
            module(tx, ty), dtype, scale)


@pytest.mark.parametrize("x, t", [(np.inf, 0.0), (np.inf, 1.0), (-np.inf, 0.0), (-np.inf, 1.0),
                                  (50.0, 0.0), (-50.0, 1.0)])
def test_bce_with_logits_extreme_logits_match_torch(x, t):
    ours = L.binary_cross_entropy_with_logits(Tensor([x]), Tensor([t])).item()
    theirs = F.binary_cross_entropy_with_logits(torch.tensor([x]), torch.tensor([t])).item()
    np.testing.assert_equal(np.isnan(ours), np.isnan(theirs))
    if not np.isnan(theirs):
        assert ours == pytest.approx(theirs)


def test_all_ignored_cross_entropy_matches_torch_value_and_gradient():
    x = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32)
    ours_x = Tensor(x, requires_grad=True)
    ours = L.cross_entropy(ours_x, Tensor(np.full(4, -100)))
    ours.backward()
    theirs_x = torch.tensor(x, requires_grad=True)
    theirs = F.cross_entropy(theirs_x, torch.full((4,), -100))
    theirs.backward()
    assert np.isnan(ours.item()) and np.isnan(theirs.item())
    np.testing.assert_array_equal(ours_x.grad.data, theirs_x.grad.numpy())


def test_mse_integer_target_dtype_matches_torch():
    ours = L.mse_loss(Tensor(np.zeros(3, np.float32)), Tensor([1, 2, 3]))
    theirs = F.mse_loss(torch.zeros(3), torch.tensor([1, 2, 3]))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.item() == pytest.approx(theirs.item())


@pytest.mark.parametrize("weight_shape", [(4, 1), (3,)])
def test_bce_bad_weight_error_class_matches_torch(weight_shape):
    with pytest.raises(RuntimeError):
        F.binary_cross_entropy(torch.full((4,), 0.5), torch.zeros(4), weight=torch.ones(weight_shape))
    with pytest.raises(RuntimeError):
        L.binary_cross_entropy(Tensor(np.full(4, 0.5, np.float32)), Tensor(np.zeros(4, np.float32)),
                               weight=Tensor(np.ones(weight_shape, np.float32)))


@pytest.mark.parametrize("name, kwargs", [("l1_loss", {}), ("smooth_l1_loss", {}),
                                          ("smooth_l1_loss", dict(beta=0.3)),
                                          ("smooth_l1_loss", dict(beta=0.0))])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_losses_and_gradients_match_torch(name, kwargs, reduction, dtype):
    rng = rng_for(name, reduction, str(dtype), tuple(kwargs.items()))
    x = rng.standard_normal((4, 5)).astype(dtype)
    y = rng.standard_normal((4, 5)).astype(dtype)
    x[0, 0] = y[0, 0]  # a zero difference: the subgradient 0, as in PyTorch
    ox, oy = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    tx, ty = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    ours = getattr(L, name)(ox, oy, reduction=reduction, **kwargs)
    theirs = getattr(F, name)(tx, ty, reduction=reduction, **kwargs)
    compare(ours, theirs, dtype)
    upstream = rng.standard_normal(ours.shape).astype(dtype)
    ours.backward(Tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), **TOL[dtype])
    np.testing.assert_allclose(oy.grad.data, ty.grad.numpy(), **TOL[dtype])


def test_regression_loss_classes_and_errors_match_torch():
    x, y = np.array([0.2, -3.0], np.float32), np.array([0, 1])
    for ours, theirs in [(L.L1Loss(), torch.nn.L1Loss()),
                         (L.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5))]:
        out = ours(Tensor(x), Tensor(y))
        expected = theirs(torch.tensor(x), torch.tensor(y))
        assert str(out.dtype) == "float32" and out.item() == pytest.approx(expected.item())
    with pytest.raises(RuntimeError):
        F.smooth_l1_loss(torch.zeros(2), torch.zeros(2), beta=-1.0)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        L.smooth_l1_loss(Tensor([0.0]), Tensor([0.0]), beta=-1.0)
    with pytest.raises(ValueError):
        L.l1_loss(Tensor([0.0]), Tensor([0.0]), reduction="avg")


@pytest.mark.parametrize("call", [
    lambda lib, F: F.binary_cross_entropy(lib.tensor([0.5, 0.5]), lib.tensor([0, 1])),
    lambda lib, F: F.binary_cross_entropy_with_logits(lib.tensor([0.0, 0.0]), lib.tensor([0, 1])),
    lambda lib, F: F.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1], dtype=lib.int32)),
    lambda lib, F: F.cross_entropy(lib.zeros(2, 3), lib.tensor([True, False])),
    lambda lib, F: F.nll_loss(lib.zeros(2, 3), lib.tensor([0.0, 1.0])),
    lambda lib, F: F.mse_loss(lib.tensor([1, 2]), lib.tensor([1, 2])),
    lambda lib, F: F.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]), label_smoothing=1.5),
    lambda lib, F: F.cross_entropy(lib.tensor(1.0), lib.tensor(0)),
    lambda lib, F: F.mse_loss(lib.zeros(2, 3), lib.zeros(4)),
    lambda lib, F: F.l1_loss(lib.zeros(2, 3), lib.zeros(4)),
])
def test_bad_argument_error_classes_match_torch(call):
    import tinytorch.tensor as T
    with pytest.raises(Exception) as theirs:
        call(torch, F)
    with pytest.raises(theirs.type):
        call(T, L)


def test_nll_loss_mean_keeps_float32_like_torch():
    x = np.log(np.full((2, 3), 1 / 3, np.float32))
    ours = L.nll_loss(Tensor(x), Tensor([0, 2]))
    assert ours.dtype == np.float32 and str(F.nll_loss(torch.tensor(x), torch.tensor([0, 2])).dtype) == "torch.float32"


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3,)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_with_probability_targets_matches_torch(shape, reduction, label_smoothing):
    rng = rng_for("probs", shape, reduction, label_smoothing)
    x = rng.standard_normal(shape)
    class_dim = 0 if len(shape) == 1 else 1
    p = np.exp(rng.standard_normal(shape))
    p /= p.sum(axis=class_dim, keepdims=True)
    ox, op = Tensor(x, requires_grad=True), Tensor(p, requires_grad=True)
    tx, tp = torch.tensor(x, requires_grad=True), torch.tensor(p, requires_grad=True)
    ours = L.cross_entropy(ox, op, reduction=reduction, label_smoothing=label_smoothing)
    theirs = F.cross_entropy(tx, tp, reduction=reduction, label_smoothing=label_smoothing)
    compare(ours, theirs, np.float64)
    upstream = rng.standard_normal(ours.shape)
    ours.backward(Tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), **TOL[np.float64])
    np.testing.assert_allclose(op.grad.data, tp.grad.numpy(), **TOL[np.float64])
