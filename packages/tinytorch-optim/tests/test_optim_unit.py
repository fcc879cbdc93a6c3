"""Hand-checkable unit tests for the optimizers and schedules."""

import doctest
import importlib.metadata

import numpy as np
import pytest

import tinytorch.optim
from tinytorch.optim import (
    SGD, Adam, AdamW, CosineAnnealingLR, LambdaLR, LinearLR, RMSprop, StepLR, lr_scheduler, optimizer,
)
from tinytorch.tensor import Tensor


def _param(values):
    return Tensor(np.array(values, dtype=np.float32), requires_grad=True)


def _set_grad(p, values):
    p.grad = Tensor(np.array(values, dtype=np.float32))


@pytest.mark.parametrize("module", [optimizer, lr_scheduler])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, extraglobs={"Tensor": Tensor}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_version_and_exports():
    assert tinytorch.optim.__version__ == importlib.metadata.version("tinytorch-optim")
    for name in tinytorch.optim.__all__:
        assert hasattr(tinytorch.optim, name)


def test_sgd_plain_step_by_hand():
    w = _param([1.0, 2.0])
    opt = SGD([w], lr=0.5)
    _set_grad(w, [0.2, -0.4])
    opt.step()
    np.testing.assert_allclose(w.data, [0.9, 2.2], rtol=1e-6)
    assert opt.state == {}  # plain SGD keeps no state


def test_sgd_momentum_buffer_starts_at_the_gradient():
    w = _param([0.0])
    opt = SGD([w], lr=1.0, momentum=0.5)
    _set_grad(w, [1.0])
    opt.step()  # buf = 1           -> w = -1
    opt.step()  # buf = 0.5 + 1     -> w = -2.5
    np.testing.assert_allclose(w.data, [-2.5])
    np.testing.assert_allclose(opt.state_dict()["state"][0]["momentum_buffer"], [1.5])


def test_sgd_nesterov_and_weight_decay_by_hand():
    w = _param([1.0])
    opt = SGD([w], lr=0.1, momentum=0.5, nesterov=True, weight_decay=1.0)
    _set_grad(w, [1.0])
    opt.step()  # g = 1 + 1 = 2, buf = 2, step along g + 0.5 * buf = 3 -> w = 0.7
    np.testing.assert_allclose(w.data, [0.7], rtol=1e-6)


def test_rmsprop_first_step_by_hand():
    w = _param([1.0])
    opt = RMSprop([w], lr=0.01, alpha=0.9)
    _set_grad(w, [2.0])
    opt.step()  # v = 0.1 * 4 = 0.4, w -= 0.01 * 2 / sqrt(0.4)
    np.testing.assert_allclose(w.data, [1.0 - 0.02 / np.sqrt(0.4)], rtol=1e-6)


def test_adam_two_steps_by_hand():
    w = _param([0.0])
    opt = Adam([w], lr=0.1, betas=(0.5, 0.5), eps=0.0)
    _set_grad(w, [2.0])
    opt.step()  # m = 1, v = 2, m_hat = 2, v_hat = 4 -> w = -0.1
    _set_grad(w, [-2.0])
    opt.step()  # m = -0.5, v = 3, m_hat = -2/3, v_hat = 4 -> w = -0.1 + 0.1/3
    np.testing.assert_allclose(w.data, [-0.1 + 0.1 / 3], rtol=1e-6)
    state = opt.state_dict()["state"][0]
    assert state["step"] == 2
    np.testing.assert_allclose(state["exp_avg"], [-0.5])
    np.testing.assert_allclose(state["exp_avg_sq"], [3.0])


def test_adamw_decays_even_without_gradient_signal_but_adam_does_not():
    a, b = _param([2.0]), _param([2.0])
    adam, adamw = Adam([a], lr=0.1, weight_decay=0.0), AdamW([b], lr=0.1, weight_decay=0.5)
    for p in (a, b):
        _set_grad(p, [0.0])
    adam.step()
    adamw.step()
    np.testing.assert_allclose(a.data, [2.0])
    np.testing.assert_allclose(b.data, [1.9], rtol=1e-6)


