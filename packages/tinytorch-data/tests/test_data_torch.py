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


def test_samplers_lengths_and_errors_match_torch():
    from tinytorch.data.dataloader import BatchSampler, RandomSampler, SequentialSampler
    ds = TensorDataset(np.arange(10.0), np.arange(10))
    tds = tud.TensorDataset(torch.arange(10.0), torch.arange(10))
    assert list(SequentialSampler(ds)) == list(tud.SequentialSampler(tds))
    for kwargs in [{}, dict(num_samples=25), dict(replacement=True, num_samples=7)]:
        assert len(RandomSampler(ds, **kwargs)) == len(tud.RandomSampler(tds, **kwargs))
        assert len(list(RandomSampler(ds, **kwargs))) == len(list(tud.RandomSampler(tds, **kwargs)))
    for n, b, drop in [(7, 3, True), (7, 3, False), (6, 3, False)]:
        assert list(BatchSampler(SequentialSampler(range(n)), b, drop)) == \
            list(tud.BatchSampler(tud.SequentialSampler(range(n)), b, drop))
    for kwargs in [dict(num_samples=0), dict(replacement=1)]:
        with pytest.raises((ValueError, TypeError)) as theirs:
            tud.RandomSampler(tds, **kwargs)
        with pytest.raises(theirs.type):
            RandomSampler(ds, **kwargs)


@pytest.mark.parametrize("kwargs", [
    dict(shuffle=True, sampler=[0, 1]), dict(batch_sampler=[[0]], batch_size=2),
    dict(num_workers=-1),
])
def test_loader_option_errors_match_torch(kwargs):
    with pytest.raises(ValueError):
        tud.DataLoader(tud.TensorDataset(torch.zeros(3)), **kwargs)
    with pytest.raises(ValueError):
        DataLoader(TensorDataset(np.zeros(3)), **kwargs)


def test_sampler_and_batch_sampler_batches_match_torch():
    x = np.arange(12.0, dtype=np.float32)
    order = [11, 3, 5, 0, 2, 7, 1]
    ours = [b[0].tolist() for b in DataLoader(TensorDataset(x), batch_size=3, sampler=order)]
    theirs = [b[0].tolist() for b in tud.DataLoader(tud.TensorDataset(torch.from_numpy(x)),
                                                    batch_size=3, sampler=order)]
    assert ours == theirs
    batches = [[0, 1], [5], [2, 3, 4]]
    ours = [b[0].tolist() for b in DataLoader(TensorDataset(x), batch_sampler=batches)]
    theirs = [b[0].tolist() for b in tud.DataLoader(tud.TensorDataset(torch.from_numpy(x)),
                                                    batch_sampler=batches)]
    assert ours == theirs


@pytest.mark.parametrize("lengths", [[7, 3], [0.8, 0.2], [0.33, 0.33, 0.34], [0.5, 0.5], [10, 0]])
def test_random_split_sizes_match_torch_and_cover_the_dataset(lengths):
    from tinytorch.data.dataloader import random_split
    x = np.arange(10.0, dtype=np.float32)
    ours = random_split(TensorDataset(x), lengths, generator=np.random.default_rng(0))
    theirs = tud.random_split(tud.TensorDataset(torch.from_numpy(x)), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    picked = sorted(float(v) for s in ours for (v,) in [s[i] for i in range(len(s))])
    assert picked == x.tolist()
    batches = [b[0].tolist() for b in DataLoader(ours[0], batch_size=4)]
    assert sum(len(b) for b in batches) == len(ours[0])


@pytest.mark.parametrize("lengths", [[5, 4], [0.5, 0.4]])
def test_random_split_bad_lengths_raise_like_torch(lengths):
    from tinytorch.data.dataloader import random_split
    with pytest.raises(ValueError):
        tud.random_split(tud.TensorDataset(torch.zeros(10)), lengths)
    with pytest.raises(ValueError):
        random_split(TensorDataset(np.zeros(10)), lengths)
