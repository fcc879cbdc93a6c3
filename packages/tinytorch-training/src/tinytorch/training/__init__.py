"""TinyTorch module 07: the training loop.

:class:`Trainer` (train/eval switching, gradient accumulation, clipping, schedules, validation
metrics, history, progress bar), :func:`clip_grad_norm_`, accuracy helpers, checkpoints that hold
model, optimizer, schedule, epoch and RNG state in a pickle-free ``.npz`` written atomically,
:func:`save` / :func:`load` (``torch.save`` / ``torch.load`` for tensors and plain data, in the
same format), and the classifier recipe (:func:`fit_classifier`) the image milestones share.
"""

from importlib.metadata import PackageNotFoundError, version

from .checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from .recipes import classifier_trainer, epoch_logger, fit_classifier
from .serialization import load, save
from .trainer import Trainer, accuracy, binary_accuracy, clip_grad_norm_

try:
    __version__ = version("tinytorch-training")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Trainer", "clip_grad_norm_", "accuracy", "binary_accuracy",
    "save_checkpoint", "load_checkpoint", "read_checkpoint", "CheckpointError", "save", "load",
    "classifier_trainer", "epoch_logger", "fit_classifier",
]
