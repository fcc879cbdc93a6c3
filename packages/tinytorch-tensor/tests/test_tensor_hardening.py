"""Bad input gets PyTorch's error class and a clear message; dtypes follow PyTorch's table.

Each case here failed before the fix it guards (issue "Acts I-III hardened").
"""

import itertools

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import Tensor

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


class TestDims:
    @pytest.mark.parametrize("call", [
        lambda x: x.squeeze(2), lambda x: x.flatten(2, 3), lambda x: x.flatten(5),
        lambda x: x.squeeze(-3), lambda x: x.gather(2, Tensor(np.zeros((1, 3), np.int64))),
        lambda x: x.transpose(0, 5), lambda x: x.size(5), lambda x: x.sum(2), lambda x: x.mean(-3),
        lambda x: x.unsqueeze(3), lambda x: x.max(dim=2), lambda x: x.argmax(2), lambda x: x.amax(2),
        lambda x: tt.cat([x, x], dim=2), lambda x: tt.stack([x, x], dim=3), lambda x: x.split(1, 2),
        lambda x: x.topk(1, dim=2), lambda x: x.permute(0, 2), lambda x: x.var(dim=[0, 2]),
    ])
    def test_out_of_range_dims_are_index_errors(self, call):
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-\d, \d\], but got -?\d\)"):
            call(tt.zeros(1, 3))

    def test_the_message_is_torchs(self):
        with pytest.raises(IndexError) as info:
            tt.zeros(1, 3).squeeze(2)
        assert str(info.value) == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"

    def test_empty_dim_lists_reduce_everything(self):
        x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        assert x.sum(dim=[]).shape == () and x.sum(dim=[]).item() == 10
        assert x.mean(dim=()).item() == 2.5
        assert x.sum(dim=(), keepdim=True).shape == (1, 1)

    def test_keepdims_alias(self):
        assert tt.zeros(2, 3).sum(dim=0, keepdims=True).shape == (1, 3)


class TestErrors:
    def test_negative_integer_power(self):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
            Tensor([1, 2]) ** -1
        assert (Tensor([1.0, 2.0]) ** -1).tolist() == [1.0, 0.5]

    def test_negative_gather_index(self):
        with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 0 with size 3"):
            tt.zeros(3).gather(0, Tensor([-1]))
        with pytest.raises(RuntimeError, match="index 3 is out of bounds"):
            tt.zeros(3).gather(0, Tensor([3]))

    def test_cat_errors(self):
        with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
            tt.cat([Tensor(1.0), Tensor(2.0)])
        with pytest.raises(TypeError, match="tuple or list"):
            tt.cat(tt.zeros(2))

    def test_linear_checks_its_arguments(self):
        with pytest.raises(TypeError, match="Tensor weight, got list \\(argument 'weight', position 2"):
            tt.linear(tt.zeros(2, 3), [[1.0, 2.0, 3.0]])
        with pytest.raises(RuntimeError, match="cannot be multiplied"):
            tt.linear(tt.zeros(2, 3), tt.zeros(4, 2))

    def test_broadcast_and_matmul_errors_are_runtime_errors(self):
        with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4,\)"):
            tt.zeros(2, 3) + tt.zeros(4)
        with pytest.raises(RuntimeError, match="cannot be multiplied"):
            tt.zeros(2, 3) @ tt.zeros(2, 3)
        with pytest.raises(ValueError):  # also a ValueError, as before
            tt.zeros(2, 3) @ tt.zeros(2, 3)

    def test_negative_slice_steps_are_refused_as_in_torch(self):
        with pytest.raises(ValueError, match="step must be greater than zero"):
            tt.zeros(4)[::-1]

    def test_view_never_copies(self):
        x = tt.zeros(2, 3)
        assert np.shares_memory(x.view(6).data, x.data)
        with pytest.raises(RuntimeError, match="Use .reshape"):
            x.T.view(6)
        assert x.T.reshape(6).shape == (6,)

    def test_matmul_and_linear_need_one_dtype(self):
        with pytest.raises(RuntimeError, match="same dtype"):
            tt.zeros(2, 2) @ tt.zeros(2, 2, dtype=tt.float64)
        with pytest.raises(RuntimeError, match="same dtype"):
            tt.linear(tt.zeros(2, 2), tt.zeros(2, 2, dtype=tt.float64))

    def test_python_number_conversions(self):
        assert float(Tensor([1.5])) == 1.5 and int(Tensor(3)) == 3
        assert [10, 20, 30][Tensor(1)] == 20
        with pytest.raises(ValueError, match="only one element"):
            int(Tensor([1, 2]))
        with pytest.raises(TypeError, match="integer tensors"):
            [1, 2][Tensor(1.0)]
        assert tt.zeros(2, 3).reshape(Tensor(6)).shape == (6,)

    def test_bool_abs_and_argmax_are_refused(self):
        with pytest.raises(NotImplementedError):
            Tensor([True, False]).abs()
        with pytest.raises(RuntimeError):
            Tensor([True, False]).argmax()

    def test_data_that_is_not_numbers(self):
        for bad in (None, ["a", "b"]):
            with pytest.raises(RuntimeError, match="Could not infer dtype"):  # torch's class
                Tensor(bad)
            with pytest.raises(TypeError):  # and the class TinyTorch raised before
                tt.tensor(bad)

    def test_bad_operand_types(self):
        with pytest.raises(TypeError, match="list"):
            tt.zeros(2) + [1.0, 2.0]

    def test_empty_reductions(self):
        with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
            tt.zeros(0).max()
        with pytest.raises(IndexError, match="reduction dim 1 to have non-zero size"):
            tt.zeros(2, 0).max(dim=1)
        with pytest.raises(IndexError):
            tt.zeros(2, 0).argmax(1)
        v, i = tt.zeros(2, 0).max(dim=0)
        assert v.shape == (0,) and i.shape == (0,)
        assert tt.zeros(2, 0).sum(1).tolist() == [0.0, 0.0]
        assert np.isnan(tt.zeros(2, 0).mean(1).data).all() and np.isnan(tt.zeros(0).mean().item())


