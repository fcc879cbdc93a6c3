import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import Tensor, no_grad, ops


class TestDtypes:
    def test_python_numbers_follow_torch_tensor(self):
        assert Tensor(1.5).dtype == np.float32
        assert Tensor([1, 2]).dtype == np.int64
        assert Tensor([True, False]).dtype == np.bool_
        assert Tensor([[1, 2.5]]).dtype == np.float32

    def test_ndarrays_keep_their_dtype_and_are_not_copied(self):
        a = np.zeros(3, dtype=np.float64)
        t = Tensor(a)
        assert t.dtype == np.float64
        assert t.data is a

    def test_explicit_dtype(self):
        assert Tensor([1, 2], dtype=tt.float32).dtype == np.float32
        assert Tensor(np.ones(2), dtype="float16").dtype == np.float16

    def test_tensor_function_copies(self):
        a = np.ones(3, dtype=np.float32)
        t = tt.tensor(a)
        a[0] = 5
        assert t.data[0] == 1

    def test_rejects_non_numeric_data(self):
        with pytest.raises(TypeError, match="dtype <U1"):
            Tensor(["a", "b"])

    def test_only_floats_require_grad(self):
        with pytest.raises(RuntimeError, match="int64"):
            Tensor([1, 2], requires_grad=True)

    @pytest.mark.parametrize(
        "make, expected",
        [
            (lambda: Tensor([1, 2]) / Tensor([2, 4]), np.float32),
            (lambda: Tensor([1, 2]) + 2.5, np.float32),
            (lambda: Tensor([1, 2]) + Tensor([1.0, 2.0]), np.float32),
            (lambda: Tensor([1.0]) + Tensor(np.ones(1)), np.float64),
            (lambda: Tensor([1, 2]) * 3, np.int64),
            (lambda: Tensor([1.0], dtype="float16") * 2.0, np.float16),
            (lambda: Tensor([1, 4]).sqrt(), np.float32),
            (lambda: Tensor([1, 2]).sum(), np.int64),
            (lambda: Tensor([True, False]).sum(), np.int64),
        ],
    )
    def test_promotion_matches_torch(self, make, expected):
        assert make().dtype == expected


class TestViews:
    def test_reshape_transpose_and_basic_slicing_share_memory(self):
        x = tt.arange(12.0).reshape(3, 4)
        for view in (x.reshape(4, 3), x.transpose(0, 1), x.T, x[1:, ::2], x[0], x.unsqueeze(0)):
            assert np.shares_memory(view.data, x.data)

    def test_fancy_indexing_copies(self):
        x = tt.arange(6.0)
        assert not np.shares_memory(x[[0, 0, 1]].data, x.data)

    def test_shape_helpers(self):
        x = tt.zeros(2, 1, 3)
        assert x.squeeze().shape == (2, 3)
        assert x.squeeze(1).shape == (2, 3)
        assert x.squeeze(0).shape == (2, 1, 3)  # size 2 is kept, as in PyTorch
        assert x.unsqueeze(-1).shape == (2, 1, 3, 1)
        assert x.flatten().shape == (6,)
        assert tt.zeros(2, 3, 4).flatten(1).shape == (2, 12)
        assert tt.zeros(2, 3, 4).permute(2, 0, 1).shape == (4, 2, 3)
        assert x.view(-1, 3).shape == (2, 3)
        assert x.size() == (2, 1, 3) and x.size(-1) == 3 and x.numel() == 6 and x.dim() == 3

    def test_bad_reshape_names_both_shapes(self):
        with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
            tt.zeros(2, 3).reshape(4)

    def test_bad_permute(self):
        with pytest.raises(RuntimeError, match="duplicate dims"):  # torch's class
            tt.zeros(2, 3).permute(0, 0)


class TestArithmetic:
    def test_hand_checked_values(self):
        a = Tensor([[1.0, 2.0], [3.0, 4.0]])
        b = Tensor([10.0, 20.0])
        np.testing.assert_array_equal((a + b).data, [[11, 22], [13, 24]])
        np.testing.assert_array_equal((a - b).data, [[-9, -18], [-7, -16]])
        np.testing.assert_array_equal((2 * a).data, [[2, 4], [6, 8]])
        np.testing.assert_array_equal((1 / a).data[0], [1, 0.5])
        np.testing.assert_array_equal((a**2).data, [[1, 4], [9, 16]])
        np.testing.assert_array_equal((2**a).data[0], [2, 4])
        np.testing.assert_array_equal((a @ a).data, [[7, 10], [15, 22]])
        np.testing.assert_array_equal((-a).data[0], [-1, -2])
        np.testing.assert_array_equal((10 - a).data[0], [9, 8])

    def test_ndarray_on_the_left_defers_to_tensor(self):
        out = np.ones(2, dtype=np.float32) + Tensor([1.0, 2.0])
        assert isinstance(out, Tensor)

    def test_broadcast_error_names_shapes(self):
        with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
            tt.zeros(2, 3) + tt.zeros(4)

    def test_matmul_error_names_shapes(self):
        with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\).*3.*!= 4"):
            tt.zeros(2, 3) @ tt.zeros(4, 5)
        with pytest.raises(ValueError, match="at least 1 dim"):
            tt.zeros(()) @ tt.zeros(3)

    def test_comparisons_are_bool_and_never_recorded(self):
        x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        m = x > 1.5
        assert m.dtype == np.bool_ and m.grad_fn is None and not m.requires_grad
        assert (~m).data.tolist() == [True, False, False]
        assert ((x >= 2) & (x <= 2)).data.tolist() == [False, True, False]

    def test_inplace_under_no_grad_updates_data(self):
        w = Tensor([1.0, 2.0], requires_grad=True)
        data = w.data
        with no_grad():
            w -= 0.5 * Tensor([2.0, 2.0])
        assert w.data is data
        np.testing.assert_array_equal(w.data, [0.0, 1.0])

    def test_inplace_on_tensor_requiring_grad_is_refused(self):
        w = Tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="no_grad"):
            w += 1
        with pytest.raises(RuntimeError, match="no_grad"):
            w[0] = 2.0


