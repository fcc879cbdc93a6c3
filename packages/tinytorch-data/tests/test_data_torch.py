import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
import torch.utils.data as tud  # noqa: E402

from tinytorch.data import (  # noqa: E402
    DataLoader, Normalize, RandomCrop, RandomHorizontalFlip, TensorDataset, default_collate,
)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), d=st.integers(1, 4), batch_size=st.integers(1, 9),
       drop_last=st.booleans(), seed=st.integers(0, 2**31))
def test_sequential_batches_match_torch(n, d, batch_size, drop_last, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    y = rng.integers(0, 10, n)
    ours = list(DataLoader(TensorDataset(x, y), batch_size=batch_size, drop_last=drop_last))
    theirs = list(tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                 batch_size=batch_size, drop_last=drop_last))
    assert len(ours) == len(theirs)
    for (xo, yo), (xt, yt) in zip(ours, theirs):
        np.testing.assert_array_equal(xo.numpy(), xt.numpy())
        np.testing.assert_array_equal(yo.numpy(), yt.numpy())
        assert str(yt.dtype) == "torch.int64" and yo.dtype == np.int64


@settings(max_examples=25, deadline=None)
@given(b=st.integers(1, 6), shape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2**31))
def test_default_collate_matches_torch(b, shape, seed):
    rng = np.random.default_rng(seed)
    samples = [(rng.standard_normal(shape).astype(np.float32), int(rng.integers(0, 100))) for _ in range(b)]
    xo, yo = default_collate(samples)
    xt, yt = tud.default_collate(samples)
    np.testing.assert_array_equal(xo.numpy(), xt.numpy())
    np.testing.assert_array_equal(yo.numpy(), yt.numpy())
    assert yo.dtype == np.int64 and str(yt.dtype) == "torch.int64"


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 4), h=st.integers(1, 6), w=st.integers(1, 6),
       seed=st.integers(0, 2**31))
def test_normalize_matches_torch(n, c, h, w, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, c, h, w)).astype(np.float32)
    mean = rng.random(c)
    std = rng.random(c) + 0.1
    ours = Normalize(mean.tolist(), std.tolist())(x)
    t_mean = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    t_std = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)
    theirs = (torch.from_numpy(x) - t_mean) / t_std
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 3), h=st.integers(2, 8), w=st.integers(2, 8),
       padding=st.integers(0, 4), seed=st.integers(0, 2**31))
def test_random_crop_matches_torch_pad_and_slice(n, c, h, w, padding, seed):
    x = np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)
    ch, cw = h, w  # the usual augmentation: pad, then crop back to the original size
    ours = RandomCrop((ch, cw), padding=padding, generator=np.random.default_rng(seed))(x)
    g = np.random.default_rng(seed)
    top = g.integers(0, h + 2 * padding - ch + 1, size=n)
    left = g.integers(0, w + 2 * padding - cw + 1, size=n)
    padded = F.pad(torch.from_numpy(x), (padding, padding, padding, padding))
    theirs = torch.stack([padded[i, :, t:t + ch, l:l + cw] for i, (t, l) in enumerate(zip(top, left))])
    np.testing.assert_array_equal(ours, theirs.numpy())


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 8), c=st.integers(1, 3), h=st.integers(1, 5), w=st.integers(1, 5),
       p=st.floats(0, 1), seed=st.integers(0, 2**31))
def test_horizontal_flip_matches_torch_flip(n, c, h, w, p, seed):
    x = np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)
    ours = RandomHorizontalFlip(p, generator=np.random.default_rng(seed))(x)
    mask = torch.from_numpy(np.random.default_rng(seed).random(n) < p).view(-1, 1, 1, 1)
    xt = torch.from_numpy(x)
    theirs = torch.where(mask, torch.flip(xt, dims=[-1]), xt)
    np.testing.assert_array_equal(ours, theirs.numpy())
