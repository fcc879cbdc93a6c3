"""The ops the language modules need (tril/triu, split/chunk, topk, expand/repeat, sin/cos,
multinomial, Generator) and the op observer, against PyTorch where it is installed."""

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import Generator, Tensor

torch = pytest.importorskip("torch")


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def same(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours.shape, ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (2, 3, 5)])
@pytest.mark.parametrize("diagonal", [-1, 0, 2])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu(name, shape, diagonal):
    a = rand(shape)
    same(getattr(tt, name)(Tensor(a), diagonal), getattr(torch, name)(torch.tensor(a), diagonal))
    same(getattr(Tensor(a), name)(diagonal=diagonal), getattr(torch.tensor(a), name)(diagonal=diagonal))
    ints = np.arange(12).reshape(3, 4)
    same(getattr(tt, name)(Tensor(ints)), getattr(torch, name)(torch.tensor(ints)))


def test_tril_needs_two_dims():
    for bad in (Tensor([1.0, 2.0]), Tensor(1.0)):
        with pytest.raises(RuntimeError):
            torch.tril(torch.tensor(bad.data))
        with pytest.raises(RuntimeError, match="at least 2 dimensions"):
            tt.tril(bad)


@pytest.mark.parametrize("arg,dim", [(2, 0), (3, 1), (1, -1), ([1, 3], 1), ([0, 5, 0], 0), (10, 0)])
def test_split(arg, dim):
    a = rand((5, 4))
    ours, theirs = Tensor(a).split(arg, dim), torch.tensor(a).split(arg, dim)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        same(o, t)


def test_split_errors_match_torch():
    a = rand((5, 4))
    for arg, dim, err in [([1, 2], 0, RuntimeError), (2, 2, IndexError), (-1, 0, RuntimeError)]:
        with pytest.raises(err):
            torch.tensor(a).split(arg, dim)
        with pytest.raises(err):
            Tensor(a).split(arg, dim)


@pytest.mark.parametrize("n,chunks", [(5, 2), (6, 3), (6, 4), (2, 5), (0, 3), (7, 7)])
def test_chunk(n, chunks):
    a = rand((n, 2))
    ours, theirs = Tensor(a).chunk(chunks), torch.tensor(a).chunk(chunks)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        same(o, t)
    with pytest.raises(RuntimeError, match="greater than 0"):
        Tensor(a).chunk(0)


@pytest.mark.parametrize("shape,k,dim", [((7,), 3, -1), ((4, 6), 2, 1), ((4, 6), 4, 0), ((3, 5), 5, 1), ((3, 5), 0, 1)])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(shape, k, dim, largest):
    a = rand(shape, seed=3)
    v, i = Tensor(a).topk(k, dim=dim, largest=largest)
    tv, ti = torch.tensor(a).topk(k, dim=dim, largest=largest)
    same(v, tv)
    same(i, ti)


def test_topk_nan_is_largest_and_errors():
    a = np.array([1.0, np.nan, 3.0, 2.0], dtype=np.float32)
    v, i = Tensor(a).topk(2)
    tv, ti = torch.tensor(a).topk(2)
    assert np.isnan(v.data[0]) and v.data[1] == 3 and i.tolist() == ti.tolist()
    with pytest.raises(RuntimeError, match="k out of range"):
        Tensor(a).topk(5)
    with pytest.raises(IndexError):
        Tensor(a).topk(1, dim=1)


@pytest.mark.parametrize("shape,sizes", [((3, 1), (3, 4)), ((1,), (2, 3)), ((2, 1), (5, -1, 3)), ((), (2, 2))])
def test_expand(shape, sizes):
    a = rand(shape)
    out = Tensor(a).expand(*sizes)
    same(out, torch.tensor(a).expand(*sizes))
    assert np.shares_memory(out.data, a)
    same(Tensor(a).expand(sizes), torch.tensor(a).expand(sizes))


@pytest.mark.parametrize("shape,sizes", [((3,), (2,)), ((2, 3), (3,)), ((3,), (-1, 3))])
def test_expand_errors(shape, sizes):
    with pytest.raises(RuntimeError):
        torch.zeros(shape).expand(*sizes)
    with pytest.raises(RuntimeError):
        tt.zeros(shape).expand(*sizes)


