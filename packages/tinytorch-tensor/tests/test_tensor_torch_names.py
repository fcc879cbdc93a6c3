"""Names real PyTorch programs use on module 01: activation methods, ``Size``, ``one_hot``, the
BLAS thread count and the constructor's edge cases, each against PyTorch 2.13 where installed."""

import builtins

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.tensor as tt
from tinytorch.tensor import Size, Tensor, one_hot


def _without(monkeypatch, prefix):
    real_import = builtins.__import__

    def fake(name, globals=None, locals=None, fromlist=(), level=0):
        if name.startswith(prefix) or (name == "tinytorch" and prefix.split(".")[1] in (fromlist or ())):
            raise ImportError(name)
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", fake)


class TestActivationMethods:
    def test_methods_match_the_functions(self):
        activations = pytest.importorskip("tinytorch.activations")
        x = Tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
        np.testing.assert_array_equal(x.relu().data, [[1.0, 0.0, 0.5], [3.0, 0.0, 0.0]])
        np.testing.assert_array_equal(x.sigmoid().data, activations.sigmoid(x).data)
        np.testing.assert_allclose(x.softmax(1).data.sum(axis=1), [1.0, 1.0], rtol=1e-6)
        np.testing.assert_array_equal(x.log_softmax(dim=-1).data, activations.log_softmax(x, -1).data)

    def test_methods_record_the_same_node_as_the_functions(self):
        activations = pytest.importorskip("tinytorch.activations")
        x = Tensor([1.0, -1.0], requires_grad=True)
        assert x.relu().grad_fn.fn is activations.relu(x).grad_fn.fn
        assert x.softmax(0).grad_fn.fn is activations.softmax(x, 0).grad_fn.fn

    def test_bad_dim_is_module_02s_error(self):
        pytest.importorskip("tinytorch.activations")
        with pytest.raises(IndexError, match="out of range"):
            Tensor([[1.0]]).softmax(2)

    def test_without_module_02_the_error_names_the_distribution(self, monkeypatch):
        _without(monkeypatch, "tinytorch.activations")
        with pytest.raises(RuntimeError, match=r"Tensor.relu\(\) needs tinytorch-activations \(module 02\)"):
            Tensor([1.0]).relu()
        with pytest.raises(RuntimeError, match="log_softmax"):
            Tensor([1.0]).log_softmax(0)


class TestSize:
    def test_a_tuple_with_numel_and_torchs_repr(self):
        s = Size([2, 3, 4])
        assert s == (2, 3, 4) and isinstance(s, tuple) and s.numel() == 24
        assert Size().numel() == 1 and repr(Size([2, 3])) == "torch.Size([2, 3])"
        assert type(s[1:]) is Size and s[1:] == (3, 4) and s[0] == 2 and type(s[0]) is int
        assert type(s + (5,)) is Size and s + (5,) == (2, 3, 4, 5)
        assert Tensor(np.zeros((2, 3))).shape == Size([2, 3])
        assert Size(np.array([2, 3])) == (2, 3) and type(Size(np.array([2]))[0]) is int

    def test_non_int_entries_are_a_type_error(self):
        with pytest.raises(TypeError, match="item 1 is 'str'"):
            Size([2, "a"])
        with pytest.raises(TypeError, match="item 0 is 'float'"):
            Size([2.0])


