import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.data import Compose, Normalize, RandomCrop, RandomHorizontalFlip
from tinytorch.tensor import Tensor, manual_seed


def test_normalize_per_channel_by_hand():
    x = np.array([[[[1.0]], [[3.0]]]], dtype=np.float32)  # (1, 2, 1, 1)
    out = Normalize(mean=[1.0, 1.0], std=[1.0, 2.0])(x)
    assert out.dtype == np.float32
    assert out.ravel().tolist() == [0.0, 1.0]


def test_normalize_scalar_on_3d_batch_and_tensor_in_tensor_out():
    x = Tensor(np.full((2, 3, 3), 0.5, dtype=np.float32))
    out = Normalize(0.5, 0.25)(x)
    assert isinstance(out, Tensor) and np.all(out.numpy() == 0.0)


def test_normalize_errors():
    with pytest.raises(ValueError, match="std must be positive"):
        Normalize(0.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="expected 1 or 3"):
        Normalize([0.1, 0.2], [1.0, 1.0])(np.zeros((1, 3, 2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        Normalize(0.0, 1.0)(np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(TypeError, match="ndarray or Tensor"):
        Normalize(0.0, 1.0)([[1.0]])


def _crop_reference(x, size, padding, top, left, fill=0.0):
    """Per-image loop, the obvious (slow) way; the vectorised version must agree with it."""
    h, w = size
    pad = [(0, 0)] * (x.ndim - 2) + [(padding, padding), (padding, padding)]
    padded = np.pad(x, pad, constant_values=fill)
    return np.stack([padded[i, ..., t:t + h, l:l + w] for i, (t, l) in enumerate(zip(top, left))])


def test_random_crop_matches_per_image_loop():
    x = np.random.default_rng(0).standard_normal((6, 3, 10, 9)).astype(np.float32)
    out = RandomCrop((7, 8), padding=2, generator=np.random.default_rng(5))(x)
    g = np.random.default_rng(5)
    top = g.integers(0, 14 - 7 + 1, size=6)
    left = g.integers(0, 13 - 8 + 1, size=6)
    np.testing.assert_array_equal(out, _crop_reference(x, (7, 8), 2, top, left))


def test_random_crop_no_padding_full_size_is_identity():
    x = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)
    np.testing.assert_array_equal(RandomCrop(4)(x), x)


def test_random_crop_fill_and_too_large():
    x = np.ones((3, 1, 2, 2), dtype=np.float32)
    out = RandomCrop(2, padding=5, fill=-1.0, generator=np.random.default_rng(0))(x)
    assert set(np.unique(out).tolist()) <= {-1.0, 1.0}
    with pytest.raises(ValueError, match="larger than the padded image"):
        RandomCrop(5)(x)
    with pytest.raises(ValueError, match="padding"):
        RandomCrop(2, padding=-1)


def test_random_crop_is_seeded_by_manual_seed():
    x = np.random.default_rng(1).random((8, 1, 6, 6)).astype(np.float32)
    manual_seed(3)
    a = RandomCrop(6, padding=2)(x)
    manual_seed(3)
    b = RandomCrop(6, padding=2)(x)
    np.testing.assert_array_equal(a, b)


def test_flip_p1_p0_and_per_image_decisions():
    x = np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(0.0)(x), x)
    many = np.tile(np.arange(4, dtype=np.float32), (2000, 1, 1))  # (2000, 1, 4)
    out = RandomHorizontalFlip(0.5, generator=np.random.default_rng(0))(many)
    flipped = out[:, 0, 0] == 3
    assert np.all(out[flipped] == many[0, :, ::-1]) and np.all(out[~flipped] == many[0])
    assert 0.45 < flipped.mean() < 0.55
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RandomHorizontalFlip(1.5)


def test_compose_order():
    x = np.ones((1, 1, 2, 2), dtype=np.float32)
    out = Compose([Normalize(1.0, 1.0), Normalize(-1.0, 0.5)])(x)
    assert np.all(out == 2.0)
    with pytest.raises(TypeError, match="not callable"):
        Compose([1])
    assert "Normalize" in repr(Compose([Normalize(0, 1)]))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 3), h=st.integers(1, 9), w=st.integers(1, 9),
       padding=st.integers(0, 3), seed=st.integers(0, 2**31), data=st.data())
def test_random_crop_property(n, c, h, w, padding, seed, data):
    ch = data.draw(st.integers(1, h + 2 * padding))
    cw = data.draw(st.integers(1, w + 2 * padding))
    x = np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)
    out = RandomCrop((ch, cw), padding=padding, generator=np.random.default_rng(seed))(x)
    g = np.random.default_rng(seed)
    top = g.integers(0, h + 2 * padding - ch + 1, size=n)
    left = g.integers(0, w + 2 * padding - cw + 1, size=n)
    assert out.shape == (n, c, ch, cw)
    np.testing.assert_array_equal(out, _crop_reference(x, (ch, cw), padding, top, left))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), h=st.integers(1, 5), w=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_flip_twice_with_p1_is_identity_and_preserves_rows(n, h, w, seed):
    x = np.random.default_rng(seed).random((n, h, w)).astype(np.float32)
    once = RandomHorizontalFlip(0.5, generator=np.random.default_rng(seed))(x)
    np.testing.assert_array_equal(np.sort(once, axis=-1), np.sort(x, axis=-1))
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(RandomHorizontalFlip(1.0)(x)), x)