def test_adam_state_is_twice_the_parameters():
    params = [_param(np.ones((64, 32))), _param(np.ones(32))]
    opt = Adam(params)
    for p in params:
        p.grad = Tensor(np.ones_like(p.data))
    opt.step()
    param_bytes = sum(p.data.nbytes for p in params)
    state_bytes = sum(v.nbytes for s in opt.state_dict()["state"].values() for v in s.values()
                      if isinstance(v, np.ndarray))
    assert state_bytes == 2 * param_bytes


def test_step_updates_in_place_and_skips_params_without_grad():
    w, frozen = _param([1.0, 1.0]), _param([5.0])
    data = w.data
    opt = Adam([w, frozen], lr=0.1)
    _set_grad(w, [1.0, -1.0])
    opt.step()
    assert w.data is data
    np.testing.assert_array_equal(frozen.data, [5.0])
    assert set(opt.state_dict()["state"]) == {0}


def test_zero_grad_sets_none_or_zeros():
    w = _param([1.0, 2.0])
    opt = SGD([w], lr=0.1)
    _set_grad(w, [3.0, 4.0])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None


def test_param_groups_fill_defaults_and_keep_their_own_values():
    a, b = _param([1.0]), _param([1.0])
    opt = SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 1.0
    assert opt.param_groups[1]["momentum"] == 0.9
    _set_grad(a, [1.0])
    _set_grad(b, [1.0])
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.9, 0.0], rtol=1e-6)


