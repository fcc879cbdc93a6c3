"""FLOP counts equal torch.utils.flop_counter's on the same architectures, forward and backward."""

import numpy as np
import pytest

from tinytorch.attention import MultiheadAttention
from tinytorch.losses import cross_entropy
from tinytorch.profiling import Profiler, count_flops, count_parameters
from tinytorch.tensor import Tensor
from tinytorch.transformer import GPT, GPTConfig

from profiling_models import SelfAttention, cnn, mlp, torch_gpt, torch_models

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

SHAPES = {"mlp": (32, 784), "cnn": (4, 1, 28, 28), "attention": (2, 7, 32)}
OURS = {"mlp": mlp, "cnn": cnn, "attention": lambda: SelfAttention(32, 4)}


def torch_flops(model, x, backward=False):
    counter = FlopCounterMode(display=False)
    with counter:
        out = model(x)
        if backward:
            out.backward(torch.randn_like(out))
    return counter.get_total_flops()


@pytest.mark.parametrize("name", list(SHAPES))
def test_forward_flops_equal_torch(name):
    x = np.random.default_rng(0).standard_normal(SHAPES[name]).astype(np.float32)
    theirs = torch_flops(torch_models(torch)[name](), torch.from_numpy(x))
    assert count_flops(OURS[name](), x) == theirs > 0


@pytest.mark.parametrize("name", list(SHAPES))
def test_parameter_counts_equal_torch(name):
    theirs = sum(p.numel() for p in torch_models(torch)[name]().parameters())
    assert count_parameters(OURS[name]()) == theirs


@pytest.mark.parametrize("name", list(SHAPES))
def test_training_step_flops_equal_torch(name):
    # Forward + backward with a random upstream gradient: the first layer's input needs no
    # gradient, so its backward runs one product (the weight gradient), as in torch.
    rng = np.random.default_rng(1)
    x = rng.standard_normal(SHAPES[name]).astype(np.float32)
    theirs = torch_flops(torch_models(torch)[name](), torch.from_numpy(x), backward=True)
    model = OURS[name]()
    with Profiler() as prof:
        out = model(Tensor(x))
        out.backward(Tensor(rng.standard_normal(out.shape).astype(np.float32)))
    assert prof.total_flops == theirs


def test_loss_adds_no_flops():
    model = mlp()
    x = Tensor(np.zeros((8, 784), np.float32))
    target = Tensor(np.zeros(8, np.int64))
    assert count_flops(lambda a: cross_entropy(model(a), target), x) == count_flops(model, x)


def test_gpt_flops_and_parameters_equal_torch():
    sizes = dict(vocab_size=65, block_size=32, n_layer=2, n_head=4, n_embd=32)
    ours = GPT(GPTConfig(**sizes))
    theirs = torch_gpt(torch, **sizes)
    idx = np.random.default_rng(0).integers(0, 65, (2, 16))
    assert count_parameters(ours) == sum(p.numel() for p in theirs.parameters())
    expected = torch_flops(theirs, torch.from_numpy(idx))
    assert count_flops(lambda i: ours(i)[0], idx) == expected > 0


def test_multihead_attention_flops_equal_torch():
    x = np.random.default_rng(0).standard_normal((2, 7, 32)).astype(np.float32)
    ours = MultiheadAttention(32, 4, batch_first=True)
    theirs = torch.nn.MultiheadAttention(32, 4, batch_first=True)
    tx = torch.from_numpy(x)
    counter = FlopCounterMode(display=False)
    with counter:  # need_weights=True takes torch's bmm path, which its counter sees
        theirs(tx, tx, tx, need_weights=True)
    assert count_flops(lambda a: ours(a, a, a)[0], x) == counter.get_total_flops() > 0
    assert count_parameters(ours) == sum(p.numel() for p in theirs.parameters())