class TestOneHot:
    def test_by_hand(self):
        np.testing.assert_array_equal(one_hot(Tensor([0, 2]), 3).data, [[1, 0, 0], [0, 0, 1]])
        assert one_hot(Tensor([0, 2])).shape == (2, 3) and one_hot(Tensor([1])).dtype == np.int64
        assert one_hot(Tensor(np.zeros(0, np.int64)), 4).shape == (0, 4)
        assert one_hot(Tensor(2), 4).data.tolist() == [0, 0, 1, 0]

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.integers(0, 6), min_size=1, max_size=12), st.integers(0, 3))
    def test_rows_sum_to_one_and_argmax_is_the_label(self, labels, extra):
        classes = max(labels) + 1 + extra
        out = one_hot(Tensor(labels), classes).data
        assert out.shape == (len(labels), classes)
        assert (out.sum(axis=1) == 1).all() and out.argmax(axis=1).tolist() == labels

    @pytest.mark.parametrize("bad, num_classes, error, match", [
        ([0.0, 1.0], -1, RuntimeError, "LongTensor"),
        ([-1], -1, RuntimeError, "non-negative, got -1"),
        ([3], 3, RuntimeError, r"smaller than num_classes \(3\), got 3"),
        (np.zeros(0, np.int64), -1, RuntimeError, "empty tensor"),
        (np.array([1], np.int32), 3, RuntimeError, "int32"),
    ])
    def test_bad_input(self, bad, num_classes, error, match):
        with pytest.raises(error, match=match):
            one_hot(Tensor(bad), num_classes)

    def test_not_a_tensor(self):
        with pytest.raises(TypeError, match="must be Tensor, not list"):
            one_hot([0, 1])


class TestThreads:
    def test_set_then_get(self):
        pytest.importorskip("threadpoolctl")
        before = tt.get_num_threads()
        try:
            tt.set_num_threads(1)
            assert tt.get_num_threads() == 1
        finally:
            tt.set_num_threads(before)

    @pytest.mark.parametrize("bad", [0, -2, 2.0, True])
    def test_bad_counts(self, bad):
        with pytest.raises(RuntimeError, match="set_num_threads expects"):
            tt.set_num_threads(bad)

    def test_without_threadpoolctl_it_says_so(self, monkeypatch):
        _without(monkeypatch, "threadpoolctl")
        with pytest.raises(RuntimeError, match="needs the threadpoolctl package"):
            tt.get_num_threads()


class TestConstructor:
    def test_no_arguments_is_an_empty_float_tensor(self):
        assert Tensor().shape == (0,) and Tensor().dtype == np.float32

    def test_sizes_as_arguments_name_the_functions_to_use(self):
        with pytest.raises(TypeError, match=r"empty\(2, 3, ...\) or zeros\(2, 3, ...\)"):
            Tensor(2, 3)

    def test_size_keyword(self):
        assert tt.zeros(size=(2, 3)).shape == (2, 3) and tt.randn(size=(4,)).shape == (4,)
        assert tt.ones(size=2).shape == (2,) and tt.rand(size=[1, 2]).shape == (1, 2)
        with pytest.raises(TypeError, match="size twice"):
            tt.zeros(2, size=(2,))

    def test_positional_dtype_still_works(self):
        assert Tensor([1, 2], "float64").dtype == np.float64


