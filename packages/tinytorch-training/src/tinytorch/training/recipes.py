"""A standard recipe for image classifiers: Adam, a cosine schedule per step, train then test.

The 1986 MLP and 1998 CNN milestones train every one of their networks this way, so the recipe
lives here, beside the :class:`~tinytorch.training.Trainer` it configures, and each milestone keeps
only what is its own (data, networks, claims).
"""

import time

from tinytorch.losses import cross_entropy
from tinytorch.optim import Adam
from tinytorch.optim.lr_scheduler import CosineAnnealingLR

from .trainer import Trainer, accuracy


def classifier_trainer(model, epochs, steps_per_epoch, lr):
    """A Trainer with Adam and a cosine-annealed learning rate stepped after every batch.

    Loss is cross-entropy; evaluation reports ``accuracy``. The progress bar is off: the
    :func:`epoch_logger` lines stand in for it, so a terminal and a CI log show the same output.

    Args:
        model: the classifier (logits out).
        epochs: epochs the schedule spans.
        steps_per_epoch: optimizer steps per epoch (``len(train_loader)``).
        lr: Adam's initial learning rate; it decays to 0 along a half cosine over the whole run.
    """
    optimizer = Adam(model.parameters(), lr=lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
    return Trainer(model, optimizer, cross_entropy, scheduler=scheduler, scheduler_interval="step",
                   metrics={"accuracy": accuracy}, progress=False)


def epoch_logger(epochs, log):
    """``on_epoch_end`` hook printing loss and time: every epoch of a short run, every 10th of a long one.

    Example:
        >>> hook = epoch_logger(3, print)
        >>> hook(None, {"epoch": 2, "train_loss": 0.25, "train_seconds": 1.5})
          epoch 2/3: loss 0.2500, 1.50 s
    """
    def on_epoch_end(trainer, record):
        if epochs <= 10 or record["epoch"] % 10 == 0 or record["epoch"] == epochs:
            log(f"  epoch {record['epoch']}/{epochs}: loss {record['train_loss']:.4f}, "
                f"{record['train_seconds']:.2f} s")
    return on_epoch_end


def fit_classifier(model, train_loader, test_loader, *, epochs, lr, log=None):
    """Train ``model`` with :func:`classifier_trainer` for ``epochs``, then test it.

    Args:
        model: the classifier.
        train_loader: re-iterable batches ``(images, labels)`` with ``len()`` (a DataLoader).
        test_loader: batches to measure test accuracy on (in eval mode, no graph).
        epochs: training epochs.
        lr: Adam's initial learning rate.
        log: ``log(str)`` for one line per epoch (see :func:`epoch_logger`); None is silent.

    Returns:
        dict: ``accuracy`` and ``test_loss`` on the test data, ``final_loss`` (last epoch's mean
        training loss), ``train_seconds`` (wall time of training) and ``epoch_seconds`` (per epoch).
    """
    trainer = classifier_trainer(model, epochs, len(train_loader), lr)
    start = time.perf_counter()
    history = trainer.fit(train_loader, epochs, on_epoch_end=None if log is None else epoch_logger(epochs, log))
    train_seconds = time.perf_counter() - start
    scores = trainer.evaluate(test_loader)
    return {"accuracy": scores["accuracy"], "test_loss": scores["loss"], "final_loss": history["train_loss"][-1],
            "train_seconds": train_seconds, "epoch_seconds": list(history["train_seconds"])}