class TestReductions:
    def test_sum_mean_var(self):
        x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        assert x.sum().item() == 21
        np.testing.assert_array_equal(x.sum(dim=0).data, [5, 7, 9])
        assert x.sum(dim=-1, keepdim=True).shape == (2, 1)
        assert x.sum(dim=(0, 1)).item() == 21
        np.testing.assert_allclose(x.mean(dim=1).data, [2, 5])
        np.testing.assert_allclose(x.var(dim=1).data, [1, 1])
        np.testing.assert_allclose(x.var(dim=1, correction=0).data, [2 / 3, 2 / 3], rtol=1e-6)

    def test_max_min_with_and_without_dim(self):
        x = Tensor([[1.0, 7.0, 3.0], [9.0, 5.0, 6.0]])
        assert x.max().item() == 9 and x.min().item() == 1
        values, indices = x.max(dim=1)
        assert values.data.tolist() == [7, 9] and indices.data.tolist() == [1, 0]
        values, indices = x.min(dim=0, keepdim=True)
        assert values.shape == (1, 3) and indices.data.tolist() == [[0, 1, 0]]
        assert x.argmax().item() == 3
        assert x.argmax(dim=1).data.tolist() == [1, 0]
        assert x.amax(dim=0).data.tolist() == [9, 7, 6]

    def test_mean_of_int_tensor_is_an_error(self):
        with pytest.raises(RuntimeError, match="int64"):  # torch's class
            Tensor([1, 2]).mean()


class TestIndexingAndSelection:
    def test_getitem_with_tensor_indices(self):
        x = tt.arange(10.0)
        assert x[Tensor([1, 1, 3])].data.tolist() == [1, 1, 3]
        assert x[x > 7].data.tolist() == [8, 9]

    def test_masked_fill_where_gather_cat_stack(self):
        x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        mask = Tensor([[True, False], [False, True]])
        assert x.masked_fill(mask, -1.0).data.tolist() == [[-1, 2], [3, -1]]
        assert tt.where(mask, x, tt.zeros(2, 2)).data.tolist() == [[1, 0], [0, 4]]
        assert x.gather(1, Tensor([[1], [0]])).data.tolist() == [[2], [3]]
        assert tt.cat([x, x], dim=1).shape == (2, 4)
        assert tt.stack([x, x], dim=-1).shape == (2, 2, 2)

    def test_selection_errors(self):
        x = tt.zeros(2, 2)
        with pytest.raises(RuntimeError, match="bool mask"):  # torch's class
            x.masked_fill(Tensor([1, 0]), 0.0)
        with pytest.raises(ValueError, match=r"\(3,\)"):
            x.masked_fill(Tensor([True, False, True]), 0.0)
        with pytest.raises(RuntimeError, match="must match except in dimension 0"):
            tt.cat([tt.zeros(2, 2), tt.zeros(2, 3)])
        with pytest.raises(RuntimeError, match="equal size"):
            tt.stack([tt.zeros(2), tt.zeros(3)])
        with pytest.raises(RuntimeError, match="same number of dimensions"):
            x.gather(0, Tensor([0, 1]))


