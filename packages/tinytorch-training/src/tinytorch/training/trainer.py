"""The training loop: forward, loss, backward, (clip), step — plus the bookkeeping around it.

:class:`Trainer` fits any Module on any re-iterable source of ``(input, target)`` batches (a list,
a DataLoader): it switches train/eval mode, averages accumulated gradients, clips the global
gradient norm, steps schedules per epoch or per optimizer step, evaluates validation metrics,
keeps a history (with each epoch's training time), calls a hook after every epoch, shows a
progress bar on terminals, and saves checkpoints that resume exactly.
"""

import math
import os
import sys
import time
import warnings

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tinytorch.autograd import backward
from tinytorch.tensor import Tensor, no_grad

from .checkpoint import CheckpointError, loader_generator, read_checkpoint, restore_checkpoint, save_checkpoint

__all__ = ["Trainer", "clip_grad_norm_", "accuracy", "binary_accuracy"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so that their global norm is at most ``max_norm``.

    .. math::
        \|g\| = \Big(\sum_p \|g_p\|^q\Big)^{1/q}, \qquad
        g_p \leftarrow g_p \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Big)

    The direction of the whole update is kept; only its length is limited (``torch.nn.utils``).

    Args:
        parameters: a Tensor or an iterable of Tensors; those without ``.grad`` are ignored.
        max_norm: largest allowed global norm.
        norm_type: :math:`q`, any positive number or ``inf``. Default: 2.0.
        error_if_nonfinite: raise if the norm is nan or inf. Default: False.

    Returns:
        Tensor: the global norm *before* clipping (a 0-d float32 tensor).

    Example:
        >>> w = Tensor([0.0, 0.0], requires_grad=True)
        >>> w.grad = Tensor([3.0, 4.0])
        >>> clip_grad_norm_([w], max_norm=1.0).item()
        5.0
        >>> w.grad.data.round(4)
        array([0.6, 0.8], dtype=float32)
    """
    # BEGIN SOLUTION
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad.data for p in parameters if p.grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if max_norm < 0 or math.isnan(max_norm):
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    if not grads:
        return Tensor(np.float32(0.0))
    norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads], dtype=np.float64)
    total = float(norms.max() if math.isinf(norm_type) else np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total}; "
            "set error_if_nonfinite=False to clip anyway"
        )
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return Tensor(np.float32(total))
    # END SOLUTION


def _as_array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def accuracy(output, target):
    """Fraction of rows whose highest score is the target class.

    Args:
        output: scores of shape ``(N, C)`` (logits or probabilities).
        target: class indices of shape ``(N,)``.

    Example:
        >>> accuracy(Tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), Tensor([0, 1, 1]))
        0.6666666666666666
    """
    scores, labels = _as_array(output), _as_array(target)
    if scores.ndim != 2 or labels.shape != scores.shape[:1]:
        raise ValueError(
            f"accuracy expects scores of shape (N, C) and targets of shape (N,), got {scores.shape} and {labels.shape}"
        )
    return float(np.mean(scores.argmax(axis=1) == labels))


def binary_accuracy(output, target, threshold=0.5):
    """Fraction of predictions ``output > threshold`` that equal the 0/1 ``target``.

    Use ``threshold=0.0`` when ``output`` holds logits rather than probabilities.

    Example:
        >>> binary_accuracy(Tensor([0.9, 0.2, 0.6]), Tensor([1.0, 0.0, 0.0]))
        0.6666666666666666
    """
    scores, labels = _as_array(output), _as_array(target)
    if scores.size != labels.size:
        raise ValueError(f"binary_accuracy: output of shape {scores.shape} does not match target of shape {labels.shape}")
    return float(np.mean((scores.reshape(-1) > threshold) == (labels.reshape(-1) > 0.5)))


def _split(batch):
    try:
        x, y = batch
    except (TypeError, ValueError):
        raise TypeError(
            f"expected each batch to be an (input, target) pair, got {type(batch).__name__}"
        ) from None
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = y if isinstance(y, Tensor) else Tensor(y)
    return x, y, (x.shape[0] if x.ndim else 1)


def _scalar_loss(loss):
    if not isinstance(loss, Tensor) or loss.data.size != 1:
        shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(f"loss_fn must return a scalar Tensor, got {shape}")
    return loss


def _is_quiet():
    return not sys.stdout.isatty() or bool(os.environ.get("CI"))


class Trainer:
    """Fit a model with an optimizer and a loss, keeping history, metrics and checkpoints.

    Each epoch runs, for every batch ``(x, y)``: ``loss = loss_fn(model(x), y)``,
    ``optimizer.zero_grad()`` when the batch starts a new accumulation group, backward of
    ``loss / accumulation_steps``, and every ``accumulation_steps`` batches (and at the end of
    the epoch) an optimizer step: gradient clipping to ``max_grad_norm``, ``optimizer.step()``,
    and ``scheduler.step()`` when ``scheduler_interval="step"``. As in PyTorch, the last step's
    gradients stay in ``.grad`` after training.
    After the epoch the schedule steps (``scheduler_interval="epoch"``) and the validation data,
    if any, is evaluated in eval mode without recording a graph.

    Args:
        model: a Module (anything callable with ``parameters()``, ``train()`` and ``eval()``).
        optimizer: an optimizer over the model's parameters.
        loss_fn: ``loss_fn(output, target) -> scalar Tensor`` (a loss object or function).
        scheduler: a learning-rate schedule to step. Default: None.
        scheduler_interval: ``"epoch"`` or ``"step"`` (once per optimizer step). Default: "epoch".
        metrics: ``{name: fn(output, target) -> float}`` computed on validation data, averaged
            over samples. Default: none.
        accumulation_steps: batches whose gradients are averaged into one optimizer step.
            A last, shorter group at the end of an epoch is averaged over its own size.
            Default: 1.
        max_grad_norm: clip the global gradient norm to this before each step. Default: None.
        progress: show a rich progress bar; ``None`` (the default) shows it only when stdout is
            a terminal and ``$CI`` is unset.

    Attributes:
        epoch: number of completed epochs.
        global_step: number of optimizer steps taken.
        history: ``{"epoch": [...], "train_loss": [...], "lr": [...], "train_seconds": [...],
            "val_loss": [...], "val_<metric>": [...]}``, one entry per epoch; ``train_seconds`` is
            the wall time of the epoch's training pass, validation excluded.

    Example:
        >>> from tinytorch.layers import Linear
        >>> from tinytorch.optim import SGD
        >>> from tinytorch.tensor import manual_seed, randn
        >>> _ = manual_seed(0)
        >>> x = randn(32, 3); y = x @ Tensor([[1.0], [-2.0], [0.5]])
        >>> model = Linear(3, 1)
        >>> mse = lambda out, target: ((out - target) ** 2).mean()
        >>> trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse)
        >>> history = trainer.fit([(x[:16], y[:16]), (x[16:], y[16:])], epochs=60, val_data=[(x, y)])
        >>> history["val_loss"][-1] < 1e-4
        True
    """

    def __init__(self, model, optimizer, loss_fn, *, scheduler=None, scheduler_interval="epoch", metrics=None,
                 accumulation_steps=1, max_grad_norm=None, progress=None):
        if scheduler_interval not in ("epoch", "step"):
            raise ValueError(f"scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}")
        if not isinstance(accumulation_steps, int) or isinstance(accumulation_steps, bool) or accumulation_steps < 1:
            raise ValueError(f"accumulation_steps must be a positive int, got {accumulation_steps!r}")
        if max_grad_norm is not None and not max_grad_norm > 0:
            raise ValueError(f"max_grad_norm must be positive or None, got {max_grad_norm!r}")
        metrics = dict(metrics or {})
        for name, fn in metrics.items():
            if not callable(fn) or name == "loss":
                raise ValueError(f"metric {name!r} must be a callable not named 'loss'")
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.metrics = metrics
        self.accumulation_steps = accumulation_steps
        self.max_grad_norm = max_grad_norm
        self.progress = progress
        self.epoch = 0
        self.global_step = 0
        self.history = {"epoch": [], "train_loss": [], "lr": [], "train_seconds": []}
        self._train_data = None  # the last data fit() trained on: its own generator goes into checkpoints
        self._pending_generator = None  # a loaded generator state waiting for fit()'s data

    def _parameters(self):
        return [p for group in self.optimizer.param_groups for p in group["params"]]

    def _optimizer_step(self, pending):
        """One optimizer step from gradients accumulated over ``pending`` batches."""
        # BEGIN SOLUTION
        if pending != self.accumulation_steps:
            # Each batch's loss was divided by accumulation_steps; re-weight a shorter last group
            # so that its gradients are still the mean over its own batches.
            scale = self.accumulation_steps / pending
            for p in self._parameters():
                if p.grad is not None:
                    p.grad.data *= scale
        if self.max_grad_norm is not None:
            clip_grad_norm_(self._parameters(), self.max_grad_norm)
        self.optimizer.step()
        self.global_step += 1
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()
        # END SOLUTION

    def train_epoch(self, train_data, progress=None, task=None):
        """Run one epoch over ``train_data`` in train mode; return the sample-weighted mean loss."""
        # BEGIN SOLUTION
        self.model.train()
        k = self.accumulation_steps
        total, count, pending = 0.0, 0, 0
        for batch in train_data:
            x, y, n = _split(batch)
            loss = _scalar_loss(self.loss_fn(self.model(x), y))
            if pending == 0:
                # Drop the previous step's gradients only now, just before backward allocates new
                # ones, so that it reuses their freed memory: zeroing right after the step instead
                # lets the forward pass take that memory and made a LeNet training step 19% slower.
                self.optimizer.zero_grad()
            backward(loss / k if k > 1 else loss)
            pending += 1
            total += loss.item() * n
            count += n
            if pending == k:
                self._optimizer_step(pending)
                pending = 0
            if progress is not None:
                progress.update(task, advance=1, loss=f"{total / count:.4f}")
        if pending:
            self._optimizer_step(pending)
        if count == 0:
            raise ValueError("train_data yielded no batches (is it an exhausted iterator?)")
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            self.scheduler.step()
        return total / count
        # END SOLUTION

    def evaluate(self, data):
        """Loss and metrics over ``data`` in eval mode, without recording a graph.

        Returns:
            dict: ``{"loss": ..., <metric>: ...}``, each the mean over samples.
        """
        was_training = getattr(self.model, "training", True)
        self.model.eval()
        sums = dict.fromkeys(["loss", *self.metrics], 0.0)
        count = 0
        try:
            with no_grad():
                for batch in data:
                    x, y, n = _split(batch)
                    output = self.model(x)
                    sums["loss"] += _scalar_loss(self.loss_fn(output, y)).item() * n
                    for name, fn in self.metrics.items():
                        sums[name] += float(fn(output, y)) * n
                    count += n
        finally:
            self.model.train(was_training)
        if count == 0:
            raise ValueError("evaluation data yielded no batches")
        return {name: value / count for name, value in sums.items()}

    def fit(self, train_data, epochs, val_data=None, on_epoch_end=None):
        """Train until ``epochs`` epochs are complete in total, evaluating after each one.

        ``epochs`` counts from the start of training, not from this call, so a trainer restored
        from a checkpoint taken after epoch 3 runs epochs 4..``epochs`` (as Lightning's
        ``max_epochs`` does).

        Args:
            train_data: re-iterable source of ``(input, target)`` batches.
            epochs: total number of epochs to have completed when this returns.
            val_data: re-iterable source of validation batches. Default: None.
            on_epoch_end: ``on_epoch_end(trainer, record)``, called after each epoch once its
                ``record`` (``{"epoch": ..., "train_loss": ..., ...}``, this epoch's entries of
                :attr:`history`) is in the history, so it can log the epoch or save a checkpoint
                that includes it. Default: None.

        Returns:
            dict: :attr:`history`.
        """
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
        self._train_data = train_data
        if self._pending_generator is not None:
            own = loader_generator(train_data)
            if own is None:
                warnings.warn("the checkpoint holds a data loader generator state, but this train_data has no "
                              "generator of its own to restore it into: the resumed run shuffles differently",
                              RuntimeWarning, stacklevel=2)
            else:
                own.bit_generator.state = self._pending_generator
            self._pending_generator = None
        show = not _is_quiet() if self.progress is None else bool(self.progress)
        total = len(train_data) if hasattr(train_data, "__len__") else None
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn()]
        with Progress(*columns, disable=not show) as progress:
            while self.epoch < epochs:
                task = progress.add_task(f"epoch {self.epoch + 1}/{epochs}", total=total, loss="-")
                lr = self.optimizer.param_groups[0]["lr"]
                start = time.perf_counter()
                train_loss = self.train_epoch(train_data, progress, task)
                seconds = time.perf_counter() - start
                self.epoch += 1
                record = {"epoch": self.epoch, "train_loss": train_loss, "lr": lr, "train_seconds": seconds}
                if val_data is not None:
                    record.update({f"val_{k}": v for k, v in self.evaluate(val_data).items()})
                    summary = "  ".join(f"{k} {v:.4f}" for k, v in record.items() if k.startswith("val_"))
                    progress.update(task, description=f"epoch {self.epoch}/{epochs}  {summary}")
                for key, value in record.items():
                    self.history.setdefault(key, []).append(value)
                if on_epoch_end is not None:
                    on_epoch_end(self, record)
        return self.history

    def save_checkpoint(self, path, generator=None):
        """Save model, optimizer, schedule, epoch, step, history and RNG state (atomically).

        The data loader's own generator (a DataLoader built with ``seed=`` or ``generator=``)
        that :meth:`fit` last trained on is saved too, so a resumed run shuffles exactly as an
        uninterrupted one; a generator that cannot be saved gives a warning.

        Args:
            path: file to write.
            generator: a ``numpy.random.Generator`` to save instead of the training data's.
        """
        if generator is None and self._train_data is not None:
            generator = loader_generator(self._train_data)
        extra = {"global_step": self.global_step, "history": self.history}
        save_checkpoint(path, self.model, self.optimizer, self.scheduler, epoch=self.epoch,
                        generator=generator, extra=extra)

    def load_checkpoint(self, path, generator=None):
        """Restore everything :meth:`save_checkpoint` saved, so that :meth:`fit` resumes exactly.

        A saved data loader generator state goes into ``generator`` when given, else into the
        generator of the data :meth:`fit` trains on next (or trained on last). All or nothing:
        on a :class:`CheckpointError` the trainer, model, optimizer and schedule are unchanged.
        """
        content = read_checkpoint(path)
        extra = content["extra"] if isinstance(content["extra"], dict) else {}
        step, history = extra.get("global_step", 0), extra.get("history")
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise CheckpointError(f"{os.fspath(path)!r}: extra.global_step must be a non-negative int, got {step!r}")
        if history is not None and not (isinstance(history, dict) and
                                        all(isinstance(v, list) for v in history.values())):
            raise CheckpointError(f"{os.fspath(path)!r}: extra.history must map names to lists")
        restore_checkpoint(path, content, self.model, self.optimizer, self.scheduler, generator=generator)
        self.epoch = content["epoch"]
        self.global_step = step
        self.history = history or {"epoch": [], "train_loss": [], "lr": [], "train_seconds": []}
        saved = content["rng"]["generator"]
        if generator is None and saved is not None:
            own = None if self._train_data is None else loader_generator(self._train_data)
            if own is not None:
                own.bit_generator.state = saved
            else:
                self._pending_generator = saved  # fit() restores it into its data's generator
        return content
