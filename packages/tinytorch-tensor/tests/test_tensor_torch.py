"""Differential tests: every public Tensor op against PyTorch 2.13 on random shapes."""

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import Tensor

torch = pytest.importorskip("torch")

SHAPES = [(5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)]
BROADCAST_PAIRS = [((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (2, 3)), ((), (3, 2)), ((4, 1), (1, 5))]


def rand(shape, seed, positive=False):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return np.abs(a) + 0.1 if positive else a


def check(ours, theirs, rtol=1e-5, atol=1e-6):
    assert isinstance(ours, Tensor)
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.data, theirs, rtol=rtol, atol=atol)


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow"])
def test_binary_ops_with_broadcasting(op, shapes):
    a, b = rand(shapes[0], 1), rand(shapes[1], 2, positive=op == "pow")
    if op == "pow":
        a = np.abs(a) + 0.1
    fn = getattr(Tensor, f"__{op}__")
    check(fn(Tensor(a), Tensor(b)), getattr(torch.Tensor, f"__{op}__")(torch.tensor(a), torch.tensor(b)), rtol=1e-4)


@pytest.mark.parametrize("scalar", [2, 0.5, -3.0])
def test_scalar_and_reflected_ops(scalar):
    a = rand((3, 4), 3, positive=True)
    x, y = Tensor(a), torch.tensor(a)
    for ours, theirs in [
        (x + scalar, y + scalar), (scalar + x, scalar + y), (x - scalar, y - scalar),
        (scalar - x, scalar - y), (x * scalar, y * scalar), (scalar * x, scalar * y),
        (x / scalar, y / scalar), (scalar / x, scalar / y), (x**scalar, y**scalar),
        (abs(scalar) ** x, abs(scalar) ** y), (-x, -y),
    ]:
        check(ours, theirs, rtol=1e-5)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                                    ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((5, 3, 4), (5, 4, 2))])
def test_matmul(shapes):
    a, b = rand(shapes[0], 4), rand(shapes[1], 5)
    check(Tensor(a) @ Tensor(b), torch.tensor(a) @ torch.tensor(b), rtol=1e-4, atol=1e-5)
    check(tt.matmul(Tensor(a), Tensor(b)), torch.matmul(torch.tensor(a), torch.tensor(b)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "tanh"])
def test_unary_math(shape, name):
    a = rand(shape, 6, positive=name in ("log", "sqrt"))
    check(getattr(Tensor(a), name)(), getattr(torch.tensor(a), name)(), rtol=1e-5)


@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.2), (-0.1, None)])
def test_clip(bounds):
    a = rand((3, 5), 7)
    check(Tensor(a).clip(*bounds), torch.tensor(a).clip(*bounds))
    check(Tensor(a).clamp(*bounds), torch.tensor(a).clamp(*bounds))


def dims_for(ndim):
    return [None, 0, -1, ndim - 1, (0, -1)] if ndim > 1 else [None, 0, -1]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "var", "amax", "amin"])
