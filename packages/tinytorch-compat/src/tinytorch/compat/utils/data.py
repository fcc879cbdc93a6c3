"""``torch.utils.data``: datasets, samplers and the DataLoader of module 08 (``tinytorch.data``)."""

from tinytorch.data import ConcatDataset, DataLoader, Dataset, TensorDataset, default_collate
from tinytorch.data.dataloader import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, Subset, SubsetRandomSampler,
    random_split,
)

from .._missing import missing

__all__ = [
    "Dataset", "TensorDataset", "ConcatDataset", "Subset", "random_split", "DataLoader", "default_collate",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
]

__getattr__ = missing("torch.utils.data")
