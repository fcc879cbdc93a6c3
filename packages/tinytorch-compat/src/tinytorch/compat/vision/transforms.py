"""``torchvision.transforms`` over module 08's batch transforms.

Module 08's datasets hand their transform a whole batch ``(B, C, H, W)`` of float32 images in
[0, 1] (``ToTensor`` is built in, there is no PIL), so ``Compose``, ``Normalize``, ``RandomCrop``
and ``RandomHorizontalFlip`` are module 08's classes themselves. Two adapters make torchvision
pipelines run unchanged: :class:`ToTensor` (a no-op on those float batches; it still converts a
uint8 ``(H, W, C)`` array as torchvision does) and :class:`Lambda` (the user's per-image function,
applied to each image of the batch).
"""

import numpy as np

from tinytorch.data import Compose, Normalize, RandomCrop, RandomHorizontalFlip
from tinytorch.tensor import Tensor

from .._missing import missing

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "Lambda"]


class ToTensor:
    """Images to float tensors in [0, 1] (``torchvision.transforms.ToTensor``).

    A float batch or image (what module 08's datasets give) passes through unchanged; a uint8
    array ``(H, W)`` or ``(H, W, C)`` becomes ``(C, H, W)`` float32 divided by 255.

    Example:
        >>> ToTensor()(np.full((2, 2, 3), 255, np.uint8)).shape
        (3, 2, 2)
    """

    def __call__(self, pic):
        array = pic.data if isinstance(pic, Tensor) else np.asarray(pic)
        if array.dtype.kind == "f":
            return pic if isinstance(pic, Tensor) else Tensor(array)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise TypeError(f"ToTensor expects an (H, W) or (H, W, C) image, got shape {array.shape}")
        scale = np.float32(1 / 255) if array.dtype == np.uint8 else np.float32(1)
        return Tensor(np.ascontiguousarray(array.transpose(2, 0, 1)).astype(np.float32) * scale)

    def __repr__(self):
        return "ToTensor()"


class Lambda:
    """A user function as a transform (``torchvision.transforms.Lambda``).

    ``fn`` is written for one image, as in torchvision; given a batch (what module 08's datasets
    pass), it is applied to each image in turn and the results stacked.

    Example:
        >>> flat = Lambda(lambda img: img.reshape(-1))
        >>> flat(np.zeros((4, 1, 2, 2), np.float32)).shape
        (4, 4)
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, batch):
        array = batch.data if isinstance(batch, Tensor) else np.asarray(batch)
        outs = [self.lambd(Tensor(image)) for image in array]  # the user's per-image function
        stacked = np.stack([o.data if isinstance(o, Tensor) else np.asarray(o) for o in outs])
        return Tensor(stacked) if isinstance(batch, Tensor) else stacked

    def __repr__(self):
        return "Lambda()"


__getattr__ = missing("torchvision.transforms")
