"""TinyTorch module 08: data.

Datasets and a DataLoader with ``torch.utils.data``'s names (batches of array-backed datasets are
gathered with one fancy index), batch-vectorised transforms, and verified datasets (TinyDigits,
MNIST, Fashion-MNIST, CIFAR-10) with the registry that ``tito data list/fetch/verify`` uses.
"""

from importlib.metadata import PackageNotFoundError, version

from .dataloader import (
    BatchSampler, DataLoader, Dataset, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, TensorDataset,
    default_collate,
)
from .concat import ConcatDataset
from .datasets import CIFAR10, MNIST, FashionMNIST, TinyDigits
from .files import (
    DATASETS, TINYDIGITS_SHA256, DatasetIntegrityError, DatasetNotFoundError, DatasetSpec, FileReport, FileSpec,
    data_root, fetch, is_offline, verify,
)
from .transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip

try:
    __version__ = version("tinytorch-data")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Dataset", "TensorDataset", "ConcatDataset", "DataLoader", "default_collate",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "Compose", "Normalize", "RandomCrop", "RandomHorizontalFlip",
    "TinyDigits", "MNIST", "FashionMNIST", "CIFAR10",
    "DATASETS", "DatasetSpec", "FileSpec", "FileReport", "TINYDIGITS_SHA256",
    "DatasetNotFoundError", "DatasetIntegrityError",
    "data_root", "fetch", "verify", "is_offline",
]
