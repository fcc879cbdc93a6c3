"""Differential tests against PyTorch: clip_grad_norm_ and a whole training loop."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tinytorch.layers import Linear, Module  # noqa: E402
from tinytorch.losses import cross_entropy  # noqa: E402
from tinytorch.optim import SGD, AdamW, CosineAnnealingLR  # noqa: E402
from tinytorch.tensor import Tensor  # noqa: E402
from tinytorch.training import Trainer, clip_grad_norm_  # noqa: E402


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(int(max_norm * 10) + int(min(norm_type, 9)))
    shapes = [tuple(rng.integers(1, 6, size=rng.integers(1, 4))) for _ in range(4)]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [Tensor(np.zeros(s, np.float32), requires_grad=True) for s in shapes]
    theirs = [torch.zeros(s, requires_grad=True) for s in shapes]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = Tensor(g.copy()), torch.tensor(g.copy())
    norm = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert norm.item() == pytest.approx(ref.item(), rel=1e-5)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-5, atol=1e-7)


class _MLP(Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = Linear(5, 8), Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


@pytest.mark.parametrize("accumulation_steps, max_grad_norm", [(1, None), (3, 0.5)])
def test_training_loop_matches_torch(accumulation_steps, max_grad_norm):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((70, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=70)
    batches = [(x[i:i + 10], y[i:i + 10]) for i in range(0, 70, 10)]  # 7 batches: groups 3, 3, 1

    model = _MLP()
    ref = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for ours, theirs in zip([model.fc1, model.fc2], [ref[0], ref[2]]):
            theirs.weight.copy_(torch.tensor(ours.weight.data))
            theirs.bias.copy_(torch.tensor(ours.bias.data))

    opt = AdamW(model.parameters(), lr=0.01, weight_decay=0.1)
    sched = CosineAnnealingLR(opt, T_max=4)
    trainer = Trainer(model, opt, cross_entropy, scheduler=sched, scheduler_interval="step",
                      accumulation_steps=accumulation_steps, max_grad_norm=max_grad_norm)
    trainer.fit([(Tensor(a), Tensor(b)) for a, b in batches], epochs=2)

    ref_opt = torch.optim.AdamW(ref.parameters(), lr=0.01, weight_decay=0.1)
    ref_sched = torch.optim.lr_scheduler.CosineAnnealingLR(ref_opt, T_max=4)
    for _ in range(2):
        groups = [batches[i:i + accumulation_steps] for i in range(0, len(batches), accumulation_steps)]
        for group in groups:
            ref_opt.zero_grad()
            for a, b in group:
                loss = torch.nn.functional.cross_entropy(ref(torch.tensor(a)), torch.tensor(b))
                (loss / len(group)).backward()
            if max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(ref.parameters(), max_grad_norm)
            ref_opt.step()
            ref_sched.step()

    for ours, theirs in zip([model.fc1, model.fc2], [ref[0], ref[2]]):
        np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ours.bias.data, theirs.bias.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_a_real_torch_save_file_is_refused_clearly(tmp_path):
    from tinytorch.training import CheckpointError, load

    torch.save({"w": torch.ones(2)}, tmp_path / "zip.pt")
    with pytest.raises(CheckpointError, match="is a PyTorch file .a zip holding data.pkl."):
        load(tmp_path / "zip.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="is a PyTorch file .a legacy pickle."):
        load(tmp_path / "legacy.pt")


def test_save_load_round_trip_shapes_like_torch(tmp_path):
    """The same container through torch.save/load and ours comes back with the same structure and values."""
    from tinytorch.training import load, save

    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    ours = {"w": Tensor(values), "step": 3, "betas": (0.9, 0.999), "ids": [1, 2], 0: None, "lr": 0.1}
    theirs = {"w": torch.tensor(values), "step": 3, "betas": (0.9, 0.999), "ids": [1, 2], 0: None, "lr": 0.1}
    save(ours, tmp_path / "ours.pt")
    torch.save(theirs, tmp_path / "theirs.pt")
    a, b = load(tmp_path / "ours.pt"), torch.load(tmp_path / "theirs.pt", weights_only=True)
    assert list(a) == list(b)
    for key in a:
        if key == "w":
            np.testing.assert_array_equal(a[key].data, b[key].numpy())
            assert a[key].shape == tuple(b[key].shape)
        else:
            assert type(a[key]) is type(b[key]) and a[key] == b[key]
