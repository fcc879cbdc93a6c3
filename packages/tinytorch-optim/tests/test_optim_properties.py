"""Property tests: invariants of the update rules and schedules over random inputs."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinytorch.optim import SGD, Adam, CosineAnnealingLR, LinearLR, RMSprop, StepLR
from tinytorch.tensor import Tensor

finite = st.floats(-100, 100, allow_nan=False, width=32)
shapes = st.tuples(st.integers(1, 4), st.integers(1, 5))


@st.composite
def param_and_grad(draw):
    shape = draw(shapes)
    return draw(arrays(np.float32, shape, elements=finite)), draw(arrays(np.float32, shape, elements=finite))


@settings(max_examples=50, deadline=None)
@given(param_and_grad(), st.floats(0, 1))
def test_plain_sgd_is_theta_minus_lr_grad(pg, lr):
    theta, g = pg
    w = Tensor(theta.copy(), requires_grad=True)
    w.grad = Tensor(g)
    SGD([w], lr=lr).step()
    np.testing.assert_allclose(w.data, theta - np.float32(lr) * g, rtol=1e-6, atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(param_and_grad(), st.floats(1e-4, 1.0))
def test_first_adam_step_moves_each_weight_by_at_most_lr(pg, lr):
    theta, g = pg
    w = Tensor(theta.copy(), requires_grad=True)
    w.grad = Tensor(g)
    Adam([w], lr=lr).step()
    moved = np.abs(w.data.astype(np.float64) - theta)
    assert np.all(moved <= lr * (1 + 1e-5) + 1e-5 * np.abs(theta))
    # ... and in the direction opposite to the gradient.
    assert np.all(np.sign(w.data - theta)[np.abs(g) > 1e-3] == -np.sign(g)[np.abs(g) > 1e-3])


@settings(max_examples=30, deadline=None)
@given(param_and_grad(), st.sampled_from([SGD, Adam, RMSprop]))
def test_zero_learning_rate_leaves_parameters_alone(pg, cls):
    theta, g = pg
    w = Tensor(theta.copy(), requires_grad=True)
    opt = cls([w], lr=0.0, momentum=0.9) if cls is not Adam else cls([w], lr=0.0)
    for _ in range(3):
        w.grad = Tensor(g)
        opt.step()
    np.testing.assert_array_equal(w.data, theta)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10), st.floats(0.01, 1.0), st.integers(0, 40))
def test_step_lr_matches_closed_form(step_size, gamma, steps):
    opt = SGD([Tensor(np.zeros(1, np.float32), requires_grad=True)], lr=1.0)
    sched = StepLR(opt, step_size=step_size, gamma=gamma)
    for _ in range(steps):
        sched.step()
    assert math.isclose(sched.get_last_lr()[0], gamma ** (steps // step_size), rel_tol=1e-9, abs_tol=1e-300)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.floats(0.0, 0.5), st.integers(0, 30))
def test_cosine_stays_between_eta_min_and_base_and_matches_closed_form(T_max, eta_min, steps):
    opt = SGD([Tensor(np.zeros(1, np.float32), requires_grad=True)], lr=1.0)
    sched = CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min)
    for _ in range(min(steps, T_max)):
        sched.step()
    lr = sched.get_last_lr()[0]
    t = min(steps, T_max)
    assert eta_min - 1e-9 <= lr <= 1.0 + 1e-9
    assert math.isclose(lr, eta_min + (1 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2, abs_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 1.0), st.floats(0.0, 1.0), st.integers(1, 20), st.integers(0, 40))
def test_linear_lr_matches_closed_form(start, end, total, steps):
    opt = SGD([Tensor(np.zeros(1, np.float32), requires_grad=True)], lr=2.0)
    sched = LinearLR(opt, start_factor=start, end_factor=end, total_iters=total)
    for _ in range(steps):
        sched.step()
    expected = 2.0 * (start + (end - start) * min(steps, total) / total)
    assert math.isclose(sched.get_last_lr()[0], expected, rel_tol=1e-9, abs_tol=1e-12)
