"""Batch transforms: Normalize, RandomCrop, RandomHorizontalFlip and Compose.

torchvision's transforms act on one image at a time; these act on a whole batch ``(N, C, H, W)``
(or ``(N, H, W)``) ndarray or Tensor in a few NumPy calls, so augmentation costs a handful of
array operations per batch instead of a Python call per image. Random transforms draw a
different crop offset / flip decision for every image in the batch from a NumPy generator
(TinyTorch's global one by default, so ``manual_seed`` makes them reproducible).
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.tensor import Tensor, default_generator


def _unwrap(batch, name):
    if isinstance(batch, Tensor):
        return batch.data, True
    if isinstance(batch, np.ndarray):
        return batch, False
    raise TypeError(f"{name} expects an ndarray or Tensor batch, got {type(batch).__name__}")


def _check_images(array, name):
    if array.ndim not in (3, 4):
        raise ValueError(
            f"{name} expects a batch of shape (N, C, H, W) or (N, H, W), got shape {tuple(array.shape)}"
        )


def _pair(value, name):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (int(value), int(value))
    value = tuple(int(v) for v in value)
    if len(value) != 2 or min(value) < 1:
        raise ValueError(f"{name}: size must be a positive int or (h, w) pair, got {value!r}")
    return value


class Compose:
    """Apply transforms one after another (``torchvision.transforms.Compose``).

    Args:
        transforms: a list of callables, each taking and returning a batch.

    Example:
        >>> import numpy as np
        >>> t = Compose([Normalize(0.5, 0.5), RandomHorizontalFlip(p=0.0)])
        >>> t(np.ones((2, 1, 2, 2), dtype=np.float32)).tolist()[0]
        [[[1.0, 1.0], [1.0, 1.0]]]
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: {t!r} is not callable")

    def __call__(self, batch):
        for t in self.transforms:
            batch = t(batch)
        return batch

    def __repr__(self):
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"Compose([{inner}])"


class Normalize:
    r"""Normalise each channel: :math:`\text{out}_c = (\text{in}_c - \text{mean}_c) / \text{std}_c`.

    Args:
        mean: one number, or a sequence with one mean per channel.
        std: one number, or a sequence with one standard deviation per channel (all > 0).

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(N, H, W)` (then ``mean``/``std`` must be scalars
          or have length 1).
        - Output: same shape, float32 unless the input is float64.

    Example:
        >>> import numpy as np
        >>> x = np.stack([np.zeros((2, 2)), np.ones((2, 2))])[None]  # (1, 2, 2, 2)
        >>> Normalize(mean=[0.0, 0.5], std=[1.0, 0.5])(x)[0, :, 0, 0].tolist()
        [0.0, 1.0]
    """

    def __init__(self, mean, std):
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize: mean and std must be numbers or 1-d sequences, got {mean!r}, {std!r}")
        if np.any(self.std <= 0):
            raise ValueError(f"Normalize: std must be positive, got {std!r}")

    def __call__(self, batch):
        # BEGIN SOLUTION
        array, was_tensor = _unwrap(batch, "Normalize")
        _check_images(array, "Normalize")
        channels = array.shape[1] if array.ndim == 4 else 1
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.size not in (1, channels):
                raise ValueError(f"Normalize: {name} has {v.size} values, expected 1 or {channels} (channels)")
        dtype = array.dtype if array.dtype == np.float64 else np.float32
        # (C, 1, 1) broadcasts over (N, C, H, W); a single value broadcasts over anything
        shape = (-1, 1, 1) if array.ndim == 4 else (-1, 1)
        mean = self.mean.astype(dtype).reshape(shape)
        inv_std = (1.0 / self.std).astype(dtype).reshape(shape)
        out = (array.astype(dtype, copy=False) - mean) * inv_std
        # END SOLUTION
        return Tensor(out) if was_tensor else out

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class RandomCrop:
    r"""Crop a random ``size`` window from every image, after optional zero padding.

    The batch is padded once, then all N windows are read with one gather from a strided
    sliding-window view, each at its own random offset.

    Args:
        size: output ``(h, w)``, or one int for a square crop.
        padding: pixels added on every border before cropping (int, or ``(pad_h, pad_w)``).
            Default: 0.
        fill: value of the padded pixels. Default: 0.
        generator: ``numpy.random.Generator`` for the offsets. Default: TinyTorch's global one.

    Only constant padding is supported (torchvision also has reflect/edge modes).

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(N, H, W)`.
        - Output: :math:`(N, C, h, w)` or :math:`(N, h, w)`.

    Example:
        >>> import numpy as np
        >>> x = np.ones((4, 3, 32, 32), dtype=np.float32)
        >>> RandomCrop(32, padding=4, generator=np.random.default_rng(0))(x).shape
        (4, 3, 32, 32)
    """

    def __init__(self, size, padding=0, fill=0, generator=None):
        self.size = _pair(size, "RandomCrop")
        if isinstance(padding, numbers.Integral):
            padding = (int(padding), int(padding))
        self.padding = tuple(int(p) for p in padding)
        if len(self.padding) != 2 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: padding must be a non-negative int or (pad_h, pad_w), got {padding!r}")
        self.fill = fill
        self.generator = generator if generator is not None else default_generator

    def __call__(self, batch):
        # BEGIN SOLUTION
        array, was_tensor = _unwrap(batch, "RandomCrop")
        _check_images(array, "RandomCrop")
        ph, pw = self.padding
        h, w = self.size
        if ph or pw:
            pad = [(0, 0)] * (array.ndim - 2) + [(ph, ph), (pw, pw)]
            array = np.pad(array, pad, mode="constant", constant_values=self.fill)
        n, height, width = array.shape[0], array.shape[-2], array.shape[-1]
        if h > height or w > width:
            raise ValueError(
                f"RandomCrop: crop size {(h, w)} is larger than the padded image {(height, width)}"
            )
        top = self.generator.integers(0, height - h + 1, size=n)
        left = self.generator.integers(0, width - w + 1, size=n)
        # (N, [C,] H-h+1, W-w+1, h, w): every window, as a view (no copy)
        windows = sliding_window_view(array, (h, w), axis=(-2, -1))
        rows = np.arange(n)
        if array.ndim == 4:
            # advanced indices on dims 0, 2, 3 split by the channel slice -> (N, C, h, w)
            out = windows[rows, :, top, left]
        else:
            out = windows[rows, top, left]  # (N, h, w)
        # END SOLUTION
        return Tensor(out) if was_tensor else out

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability ``p``, independently per image.

    Args:
        p: probability of flipping an image. Default: 0.5.
        generator: ``numpy.random.Generator`` for the coin flips. Default: TinyTorch's global one.

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(N, H, W)`.
        - Output: same shape.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)
        >>> RandomHorizontalFlip(p=1.0)(x)[0, 0].tolist()
        [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
    """

    def __init__(self, p=0.5, generator=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p!r}")
        self.p = float(p)
        self.generator = generator if generator is not None else default_generator

    def __call__(self, batch):
        # BEGIN SOLUTION
        array, was_tensor = _unwrap(batch, "RandomHorizontalFlip")
        _check_images(array, "RandomHorizontalFlip")
        flip = self.generator.random(array.shape[0]) < self.p  # (N,)
        mask = flip.reshape((-1,) + (1,) * (array.ndim - 1))
        out = np.where(mask, array[..., ::-1], array)
        # END SOLUTION
        return Tensor(out) if was_tensor else out

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"