class TestRecording:
    def test_results_record_only_when_needed(self):
        a = Tensor([1.0, 2.0], requires_grad=True)
        b = Tensor([3.0, 4.0])
        assert (b * 2).grad_fn is None
        y = a * b
        assert y.requires_grad and y.grad_fn.fn is ops.mul
        assert y.grad_fn.inputs == (a, b)
        s = y.sum(dim=0)
        assert s.grad_fn.attrs == {"dim": (0,), "keepdim": False}  # dims normalised once

    def test_no_grad_context_and_decorator(self):
        a = Tensor([1.0], requires_grad=True)
        with no_grad():
            assert not tt.is_grad_enabled()
            assert (a * 2).grad_fn is None
            with tt.enable_grad():
                assert (a * 2).grad_fn is not None
        assert tt.is_grad_enabled()

        @no_grad()
        def f(x):
            return x * 2

        assert f(a).grad_fn is None

    def test_no_grad_restores_state_after_an_exception(self):
        with pytest.raises(ZeroDivisionError):
            with no_grad():
                1 / 0
        assert tt.is_grad_enabled()

    def test_detach_shares_data_but_not_graph(self):
        a = Tensor([1.0], requires_grad=True)
        d = (a * 2).detach()
        assert d.grad_fn is None and not d.requires_grad

    def test_integer_results_never_require_grad(self):
        a = Tensor([1.5, 2.5], requires_grad=True)
        assert not a.argmax().requires_grad
        assert not a.to(tt.int64).requires_grad

    def test_backward_without_autograd_names_the_module(self, monkeypatch):
        import builtins

        real_import = builtins.__import__

        def no_autograd(name, *args, **kwargs):
            if name.startswith("tinytorch.autograd"):
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_autograd)
        with pytest.raises(RuntimeError, match=r"backward\(\) needs tinytorch-autograd \(module 05\)"):
            Tensor([1.0], requires_grad=True).sum().backward()

    def test_apply_op_with_a_custom_kernel(self):
        def double(a, scale=2):
            return a * scale

        x = Tensor([1.0], requires_grad=True)
        y = tt.apply_op(double, x, scale=3)
        assert y.data.tolist() == [3.0] and y.grad_fn.fn is double and y.grad_fn.attrs == {"scale": 3}


class TestCreationAndSeeding:
    def test_shapes_and_dtypes(self):
        assert tt.zeros(2, 3).shape == (2, 3) and tt.zeros((2, 3)).dtype == np.float32
        assert tt.ones(2).data.tolist() == [1, 1]
        assert tt.full((2,), 7).dtype == np.int64
        assert tt.full((2,), 7.0).dtype == np.float32
        assert tt.arange(3).data.tolist() == [0, 1, 2] and tt.arange(3).dtype == np.int64
        assert tt.arange(0, 1, 0.5).dtype == np.float32
        assert tt.randn(4, 5).shape == (4, 5) and tt.rand(3).dtype == np.float32
        r = tt.randint(0, 3, (100,))
        assert r.dtype == np.int64 and set(r.data.tolist()) <= {0, 1, 2}
        like = tt.zeros_like(tt.zeros(2, 2, dtype=tt.float64))
        assert like.dtype == np.float64 and tt.ones_like(like).data.sum() == 4
        assert tt.full_like(like, 3.0).data[0, 0] == 3 and tt.randn_like(like).shape == (2, 2)

    def test_manual_seed_reproduces_and_keeps_the_generator_object(self):
        gen = tt.default_generator
        tt.manual_seed(123)
        a = tt.randn(5).data
        tt.manual_seed(123)
        assert np.array_equal(a, tt.randn(5).data)
        assert tt.default_generator is gen

    def test_rng_state_round_trip(self):
        tt.manual_seed(7)
        state = tt.get_rng_state()
        a = tt.rand(3).data
        tt.set_rng_state(state)
        assert np.array_equal(a, tt.rand(3).data)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="-1"):
            tt.manual_seed(-1)
        with pytest.raises(RuntimeError, match="step"):
            tt.arange(0, 3, 0)
        with pytest.raises(RuntimeError, match="from=3 >= to=3"):  # torch's error class
            tt.randint(3, 3, (2,))


class TestPythonProtocol:
    def test_repr_item_len_iter_format(self):
        x = Tensor([[1.0, 2.0]], requires_grad=True)
        assert repr(x) == "tensor([[1., 2.]], requires_grad=True)"
        assert repr(Tensor([1.0], dtype="float64")) == "tensor([1.], dtype=float64)"
        assert "grad_fn=mul" in repr(x * 2)
        assert len(x) == 1 and [r.shape for r in x] == [(2,)]
        assert f"{x.sum():.1f}" == "3.0"
        with pytest.raises(RuntimeError, match=r"2 elements cannot be converted to Scalar \(shape \(1, 2\)"):
            x.item()

    def test_truth_value(self):
        assert bool(Tensor([1.0]))
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(Tensor([1.0, 2.0]))

    def test_tensors_are_hashable_by_identity(self):
        a, b = Tensor([1.0]), Tensor([1.0])
        assert len({a, b}) == 2

    def test_numpy_interop(self):
        x = Tensor([1.0, 2.0])
        assert np.asarray(x) is x.data and x.numpy() is x.data
        assert x.tolist() == [1.0, 2.0]


def test_gather_index_larger_than_input_outside_dim_is_an_error():
    with pytest.raises(RuntimeError, match=r"dimension 1 expected index \(2, 5\) to be smaller than self \(2, 4\)"):
        tt.zeros(2, 4).gather(0, Tensor(np.zeros((2, 5), dtype=np.int64)))