class TestDataUpdates:
    """``.data`` is the ndarray; ``p.data += g`` with a Tensor ``g`` updates it in place."""

    def test_in_place_updates_with_tensor_operands(self):
        p = Tensor([1.0, 2.0], requires_grad=True)
        data, version = p.data, p._version
        p.data += Tensor([1.0, 1.0])
        p.data -= 0.5 * Tensor([2.0, 2.0])
        p.data *= Tensor([2.0, 3.0])
        p.data /= Tensor([2.0, 2.0])
        assert p.data is data and type(p.data) is np.ndarray and p._version == version
        np.testing.assert_array_equal(p.data, [1.0, 3.0])
        assert p.grad_fn is None and p.requires_grad

    def test_gradient_step_idiom(self):
        w = Tensor([1.0, -1.0], requires_grad=True)
        w.grad = w.detach() * 2.0  # what backward() of (w * w).sum() leaves (module 05)
        w.data -= 0.1 * w.grad
        np.testing.assert_allclose(w.data, [0.8, -0.8], rtol=1e-6)

    def test_ndarray_operator_tensor_is_the_tensor_op(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = np.ones(2, np.float32) * x
        assert isinstance(y, Tensor) and y.grad_fn is not None
        assert (np.array([2.0, 2.0]) - x).data.tolist() == [1.0, 0.0]
        assert (np.array([1, 3]) < Tensor([2, 2])).data.tolist() == [True, False]
        assert (np.float64(2.0) * Tensor([1.0])).dtype == np.float32  # NumPy scalars are weak

    def test_other_numpy_functions_are_a_type_error(self):
        with pytest.raises(TypeError):
            np.exp(Tensor([1.0]))
        with pytest.raises(TypeError):
            np.add(Tensor([1.0]), 1.0, out=Tensor([0.0]))

    def test_bad_in_place_updates(self):
        with pytest.raises(ValueError):
            p = np.zeros(3, np.float32)
            p += Tensor([1.0, 2.0])
        with pytest.raises(TypeError):  # float into int64, as NumPy's casting rule
            q = np.zeros(2, np.int64)
            q += Tensor([1.5, 2.0])


class TestSortingAndPredicates:
    def test_sort_by_hand(self):
        values, indices = tt.sort(Tensor([[3.0, float("nan"), 1.0, 3.0]]), descending=True)
        assert indices.data.tolist() == [[1, 0, 3, 2]] and np.isnan(values.data[0, 0])
        assert tt.sort(Tensor([2, 1, 2])).indices.data.tolist() == [1, 0, 2]  # stable
        assert tt.argsort(Tensor([[1.0, 0.0], [0.0, 1.0]]), dim=0).data.tolist() == [[1, 0], [0, 1]]
        assert tt.sort(Tensor(np.zeros((2, 0)))).values.shape == (2, 0)

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.integers(-5, 5), min_size=1, max_size=10), st.booleans())
    def test_sort_is_sorted_and_a_permutation(self, values, descending):
        out, idx = tt.sort(Tensor(values), descending=descending)
        expected = sorted(values, reverse=descending)
        assert out.data.tolist() == expected and sorted(idx.data.tolist()) == list(range(len(values)))

    def test_predicates_by_hand(self):
        x = Tensor([1.0, float("nan"), float("inf"), 0.0])
        assert tt.isnan(x).data.tolist() == [False, True, False, False]
        assert tt.isinf(x).data.tolist() == [False, False, True, False]
        assert tt.isfinite(x).data.tolist() == [True, False, False, True]
        assert bool(tt.any(x)) and not bool(tt.all(x)) and int(tt.count_nonzero(x)) == 3
        assert tt.allclose(Tensor([1.0]), Tensor([1.0 + 1e-9])) and not tt.equal(Tensor([1]), Tensor([1, 1]))
        with pytest.raises(RuntimeError, match="float32 did not match float64"):
            tt.allclose(Tensor([1.0]), Tensor([1.0], dtype="float64"))

    def test_logsumexp_is_stable(self):
        np.testing.assert_allclose(tt.logsumexp(Tensor([1000.0, 1000.0]), 0).data, 1000 + np.log(2), rtol=1e-6)
        with np.errstate(divide="ignore"):
            assert tt.logsumexp(Tensor([float("-inf")] * 2), 0).item() == float("-inf")
        assert tt.logsumexp(Tensor([[1, 2]]), 1).dtype == np.float32

    def test_diag(self):
        assert tt.diag(Tensor([1, 2])).data.tolist() == [[1, 0], [0, 2]]
        assert tt.diag(Tensor([1.0]), 1).data.tolist() == [[0.0, 1.0], [0.0, 0.0]]
        assert tt.diag(Tensor([[1, 2, 3], [4, 5, 6]]), -1).data.tolist() == [4]
        assert tt.diag(Tensor([[1, 2], [3, 4]])).data.tolist() == [1, 4]
        with pytest.raises(RuntimeError, match="1D or 2D"):
            tt.diag(tt.zeros(1, 1, 1))
        autograd = pytest.importorskip("tinytorch.autograd")
        x = Tensor(np.random.default_rng(9).standard_normal((3, 4)), requires_grad=True)
        assert autograd.gradcheck(lambda x: tt.diag(x, 1) * 2, x)
        assert autograd.gradcheck(lambda x: tt.diag(x[0], -2), x)

    def test_mm_bmm_t_eye(self):
        assert tt.mm(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])).item() == 11.0
        assert tt.bmm(tt.ones(2, 1, 3), tt.ones(2, 3, 4)).shape == (2, 1, 4)
        assert Tensor([[1, 2]]).t().shape == (2, 1) and Tensor([1, 2]).t().shape == (2,)
        np.testing.assert_array_equal(tt.eye(2, 3).data, np.eye(2, 3))
        assert tt.eye(2).dtype == np.float32 and tt.eye(2, dtype="int64").dtype == np.int64
        with pytest.raises(RuntimeError, match="must be a matrix"):
            tt.mm(Tensor([1.0]), Tensor([[1.0]]))
        with pytest.raises(RuntimeError, match="batch sizes 2 and 3"):
            tt.bmm(tt.ones(2, 1, 3), tt.ones(3, 3, 4))
        with pytest.raises(RuntimeError, match="<= 2 dimensions"):
            tt.ones(1, 1, 1).t()

    def test_gradchecks(self):
        autograd = pytest.importorskip("tinytorch.autograd")
        rng = np.random.default_rng(3)
        x = Tensor(rng.permutation(12).reshape(3, 4) * 0.3, requires_grad=True)
        assert autograd.gradcheck(lambda x: tt.sort(x, dim=1, descending=True).values * x, x)
        assert autograd.gradcheck(lambda x: tt.logsumexp(x, (0, 1)), x)
        assert autograd.gradcheck(lambda x: tt.bmm(x[None], x.t()[None]), x)


