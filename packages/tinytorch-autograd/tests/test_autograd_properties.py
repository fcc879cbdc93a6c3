"""Property tests: gradients of indexing and reductions against independent NumPy references."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose

from tinytorch.autograd import gradcheck, topological_order
from tinytorch.tensor import Tensor

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


@given(shapes, st.data())
@settings(max_examples=60, deadline=None)
def test_integer_array_indexing_scatter_adds(shape, data):
    # a[i0, ..., i_{k-1}] with k random (repeating, possibly negative) index arrays
    k = data.draw(st.integers(1, len(shape)))
    n = data.draw(st.integers(0, 8))
    index = tuple(
        np.array(data.draw(st.lists(st.integers(-shape[d], shape[d] - 1), min_size=n, max_size=n)),
                 dtype=np.int64)
        for d in range(k)
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    out = x[index]
    g = rng.standard_normal(out.shape)
    out.backward(g)
    expected = np.zeros(shape)
    np.add.at(expected, index, g)
    assert_allclose(x.grad.data, expected, rtol=1e-12, atol=1e-12)


@given(shapes, st.data())
@settings(max_examples=60, deadline=None)
def test_gather_scatter_adds(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = list(shape)
    index_shape[dim] = data.draw(st.integers(1, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    index = rng.integers(0, shape[dim], size=index_shape)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    out = x.gather(dim, index)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    expected = np.zeros(shape)
    axes = np.indices(index.shape, sparse=True)
    full = tuple(index if d == dim % len(shape) else axes[d] for d in range(len(shape)))
    np.add.at(expected, full, g)
    assert_allclose(x.grad.data, expected, rtol=1e-12, atol=1e-12)


@given(shapes, st.data())
@settings(max_examples=60, deadline=None)
def test_sum_and_mean_spread_the_gradient_evenly(shape, data):
    ndim = len(shape)
    dims = data.draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                               st.lists(st.integers(0, ndim - 1), min_size=1, unique=True).map(tuple)))
    keepdim = data.draw(st.booleans())
    x = Tensor(np.ones(shape), requires_grad=True)
    x.sum(dim=dims, keepdim=keepdim).sum().backward()
    assert_allclose(x.grad.data, np.ones(shape))
    y = Tensor(np.ones(shape), requires_grad=True)
    out = y.mean(dim=dims, keepdim=keepdim)
    out.sum().backward()
    assert_allclose(y.grad.data, np.full(shape, out.data.size / np.prod(shape)))


@given(hnp.arrays(np.float64, shapes, elements=st.integers(-3, 3).map(float)))
@settings(max_examples=60, deadline=None)
def test_amax_gradient_sums_to_one_over_the_ties(values):
    x = Tensor(values, requires_grad=True)
    x.max().backward()
    ties = values == values.max()
    assert_allclose(x.grad.data.sum(), 1.0)
    assert_allclose(x.grad.data[ties], 1.0 / ties.sum())
    assert (x.grad.data[~ties] == 0).all()


@st.composite
def random_dags(draw):
    """A recipe for a random DAG: each new node applies an op to two earlier nodes (any of them)."""
    n_leaves = draw(st.integers(1, 3))
    steps = draw(st.lists(st.tuples(st.sampled_from(["add", "sub", "mul", "tanh_add"]),
                                    st.integers(0, 10**6), st.integers(0, 10**6)),
                          min_size=1, max_size=12))
    return n_leaves, steps


def _build(leaves, steps):
    nodes = list(leaves)
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append({"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b * 0.5,
                      "tanh_add": lambda: a.tanh() + b}[op]())
    return sum(nodes[len(leaves):], nodes[-1] * 0.0).sum()


@given(random_dags(), st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_random_dags_are_ordered_and_differentiated_correctly(dag, seed):
    n_leaves, steps = dag
    rng = np.random.default_rng(seed)
    leaves = [Tensor(rng.uniform(-1, 1, 2), requires_grad=True) for _ in range(n_leaves)]
    out = _build(leaves, steps)
    order = topological_order(out)
    position = {id(t): k for k, t in enumerate(order)}
    assert len(position) == len(order)
    for t in order:
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, Tensor) and x.requires_grad:
                    assert position[id(x)] < position[id(t)]
    assert gradcheck(lambda *xs: _build(xs, steps), *leaves)
