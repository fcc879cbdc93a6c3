"""Differential tests: every differentiable op against PyTorch, random shapes, random upstream gradient."""

import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

from tinytorch.activations import ops as A  # noqa: E402
from tinytorch.losses import ops as L  # noqa: E402
from tinytorch.tensor import Tensor, apply_op, cat, stack, where  # noqa: E402

F = torch.nn.functional
SEEDS = [0, 1, 2]


def shape(rng, ndim=None, low=1, high=5):
    ndim = rng.integers(1, 4) if ndim is None else ndim
    return tuple(int(n) for n in rng.integers(low, high + 1, size=ndim))


def run(tt_fn, th_fn, *arrays, rng, rtol=1e-7, atol=1e-9):
    """Forward both, backward a random upstream gradient, compare outputs and input grads."""
    tt_in = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    th_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = tt_fn(*tt_in), th_fn(*th_in)
    assert out.shape == tuple(ref.shape)
    assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(tt_in, th_in)):
        expected = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
        got = np.zeros(a.shape) if a.grad is None else a.grad.data
        assert got.dtype == a.dtype
        assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def broadcastable(rng, base):
    """A shape that broadcasts to ``base``: some leading dims dropped, some dims set to 1."""
    drop = rng.integers(0, len(base) + 1)
    return tuple(1 if rng.random() < 0.4 else n for n in base[drop:])


# ----- tensor ops --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_binary(op, seed):
    rng = np.random.default_rng(seed)
    sa = shape(rng)
    sb = broadcastable(rng, sa)
    if rng.random() < 0.5:
        sa, sb = sb, sa
    a = rng.uniform(0.5, 2.0, sa)
    b = rng.uniform(0.5, 2.0, sb) * (rng.choice([-1, 1], sb) if op != "pow" else 1)
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y, "pow": lambda x, y: x ** y}[op]
    run(fn, fn, a, b, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_scalar_operands_and_neg(seed):
    rng = np.random.default_rng(seed)
    fn = lambda x: -(2.0 - x * 3.0) / 4.0 + 2.0 ** x + x ** 2 + 1.0 / (x + 5.0)  # noqa: E731
    run(fn, fn, rng.standard_normal(shape(rng)), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["2d", "1d1d", "1d2d", "2d1d", "batched", "batch_2d", "broadcast"])
def test_matmul(kind, seed):
    rng = np.random.default_rng(seed)
    n, k, m, b = (int(v) for v in rng.integers(1, 6, size=4))
    sa, sb = {
        "2d": ((n, k), (k, m)), "1d1d": ((k,), (k,)), "1d2d": ((k,), (b, k, m)),
        "2d1d": ((b, n, k), (k,)), "batched": ((b, n, k), (b, k, m)), "batch_2d": ((b, n, k), (k, m)),
        "broadcast": ((b, 1, n, k), (2, k, m)),
    }[kind]
    run(lambda x, y: x @ y, torch.matmul, rng.standard_normal(sa), rng.standard_normal(sb), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "abs", "tanh"])
def test_unary(op, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng)
    x = rng.uniform(0.1, 3.0, s) if op in ("log", "sqrt") else rng.standard_normal(s)
    run(lambda t: getattr(t, op)(), lambda t: getattr(t, op)(), x, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.0), (0.0, None), (0.0, 1.0)])
def test_clip_including_values_on_the_boundary(bounds, seed):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, -0.5, 0.0, 0.3, 0.5, 1.0, 2.0], size=shape(rng))  # hits the bounds exactly
    lo, hi = bounds
    run(lambda t: t.clip(lo, hi), lambda t: torch.clamp(t, lo, hi), x, rng=rng)


def reduce_args(rng, ndim):
    choice = rng.integers(0, 4)
    keepdim = bool(rng.integers(0, 2))
    if choice == 0:
        return {}
    if choice == 1:
        return {"dim": int(rng.integers(-ndim, ndim)), "keepdim": keepdim}
    dims = tuple(int(d) for d in rng.choice(ndim, size=rng.integers(1, ndim + 1), replace=False))
    return {"dim": dims, "keepdim": keepdim}