class TestSelectionAndLike:
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    def test_by_hand(self):
        assert self.x.flip(1).data.tolist() == [[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]]
        assert self.x.index_select(1, Tensor([2, 0])).data.tolist() == [[3.0, 1.0], [6.0, 4.0]]
        assert self.x.narrow(0, 1, 1).data.tolist() == [[4.0, 5.0, 6.0]]
        assert (self.x > 4).nonzero().data.tolist() == [[1, 1], [1, 2]]
        assert [p.data.tolist() for p in tt.where(self.x > 4)] == [[1, 1], [1, 2]]
        assert tt.outer(Tensor([1.0, 2.0]), Tensor([3.0])).data.tolist() == [[3.0], [6.0]]
        assert self.x.square().data[1].tolist() == [16.0, 25.0, 36.0]

    def test_new_and_type(self):
        x = Tensor([1.0], dtype="float64")
        assert x.new_zeros(2, 3).dtype == np.float64 and x.new_ones((2,)).shape == (2,)
        assert x.new_full((2,), 7).data.tolist() == [7.0, 7.0] and x.new_tensor([1, 2]).dtype == np.float64
        assert x.type() == "torch.DoubleTensor" and Tensor([True]).type() == "torch.BoolTensor"
        assert x.type("torch.FloatTensor").dtype == np.float32 and x.type(np.int64).dtype == np.int64

    def test_bad_input(self):
        with pytest.raises(RuntimeError, match="index 3 is out of range for dim 1 of size 3"):
            self.x.index_select(1, Tensor([3]))
        with pytest.raises(RuntimeError, match="exceeds dimension size"):
            self.x.narrow(1, 2, 2)
        with pytest.raises(RuntimeError, match="1-d tensor"):
            tt.outer(self.x, Tensor([1.0]))
        with pytest.raises(IndexError, match="Dimension out of range"):
            self.x.flip(2)

    def test_gradchecks(self):
        autograd = pytest.importorskip("tinytorch.autograd")
        x = Tensor(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=True)
        assert autograd.gradcheck(lambda x: x.flip([0, 1]) * x, x)
        assert autograd.gradcheck(lambda x: x.index_select(1, Tensor([3, 0, 3])), x)
        assert autograd.gradcheck(lambda x: x.narrow(0, 1, 2).square(), x)
        assert autograd.gradcheck(lambda x: tt.outer(x[0], x[1]), x)


