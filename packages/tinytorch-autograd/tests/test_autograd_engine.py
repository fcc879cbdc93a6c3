"""The engine: order, accumulation, errors, broadcasting, and the rule table's coverage."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from tinytorch import activations, losses
from tinytorch import tensor as tt
from tinytorch.autograd import GRADIENTS, backward, gradient_of, topological_order, unbroadcast
from tinytorch.tensor import Tensor, apply_op, no_grad


def leaf(*values, dtype="float32"):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# ----- coverage of the rule table ----------------------------------------------------------------


@pytest.mark.parametrize("ops_module", [tt.ops, activations.ops, losses.ops],
                         ids=["tensor", "activations", "losses"])
def test_every_public_kernel_has_a_rule(ops_module):
    kernels = [getattr(ops_module, name) for name in ops_module.__all__]
    assert kernels, f"{ops_module.__name__}.__all__ is empty"
    missing = [f"{ops_module.__name__}.{k.__name__}" for k in kernels if k not in GRADIENTS]
    assert not missing, f"kernels without a gradient rule: {missing}"


def _unregistered_kernel(a):
    return a * 3


def test_missing_rule_raises_naming_the_kernel():
    x = leaf(1.0, 2.0)
    y = apply_op(_unregistered_kernel, x).sum()
    name = f"{_unregistered_kernel.__module__}.{_unregistered_kernel.__qualname__}"
    with pytest.raises(RuntimeError, match=name.replace(".", r"\.")):
        y.backward()
    assert x.grad is None  # never a silent None-or-zero gradient


def test_gradient_of_registers_an_extension_rule():
    def triple(a):
        return a * 3

    @gradient_of(triple)
    def _rule(grad, out, a):
        return (grad * 3,)

    try:
        x = leaf(1.0, 2.0)
        apply_op(triple, x).sum().backward()
        assert_array_equal(x.grad.data, [3.0, 3.0])
    finally:
        del GRADIENTS[triple]


def test_gradient_of_rejects_non_callables():
    with pytest.raises(TypeError, match="kernel"):
        gradient_of("add")
    with pytest.raises(TypeError, match="callable"):
        gradient_of(tt.ops.add)(None)


def test_needs_input_grad_is_passed_to_rules_that_ask_for_it():
    seen = []

    def scale(a, b):
        return a * b

    @gradient_of(scale)
    def _rule(grad, out, a, b, needs_input_grad):
        seen.append(needs_input_grad)
        return (grad * b if needs_input_grad[0] else None, grad * a if needs_input_grad[1] else None)

    try:
        w = leaf(2.0)
        apply_op(scale, Tensor(np.array([5.0], np.float32)), w).sum().backward()
        assert seen == [(False, True)]
        assert_array_equal(w.grad.data, [5.0])
    finally:
        del GRADIENTS[scale]


def test_rule_returning_the_wrong_number_of_gradients_is_an_error():
    def pair(a, b):
        return a + b

    @gradient_of(pair)
    def _rule(grad, out, a, b):
        return (grad,)

    try:
        with pytest.raises(RuntimeError, match="returned 1 gradients for 2 inputs"):
            apply_op(pair, leaf(1.0), leaf(2.0)).sum().backward()
    finally:
        del GRADIENTS[pair]


# ----- graph shape -------------------------------------------------------------------------------


def test_ten_thousand_op_chain_has_no_recursion_limit():
    x = leaf(1.0, 2.0, dtype="float64")
    y = x
    for _ in range(10_000):
        y = y + 1.0
    y.sum().backward()
    assert_array_equal(x.grad.data, [1.0, 1.0])


def test_reused_tensor_costs_linear_not_exponential_time(monkeypatch):
    calls = []
    add_rule = GRADIENTS[tt.ops.add]

    def counting(grad, out, a, b):
        calls.append(1)
        return add_rule(grad, out, a, b)

    monkeypatch.setitem(GRADIENTS, tt.ops.add, counting)
    x = leaf(1.0, dtype="float64")
    y = x
    for _ in range(60):  # y = 2**60 x through 2**60 paths
        y = y + y
    y.backward()
    assert len(calls) == 60  # one rule call per node, not per path
    assert x.grad.item() == 2.0**60


def test_topological_order_puts_inputs_first_and_visits_once():
    x = leaf(1.0)
    a = x * 2
    b = x * 3
    c = a + b
    d = c * a
    order = topological_order(d)
    assert len(order) == len({id(t) for t in order}) == 5
    pos = {id(t): i for i, t in enumerate(order)}
    for t in order:
        if t.grad_fn is not None:
            for inp in t.grad_fn.inputs:
                if isinstance(inp, Tensor) and inp.requires_grad:
                    assert pos[id(inp)] < pos[id(t)]
    assert order[-1] is d


def test_input_reached_directly_and_through_a_sibling():
    # x is both a direct input of `sub` and an input of `mean`, which `sub` also consumes: x must
    # come after mean in the sweep, or mean's contribution to x is lost.
    x = Tensor(np.array([[1.0, 2.0, 4.0]]), requires_grad=True)
    g = np.array([[1.0, 0.0, 2.0]])
    (x - x.mean(dim=-1, keepdim=True)).backward(g)
    assert_allclose(x.grad.data, g - g.mean())


def test_diamond_sums_both_paths():
    x = leaf(3.0, dtype="float64")
    y = x * x + x.exp()  # two uses of x, one of them twice
    y.backward()
    assert_allclose(x.grad.data, [2 * 3.0 + np.exp(3.0)])


# ----- leaves and accumulation -------------------------------------------------------------------


def test_grad_accumulates_on_leaves_across_backward_calls():
    x = leaf(1.0, 2.0)
    (x * x).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert_array_equal(x.grad.data, [4.0, 8.0])
    assert x.grad is first  # accumulated in place, as PyTorch does


def test_intermediates_get_no_grad_and_constants_none():
    x = leaf(1.0, 2.0)
    c = Tensor(np.array([3.0, 4.0], np.float32))
    h = x * c
    h.sum().backward()
    assert h.grad is None
    assert c.grad is None
    assert_array_equal(x.grad.data, [3.0, 4.0])


def test_leaf_grads_never_alias_each_other_or_the_upstream_gradient():
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    upstream = np.array([1.0, 1.0], np.float32)
    (a + b).backward(upstream)
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, upstream)
    a.grad.data += 10
    assert_array_equal(b.grad.data, [1.0, 1.0])
    assert_array_equal(upstream, [1.0, 1.0])


def test_fan_in_never_writes_into_the_callers_gradient():
    a = leaf(1.0, 2.0)
    upstream = np.array([1.0, 1.0], np.float32)
    (a * 3.0 + a + a).backward(upstream)
    assert_array_equal(a.grad.data, [5.0, 5.0])
    assert_array_equal(upstream, [1.0, 1.0])
    (a + a).backward(upstream)
    assert_array_equal(a.grad.data, [7.0, 7.0])
    assert_array_equal(upstream, [1.0, 1.0])


def test_a_rule_returning_a_forward_array_is_not_taken_over():
    def swap(a, b):
        return a + b

    @gradient_of(swap)
    def _rule(grad, out, a, b):  # returns the other input's own data (not a gradient of anything)
        return b, a

    try:
        a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
        apply_op(swap, a, b).backward(np.ones(2, np.float32))
        assert not np.shares_memory(a.grad.data, b.data)
        assert not np.shares_memory(b.grad.data, a.data)
        a.grad.data += 1
        assert_array_equal(b.data, [3.0, 4.0])
    finally:
        del GRADIENTS[swap]


def test_a_new_array_returned_for_two_inputs_is_not_added_into():
    def twice(a, b):
        return a + b

    @gradient_of(twice)
    def _rule(grad, out, a, b):
        g = grad * 1.0  # one new array, handed to both inputs (a view of it to the second)
        return g, g.reshape(g.shape)

    try:
        a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
        c = a * 1.0
        (apply_op(twice, c, b) + c).sum().backward()  # c's gradient is summed after b's is set
        assert_array_equal(a.grad.data, [2.0, 2.0])
        assert_array_equal(b.grad.data, [1.0, 1.0])
    finally:
        del GRADIENTS[twice]


def test_same_tensor_twice_in_one_op():
    x = leaf(1.0, 2.0)
    (x + x).sum().backward()
    assert_array_equal(x.grad.data, [2.0, 2.0])


def test_backward_on_a_leaf_copies_the_gradient():
    x = leaf(1.0, 2.0)
    g = np.array([5.0, 6.0], np.float32)
    x.backward(g)
    assert_array_equal(x.grad.data, g)
    assert not np.shares_memory(x.grad.data, g)


def test_sum_gradient_reaching_a_leaf_is_writeable():
    # sum's rule returns a read-only broadcast view; the leaf must get an array of its own
    x = leaf(1.0, 2.0, 3.0)
    x.sum().backward()
    x.grad.data[0] = 7.0
    assert_array_equal(x.grad.data, [7.0, 1.0, 1.0])


def test_gradient_is_cast_to_each_input_dtype():
    x = leaf(1.0, 2.0)  # float32
    w = leaf(0.5, 0.25, dtype="float64")
    y = x.double() * w
    y.backward(np.ones(2, np.float64))
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64
    assert_array_equal(x.grad.data, [0.5, 0.25])


# ----- errors ------------------------------------------------------------------------------------


def test_non_scalar_output_needs_a_gradient():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_gradient_of_the_wrong_shape_is_an_error():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3, np.float32))


def test_backward_with_an_explicit_gradient():
    x = leaf(1.0, 2.0)
    (x * 3).backward(Tensor([1.0, -2.0]))
    assert_array_equal(x.grad.data, [3.0, -6.0])


def test_no_grad_records_nothing():
    x = leaf(1.0, 2.0)
    with no_grad():
        y = (x * 2).sum()
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_backward_without_requires_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward(Tensor([1.0]).sum())
    with pytest.raises(TypeError, match="expects a Tensor"):
        backward(np.ones(1))


def test_partly_detached_graph():
    x = leaf(2.0)
    y = x * x.detach()  # only the first factor is differentiated
    y.backward()
    assert_array_equal(x.grad.data, [2.0])


# ----- unbroadcast -------------------------------------------------------------------------------


def test_unbroadcast_by_hand():
    g = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    assert_array_equal(unbroadcast(g, (3, 4)), g.sum(axis=0))
    assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    assert_array_equal(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 3, 4)) is g
    assert_array_equal(unbroadcast(np.array(2.0), (2, 2)), np.full((2, 2), 2.0))


@st.composite
def broadcast_pair(draw):
    """An output shape and an input shape that broadcasts to it."""
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    drop = draw(st.integers(0, len(out)))
    shape = [1 if draw(st.booleans()) else n for n in out[drop:]]
    return tuple(out), tuple(shape)


@given(broadcast_pair())
@settings(max_examples=60, deadline=None)
def test_unbroadcast_counts_the_copies(shapes):
    out_shape, in_shape = shapes
    g = unbroadcast(np.ones(out_shape), in_shape)
    assert g.shape == in_shape
    copies = int(np.prod(out_shape)) // max(int(np.prod(in_shape)), 1)
    assert_array_equal(g, np.full(in_shape, float(copies)))


@given(broadcast_pair(), st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_broadcast_binary_ops_match_the_manual_gradient(shapes, seed):
    out_shape, in_shape = shapes
    rng = np.random.default_rng(seed)
    a_data = rng.standard_normal(out_shape)
    b_data = rng.standard_normal(in_shape) + 3.0  # away from 0 for div
    g = rng.standard_normal(out_shape)
    for op, da, db in [
        (lambda a, b: a + b, lambda a, b: g, lambda a, b: g),
        (lambda a, b: a * b, lambda a, b: g * b, lambda a, b: g * a),
        (lambda a, b: a / b, lambda a, b: g / b, lambda a, b: -g * a / b**2),
    ]:
        a = Tensor(a_data, requires_grad=True)
        b = Tensor(b_data, requires_grad=True)
        op(a, b).backward(g)
        assert_allclose(a.grad.data, da(a_data, b_data), rtol=1e-12, atol=1e-12)
        expected_b = np.broadcast_to(db(a_data, b_data), out_shape)
        assert_allclose(b.grad.data, unbroadcast(np.array(expected_b), in_shape), rtol=1e-10, atol=1e-10)


def test_float32_training_step_keeps_float32():
    x = Tensor(np.ones((4, 3), np.float32))
    w = Tensor(np.full((3, 2), 0.1, np.float32), requires_grad=True)
    out = apply_op(losses.ops.mse_loss, x @ w, np.zeros((4, 2), np.float32))
    out.backward()
    assert out.dtype == np.float32 and w.grad.dtype == np.float32
    assert_allclose(w.grad.data, np.full((3, 2), 2 * 0.3 * 4 / 8), rtol=1e-6)


def test_the_engine_never_writes_into_an_array_a_rule_returns():
    # A rule may return an array it does not own (a module-level constant here): two
    # contributions, a leaf's .grad and a second backward must all leave it untouched.
    ones = np.ones(3)

    def ident(a):
        return a.copy()

    @gradient_of(ident, saves=())
    def _rule(grad, out, a):
        return (ones,)

    try:
        x = Tensor(np.zeros(3), requires_grad=True)
        y = apply_op(ident, x)
        (y + y).sum().backward()  # not through ident twice: y's gradient is summed first
        z = Tensor(np.zeros(3), requires_grad=True)
        (apply_op(ident, z) + apply_op(ident, z)).sum().backward()  # two contributions to z
        z.sum().backward()  # accumulates into z.grad
        apply_op(ident, x).sum().backward()
        assert ones.tolist() == [1.0, 1.0, 1.0]
        assert z.grad.tolist() == [3.0, 3.0, 3.0] and x.grad.tolist() == [2.0, 2.0, 2.0]
    finally:
        del GRADIENTS[ident]


def test_zero_d_gradients_with_two_contributions():
    x = Tensor(0.7, requires_grad=True)
    (x * x).backward()
    assert isinstance(x.grad.data, np.ndarray) and x.grad.shape == () and abs(x.grad.item() - 1.4) < 1e-6
    w = Tensor(np.float64(2.0), requires_grad=True)
    loss = (w * 3.0).sum()
    (loss + 0.5 * loss).backward()
    assert w.grad.item() == 4.5