@pytest.mark.parametrize("seed", SEEDS + [3, 4, 5])
@pytest.mark.parametrize("op", ["sum", "mean", "var", "amax", "amin"])
def test_reductions(op, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3, low=2)
    kwargs = reduce_args(rng, 3)
    x = rng.standard_normal(s)
    if op in ("amax", "amin"):
        x = np.round(x)  # many ties: both share the gradient equally among them
    th_kwargs = dict(kwargs)
    if op == "var":
        th_kwargs["correction"] = kwargs["correction"] = int(rng.integers(0, 2))
    run(lambda t: getattr(t, op)(**kwargs), lambda t: getattr(t, op)(**th_kwargs), x, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min(op, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3, low=2)
    x = rng.permutation(int(np.prod(s))).reshape(s).astype(np.float64)  # no ties: torch's
    # max(dim) picks an unspecified tied index, ours the first
    dim = int(rng.integers(-3, 3))
    run(lambda t: getattr(t, op)(), lambda t: getattr(t, op)(), x, rng=rng)
    run(lambda t: getattr(t, op)(dim=dim).values, lambda t: getattr(t, op)(dim=dim).values, x, rng=rng)
    run(lambda t: getattr(t, op)(dim, True)[0], lambda t: getattr(t, op)(dim, True)[0], x, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_gather_with_repeats(seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3, low=2)
    dim = int(rng.integers(0, 3))
    index_shape = list(s)
    index_shape[dim] = int(rng.integers(1, 7))
    index = rng.integers(0, s[dim], size=index_shape)
    run(lambda t: t.gather(dim, index), lambda t: torch.gather(t, dim, torch.tensor(index)),
        rng.standard_normal(s), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_shape_ops(seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3)
    x = rng.standard_normal(s)
    perm = tuple(int(d) for d in rng.permutation(3))
    run(lambda t: t.reshape(-1, s[-1]), lambda t: t.reshape(-1, s[-1]), x, rng=rng)
    run(lambda t: t.view(s[0], -1), lambda t: t.reshape(s[0], -1), x, rng=rng)
    run(lambda t: t.permute(*perm), lambda t: t.permute(*perm), x, rng=rng)
    run(lambda t: t.transpose(0, -1), lambda t: t.transpose(0, -1), x, rng=rng)
    run(lambda t: t.T, lambda t: t.permute(2, 1, 0), x, rng=rng)
    run(lambda t: t.unsqueeze(1).flatten(1), lambda t: t.unsqueeze(1).flatten(1), x, rng=rng)
    swap = lambda t: t.transpose(0, 1).contiguous().squeeze()  # noqa: E731
    run(swap, swap, x, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_getitem(seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3, low=2)
    x = rng.standard_normal(s)
    rows = rng.integers(-s[0], s[0], size=7)  # repeated and negative indices
    cols = rng.integers(0, s[1], size=7)
    mask = rng.random(s[:2]) > 0.5
    indices = [
        (1, slice(None, None, 2)),
        (Ellipsis, 0),
        (slice(None), None, slice(1, None)),
        rows,
        (rows, cols),
        (slice(None), cols),
        (rows, slice(None), 0),
        mask,
        rows.tolist(),
    ]
    for index in indices:
        th_index = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index) \
            if isinstance(index, tuple) else (torch.tensor(index) if isinstance(index, np.ndarray) else index)
        run(lambda t: t[index], lambda t: t[th_index], x, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_astype(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape(rng))
    run(lambda t: t.float().double() * 2, lambda t: t.float().double() * 2, x, rng=rng, rtol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_masked_fill_and_where(seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3)
    cond = np.asarray(rng.random(broadcastable(rng, s)) > 0.5)
    run(lambda t: t.masked_fill(cond, -1.5), lambda t: t.masked_fill(torch.tensor(cond), -1.5),
        rng.standard_normal(s), rng=rng)
    sb = broadcastable(rng, s)
    run(lambda a, b: where(cond, a, b), lambda a, b: torch.where(torch.tensor(cond), a, b),
        rng.standard_normal(s), rng.standard_normal(sb), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_cat_and_stack(seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3)
    dim = int(rng.integers(-3, 3))
    parts = []
    for _ in range(3):
        p = list(s)
        p[dim] = int(rng.integers(1, 4))
        parts.append(rng.standard_normal(p))
    run(lambda *t: cat(t, dim=dim), lambda *t: torch.cat(t, dim=dim), *parts, rng=rng)
    same = [rng.standard_normal(s) for _ in range(3)]
    sdim = int(rng.integers(-4, 4))
    run(lambda *t: stack(t, dim=sdim), lambda *t: torch.stack(t, dim=sdim), *same, rng=rng)


# ----- activations -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["relu", "sigmoid", "gelu", "gelu_tanh", "softmax", "log_softmax"])
def test_activations(name, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng, ndim=3)
    x = rng.standard_normal(s) * 3
    dim = int(rng.integers(-3, 3))
    tt_fn, th_fn = {
        "relu": (lambda t: apply_op(A.relu, t), F.relu),
        "sigmoid": (lambda t: apply_op(A.sigmoid, t), torch.sigmoid),
        "gelu": (lambda t: apply_op(A.gelu, t), F.gelu),
        "gelu_tanh": (lambda t: apply_op(A.gelu, t, approximate="tanh"),
                      lambda t: F.gelu(t, approximate="tanh")),
        "softmax": (lambda t: apply_op(A.softmax, t, dim=dim), lambda t: F.softmax(t, dim=dim)),
        "log_softmax": (lambda t: apply_op(A.log_softmax, t, dim=dim), lambda t: F.log_softmax(t, dim=dim)),
    }[name]
    run(tt_fn, th_fn, x, rng=rng, rtol=1e-6, atol=1e-8)


# ----- losses ------------------------------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng)
    run(lambda a, b: apply_op(L.mse_loss, a, b, reduction=reduction),
        lambda a, b: F.mse_loss(a, b, reduction=reduction),
        rng.standard_normal(s), rng.standard_normal(s), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("spatial", [False, True])
def test_cross_entropy(spatial, reduction, seed):
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(1, 6)), int(rng.integers(2, 6))
    s = (n, c, 3) if spatial else (n, c)
    target = rng.integers(0, c, size=(n, 3) if spatial else (n,))
    target[rng.random(target.shape) < 0.2] = -100
    target.flat[0] = 0  # at least one counted target
    smoothing = float(rng.choice([0.0, 0.1]))
    run(lambda x: apply_op(L.cross_entropy, x, target=target, reduction=reduction, label_smoothing=smoothing),
        lambda x: F.cross_entropy(x, torch.tensor(target), reduction=reduction, label_smoothing=smoothing),
        rng.standard_normal(s) * 2, rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_unbatched_and_custom_ignore_index(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 6))
    target = np.array(int(rng.integers(0, c)))
    run(lambda x: apply_op(L.cross_entropy, x, target=target),
        lambda x: F.cross_entropy(x, torch.tensor(target)), rng.standard_normal(c), rng=rng)
    t2 = np.array([0, 1, 1, 0])
    run(lambda x: apply_op(L.cross_entropy, x, target=t2, ignore_index=1),
        lambda x: F.cross_entropy(x, torch.tensor(t2), ignore_index=1), rng.standard_normal((4, 3)), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng)
    target = rng.random(s)
    weight = rng.random(s[-1:]) + 0.5
    run(lambda p: apply_op(L.binary_cross_entropy, p, target=target, weight=weight, reduction=reduction),
        lambda p: F.binary_cross_entropy(p, torch.tensor(target), weight=torch.tensor(weight),
                                         reduction=reduction),
        rng.uniform(0.02, 0.98, s), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_with_logits(weighted, reduction, seed):
    rng = np.random.default_rng(seed)
    s = shape(rng)
    attrs = {"weight": rng.random(s) + 0.5, "pos_weight": rng.random(s[-1:]) + 0.5} if weighted else {}
    th_attrs = {k: torch.tensor(v) for k, v in attrs.items()}
    run(lambda x, t: apply_op(L.binary_cross_entropy_with_logits, x, t, reduction=reduction, **attrs),
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **th_attrs),
        rng.standard_normal(s) * 3, rng.random(s), rng=rng)


# ----- a float32 training step -------------------------------------------------------------------


def test_mlp_step_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 12)).astype(np.float32)
    y = rng.integers(0, 5, 16)
    w1, b1 = rng.standard_normal((12, 8)).astype(np.float32) * 0.3, np.zeros(8, np.float32)
    w2, b2 = rng.standard_normal((8, 5)).astype(np.float32) * 0.3, np.zeros(5, np.float32)
    ours = [Tensor(a.copy(), requires_grad=True) for a in (w1, b1, w2, b2)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
    h = apply_op(A.relu, Tensor(x) @ ours[0] + ours[1])
    loss = apply_op(L.cross_entropy, h @ ours[2] + ours[3], target=y)
    loss.backward()
    hidden = F.relu(torch.tensor(x) @ theirs[0] + theirs[1])
    ref = F.cross_entropy(hidden @ theirs[2] + theirs[3], torch.tensor(y))
    ref.backward()
    assert_allclose(loss.item(), ref.item(), rtol=1e-5)
    for a, b in zip(ours, theirs):
        assert a.grad.dtype == np.float32
        assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-4, atol=1e-6)


# ----- the public functions of modules 02 and 04 (validation layers over the kernels) ------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax"])
def test_public_activation_functions(name, seed):
    from tinytorch import activations

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape(rng, ndim=2)) * 2
    if name in ("softmax", "log_softmax"):
        tt_fn = lambda t: getattr(activations, name)(t, dim=-1)  # noqa: E731
        th_fn = lambda t: getattr(F, name)(t, dim=-1)  # noqa: E731
    else:
        tt_fn, th_fn = getattr(activations, name), getattr(F, name)
    run(tt_fn, th_fn, x, rng=rng, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_public_loss_functions(seed):
    from tinytorch import activations, losses

    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    target = rng.integers(0, c, size=n)
    tt_target, th_target = Tensor(target), torch.tensor(target)
    logits = rng.standard_normal((n, c))
    probs, real = rng.uniform(0.05, 0.95, (n, c)), rng.random((n, c))
    run(lambda x: losses.cross_entropy(x, tt_target, label_smoothing=0.1),
        lambda x: F.cross_entropy(x, th_target, label_smoothing=0.1), logits, rng=rng)
    run(lambda x: losses.nll_loss(activations.log_softmax(x, dim=1), tt_target),
        lambda x: F.nll_loss(F.log_softmax(x, dim=1), th_target), logits, rng=rng)
    run(lambda x, y: losses.mse_loss(x, y), F.mse_loss, logits, real, rng=rng)
    run(lambda p: losses.binary_cross_entropy(p, Tensor(real)),
        lambda p: F.binary_cross_entropy(p, torch.tensor(real)), probs, rng=rng)
    run(lambda x, y: losses.binary_cross_entropy_with_logits(x, y),
        F.binary_cross_entropy_with_logits, logits, real, rng=rng)
