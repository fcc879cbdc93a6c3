"""``torch.utils.data``: datasets, samplers and the DataLoader of module 08 (``tinytorch.data``)."""

from tinytorch.data import DataLoader, Dataset, TensorDataset, default_collate
from tinytorch.data.dataloader import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
)

from .._missing import missing

__all__ = [
    "Dataset", "TensorDataset", "DataLoader", "default_collate",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
]

__getattr__ = missing("torch.utils.data")
