"""Differential tests: parameter trajectories and learning-rate sequences against torch.optim."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tinytorch.optim import (  # noqa: E402
    SGD, Adadelta, Adam, AdamW, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR,
    RMSprop, StepLR,
)
from tinytorch.tensor import Tensor  # noqa: E402

SHAPES = [(5,), (3, 4), (2, 3, 2)]

CONFIGS = [
    (SGD, torch.optim.SGD, dict(lr=0.1)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.5, weight_decay=0.1, maximize=True)),
    (RMSprop, torch.optim.RMSprop, dict()),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.7)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True, weight_decay=0.05)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.003, centered=True, momentum=0.9, eps=1e-6)),
    (Adam, torch.optim.Adam, dict()),
    (Adam, torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    (Adam, torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    (Adam, torch.optim.Adam, dict(lr=0.02, maximize=True, eps=1e-6)),
    (AdamW, torch.optim.AdamW, dict()),
    (AdamW, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    (Adadelta, torch.optim.Adadelta, dict()),
    (Adadelta, torch.optim.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    (Adadelta, torch.optim.Adadelta, dict(maximize=True)),
]


def _ids(config):
    ours, _, kwargs = config
    return ours.__name__ + "".join(f"-{k}={v}" for k, v in kwargs.items())


def _run_both(ours_cls, torch_cls, kwargs, steps, rng, groups=False):
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    ours = [Tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    if groups:
        # A second group with its own learning rate, as a model's "no decay" group would have.
        lr = kwargs.get("lr", 1e-3) * 0.5
        opt = ours_cls([{"params": ours[:1]}, {"params": ours[1:], "lr": lr}], **kwargs)
        ref = torch_cls([{"params": theirs[:1]}, {"params": theirs[1:], "lr": lr}], **kwargs)
    else:
        opt, ref = ours_cls(ours, **kwargs), torch_cls(theirs, **kwargs)
    for _ in range(steps):
        grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
        for p, q, g in zip(ours, theirs, grads):
            p.grad = Tensor(g.copy())
            q.grad = torch.tensor(g.copy())
        opt.step()
        ref.step()
    return ours, theirs, opt, ref


@pytest.mark.parametrize("config", CONFIGS, ids=[_ids(c) for c in CONFIGS])
def test_trajectory_matches_torch(config):
    ours_cls, torch_cls, kwargs = config
    ours, theirs, _, _ = _run_both(ours_cls, torch_cls, kwargs, 10, np.random.default_rng(0))
    for p, q in zip(ours, theirs):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("config", CONFIGS[1:4] + CONFIGS[9:11] + CONFIGS[13:14], ids=_ids)
def test_param_groups_match_torch(config):
    ours_cls, torch_cls, kwargs = config
    ours, theirs, _, _ = _run_both(ours_cls, torch_cls, kwargs, 6, np.random.default_rng(1), groups=True)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("config", [CONFIGS[2], CONFIGS[8], CONFIGS[11], CONFIGS[14]], ids=_ids)
def test_state_matches_torch(config):
    ours_cls, torch_cls, kwargs = config
    _, _, opt, ref = _run_both(ours_cls, torch_cls, kwargs, 4, np.random.default_rng(2))
    ours_state, torch_state = opt.state_dict()["state"], ref.state_dict()["state"]
    assert set(ours_state) == set(torch_state)
    for index, entries in torch_state.items():
        for name, value in entries.items():
            ours_value = ours_state[index][name]
            if name == "step":
                assert ours_value == int(value)
            else:
                np.testing.assert_allclose(ours_value, value.numpy(), rtol=1e-5, atol=1e-6)


def _lr_sequences(ours_factory, torch_factory, steps, lrs=(0.1, 0.03)):
    ours_opt = SGD([{"params": [Tensor(np.zeros(1, np.float32), requires_grad=True)], "lr": lr} for lr in lrs])
    torch_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])
    ours, theirs = ours_factory(ours_opt), torch_factory(torch_opt)
    got, expected = [], []
    for _ in range(steps):
        got.append(ours.get_last_lr())
        expected.append(theirs.get_last_lr())
        ours_opt.step()
        torch_opt.step()
        ours.step()
        theirs.step()
    return np.array(got), np.array(expected)


SCHEDULES = {
    "step": lambda m: lambda opt: m.StepLR(opt, step_size=3, gamma=0.5),
    "step-default-gamma": lambda m: lambda opt: m.StepLR(opt, 4),
    "cosine": lambda m: lambda opt: m.CosineAnnealingLR(opt, T_max=7, eta_min=0.001),
    "cosine-past-T_max": lambda m: lambda opt: m.CosineAnnealingLR(opt, T_max=4),
    "lambda": lambda m: lambda opt: m.LambdaLR(opt, lambda e: 1.0 / (1 + e)),
    "lambda-list": lambda m: lambda opt: m.LambdaLR(opt, [lambda e: 0.9**e, lambda e: e % 3 + 1]),
    "linear-warmup": lambda m: lambda opt: m.LinearLR(opt, start_factor=0.1, total_iters=6),
    "linear-default": lambda m: lambda opt: m.LinearLR(opt),
    "linear-decay": lambda m: lambda opt: m.LinearLR(opt, start_factor=1.0, end_factor=0.2, total_iters=4),
    "exponential": lambda m: lambda opt: m.ExponentialLR(opt, gamma=0.8),
    "multistep": lambda m: lambda opt: m.MultiStepLR(opt, milestones=[9, 3, 3, 15], gamma=0.5),
    "multistep-default": lambda m: lambda opt: m.MultiStepLR(opt, [2, 5]),
}


class _Ours:
    StepLR, CosineAnnealingLR, LambdaLR, LinearLR = StepLR, CosineAnnealingLR, LambdaLR, LinearLR
    ExponentialLR, MultiStepLR = ExponentialLR, MultiStepLR


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name):
    got, expected = _lr_sequences(SCHEDULES[name](_Ours), SCHEDULES[name](torch.optim.lr_scheduler), 20)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_scheduler_drives_optimizer_like_torch():
    rng = np.random.default_rng(3)
    init = rng.standard_normal((4, 3)).astype(np.float32)
    p, q = Tensor(init.copy(), requires_grad=True), torch.tensor(init.copy(), requires_grad=True)
    opt, ref = Adam([p], lr=0.05), torch.optim.Adam([q], lr=0.05)
    warm, ref_warm = LinearLR(opt, start_factor=0.2, total_iters=3), torch.optim.lr_scheduler.LinearLR(
        ref, start_factor=0.2, total_iters=3)
    cosine = CosineAnnealingLR(opt, T_max=8)
    ref_cosine = torch.optim.lr_scheduler.CosineAnnealingLR(ref, T_max=8)
    for _ in range(8):
        g = rng.standard_normal((4, 3)).astype(np.float32)
        p.grad, q.grad = Tensor(g.copy()), torch.tensor(g.copy())
        opt.step()
        ref.step()
        for s in (warm, cosine, ref_warm, ref_cosine):
            s.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(ref.param_groups[0]["lr"], rel=1e-12)
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("config", CONFIGS[-3:], ids=_ids)
def test_adadelta_state_and_groups_match_torch(config):
    ours_cls, torch_cls, kwargs = config
    ours, theirs, opt, ref = _run_both(ours_cls, torch_cls, kwargs, 5, np.random.default_rng(4),
                                       groups=True)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)
    for i, p in enumerate(ours):
        for key in ("square_avg", "acc_delta"):
            np.testing.assert_allclose(opt.state[id(p)][key], ref.state[theirs[i]][key].numpy(),
                                       rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs", [dict(lr=-1.0), dict(rho=1.5), dict(eps=-1.0),
                                    dict(weight_decay=-0.1)])
def test_adadelta_bad_hyper_parameters_raise_like_torch(kwargs):
    with pytest.raises(ValueError):
        torch.optim.Adadelta([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError):
        Adadelta([Tensor([0.0], requires_grad=True)], **kwargs)


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[5], CONFIGS[9], CONFIGS[13], CONFIGS[-3]], ids=_ids)
def test_step_with_closure_returns_the_loss_and_matches_torch(config):
    ours_cls, torch_cls, kwargs = config
    from tinytorch.tensor import no_grad
    w0 = np.array([1.0, -2.0, 0.5], np.float32)
    p, q = Tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(), requires_grad=True)
    opt, ref = ours_cls([p], **kwargs), torch_cls([q], **kwargs)

    def closure_for(param, optimizer):
        def closure():
            optimizer.zero_grad()
            loss = (param * param).sum() + param.sum()
            loss.backward()
            return loss
        return closure

    for _ in range(4):
        with no_grad():  # grad mode is switched back on for the closure, as in torch
            ours_loss = opt.step(closure_for(p, opt))
        with torch.no_grad():
            their_loss = ref.step(closure_for(q, ref))
        assert ours_loss.item() == pytest.approx(their_loss.item(), rel=1e-5)
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert opt.step() is None and ref.step() is None
