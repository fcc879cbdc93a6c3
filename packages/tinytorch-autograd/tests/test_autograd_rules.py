"""Every gradient rule against float64 central differences, plus hand-checked special cases."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tinytorch import tensor as tt
from tinytorch.activations import ops as A
from tinytorch.autograd import gradcheck
from tinytorch.losses import ops as L
from tinytorch.tensor import Tensor, apply_op, cat, stack, where

RNG = np.random.default_rng(1234)


def rand(*shape, low=-2.0, high=2.0, grad=True):
    return Tensor(RNG.uniform(low, high, shape), requires_grad=grad)


def away_from_zero(*shape):
    """Values with |x| in [0.5, 2]: no kinks of abs/relu/clip within a finite-difference step."""
    signs = RNG.choice([-1.0, 1.0], size=shape)
    return Tensor(signs * RNG.uniform(0.5, 2.0, shape), requires_grad=True)


def distinct(*shape):
    """A random permutation of well-separated values: no ties for max/min."""
    n = int(np.prod(shape))
    return Tensor((RNG.permutation(n) * 0.37 - n * 0.1).reshape(shape), requires_grad=True)


def check(fn, *inputs, **kwargs):
    assert gradcheck(fn, *inputs, **kwargs)


# ----- elementwise arithmetic (with broadcasting) ------------------------------------------------

BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((2, 3, 4), (1, 4)), ((), (2, 3))]


@pytest.mark.parametrize("sa,sb", BINARY_SHAPES)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_arithmetic(op, sa, sb):
    fns = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
    }
    b = away_from_zero(*sb) if op == "div" else rand(*sb)
    check(fns[op], rand(*sa), b)


def test_arithmetic_with_python_scalars():
    check(lambda a: 2.0 - a * 3.0 + 1.0 / (a + 5.0), rand(3, 2))


def test_pow_both_differentiable():
    check(lambda a, b: a ** b, rand(3, 4, low=0.5, high=2.0), rand(4))


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0])
def test_pow_scalar_exponent(exponent):
    check(lambda a: a ** exponent, rand(2, 3, low=0.5, high=2.0))


def test_rpow_scalar_base():
    check(lambda b: 2.0 ** b, rand(5))


def test_pow_masks_like_pytorch():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x ** 0).sum().backward()  # b * a**(b-1) would be 0 * inf
    assert_array_equal(x.grad.data, [0.0, 0.0])
    e = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (Tensor(np.array([0.0, 0.0])) ** e).sum().backward()  # 0**b * log(0) would be 0 * -inf
    assert_array_equal(e.grad.data, [0.0, 0.0])


def test_neg():
    check(lambda a: -a, rand(3, 2))


# ----- matmul ------------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((3, 4), (2, 4, 5)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb):
    check(lambda a, b: a @ b, rand(*sa), rand(*sb))


def test_matmul_with_a_constant_operand():
    x = rand(3, 4, grad=False)
    check(lambda w: x @ w, rand(4, 2))
    check(lambda w: w @ x, rand(2, 3))


# ----- elementwise math --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,fn,make",
    [
        ("exp", lambda a: a.exp(), lambda: rand(3, 4)),
        ("log", lambda a: a.log(), lambda: rand(3, 4, low=0.2, high=3.0)),
        ("sqrt", lambda a: a.sqrt(), lambda: rand(3, 4, low=0.2, high=3.0)),
        ("abs", lambda a: a.abs(), lambda: away_from_zero(3, 4)),
        ("tanh", lambda a: a.tanh(), lambda: rand(3, 4)),
        ("clip", lambda a: a.clip(-1.0, 1.0), lambda: away_from_zero(4, 5)),
        ("clip_min", lambda a: a.clip(min=0.25), lambda: away_from_zero(4, 5)),
        ("clip_max", lambda a: a.clip(max=-0.25), lambda: away_from_zero(4, 5)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_unary(name, fn, make):
    check(fn, make())


def test_clip_boundaries_follow_torch():
    # torch.clamp: gradient 1 where min <= x <= max, boundaries included
    x = Tensor(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), requires_grad=True)
    x.clip(0.0, 1.0).sum().backward()
    assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_abs_at_zero_is_zero():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    x.abs().sum().backward()
    assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


# ----- reductions --------------------------------------------------------------------------------

REDUCE_ARGS = [
    dict(),
    dict(dim=1),
    dict(dim=-1, keepdim=True),
    dict(dim=(0, 2)),
    dict(dim=(-1, 0), keepdim=True),
    dict(dim=None, keepdim=True),
]


@pytest.mark.parametrize("kwargs", REDUCE_ARGS, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin"])
def test_reductions(op, kwargs):
    x = distinct(2, 3, 4) if op in ("amax", "amin") else rand(2, 3, 4)
    check(lambda a: getattr(a, op)(**kwargs), x)


@pytest.mark.parametrize("kwargs", REDUCE_ARGS, ids=str)
@pytest.mark.parametrize("correction", [0, 1])
def test_var(kwargs, correction):
    check(lambda a: a.var(correction=correction, **kwargs), rand(2, 3, 4))


def test_max_min_without_dim():
    check(lambda a: a.max() * 2 + a.min(), distinct(3, 4))


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_max_min_with_dim_go_through_gather(dim, keepdim):
    check(lambda a: a.max(dim=dim, keepdim=keepdim).values + a.min(dim, keepdim)[0], distinct(3, 4, 2))
    check(lambda a: a.max(dim=dim, keepdim=keepdim), distinct(3, 4))  # (values, indices)


def test_amax_ties_share_the_gradient_equally():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [5.0, 5.0, 5.0]]), requires_grad=True)
    x.amax(dim=1).sum().backward()
    assert_allclose(x.grad.data, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = Tensor(np.array([2.0, 7.0, 7.0, 1.0]), requires_grad=True)
    y.max().backward()
    assert_allclose(y.grad.data, [0.0, 0.5, 0.5, 0.0])


def test_max_with_dim_ties_follow_the_index():
    x = Tensor(np.array([[1.0, 3.0, 3.0]]), requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    assert indices.item() == 1
    assert_array_equal(x.grad.data, [[0.0, 1.0, 0.0]])


def test_gather_with_repeated_indices():
    index = np.array([[0, 0, 2], [1, 1, 1], [3, 0, 1]])
    check(lambda a: a.gather(1, index), rand(3, 4))
    check(lambda a: a.gather(0, np.array([[2, 0, 2, 2]])), rand(3, 4))
    check(lambda a: a.gather(0, np.array([[2, 0, 1, 1], [2, 2, 2, 0]])), rand(3, 4))
    check(lambda a: a.gather(1, np.array([[1], [3], [1]])), rand(3, 4))
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    x.gather(1, np.array([[0, 0, 0, 2], [1, 2, 1, 1]])).sum().backward()
    assert_array_equal(x.grad.data, [[3.0, 0.0, 1.0], [0.0, 3.0, 1.0]])


def test_gather_with_an_index_smaller_than_the_input_outside_dim():
    # torch.gather semantics: the output has the index's shape; untouched lanes get zero gradient.
    check(lambda a: a.gather(0, np.array([[2], [0], [2]])), rand(3, 4))
    check(lambda a: a.gather(1, np.array([[3], [1]])), rand(3, 4))
    check(lambda a: a.gather(1, np.array([[3, 3, 0], [1, 2, 1]])), rand(3, 4))
    x = Tensor(np.zeros((3, 4)), requires_grad=True)
    x.gather(0, np.array([[2], [2]])).sum().backward()
    assert_array_equal(x.grad.data, [[0, 0, 0, 0], [0, 0, 0, 0], [2, 0, 0, 0]])


# ----- shape and views ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: a.reshape(4, 6),
        lambda a: a.view(-1),
        lambda a: a.permute(2, 0, 1),
        lambda a: a.permute(-1, -3, -2),
        lambda a: a.transpose(0, 2),
        lambda a: a.T,
        lambda a: a.unsqueeze(1).squeeze(),
        lambda a: a.flatten(1),
        lambda a: a.transpose(0, 1).contiguous(),
        lambda a: a.permute(1, 2, 0).reshape(3, 8) @ a.reshape(8, 3),
    ],
    ids=["reshape", "view", "permute", "permute_negative", "transpose", "T", "squeeze",
         "flatten", "contiguous", "views_of_views"],
)
def test_views(fn):
    check(fn, rand(2, 3, 4))


@pytest.mark.parametrize(
    "index",
    [
        1,
        -1,
        (slice(None), 2),
        (slice(None, None, 2), slice(1, 3)),
        (Ellipsis, None, 0),
        np.array([0, 2, 0, 0]),
        [1, 1, -2],
        (np.array([0, 1, 1]), np.array([2, 2, 2])),
        (np.array([[0], [1]]), np.array([0, 2, 2])),
        (slice(None), np.array([3, 0, 3])),
        (np.array([1, 0, 1]), slice(1, None), 0),
        np.array([True, False, True]),
        (np.array([True, False, True]), slice(None, 2)),
    ],
    ids=["int", "negative_int", "column", "strided_slice", "ellipsis_none", "int_array_repeats",
         "list_repeats", "two_int_arrays", "broadcast_int_arrays", "slice_then_int_array",
         "int_array_slice_int", "bool_rows", "bool_and_slice"],
)
def test_getitem(index):
    check(lambda a: a[index], rand(3, 4, 2))


def test_getitem_elementwise_bool_mask():
    x = rand(3, 4)
    mask = x.data > 0
    check(lambda a: a[mask], x)


def test_getitem_scatter_adds_repeated_indices():
    x = Tensor(np.zeros((4, 2)), requires_grad=True)
    x[np.array([0, 0, 3, 0, -1])].sum().backward()
    assert_array_equal(x.grad.data, [[3, 3], [0, 0], [0, 0], [2, 2]])
    y = Tensor(np.zeros(3), requires_grad=True)
    y[np.array([2, 2, 1])].sum().backward()
    assert_array_equal(y.grad.data, [0, 1, 2])


def test_getitem_with_an_empty_index():
    x = Tensor(np.ones((3, 2)), requires_grad=True)
    x[np.array([], dtype=np.int64)].sum().backward()
    assert_array_equal(x.grad.data, np.zeros((3, 2)))


def test_astype_casts_the_gradient_back():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = x.double() * Tensor(np.array([3.0, 4.0]))
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert_array_equal(x.grad.data, [3.0, 4.0])
    check(lambda a: a.to("float64") * a, rand(3))  # same dtype: no op recorded


# ----- selection and joining ---------------------------------------------------------------------


def test_masked_fill():
    mask = RNG.random((3, 1, 4)) > 0.5
    check(lambda a: a.masked_fill(mask, -3.0), rand(3, 2, 4))
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    x.masked_fill(np.array([True, False]), 9.0).sum().backward()
    assert_array_equal(x.grad.data, [[0, 1], [0, 1]])


def test_where_with_broadcasting():
    cond = RNG.random((3, 1)) > 0.5
    check(lambda a, b: where(cond, a, b), rand(3, 4), rand(4))
    check(lambda a: where(cond, a, 0.0), rand(1, 4))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim):
    shapes = {0: [(1, 3), (2, 3), (3, 3)], 1: [(2, 1), (2, 4), (2, 2)], -1: [(2, 2), (2, 3), (2, 1)]}[dim]
    check(lambda *xs: cat(xs, dim=dim), *[rand(*s) for s in shapes])


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack(dim):
    check(lambda *xs: stack(xs, dim=dim), rand(2, 3), rand(2, 3), rand(2, 3))


def test_cat_with_a_constant_part():
    const = rand(2, 2, grad=False)
    check(lambda a: cat([a, const, a], dim=1), rand(2, 3))


# ----- activations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kernel,attrs,make",
    [
        (A.relu, {}, lambda: away_from_zero(3, 4)),
        (A.sigmoid, {}, lambda: rand(3, 4, low=-6, high=6)),
        (A.gelu, {"approximate": "none"}, lambda: rand(3, 4, low=-4, high=4)),
        (A.gelu, {"approximate": "tanh"}, lambda: rand(3, 4, low=-4, high=4)),
        (A.softmax, {"dim": 1}, lambda: rand(2, 5, 3)),
        (A.softmax, {"dim": -1}, lambda: rand(2, 5, 3)),
        (A.softmax, {"dim": 0}, lambda: rand(4)),
        (A.log_softmax, {"dim": 1}, lambda: rand(2, 5, 3)),
        (A.log_softmax, {"dim": -1}, lambda: rand(3, 6)),
    ],
    ids=["relu", "sigmoid", "gelu", "gelu_tanh", "softmax_1", "softmax_-1", "softmax_1d",
         "log_softmax_1", "log_softmax_-1"],
)
def test_activation_kernels(kernel, attrs, make):
    check(lambda a: apply_op(kernel, a, **attrs), make())


def test_relu_at_zero_is_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    apply_op(A.relu, x).sum().backward()
    assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


def test_activations_survive_extreme_inputs():
    x = Tensor(np.array([[-800.0, 0.0, 800.0]]), requires_grad=True)
    (apply_op(A.sigmoid, x).sum() + apply_op(A.log_softmax, x, dim=1).sum()).backward()
    assert np.isfinite(x.grad.data).all()


# ----- losses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    check(lambda a, b: apply_op(L.mse_loss, a, b, reduction=reduction), rand(3, 4), rand(3, 4))


CE_CASES = [
    dict(shape=(5, 4), target=[0, 3, 1, 1, 2]),
    dict(shape=(5, 4), target=[0, 3, -100, 1, 2]),
    dict(shape=(5, 4), target=[0, 3, 1, 1, 2], label_smoothing=0.2),
    dict(shape=(5, 4), target=[0, 2, 1, 2, 2], ignore_index=2, label_smoothing=0.1),
    dict(shape=(2, 3, 4), target=[[0, 2, 1, 1], [2, 2, 0, 1]]),
    dict(shape=(4,), target=2),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "case", CE_CASES,
    ids=lambda c: f"{c['shape']}-{c.get('label_smoothing', 0)}-{c.get('ignore_index', -100)}",
)
def test_cross_entropy(case, reduction):
    case = dict(case)
    shape, target = case.pop("shape"), np.array(case.pop("target"))
    check(lambda a: apply_op(L.cross_entropy, a, target=target, reduction=reduction, **case),
          rand(*shape, low=-3, high=3))


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    x = Tensor(logits, requires_grad=True)
    apply_op(L.cross_entropy, x, target=np.array([1, 2])).backward()
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert_allclose(x.grad.data, (p - np.eye(3)[[1, 2]]) / 2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(reduction):
    target = RNG.random((3, 4))
    weight = RNG.random((4,)) + 0.5
    check(lambda p: apply_op(L.binary_cross_entropy, p, target=target, reduction=reduction),
          rand(3, 4, low=0.05, high=0.95))
    check(lambda p: apply_op(L.binary_cross_entropy, p, target=target, weight=weight,
                             reduction=reduction), rand(3, 4, low=0.05, high=0.95))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_with_logits(reduction, weighted):
    attrs = {"weight": RNG.random((3, 4)) + 0.5, "pos_weight": RNG.random(4) + 0.5} if weighted else {}
    check(lambda x, t: apply_op(L.binary_cross_entropy_with_logits, x, t, reduction=reduction, **attrs),
          rand(3, 4, low=-5, high=5), rand(3, 4, low=0, high=1))


# ----- random projections on larger shapes -------------------------------------------------------


def test_mlp_gradients_by_random_projections():
    x = rand(32, 20, grad=False)
    target = RNG.integers(0, 10, 32)
    w1, b1, w2, b2 = rand(20, 16, low=-0.5, high=0.5), rand(16), rand(16, 10, low=-0.5, high=0.5), rand(10)

    def loss(w1, b1, w2, b2):
        h = apply_op(A.gelu, x @ w1 + b1)
        return apply_op(L.cross_entropy, h @ w2 + b2, target=target, label_smoothing=0.1)

    check(loss, w1, b1, w2, b2, projections=4)


def test_attention_like_composite_by_random_projections():
    q, k, v = rand(2, 6, 8), rand(2, 6, 8), rand(2, 6, 8)
    mask = np.triu(np.ones((6, 6), bool), k=1)

    def attend(q, k, v):
        scores = (q @ k.transpose(-2, -1) / np.sqrt(8.0)).masked_fill(mask, -1e9)
        return apply_op(A.softmax, scores, dim=-1) @ v

    check(attend, q, k, v, projections=4)


def test_layernorm_like_composite_by_random_projections():
    def norm(x, g):
        mu = x.mean(dim=-1, keepdim=True)
        return (x - mu) / (x.var(dim=-1, keepdim=True, correction=0) + 1e-5).sqrt() * g

    check(norm, rand(4, 7, 16), rand(16), projections=4)
