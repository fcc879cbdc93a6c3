"""Check gradient rules against finite differences, as ``torch.autograd.gradcheck`` does.

The analytic gradient comes from one ``backward()`` of a random projection ``L = sum(w * out)``
of the outputs; the numeric one from central differences of the same ``L``::

    dL/dx_j  ~  (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)

Central differences have error O(eps^2), so in float64 with ``eps = 1e-6`` they agree with a
correct rule to about 1e-8 on smooth functions. For larger inputs, ``projections=k`` compares
``k`` random directional derivatives ``(L(x + eps d) - L(x - eps d)) / (2 eps)`` with
``grad · d`` instead of every element: two forward passes per direction instead of per element.
"""

import numpy as np

from tinytorch.tensor import Tensor, no_grad


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with finite differences (``torch.autograd.GradcheckError``)."""


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, projections=None, seed=0):
    """Compare the gradients ``backward()`` computes for ``fn`` with central differences.

    Args:
        fn: callable taking ``*inputs`` and returning a Tensor or a tuple of Tensors
            (non-float outputs such as the indices of ``max(dim)`` are ignored).
        *inputs: Tensors (or constants passed through unchanged); every Tensor with
            ``requires_grad=True`` is checked and must be float64.
        eps (float): finite-difference step. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): tolerance relative to the numeric gradient. Default: 1e-3.
        projections (int, optional): if given, check this many random directions per input
            instead of every element (for large inputs).
        seed (int): seed of the random output projection and directions. Default: 0.

    Returns:
        True when every gradient agrees: ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Raises:
        GradcheckError: naming the input, the worst element (or direction), and both values.
        TypeError: an input that requires grad is not float64.
        ValueError: no input requires grad.

    ``fn`` runs on float64 copies of the checked inputs, so the caller's tensors are untouched;
    it must be deterministic.

    Example:
        >>> x = Tensor([[0.5, -1.0], [2.0, 0.25]], dtype="float64", requires_grad=True)
        >>> gradcheck(lambda t: (t * t).sum(dim=1), x)
        True
    """
    checked = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x.dtype != np.float64:
                raise TypeError(
                    f"gradcheck: input {i} requires grad but has dtype {x.dtype}; expected "
                    "float64 (float32 finite differences are too noisy to check a gradient)"
                )
            checked.append((i, x))
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    if projections is not None and (not isinstance(projections, int) or projections < 1):
        raise ValueError(f"gradcheck: projections must be a positive int or None, got {projections!r}")

    # Fresh float64 leaves holding private C-contiguous copies: perturbing them in place never
    # touches the caller's tensors, and a checked input that is not a leaf still gets a .grad.
    leaves = list(inputs)
    for i, _ in checked:
        leaves[i] = Tensor(np.array(inputs[i].data, dtype=np.float64, order="C"), requires_grad=True)
    rng = np.random.default_rng(seed)
    outputs = _float_outputs(fn(*leaves))
    weights = [np.ones(o.shape) if o.data.size == 1 else rng.standard_normal(o.shape) for o in outputs]
    for o, w in zip(outputs, weights):
        if o.requires_grad:
            o.backward(None if o.data.size == 1 else w)

    def objective():
        with no_grad():
            outs = _float_outputs(fn(*leaves))
        return sum(float(np.sum(w * o.data)) for o, w in zip(outs, weights))

    for i, _ in checked:
        x = leaves[i]
        g = np.zeros(x.shape) if x.grad is None else x.grad.data
        if g.shape != x.shape:
            raise GradcheckError(f"gradcheck: gradient of input {i} has shape {g.shape}, expected {x.shape}")
        if projections is None:
            _check_elements(objective, i, x, g, eps, atol, rtol)
        else:
            _check_directions(objective, i, x, g, eps, atol, rtol, projections, rng)
    return True


def _float_outputs(result):
    outs = result if isinstance(result, (tuple, list)) else (result,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    return [o for o in outs if o.dtype.kind == "f"]


def _check_elements(objective, i, x, analytic, eps, atol, rtol):
    flat = x.data.reshape(-1)  # a view: x.data is the leaf's private C-contiguous copy
    numeric = np.empty(flat.size)
    for j in range(flat.size):
        orig = flat[j]
        flat[j] = orig + eps
        plus = objective()
        flat[j] = orig - eps
        minus = objective()
        flat[j] = orig
        numeric[j] = (plus - minus) / (2 * eps)
    a = analytic.reshape(-1)
    diff = np.abs(a - numeric)
    tol = atol + rtol * np.abs(numeric)
    bad = ~(diff <= tol)  # NaN counts as a failure
    if bad.any():
        j = int(np.nanargmax(np.where(bad, diff - tol, -np.inf))) if not np.isnan(diff).all() else 0
        where = tuple(int(v) for v in np.unravel_index(j, x.shape))
        raise GradcheckError(
            f"gradcheck: gradient of input {i} (shape {x.shape}) is wrong at element {where}: "
            f"analytic {a[j]:.8g} vs numeric {numeric[j]:.8g} (|diff| {diff[j]:.3g} > "
            f"atol + rtol*|numeric| = {tol[j]:.3g}); {int(bad.sum())} of {a.size} elements off"
        )


def _check_directions(objective, i, x, analytic, eps, atol, rtol, k, rng):
    orig = x.data.copy()
    for p in range(k):
        d = rng.standard_normal(x.shape)
        np.add(orig, eps * d, out=x.data)
        plus = objective()
        np.subtract(orig, eps * d, out=x.data)
        minus = objective()
        x.data[...] = orig
        numeric = (plus - minus) / (2 * eps)
        predicted = float(np.sum(analytic * d))
        diff = abs(predicted - numeric)
        tol = atol + rtol * abs(numeric)
        if not diff <= tol:
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {x.shape}) is wrong along random "
                f"direction {p}: grad·d = {predicted:.8g} vs directional derivative "
                f"{numeric:.8g} (|diff| {diff:.3g} > atol + rtol*|numeric| = {tol:.3g})"
            )