@pytest.mark.parametrize(
    "factory, message",
    [
        (lambda p: SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: SGD(p, lr=0.1, momentum=-1), "Invalid momentum value"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1e-4), "Invalid weight_decay value"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening=0.1"),
        (lambda p: Adam(p, lr=float("nan")), "Invalid learning rate: nan"),
        (lambda p: Adam(p, betas=(1.0, 0.999)), "beta parameter at index 0: 1.0"),
        (lambda p: Adam(p, betas=(0.9, -0.1)), "beta parameter at index 1"),
        (lambda p: Adam(p, betas=(0.9,)), "betas must be a pair"),
        (lambda p: AdamW(p, eps=-1e-8), "Invalid epsilon value"),
        (lambda p: RMSprop(p, alpha=-0.5), "Invalid alpha value"),
        (lambda p: RMSprop(p, momentum=-0.5), "Invalid momentum value"),
        (lambda p: SGD([{"params": p}, {"params": [_param([0.0])], "lr": -1}], lr=0.1), "-1"),
    ],
)
def test_invalid_hyper_parameters_are_rejected(factory, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        factory([_param([1.0])])


def test_bad_params_are_rejected():
    w = _param([1.0])
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="only optimize Tensors, got ndarray"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="floating point"):
        SGD([Tensor([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(TypeError, match="must be a number"):
        SGD([w], lr="fast")


def test_state_dict_round_trip_resumes_exactly():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 2)).astype(np.float32) for _ in range(6)]
    w = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    opt = Adam([w], lr=0.01, amsgrad=True)
    for g in grads[:3]:
        w.grad = Tensor(g)
        opt.step()
    saved, saved_w = opt.state_dict(), w.data.copy()
    for g in grads[3:]:
        w.grad = Tensor(g)
        opt.step()

    w2 = Tensor(saved_w, requires_grad=True)
    opt2 = Adam([w2], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == 0.01 and opt2.param_groups[0]["betas"] == (0.9, 0.999)
    for g in grads[3:]:
        w2.grad = Tensor(g)
        opt2.step()
    np.testing.assert_array_equal(w2.data, w.data)


def test_state_dict_is_plain_data_and_a_snapshot():
    w = _param([1.0, 2.0])
    opt = SGD([w], lr=0.1, momentum=0.9)
    _set_grad(w, [1.0, 1.0])
    opt.step()
    sd = opt.state_dict()

    def plain(x):
        if isinstance(x, dict):
            return all(isinstance(k, (int, str)) and plain(v) for k, v in x.items())
        if isinstance(x, (list, tuple)):
            return all(plain(v) for v in x)
        return isinstance(x, (np.ndarray, int, float, str, bool, type(None)))

    assert plain(sd)
    assert sd["param_groups"][0]["params"] == [0]
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"], [1.0, 1.0])


def test_load_state_dict_rejects_mismatches():
    w = _param([1.0, 2.0])
    opt = Adam([w])
    _set_grad(w, [1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="shape \\(2,\\), expected the parameter's shape \\(3,\\)"):
        Adam([_param([1.0, 2.0, 3.0])]).load_state_dict(sd)
    with pytest.raises(ValueError, match="has 2 parameters, the loaded one has 1"):
        Adam([_param([1.0]), _param([2.0])]).load_state_dict(sd)
    with pytest.raises(ValueError, match="2 parameter groups"):
        Adam([{"params": [w]}]).load_state_dict({"state": {}, "param_groups": [{"params": []}] * 2})
    with pytest.raises(ValueError, match="exactly 'state' and 'param_groups'"):
        Adam([w]).load_state_dict({"state": {}})


def test_gradient_shape_mismatch_is_an_error():
    w = _param([1.0, 2.0])
    w.grad = Tensor(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="gradient of shape \\(3,\\) does not match parameter of shape \\(2,\\)"):
        SGD([w], lr=0.1).step()


def test_scheduler_state_dict_round_trip():
    opt = SGD([_param([0.0])], lr=1.0)
    sched = CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        sched.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    expected = []
    for _ in range(4):
        opt.step()
        sched.step()
        expected.append(sched.get_last_lr())

    opt2 = SGD([_param([0.0])], lr=1.0)
    sched2 = CosineAnnealingLR(opt2, T_max=10)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    got = []
    for _ in range(4):
        opt2.step()
        sched2.step()
        got.append(sched2.get_last_lr())
    assert got == expected


def test_lambda_state_dict_leaves_functions_out():
    sched = LambdaLR(SGD([_param([0.0])], lr=1.0), lambda e: 0.5)
    assert "lr_lambdas" not in sched.state_dict()
    assert sched.state_dict()["last_epoch"] == 0


@pytest.mark.parametrize(
    "factory, error, message",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "step_size must be a positive int, got 0"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive int, got 0"),
        (lambda o: LinearLR(o, start_factor=0.0), ValueError, "start_factor must be in \\(0, 1\\], got 0.0"),
        (lambda o: LinearLR(o, end_factor=1.5), ValueError, "end_factor must be in \\[0, 1\\], got 1.5"),
        (lambda o: LambdaLR(o, [lambda e: 1, lambda e: 2]), ValueError, "expected 1 lr_lambdas"),
        (lambda o: LambdaLR(o, 0.5), TypeError, "lr_lambda must be callable"),
        (lambda o: StepLR(object(), 2), TypeError, "object is not an optimizer"),
        (lambda o: StepLR(o, 2, last_epoch=3), KeyError, "initial_lr"),
    ],
)
def test_scheduler_arguments_are_checked(factory, error, message):
    with pytest.raises(error, match=message):
        factory(SGD([_param([0.0])], lr=1.0))


@pytest.mark.parametrize("cls, kwargs", [(SGD, dict(lr=0.1, momentum=0.9)), (Adam, dict(lr=0.1)),
                                         (RMSprop, dict(lr=0.1, centered=True, momentum=0.5))])
def test_transposed_or_float64_gradients_give_the_same_update(cls, kwargs):
    rng = np.random.default_rng(0)
    init = rng.standard_normal((3, 5)).astype(np.float32)
    grads = [rng.standard_normal((5, 3)).T for _ in range(3)]  # (3, 5) column-major float64
    a, b = Tensor(init.copy(), requires_grad=True), Tensor(init.copy(), requires_grad=True)
    opt_a, opt_b = cls([a], **kwargs), cls([b], **kwargs)
    for g in grads:
        a.grad = Tensor(np.ascontiguousarray(g, dtype=np.float32))
        b.grad = Tensor(g)
        opt_a.step()
        opt_b.step()
    assert b.data.dtype == np.float32 and b.data.flags.c_contiguous
    np.testing.assert_array_equal(a.data, b.data)
    assert not b.grad.data.flags.c_contiguous  # the gradient itself is left alone
