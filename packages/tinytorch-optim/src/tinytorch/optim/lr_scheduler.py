"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s names and semantics.

A scheduler rewrites ``group["lr"]`` in its optimizer's parameter groups each time ``step()`` is
called (once per epoch or once per batch: the caller decides). Building one performs step 0.
As in PyTorch the multiplicative schedules (StepLR, CosineAnnealingLR, LinearLR) update the
current rate recursively, so they compose with other schedules and with manual changes.
"""

import math

__all__ = [
    "LRScheduler", "StepLR", "CosineAnnealingLR", "LambdaLR", "LinearLR", "ExponentialLR", "MultiStepLR",
]


class LRScheduler:
    """Base class: keeps ``last_epoch``, the base rates, and writes new rates into the optimizer.

    Args:
        optimizer: the optimizer whose ``param_groups`` hold the rates (any object with
            ``param_groups``, a list of dicts with an ``"lr"`` key).
        last_epoch: index of the last step taken; -1 (the default) starts a fresh schedule.
    """

    def __init__(self, optimizer, last_epoch=-1):
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(groups, list) or not all(isinstance(g, dict) and "lr" in g for g in groups):
            raise TypeError(f"{type(optimizer).__name__} is not an optimizer (no param_groups with 'lr')")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param_groups[{i}] has no 'initial_lr': resuming a schedule with "
                        f"last_epoch={last_epoch} needs an optimizer restored from a checkpoint"
                    )
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The rates for ``self.last_epoch``, one per parameter group."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self):
        """Advance the schedule by one and write the new rates into the optimizer."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The rates most recently written by :meth:`step`."""
        return list(self._last_lr)

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Every attribute except the optimizer (all plain numbers and lists)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore attributes saved by :meth:`state_dict`."""
        unknown = set(state_dict) - set(self.__dict__)
        if unknown:
            raise ValueError(f"unexpected keys in {type(self).__name__} state_dict: {sorted(unknown)}")
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every ``step_size`` steps.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / \text{step\_size} \rfloor}

    Args:
        optimizer: wrapped optimizer.
        step_size: period of the decay, in calls to ``step()``.
        gamma: multiplicative factor. Default: 0.1.
        last_epoch: index of the last step taken. Default: -1.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(sched.get_last_lr()[0]); opt.step(); sched.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or isinstance(step_size, bool) or step_size < 1:
            raise ValueError(f"StepLR step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]
        # END SOLUTION


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the rate from its base value to ``eta_min`` along half a cosine over ``T_max`` steps.

    .. math:: \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{t\pi}{T_{\max}}\right)

    computed recursively from the current rate, as PyTorch does; past ``T_max`` it rises again.

    Args:
        optimizer: wrapped optimizer.
        T_max: number of steps in half a period.
        eta_min: smallest rate. Default: 0.
        last_epoch: index of the last step taken. Default: -1.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_max, int) or isinstance(T_max, bool) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR T_max must be a positive int, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed with last_epoch: use the closed form
            return [eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2 for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # the bottom of the cosine: the ratio below would be 0/0
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for lr, base in zip(self._current_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]
        # END SOLUTION


class LambdaLR(LRScheduler):
    r"""Set the rate to the base rate times ``lr_lambda(step)``.

    .. math:: \eta_t = \eta_0 \cdot \lambda(t)

    Args:
        optimizer: wrapped optimizer.
        lr_lambda: a function of the step index, or a list with one function per parameter group.
        last_epoch: index of the last step taken. Default: -1.

    ``state_dict()`` leaves the functions out (they are code, not state), as PyTorch does for
    plain functions.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = LambdaLR(opt, lambda step: 0.5 ** step)
        >>> sched.step(); sched.step()
        >>> sched.get_last_lr()
        [0.025]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"expected {n} lr_lambdas (one per parameter group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"lr_lambda must be callable, got {f!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]
        # END SOLUTION

    def state_dict(self):
        state = super().state_dict()
        del state["lr_lambdas"]
        return state


class LinearLR(LRScheduler):
    r"""Scale the rate by a factor moving linearly from ``start_factor`` to ``end_factor``.

    Used for warm-up: over the first ``total_iters`` steps the rate climbs from
    ``start_factor * lr`` to ``end_factor * lr`` and then stays there.

    .. math:: \eta_t = \eta_0\left(s + (e - s)\,\frac{\min(t, T)}{T}\right)

    Args:
        optimizer: wrapped optimizer.
        start_factor: factor at step 0, in (0, 1]. Default: 1/3.
        end_factor: factor from step ``total_iters`` on, in [0, 1]. Default: 1.0.
        total_iters: length of the ramp in steps. Default: 5.
        last_epoch: index of the last step taken. Default: -1.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR end_factor must be in [0, 1], got {end_factor}")
        if not isinstance(total_iters, int) or isinstance(total_iters, bool) or total_iters < 1:
            raise ValueError(f"LinearLR total_iters must be a positive int, got {total_iters!r}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        s, e, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > T:
            return self._current_lrs()
        # Ratio of consecutive factors, so the rate composes with other changes to it.
        ratio = 1.0 + (e - s) / (T * s + (t - 1) * (e - s))
        return [lr * ratio for lr in self._current_lrs()]
        # END SOLUTION


class ExponentialLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` at every step: :math:`\eta_t = \eta_0 \, \gamma^t`.

    Args:
        optimizer: wrapped optimizer.
        gamma: multiplicative factor.
        last_epoch: index of the last step taken. Default: -1.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = ExponentialLR(opt, gamma=0.5)
        >>> opt.step(); sched.step(); opt.step(); sched.step()
        >>> sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        if self.last_epoch == 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]
        # END SOLUTION


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` each time the step count reaches a milestone.

    .. math:: \eta_t = \eta_0 \, \gamma^{|\{m \in \text{milestones} : m \le t\}|}

    A milestone listed twice decays twice, as in PyTorch.

    Args:
        optimizer: wrapped optimizer.
        milestones: step indices at which to decay (any order).
        gamma: multiplicative factor. Default: 0.1.
        last_epoch: index of the last step taken. Default: -1.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> from tinytorch.optim import SGD
        >>> opt = SGD([zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
        >>> lrs = []
        >>> for _ in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 6)); opt.step(); sched.step()
        >>> lrs
        [1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # BEGIN SOLUTION
        hits = self.milestones.count(self.last_epoch)
        return [lr * self.gamma ** hits for lr in self._current_lrs()]
        # END SOLUTION
