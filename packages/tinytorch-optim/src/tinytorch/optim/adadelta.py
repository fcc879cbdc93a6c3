"""Adadelta: a per-parameter step size from running averages of squared gradients and updates."""

import numpy as np

from .optimizer import Optimizer, _check_range

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), with ``torch.optim.Adadelta``'s update rule and defaults.

    .. math::
        v_t = \rho v_{t-1} + (1 - \rho) g_t^2, \quad
        \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t, \quad
        u_t = \rho u_{t-1} + (1 - \rho) \Delta_t^2, \quad
        \theta_t = \theta_{t-1} - \gamma \Delta_t

    The ratio of the two root-mean-squares gives each step the units of the parameter, so the
    learning rate :math:`\gamma` is a plain multiplier (1.0 by default).

    Args:
        params: iterable of Tensors or parameter-group dicts.
        lr: coefficient :math:`\gamma` that scales each update. Default: 1.0.
        rho: decay :math:`\rho` of both running averages. Default: 0.9.
        eps: added inside both square roots. Default: 1e-6.
        weight_decay: L2 penalty added to the gradient. Default: 0.
        maximize: ascend the objective instead of descending. Default: False.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = Adadelta([w])
        >>> w.grad = Tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 6)  # 1 - sqrt(1e-6) / sqrt(0.1 * 4 + 1e-6) * 2
        0.996838
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _check_range("learning rate", group["lr"])
        _check_range("rho value", group["rho"], 0.0, 1.0)
        _check_range("epsilon value", group["eps"])
        _check_range("weight_decay value", group["weight_decay"])

    def step(self, closure=None):
        """One Adadelta update of every parameter that has a ``.grad``, in place; returns
        ``closure()``'s loss when a closure is given (``torch.optim``'s ``step(closure)``)."""
        loss = self._evaluate(closure)
        # BEGIN SOLUTION
        for group in self.param_groups:
            lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p.data
                g = self._grad(p, group)
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(theta)
                    state["acc_delta"] = np.zeros_like(theta)
                state["step"] += 1
                if weight_decay != 0:
                    g = g + weight_decay * theta
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                delta, tmp = self._buffer(theta), self._buffer(theta, "tmp2")
                square_avg *= rho
                np.multiply(g, g, out=tmp)
                tmp *= 1 - rho
                square_avg += tmp  # v_t
                np.add(square_avg, eps, out=tmp)
                np.sqrt(tmp, out=tmp)  # sqrt(v_t + eps)
                np.add(acc_delta, eps, out=delta)
                np.sqrt(delta, out=delta)  # sqrt(u_{t-1} + eps)
                delta /= tmp
                delta *= g  # Delta_t
                acc_delta *= rho
                np.multiply(delta, delta, out=tmp)
                tmp *= 1 - rho
                acc_delta += tmp  # u_t
                delta *= lr
                theta -= delta
        # END SOLUTION
        return loss