class TestDtypes:
    def test_unary_float_ops_on_bool(self):
        assert Tensor([True, False]).exp().dtype == np.float32
        assert Tensor([1, 2], dtype="uint8").sqrt().dtype == np.float32

    def test_issue_cases(self):
        assert tt.clamp(Tensor([1, 2, 3]), 0.5).dtype == np.float32
        assert tt.cat([tt.zeros(2), tt.zeros(2, dtype=tt.int64)]).dtype == np.float32
        assert tt.zeros(3, dtype=tt.uint8).sum().dtype == np.int64
        assert Tensor([True, True]).sum().item() == 2
        assert (Tensor([1, 2]) / Tensor([2, 4])).dtype == np.float32
        assert (Tensor([1, 2]) * 0.5).dtype == np.float32
        assert (tt.zeros(2, dtype=tt.float16) * 0.5).dtype == np.float16
        assert tt.where(Tensor([True, False]), Tensor([1, 2]), 0.5).dtype == np.float32

    def test_torch_dtype_names(self):
        assert tt.long == np.int64 and tt.float == np.float32 and tt.double == np.float64
        assert tt.bool == np.bool_ and tt.half == np.float16 and tt.int == np.int32


torch = pytest.importorskip("torch")


def _torch(name):
    return getattr(torch, name)


@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_table_matches_torch_result_type(a, b):
    for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
        ours = tt.result_type(np.zeros(sa, a), np.zeros(sb, b))
        theirs = torch.result_type(torch.zeros(sa, dtype=_torch(a)), torch.zeros(sb, dtype=_torch(b)))
        assert str(theirs) == f"torch.{ours}", (a, b, sa, sb)
    for scalar in (True, 3, 2.5):
        ours = tt.result_type(np.zeros(2, a), scalar)
        assert str(torch.result_type(torch.zeros(2, dtype=_torch(a)), scalar)) == f"torch.{ours}"


@pytest.mark.parametrize("a,b", [p for p in itertools.product(DTYPES, DTYPES) if "bool" not in p])
@pytest.mark.parametrize("op", ["add", "mul", "truediv"])
def test_arithmetic_result_dtypes_match_torch(a, b, op):
    x, y = np.ones(3, a), np.full((3,), 2, b)
    ours = getattr(Tensor(x), f"__{op}__")(Tensor(y))
    theirs = getattr(torch.tensor(x), f"__{op}__")(torch.tensor(y))
    assert str(theirs.dtype) == f"torch.{ours.dtype}"
    np.testing.assert_allclose(ours.data.astype(np.float64), theirs.double().numpy(), rtol=1e-3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sin", "cos", "log10", "log1p"])
def test_float_valued_unary_dtypes_match_torch(dtype, name):
    x = np.ones(3, dtype)
    assert str(getattr(torch.tensor(x), name)().dtype) == f"torch.{getattr(Tensor(x), name)().dtype}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_dtypes_match_torch(dtype):
    x = np.ones(3, dtype)
    assert str(torch.tensor(x).sum().dtype) == f"torch.{Tensor(x).sum().dtype}"
