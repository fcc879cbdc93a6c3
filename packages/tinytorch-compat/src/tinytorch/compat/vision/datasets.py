"""``torchvision.datasets.MNIST/FashionMNIST/CIFAR10`` over module 08's verified datasets.

Same arguments as torchvision (``root``, ``train``, ``transform``, ``target_transform``,
``download``). The files are module 08's, checked against pinned hashes: ``root`` is used when it
holds module 08's layout (``<root>/mnist/...``) or torchvision's (``<root>/MNIST/raw/``, the
``.gz`` files or their uncompressed copies), otherwise the data root (``$TINYTORCH_DATA_DIR``,
then ``~/.cache/tinytorch``). Deliberate difference: samples are float32 ``(C, H, W)`` tensors in
[0, 1] rather than PIL images (``ToTensor`` is a no-op on them).
"""

import os

from tinytorch import data
from tinytorch.tensor import Tensor

from .._missing import missing

__all__ = ["MNIST", "FashionMNIST", "CIFAR10"]


def _root(root, folders):
    """``root`` when it holds module 08's folder or torchvision's, else None (module 08's data
    root)."""
    if root is not None and any(os.path.isdir(os.path.join(os.fspath(root), f)) for f in folders):
        return root
    return None


class _TorchvisionArgs:
    """torchvision's argument order and ``target_transform`` over a module 08 image dataset."""

    _folders = ()

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root=_root(root, self._folders), train=train, transform=transform,
                         download=download)
        self.target_transform = target_transform

    def __getitem__(self, index):
        image, target = super().__getitem__(index)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __getitems__(self, indices):
        images, targets = super().__getitems__(indices)
        if self.target_transform is None:
            return images, targets
        # the user's function is written for one int target, as in torchvision
        mapped = [self.target_transform(int(t)) for t in targets.data]
        return images, data.default_collate(mapped) if mapped else Tensor(targets.data[:0])


class MNIST(_TorchvisionArgs, data.MNIST):
    """MNIST digits with torchvision's arguments (see :class:`tinytorch.data.MNIST`)."""

    _folders = ("mnist", "MNIST")


class FashionMNIST(_TorchvisionArgs, data.FashionMNIST):
    """Fashion-MNIST with torchvision's arguments (see :class:`tinytorch.data.FashionMNIST`)."""

    _folders = ("fashion-mnist", "FashionMNIST")


class CIFAR10(_TorchvisionArgs, data.CIFAR10):
    """CIFAR-10 with torchvision's arguments (see :class:`tinytorch.data.CIFAR10`)."""

    _folders = ("cifar-10",)


__getattr__ = missing("torchvision.datasets")