@pytest.mark.parametrize("shape,sizes", [((3,), (2,)), ((2, 3), (2, 2)), ((2, 1), (3, 1, 2)), ((), (3,))])
def test_repeat(shape, sizes):
    a = rand(shape)
    same(Tensor(a).repeat(*sizes), torch.tensor(a).repeat(*sizes))
    with pytest.raises(RuntimeError):
        torch.zeros((2, 3)).repeat(2)
    with pytest.raises(RuntimeError, match="can not be smaller"):
        tt.zeros(2, 3).repeat(2)


@pytest.mark.parametrize("name", ["sin", "cos"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_sin_cos(name, dtype):
    a = (rand((3, 4)) * 3).astype(dtype)
    same(getattr(Tensor(a), name)(), getattr(torch.tensor(a), name)())
    same(getattr(tt, name)(Tensor(a)), getattr(torch, name)(torch.tensor(a)))


def test_unary_float_ops_give_float32_for_ints_and_bools():
    for name in ["exp", "log", "sqrt", "tanh"]:
        for a in (np.array([True, False]), np.array([1, 2], dtype=np.int64), np.array([1, 2], dtype=np.uint8)):
            with np.errstate(divide="ignore"):
                ours = getattr(Tensor(a), name)()
            assert ours.dtype == getattr(torch.tensor(a), name)().numpy().dtype


class TestGenerator:
    def test_generator_reproduces_and_is_independent_of_the_default(self):
        g1, g2 = Generator().manual_seed(5), Generator().manual_seed(5)
        tt.manual_seed(0)
        a = tt.randn(4, generator=g1)
        tt.randn(3)  # drawing from the default does not move g2
        assert np.array_equal(a.data, tt.randn(4, generator=g2).data)
        for fn in (lambda g: tt.rand(3, generator=g), lambda g: tt.randint(0, 9, (5,), generator=g),
                   lambda g: tt.randperm(6, generator=g),
                   lambda g: tt.multinomial(Tensor([0.2, 0.3, 0.5]), 2, generator=g)):
            assert np.array_equal(fn(Generator().manual_seed(1)).data, fn(Generator().manual_seed(1)).data)

    def test_manual_seed_seeds_the_default_generator(self):
        g = tt.manual_seed(3)
        assert g is tt.default_generator and isinstance(g, Generator) and g.initial_seed() == 3
        a = tt.randn(3)
        tt.manual_seed(3)
        assert np.array_equal(a.data, tt.randn(3).data)

    def test_state_round_trip(self):
        g = Generator().manual_seed(9)
        state = g.get_state()
        assert state.dtype == np.uint8 and state.ndim == 1
        a = tt.rand(5, generator=g)
        g.set_state(state)
        assert np.array_equal(a.data, tt.rand(5, generator=g).data)
        with pytest.raises(TypeError):
            g.set_state(Tensor([1.0]))
        with pytest.raises(RuntimeError):
            g.set_state(Tensor(np.frombuffer(b"not json", dtype=np.uint8).copy()))

    def test_seed_reseeds(self):
        g = Generator()
        s = g.seed()
        assert g.initial_seed() == s
        assert np.array_equal(tt.rand(2, generator=g.manual_seed(s)).data, tt.rand(2, generator=Generator().manual_seed(s)).data)

    def test_bad_arguments(self):
        with pytest.raises(TypeError):
            tt.randn(2, generator=np.float32(1))
        with pytest.raises(RuntimeError):
            Generator(device="cuda")
        with pytest.raises(TypeError):
            Generator().manual_seed(1.5)


class TestMultinomial:
    def test_with_replacement_follows_the_probabilities(self):
        probs = np.array([[0.1, 0.0, 0.6, 0.3], [1.0, 1.0, 0.0, 2.0]], dtype=np.float32)
        out = tt.multinomial(Tensor(probs), 20000, replacement=True, generator=Generator().manual_seed(0))
        assert out.shape == (2, 20000) and out.dtype == np.int64
        freq = np.stack([np.bincount(r, minlength=4) for r in out.data]) / 20000
        np.testing.assert_allclose(freq, probs / probs.sum(1, keepdims=True), atol=0.015)
        assert tt.multinomial(Tensor([0.0, 0.0, 1.0]), 3, True).tolist() == [2, 2, 2]

    def test_without_replacement_never_repeats_and_skips_zero_weights(self):
        probs = Tensor(np.tile([0.5, 0.0, 2.0, 1.0, 0.25], (50, 1)).astype(np.float32))
        out = tt.multinomial(probs, 4, generator=Generator().manual_seed(2)).data
        assert out.shape == (50, 4)
        for row in out:
            assert sorted(row.tolist()) == [0, 2, 3, 4]
        # the first draw follows the normalised weights
        first = tt.multinomial(Tensor(np.tile([1.0, 3.0], (20000, 1))), 1, generator=Generator().manual_seed(3))
        assert abs(first.data.mean() - 0.75) < 0.015

    @pytest.mark.parametrize("probs,n,repl", [
        ([[[0.5]]], 1, True), ([0.5, -0.1], 1, True), ([0.5, float("nan")], 1, True),
        ([0.0, 0.0], 1, True), ([0.5, 0.5], 3, False), ([0.5, 0.5], 0, True),
    ])
    def test_errors_match_torch(self, probs, n, repl):
        with pytest.raises(RuntimeError):
            torch.multinomial(torch.tensor(probs), n, repl)
        with pytest.raises(RuntimeError):
            tt.multinomial(Tensor(probs), n, repl)

    def test_zero_weights_come_last_once_the_others_are_used_up(self):
        assert tt.multinomial(Tensor([0.0, 0.5, 0.0]), 3).tolist() == [1, 0, 2]
        assert torch.multinomial(torch.tensor([0.0, 0.5, 0.0]), 3).tolist() == [1, 0, 2]

    def test_integer_probabilities_are_an_error(self):
        with pytest.raises(RuntimeError, match="floating"):
            tt.multinomial(Tensor([1, 2]), 1)


def test_randperm_and_randint_forms():
    p = tt.randperm(10)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(10))
    r = tt.randint(4, (3, 2))
    assert r.shape == (3, 2) and r.dtype == np.int64 and r.data.max() < 4
    assert tt.randint(2, 4, (100,)).data.min() >= 2
    with pytest.raises(RuntimeError):
        tt.randint(3, 3, (2,))


class TestOpObserver:
    def test_forward_and_backward_events(self):
        pytest.importorskip("tinytorch.autograd")
        events = []
        x = Tensor([[1.0, 2.0]], requires_grad=True)
        handle = tt.register_op_observer(events.append)
        try:
            y = (x * 2).exp().sum()
            y.backward()
        finally:
            handle.remove()
        phases = [(e.phase, e.name) for e in events]
        assert phases[:3] == [("forward", "mul"), ("forward", "exp"), ("forward", "sum")]
        assert ("backward", "sum") in phases and ("backward", "mul") in phases
        fwd = events[1]
        assert fwd.fn is tt.ops.exp and isinstance(fwd.inputs, tuple) and fwd.inputs[0].shape == (1, 2)
        assert fwd.output.shape == (1, 2) and fwd.seconds >= 0 and fwd.attrs == {}
        bwd = [e for e in events if e.phase == "backward" and e.name == "exp"][0]
        assert bwd.inputs[0].shape == (1, 2) and bwd.output[0].shape == (1, 2)
        n = len(events)
        _ = x * 3
        assert len(events) == n  # removed: no more events

    def test_attrs_and_multiple_observers(self):
        a, b = [], []
        h1, h2 = tt.register_op_observer(a.append), tt.register_op_observer(b.append)
        Tensor([[1.0, 2.0]]).sum(dim=1)
        h1.remove()
        h1.remove()  # idempotent
        Tensor([1.0]).exp()
        h2.remove()
        assert [e.name for e in a] == ["sum"] and a[0].attrs["dim"] == (1,)
        assert [e.name for e in b] == ["sum", "exp"]
        with pytest.raises(TypeError):
            tt.register_op_observer(None)