def test_reductions(shape, keepdim, name):
    a = rand(shape, 8)
    for dim in dims_for(len(shape)):
        if dim is None and name != "var":
            check(getattr(Tensor(a), name)(), getattr(torch.tensor(a), name)(), rtol=1e-4, atol=1e-5)
            continue
        kwargs = {"dim": dim, "keepdim": keepdim}
        check(getattr(Tensor(a), name)(**kwargs), getattr(torch.tensor(a), name)(**kwargs), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("correction", [0, 1])
def test_var_correction(correction):
    a = rand((4, 6), 9)
    check(Tensor(a).var(dim=1, correction=correction), torch.tensor(a).var(dim=1, correction=correction), rtol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_and_arg(shape, name):
    a = rand(shape, 10)
    check(getattr(Tensor(a), name)(), getattr(torch.tensor(a), name)())
    for dim in dims_for(len(shape))[1:3]:
        for keepdim in (False, True):
            ours = getattr(Tensor(a), name)(dim=dim, keepdim=keepdim)
            theirs = getattr(torch.tensor(a), name)(dim=dim, keepdim=keepdim)
            check(ours.values, theirs.values)
            check(ours.indices, theirs.indices)
            arg = "argmax" if name == "max" else "argmin"
            check(getattr(Tensor(a), arg)(dim=dim, keepdim=keepdim), getattr(torch.tensor(a), arg)(dim=dim, keepdim=keepdim))
    check(Tensor(a).argmax(), torch.tensor(a).argmax())


def test_shape_ops():
    a = rand((2, 3, 4), 11)
    x, y = Tensor(a), torch.tensor(a)
    check(x.reshape(4, -1), y.reshape(4, -1))
    check(x.view(6, 4), y.view(6, 4))
    check(x.transpose(0, -1), y.transpose(0, -1))
    check(x.permute(2, 0, 1), y.permute(2, 0, 1))
    check(x.flatten(), y.flatten())
    check(x.flatten(1), y.flatten(1))
    check(x.flatten(0, 1), y.flatten(0, 1))
    check(x.unsqueeze(1), y.unsqueeze(1))
    check(x.unsqueeze(-1), y.unsqueeze(-1))
    check(x.unsqueeze(0).squeeze(), y.unsqueeze(0).squeeze())
    check(x.unsqueeze(2).squeeze(2), y.unsqueeze(2).squeeze(2))
    check(x[0].T, y[0].T)
    check(x.contiguous(), y.contiguous())
    check(x.transpose(0, 1).contiguous(), y.transpose(0, 1).contiguous())


@pytest.mark.parametrize(
    "index",
    [0, -1, slice(1, None), (slice(None), 1), (Ellipsis, 0), (0, slice(None, None, 2), -1),
     ([0, 1, 1],), (slice(None), [2, 0, 2]), (None, 0)],
)
def test_getitem(index):
    a = rand((3, 4, 5), 12)
    check(Tensor(a)[index], torch.tensor(a)[index])


def test_getitem_with_masks_and_int_tensors():
    a = rand((4, 5), 13)
    x, y = Tensor(a), torch.tensor(a)
    check(x[x > 0], y[y > 0])
    check(x[Tensor([3, 0, 3])], y[torch.tensor([3, 0, 3])])


def test_selection_ops():
    a, b = rand((3, 4), 14), rand((4,), 15)
    mask = a > 0
    x, y = Tensor(a), torch.tensor(a)
    check(x.masked_fill(Tensor(mask), -1.0), y.masked_fill(torch.tensor(mask), -1.0))
    check(x.masked_fill(Tensor(mask[0]), 2.0), y.masked_fill(torch.tensor(mask[0]), 2.0))
    check(tt.where(Tensor(mask), x, Tensor(b)), torch.where(torch.tensor(mask), y, torch.tensor(b)))
    index = np.random.default_rng(0).integers(0, 4, (3, 2))
    check(x.gather(1, Tensor(index)), y.gather(1, torch.tensor(index)))
    check(x.gather(-1, Tensor(index)), y.gather(-1, torch.tensor(index)))
    for dim in (0, 1, -1):
        check(tt.cat([x, x * 2], dim=dim), torch.cat([y, y * 2], dim=dim))
        check(tt.stack([x, x * 2], dim=dim), torch.stack([y, y * 2], dim=dim))


def test_comparisons():
    a, b = rand((3, 4), 16), rand((4,), 17)
    x, y = Tensor(a), torch.tensor(a)
    for name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        check(getattr(x, name)(Tensor(b)), getattr(y, name)(torch.tensor(b)))
        check(getattr(x, name)(0.0), getattr(y, name)(0.0))


@pytest.mark.parametrize("data", [1.5, 3, True, [1, 2], [[1.0, 2.0]], [1, 2.5], np.float64(1.0), np.arange(3, dtype=np.int32)])
def test_dtype_inference(data):
    assert Tensor(data).dtype == torch.tensor(data).numpy().dtype


@pytest.mark.parametrize("left, right", [(np.int64, np.float32), (np.int64, np.int64), (np.int32, np.float64),
                                         (np.float32, np.float64), (np.bool_, np.float32), (np.int64, float)])
def test_type_promotion(left, right):
    a = np.array([1, 2], dtype=left)
    b = 2.5 if right is float else np.array([3, 4], dtype=right)
    tb = b if right is float else Tensor(b)
    ub = b if right is float else torch.tensor(b)
    for op in ("__add__", "__mul__", "__truediv__"):
        if left is np.bool_ and op != "__truediv__":
            continue
        check(getattr(Tensor(a), op)(tb), getattr(torch.tensor(a), op)(ub))


def test_creation_dtypes():
    assert tt.arange(5).dtype == torch.arange(5).numpy().dtype
    assert tt.arange(0.0, 2.0, 0.5).dtype == torch.arange(0.0, 2.0, 0.5).numpy().dtype
    check(tt.arange(1, 10, 3), torch.arange(1, 10, 3))
    check(tt.full((2, 2), 3), torch.full((2, 2), 3))
    check(tt.full((2, 2), 3.0), torch.full((2, 2), 3.0))
    check(tt.zeros(2, 3), torch.zeros(2, 3))
    check(tt.ones((2, 3)), torch.ones((2, 3)))


@pytest.mark.parametrize("dim, index_shape", [(0, (3, 1)), (1, (2, 1)), (0, (2, 4)), (-1, (3, 6)), (1, (1, 2))])
def test_gather_with_an_index_smaller_than_the_input(dim, index_shape):
    a = rand((3, 4), 18)
    size = a.shape[dim]
    index = np.random.default_rng(1).integers(0, size, index_shape)
    check(Tensor(a).gather(dim, Tensor(index)), torch.tensor(a).gather(dim, torch.tensor(index)))


def test_zero_dim_numpy_bool_masks():
    a = rand((2, 3), 19)
    flag = np.float32(0.7) > 0.5  # a 0-d np.bool_, not an ndarray
    check(Tensor(a).masked_fill(flag, 0.0), torch.tensor(a).masked_fill(torch.tensor(bool(flag)), 0.0))
    check(tt.where(flag, Tensor(a), Tensor(a) * 2), torch.where(torch.tensor(bool(flag)), torch.tensor(a), torch.tensor(a) * 2))