class TestNormAndCumsum:
    def test_by_hand(self):
        assert tt.norm(Tensor([3.0, 4.0])).item() == 5.0 and tt.norm(Tensor([3.0, -4.0]), p=1).item() == 7.0
        assert tt.norm(Tensor([[3.0, 4.0], [0.0, 0.0]]), dim=1).data.tolist() == [5.0, 0.0]
        assert tt.cumsum(Tensor([[1.0, 2.0], [3.0, 4.0]]), 0).data.tolist() == [[1.0, 2.0], [4.0, 6.0]]
        assert Tensor([1, 2, 3]).cumsum(0).data.tolist() == [1, 3, 6] and Tensor([True]).cumsum(0).dtype == np.int64

    def test_gradient_at_zero_is_zero(self):
        pytest.importorskip("tinytorch.autograd")
        x = Tensor(np.zeros(3), requires_grad=True)
        tt.norm(x).backward()
        assert x.grad.data.tolist() == [0.0, 0.0, 0.0]

    def test_bad_input(self):
        with pytest.raises(NotImplementedError, match="p=3"):
            tt.norm(Tensor([1.0]), p=3)
        with pytest.raises(RuntimeError, match="floating point"):
            tt.norm(Tensor([1, 2]))
        with pytest.raises(IndexError):
            tt.cumsum(Tensor([1.0]), 1)

    def test_gradchecks(self):
        autograd = pytest.importorskip("tinytorch.autograd")
        x = Tensor(np.random.default_rng(6).standard_normal((3, 4)), requires_grad=True)
        assert autograd.gradcheck(lambda x: tt.norm(x, dim=1, keepdim=True) * x, x)
        assert autograd.gradcheck(lambda x: tt.cumsum(x, 0) * x, x)


class TestAllocator:
    def test_opt_outs(self):
        from tinytorch.tensor import allocator
        assert allocator.keep_freed_memory({"TINYTORCH_MALLOC": "system"}) is False
        assert allocator.keep_freed_memory({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}) is False

    def test_sets_the_thresholds_on_glibc(self):
        from tinytorch.tensor import allocator
        if allocator._glibc() is None:
            pytest.skip("not glibc: nothing to set")
        assert allocator.keep_freed_memory({}) is True


@pytest.fixture
def torch():
    """PyTorch 2.13 for the differential tests; only they are skipped without it."""
    return pytest.importorskip("torch")


def test_activation_methods_match_torch_with_an_upstream_gradient(torch):
    pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(0)
    data = rng.standard_normal((3, 4))
    upstream = rng.standard_normal((3, 4))
    for name, args in [("relu", ()), ("sigmoid", ()), ("softmax", (1,)), ("log_softmax", (0,))]:
        ours = Tensor(data, requires_grad=True)
        theirs = torch.tensor(data, requires_grad=True)
        out, ref = getattr(ours, name)(*args), getattr(theirs, name)(*args)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        out.backward(Tensor(upstream))
        ref.backward(torch.tensor(upstream))
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_one_hot_and_size_match_torch(torch):
    labels = [[0, 3], [2, 1]]
    ref = torch.nn.functional.one_hot(torch.tensor(labels)).numpy()
    np.testing.assert_array_equal(one_hot(Tensor(labels)).data, ref)
    assert Size([2, 3]).numel() == torch.Size([2, 3]).numel() and Size([2, 3]) == torch.Size([2, 3])
    assert repr(Size([4])) == repr(torch.Size([4]))
    assert Tensor().shape == tuple(torch.Tensor().shape) and Tensor().dtype == np.float32


def test_data_update_matches_torch(torch):
    rng = np.random.default_rng(1)
    start, step = rng.standard_normal(4), rng.standard_normal(4)
    ours, theirs = Tensor(start, requires_grad=True), torch.tensor(start, requires_grad=True)
    ours.data -= 0.1 * Tensor(step)
    theirs.data -= 0.1 * torch.tensor(step)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)



def test_sort_logsumexp_mm_match_torch(torch):
    pytest.importorskip("tinytorch.autograd")
    rng = np.random.default_rng(4)
    data, up = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    for ours_fn, torch_fn in [
        (lambda x: tt.sort(x, dim=1, descending=True).values, lambda x: torch.sort(x, dim=1, descending=True).values),
        (lambda x: tt.logsumexp(x, 0, keepdim=True) * x, lambda x: torch.logsumexp(x, 0, keepdim=True) * x),
        (lambda x: tt.mm(x, x.t()) @ x, lambda x: torch.mm(x, x.t()) @ x),
    ]:
        ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        out, ref = ours_fn(ours), torch_fn(theirs)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10)
        out.backward(Tensor(up))
        ref.backward(torch.tensor(up))
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
