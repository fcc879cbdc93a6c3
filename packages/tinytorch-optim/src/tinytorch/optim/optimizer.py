"""Optimizers: SGD, RMSprop, Adam and AdamW with ``torch.optim``'s names, defaults and update rules.

An optimizer owns *parameter groups* (lists of Tensors with their hyper-parameters) and a
per-parameter *state* (momentum buffers, moment estimates). ``step()`` reads each parameter's
``.grad`` and updates ``.data`` in place with NumPy ufuncs writing into existing arrays, so a
step allocates at most one scratch array per distinct parameter shape, reused across steps.

Differences from PyTorch, on purpose: there are no ``foreach``/``fused``/``capturable``/
``differentiable`` options (one NumPy code path), and learning rates are plain floats.
"""

import math

import numpy as np

from tinytorch.tensor import Tensor, enable_grad

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW"]


def _check_range(name, value, low=0.0, high=None, high_open=False):
    """Raise a ValueError naming ``name`` unless ``low <= value`` (and ``< high`` / ``<= high``)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    ok = value >= low and not math.isnan(value)
    if high is not None:
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        bound = "" if high is None else f" and {'<' if high_open else '<='} {high}"
        raise ValueError(f"Invalid {name}: {value} (expected >= {low}{bound})")


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad`` and state dicts.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], **hyper_parameters}``
            (parameter groups; a key a group leaves out takes the optimizer's default).
        defaults: the default hyper-parameters of every group.

    ``state_dict()`` holds only ndarrays, numbers, strings, lists, tuples and dicts: state is keyed
    by each parameter's position across all groups (as in PyTorch), so it can be saved without
    pickle and loaded into an optimizer built over a fresh copy of the model.
    """

    def __init__(self, params, defaults):
        if isinstance(params, (Tensor, dict)):
            raise TypeError(
                "params should be an iterable of Tensors or of parameter-group dicts, "
                f"got a single {type(params).__name__}"
            )
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}
        self._scratch = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group ``{"params": [...], **hyper_parameters}``; missing keys take the defaults."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"a parameter group must be a dict with a 'params' key, got {param_group!r}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__} at index {i}")
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (parameter {i} has grad_fn {p.grad_fn})")
            if p.dtype.kind != "f":
                raise TypeError(f"optimizer can only optimize floating point Tensors, got dtype {p.dtype}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once in the optimizer's groups")
        group = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}}
        self._validate(group)
        group["params"] = params
        self.param_groups.append(group)

    def _validate(self, group):
        """Subclasses check their hyper-parameters here (and for every added group)."""

    def zero_grad(self, set_to_none=True):
        """Reset gradients: drop them (``None``, the default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a ``.grad``, using its group's hyper-parameters."""
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def _evaluate(self, closure):
        """``closure()`` run with grad mode on (it usually zeroes, recomputes and backpropagates
        the loss), or None without a closure; ``step`` returns it, as in ``torch.optim``."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _grad(self, p, group):
        """The gradient as an ndarray with p's dtype, negated when maximizing.

        Gradient rules hand back each parameter's gradient in the parameter's own layout (the
        ``linear`` rule of module 05 computes ``dW`` as ``(out, in)`` row-major), so only a dtype
        that differs needs converting here.
        """
        theta, g = p.data, p.grad.data
        if g.shape != theta.shape:
            raise ValueError(f"gradient of shape {g.shape} does not match parameter of shape {theta.shape}")
        if g.dtype != theta.dtype:
            converted = self._buffer(theta, "grad")
            np.copyto(converted, g, casting="same_kind")
            g = converted
        return np.negative(g) if group.get("maximize", False) else g

    def _buffer(self, like, kind="tmp"):
        """A scratch array shaped like ``like``, shared by every parameter of that shape and dtype."""
        key = (kind, like.shape, like.dtype.str)
        buf = self._scratch.get(key)
        if buf is None:
            buf = self._scratch[key] = np.empty_like(like)
        return buf

    # ----- saving and restoring -----------------------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {name: ndarray | number}}, "param_groups": [{..., "params": [index]}]}``.

        Arrays are copies, so the dict is a snapshot.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if id(p) in self.state:
                    state[index[id(p)]] = {
                        k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.state[id(p)].items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by :meth:`state_dict`.

        The optimizer must have the same number of groups and parameters per group as the one that
        was saved; state arrays must match their parameters' shapes.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("optimizer state_dict must be a dict with exactly 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {i} has {len(group['params'])} parameters, "
                    f"the loaded one has {len(saved['params'])}"
                )
            for index, p in zip(saved["params"], group["params"]):
                by_index[int(index)] = p
        new_state = {}
        for index, entries in state_dict["state"].items():
            p = by_index.get(int(index))
            if p is None:
                raise ValueError(f"loaded state refers to parameter {index}, which no group contains")
            restored = {}
            for k, v in entries.items():
                if isinstance(v, np.ndarray):
                    if v.shape != p.data.shape:
                        raise ValueError(
                            f"state '{k}' of parameter {index} has shape {v.shape}, "
                            f"expected the parameter's shape {p.data.shape}"
                        )
                    v = np.array(v, dtype=p.data.dtype)
                restored[k] = v
            new_state[id(p)] = restored
        for group, saved in zip(self.param_groups, saved_groups):
            for k, v in saved.items():
                if k != "params":
                    group[k] = tuple(v) if isinstance(group.get(k), tuple) else v
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params")
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    With gradient :math:`g_t`, weight decay :math:`\lambda`, momentum :math:`\mu` and dampening
    :math:`\tau`:

    .. math::
        g_t \leftarrow g_t + \lambda\theta_{t-1}, \quad
        b_t = \mu b_{t-1} + (1-\tau) g_t \; (b_1 = g_1), \quad
        \theta_t = \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if nesterov else } b_t)

    Args:
        params: iterable of Tensors or parameter-group dicts.
        lr: learning rate :math:`\gamma`. Default: 1e-3.
        momentum: momentum factor :math:`\mu`. Default: 0.
        dampening: dampening :math:`\tau` for momentum. Default: 0.
        weight_decay: L2 penalty :math:`\lambda`. Default: 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0). Default: False.
        maximize: ascend the objective instead of descending. Default: False.

    Example:
        >>> w = Tensor([1.0, -2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = Tensor([1.0, 1.0])
        >>> opt.step(); opt.step()
        >>> w
        tensor([ 0.71, -2.29], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _check_range("learning rate", group["lr"])
        _check_range("momentum value", group["momentum"])
        _check_range("weight_decay value", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def step(self, closure=None):
        """One SGD update of every parameter that has a ``.grad``, in place; returns
        ``closure()``'s loss when a closure is given (``torch.optim``'s ``step(closure)``)."""
        loss = self._evaluate(closure)
        # BEGIN SOLUTION
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p.data
                g = self._grad(p, group)
                if weight_decay != 0:
                    g = g + weight_decay * theta
                if momentum != 0:
                    state = self.state.setdefault(id(p), {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = g.copy()
                    else:
                        buf *= momentum
                        if dampening != 0:
                            buf += (1 - dampening) * g
                        else:
                            buf += g
                    g = g + momentum * buf if nesterov else buf
                tmp = self._buffer(theta)
                np.multiply(g, lr, out=tmp)
                theta -= tmp
        # END SOLUTION
        return loss


class RMSprop(Optimizer):
    r"""RMSprop: divide each gradient by a running root-mean-square of recent gradients.

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \quad
        \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t \text{ (centered)}, \\
        s_t = \sqrt{v_t - \bar g_t^2 \text{ (centered) or } v_t} + \epsilon, \quad
        b_t = \mu b_{t-1} + g_t / s_t, \quad
        \theta_t = \theta_{t-1} - \gamma\,(b_t \text{ if } \mu > 0 \text{ else } g_t / s_t)

    Args:
        params: iterable of Tensors or parameter-group dicts.
        lr: learning rate :math:`\gamma`. Default: 1e-2.
        alpha: smoothing constant :math:`\alpha`. Default: 0.99.
        eps: added to the denominator for stability. Default: 1e-8.
        weight_decay: L2 penalty added to the gradient. Default: 0.
        momentum: momentum factor :math:`\mu`. Default: 0.
        centered: normalise by the estimated variance instead of the raw second moment. Default: False.
        maximize: ascend the objective instead of descending. Default: False.

    Example:
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01)
        >>> w.grad = Tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)  # first step: 1 - 0.01 * 2 / sqrt(0.01 * 4)
        0.9
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group):
        _check_range("learning rate", group["lr"])
        _check_range("epsilon value", group["eps"])
        _check_range("momentum value", group["momentum"])
        _check_range("weight_decay value", group["weight_decay"])
        _check_range("alpha value", group["alpha"])

    def step(self, closure=None):
        """One RMSprop update of every parameter that has a ``.grad``, in place; returns
        ``closure()``'s loss when a closure is given (``torch.optim``'s ``step(closure)``)."""
        loss = self._evaluate(closure)
        # BEGIN SOLUTION
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p.data
                g = self._grad(p, group)
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(theta)
                    if momentum > 0:
                        state["momentum_buffer"] = np.zeros_like(theta)
                    if centered:
                        state["grad_avg"] = np.zeros_like(theta)
                state["step"] += 1
                if weight_decay != 0:
                    g = g + weight_decay * theta
                square_avg, tmp = state["square_avg"], self._buffer(theta)
                square_avg *= alpha
                np.multiply(g, g, out=tmp)
                tmp *= 1 - alpha
                square_avg += tmp  # (1 - alpha) g^2
                if centered:
                    grad_avg = state["grad_avg"]
                    np.subtract(g, grad_avg, out=tmp)
                    tmp *= 1 - alpha
                    grad_avg += tmp  # lerp toward g
                    np.multiply(grad_avg, grad_avg, out=tmp)
                    np.subtract(square_avg, tmp, out=tmp)
                    np.sqrt(tmp, out=tmp)
                else:
                    np.sqrt(square_avg, out=tmp)
                tmp += eps
                np.divide(g, tmp, out=tmp)  # g / s_t
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += tmp
                    np.multiply(buf, lr, out=tmp)
                else:
                    tmp *= lr
                theta -= tmp
        # END SOLUTION
        return loss


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and on its square, with bias correction.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
        \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    with :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` when ``amsgrad`` and :math:`v_t` otherwise.
    ``weight_decay`` adds :math:`\lambda\theta` to the gradient (L2); :class:`AdamW` decouples it.
    Adam keeps two extra arrays per parameter (three with ``amsgrad``): its state is twice the
    size of the model.

    Args:
        params: iterable of Tensors or parameter-group dicts.
        lr: learning rate :math:`\gamma`. Default: 1e-3.
        betas: :math:`(\beta_1, \beta_2)`, decay rates of the two moment estimates. Default: (0.9, 0.999).
        eps: added to the denominator for stability. Default: 1e-8.
        weight_decay: weight decay :math:`\lambda`. Default: 0.
        amsgrad: use the running maximum of :math:`v_t` (AMSGrad). Default: False.
        maximize: ascend the objective instead of descending. Default: False.
        decoupled_weight_decay: decay the weights directly, as AdamW does. Default: False.

    Example:
        >>> w = Tensor([1.0, -1.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> w.grad = Tensor([3.0, -0.5])
        >>> opt.step()
        >>> w.data.round(4)  # the first step moves every weight by about lr, whatever the gradient
        array([ 0.9, -0.9], dtype=float32)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate(self, group):
        _check_range("learning rate", group["lr"])
        _check_range("epsilon value", group["eps"])
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check_range("beta parameter at index 0", betas[0], 0.0, 1.0, high_open=True)
        _check_range("beta parameter at index 1", betas[1], 0.0, 1.0, high_open=True)
        _check_range("weight_decay value", group["weight_decay"])

    def step(self, closure=None):
        """One Adam (or AdamW) update of every parameter that has a ``.grad``, in place; returns
        ``closure()``'s loss when a closure is given (``torch.optim``'s ``step(closure)``)."""
        loss = self._evaluate(closure)
        # BEGIN SOLUTION
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p.data
                g = self._grad(p, group)
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(theta)
                    state["exp_avg_sq"] = np.zeros_like(theta)
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros_like(theta)
                state["step"] += 1
                step = state["step"]
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        theta *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * theta
                exp_avg, exp_avg_sq, tmp = state["exp_avg"], state["exp_avg_sq"], self._buffer(theta)
                np.subtract(g, exp_avg, out=tmp)
                tmp *= 1 - beta1
                exp_avg += tmp  # m <- m + (1 - beta1)(g - m)
                exp_avg_sq *= beta2
                np.multiply(g, g, out=tmp)
                tmp *= 1 - beta2
                exp_avg_sq += tmp  # v <- beta2 v + (1 - beta2) g^2
                bias_correction1 = 1 - beta1**step
                bias_correction2_sqrt = math.sqrt(1 - beta2**step)
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                    np.sqrt(state["max_exp_avg_sq"], out=tmp)
                else:
                    np.sqrt(exp_avg_sq, out=tmp)
                tmp /= bias_correction2_sqrt
                tmp += eps
                np.divide(exp_avg, tmp, out=tmp)
                tmp *= lr / bias_correction1
                theta -= tmp
        # END SOLUTION
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter): shrink the weights, then step.

    .. math::
        \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda), \text{ then the Adam update.}

    Args:
        params: iterable of Tensors or parameter-group dicts.
        lr: learning rate. Default: 1e-3.
        betas: decay rates of the two moment estimates. Default: (0.9, 0.999).
        eps: added to the denominator for stability. Default: 1e-8.
        weight_decay: decoupled weight decay :math:`\lambda`. Default: 1e-2.
        amsgrad: use the running maximum of the second moment. Default: False.
        maximize: ascend the objective instead of descending. Default: False.

    Example:
        >>> w = Tensor([2.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = Tensor([0.0])
        >>> opt.step()
        >>> round(w.item(), 4)  # 2 * (1 - 0.1 * 0.5): decay acts even with a zero gradient
        1.9
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                 *, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
