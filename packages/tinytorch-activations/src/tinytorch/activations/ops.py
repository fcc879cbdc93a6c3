"""NumPy kernels for the activation functions.

Kernels (``fn(*arrays, **attrs) -> ndarray``; the first argument is the only differentiable
input, every other argument is a keyword attr passed through ``apply_op``):

- ``relu(a)``
- ``sigmoid(a)``
- ``gelu(a, approximate="none")`` with ``approximate`` in ``{"none", "tanh"}``
- ``softmax(a, dim)`` and ``log_softmax(a, dim)`` with an int ``dim`` (may be negative)

``tanh`` is not repeated here: ``tinytorch.activations.tanh`` records
``tinytorch.tensor.ops.tanh``. ``erf(a)`` and ``ndtr(a)`` (the normal CDF
``Phi(x) = (1 + erf(x / sqrt 2)) / 2``, branch-free and faster) are helpers, not kernels: they are
never recorded and are not in ``__all__``. Each kernel returns a fresh array of the input's
float dtype and never modifies its input; the output of ``sigmoid``, ``softmax``,
``log_softmax`` and exact ``gelu`` (``Phi(a) = out / a``) spares its gradient rule a
recomputation.
"""

import numpy as np

__all__ = ["relu", "sigmoid", "gelu", "softmax", "log_softmax"]

# erf by two Chebyshev expansions, fitted to CPython's math.erf/math.erfc at 64 Chebyshev nodes:
#   |x| < 1.5:      erf(x)  = x * f(x^2),               f expanded in u = 2 x^2 / 1.5^2 - 1
#   1.5 <= |x| < 6: erfc(x) = exp(-x^2) * g(1 / |x|),  g expanded in u on [1/6, 1/1.5]
#   |x| >= 6:       erf(x)  = sign(x)  (erfc(6) = 2e-17 is below float64 resolution at 1)
# Measured against math.erf on 2e5 points in [-7, 7]: max relative error 1.6e-15 in float64.
# float32 inputs use the leading terms only (truncation error < 1e-9) in float32 arithmetic.
_ERF_SPLIT = 1.5
_ERF_ONE = 6.0
_ERF_SMALL = np.array([
    0.8510894713106226, -0.2378512126782037, 0.03469122300310846, -0.004264102804485337,
    0.0004409197933300052, -3.9013871286246744e-05, 3.00575678487872e-06,
    -2.0467950138945508e-07, 1.2474368115444663e-08, -6.87575279576644e-10,
    3.4576777906547725e-11, -1.5980695436819464e-12, 6.808313423967519e-14,
    -2.7084094912295118e-15, -6.869154506741515e-17, 3.434577253370758e-17,
])
_ERF_LARGE = np.array([
    0.21278522070247824, 0.11446777896269983, -0.005659164948436163, -5.656146815907753e-05,
    5.466007785421568e-05, -6.8586393305073296e-06, 2.938287242936268e-07,
    6.328670001851543e-08, -1.745814736953291e-08, 2.220290057083891e-09,
    -8.519961033507052e-11, -3.378456506377626e-11, 1.0052786826364206e-11,
    -1.544750185092832e-12, 1.087589553148184e-13, 1.6373120420711742e-14,
    -7.621694915649714e-15, 1.5933985186173622e-15, -2.5023348560272655e-16,
    6.133173666733495e-19, -2.2079425200240574e-17,
])
_ERF_TERMS_F32 = (9, 10)

# Phi(x) = erfc(z) / 2 with z = -x / sqrt 2, branch-free for GELU. erfc(z) = exp(-z^2) erfcx(z) and
# erfcx (the scaled complementary error function, smooth on [0, inf)) is a polynomial in
# t = (z - 2) / (z + 2) in [-1, 1]: a Chebyshev fit at 96 nodes to math.erfc(z) * exp(z^2) (exp in
# 40-digit decimal; the asymptotic series beyond z = 6), truncated and converted to powers of t so
# that Horner's rule costs two passes per term. Measured against math.erfc on [-38, 38], float64
# (24 terms): relative error < 7e-15 for |x| < 2, < 3e-14 for |x| < 8, < 5e-10 where
# Phi < 1e-15. float32 (10 terms): absolute error < 2e-7.
_ERFCX_K = 2.0
_ERFCX_F64 = (
    0.25539567631050286, -0.4271858474139798, 0.24165819424268242, -0.07897858101389733,
    0.003732892398469253, 0.006997461692005382, -0.0008471431740012224, -0.0009819764569091293,
    4.355500920714114e-05, 0.0001743573170260339, 2.7528131653186943e-05, -2.7563874228303275e-05,
    -1.3972813516370216e-05, 1.34789967559394e-06, 3.7758135009526382e-06, 1.2779358154993982e-06,
    -4.5228220221706756e-07, -6.085611807769207e-07, -1.0196202483309071e-07,
    1.5500863761624483e-07, 5.6891110548422855e-08, -2.4683760288158674e-08,
    -8.565382441721493e-09, 2.150797356626487e-09,
)
_ERFCX_F32 = (
    0.255395683886995, -0.42718606426519584, 0.24165775466526884, -0.07897417244033128,
    0.0037371932303346183, 0.006972176457281344, -0.0008632278851240315, -0.0009219421786497456,
    7.259303846243087e-05, 0.00011002064845655854,
)
_HALF_ERFCX_F32 = tuple(0.5 * c for c in _ERFCX_F32)
_SQRT_2_OVER_PI = 0.7978845608028654
_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_GELU_TANH_COEFF = 0.044715


def _chebval(u, coeffs):
    """Clenshaw's recurrence for sum_k coeffs[k] T_k(u); loops over terms, not elements."""
    b0, b1, b2 = np.empty_like(u), np.zeros_like(u), np.zeros_like(u)
    u2 = u + u
    for c in coeffs[:0:-1]:
        np.multiply(u2, b1, out=b0)  # b0 = 2u b1 - b2 + c, reusing three buffers
        b0 -= b2
        b0 += c
        b0, b1, b2 = b2, b0, b1
    b1 *= u
    b1 -= b2
    b1 += coeffs[0]
    return b1


def erf(a):
    """The error function, elementwise, in the input's float dtype (float64 to ~1e-15 relative).

    Not a recorded kernel. Accurate near 0 as well (``erf(x) ~ 2x / sqrt(pi)``), which
    :func:`ndtr` is not meant for; it uses masks, so :func:`ndtr` is the faster route to Phi.
    """
    a = np.asarray(a)
    # float16/float32 are computed in float32, everything else in float64
    dtype = np.dtype(np.float32) if a.dtype in (np.float16, np.float32) else np.dtype(np.float64)
    x = a.astype(dtype, copy=False)
    n_small, n_large = _ERF_TERMS_F32 if dtype == np.float32 else (None, None)
    small_c = _ERF_SMALL[:n_small].astype(dtype)
    large_c = _ERF_LARGE[:n_large].astype(dtype)
    ax = np.abs(x)
    out = np.sign(x, out=np.empty_like(x))  # right for |x| >= 6; keeps nan as nan
    small = ax < _ERF_SPLIT
    xs = x[small]
    t = xs * xs
    t *= 2 / _ERF_SPLIT**2
    t -= 1
    out[small] = xs * _chebval(t, small_c)
    large = (ax >= _ERF_SPLIT) & (ax < _ERF_ONE)
    xl = ax[large]
    u = np.reciprocal(xl)
    u -= 1 / _ERF_ONE
    u *= 2 / (1 / _ERF_SPLIT - 1 / _ERF_ONE)
    u -= 1
    erfc = _chebval(u, large_c)
    erfc *= np.exp(-(xl * xl))
    out[large] = np.copysign(1 - erfc, x[large])
    return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out


def ndtr(a):
    """The standard normal CDF ``Phi(a) = (1 + erf(a / sqrt 2)) / 2``, elementwise, without branches.

    Not a recorded kernel: a helper for :func:`gelu` and its gradient rule. Faster than going
    through :func:`erf` (no masks) and accurate in both tails.
    """
    a = np.asarray(a)
    dtype = np.dtype(np.float32) if a.dtype in (np.float16, np.float32) else np.dtype(np.float64)
    a = a.astype(dtype, copy=False)
    coeffs = _ERFCX_F32 if dtype == np.float32 else _ERFCX_F64
    z = np.multiply(a, _SQRT_HALF, out=np.empty_like(a))
    np.abs(z, out=z)  # z = |a| / sqrt 2
    t = np.add(z, _ERFCX_K, out=np.empty_like(z))
    np.divide(-2 * _ERFCX_K, t, out=t)
    t += 1  # t = (z - K) / (z + K) in [-1, 1], and 1 (not nan) at z = inf
    h = np.full_like(t, coeffs[-1])
    for c in coeffs[-2::-1]:  # Horner: erfcx(z) = sum_k coeffs[k] t^k
        h *= t
        h += c
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    h *= z
    h *= 0.5  # h = erfc(z) / 2 = Phi(-|a|)
    # Phi(a) = h for a < 0 and 1 - h for a >= 0: blend by multiplying with the mask, because
    # np.where and boolean indexing cost ~10 ns per element on random signs (branch misses).
    np.multiply(h, -2, out=t)
    t += 1
    t *= a >= 0
    h += t
    return h


def relu(a):
    # BEGIN SOLUTION
    # A float zero for float inputs skips NumPy's int/float promotion check (~0.3 us per call).
    return np.maximum(a, 0.0 if a.dtype.kind == "f" else 0)
    # END SOLUTION


def sigmoid(a):
    # BEGIN SOLUTION
    # exp(-|a|) never overflows: sigmoid(-|a|) = e / (1 + e), and sigmoid(a) = 1 - sigmoid(-a)
    # for a >= 0, so both tails keep their relative precision.
    e = np.empty_like(a)
    np.abs(a, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    s = np.add(e, 1, out=np.empty_like(e))
    np.divide(e, s, out=e)  # e = sigmoid(-|a|)
    # blend 1 - e where a >= 0 by multiplying with the mask (np.where mispredicts on random signs)
    np.multiply(e, -2, out=s)
    s += 1
    s *= a >= 0
    e += s
    return e
    # END SOLUTION


def gelu_factor(a, approximate="none", derivative=False):
    """``s`` with ``gelu(a) = a * s(a)`` (and ``ds/da`` when ``derivative``): GELU's one Phi.

    Exact: ``s = Phi(a)`` (:func:`ndtr`) and ``ds = phi(a)``, the normal density. ``"tanh"``:
    ``s = (1 + tanh(u)) / 2`` with ``u = sqrt(2/pi) (a + 0.044715 a^3)``. The kernel
    :func:`gelu` uses ``s`` (float32 exact GELU has its own in-place path with the same
    polynomial); the tanh form's gradient rule (module 05) uses ``s + a * ds``, so forward and
    backward share this function and its constants.
    """
    if approximate == "tanh":
        a2 = a * a
        t = np.tanh(_SQRT_2_OVER_PI * a * (1 + _GELU_TANH_COEFF * a2))
        s = 0.5 * (1 + t)
        if not derivative:
            return s
        return s, 0.5 * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_COEFF * a2)
    s = ndtr(a)
    if not derivative:
        return s
    return s, _INV_SQRT_2PI * np.exp(-0.5 * a * a)


def _gelu_exact_float32(a):
    """Exact GELU of a float32 array as ``relu(a) - |a| Phi(-|a|)``: the sign needs no blend.

    ``a Phi(a)`` equals that for both signs, since ``Phi(a) = 1 - Phi(-a)``. With ``x = |a|``,
    ``Phi(-x) = exp(-x^2 / 2) erfcx(x / sqrt 2) / 2``, the float32 erfcx polynomial of
    :func:`ndtr` in ``t = 1 - 2K / (x / sqrt 2 + K)``. Two fresh arrays, both reused in place:
    a new 4 MiB array costs as much as ten in-place passes (page faults), so ``|a|`` is computed
    twice rather than kept in a third.
    """
    t = np.abs(a, out=np.empty_like(a))
    t += _ERFCX_K / _SQRT_HALF
    np.divide(-2 * _ERFCX_K / _SQRT_HALF, t, out=t)
    t += 1  # t = (z - K) / (z + K) with z = x / sqrt 2, in [-1, 1] and 1 at x = inf
    h = np.multiply(t, _HALF_ERFCX_F32[-1], out=np.empty_like(t))
    h += _HALF_ERFCX_F32[-2]
    for c in _HALF_ERFCX_F32[-3::-1]:  # Horner: h = erfcx(z) / 2
        h *= t
        h += c
    x = np.abs(a, out=t)
    # Two reductions (cheaper than one clamp pass) find the rare input with |a| >= 16, inf or
    # nan. Clamping x at 16 then keeps inf out of inf * 0 and x * x from overflowing, and
    # changes nothing: |a| Phi(-|a|) < 1e-55 is 0 in float32 beyond 16.
    rare = a.size > 0 and not (-16.0 < a.min() and a.max() < 16.0)
    if rare:
        np.fmin(x, np.float32(16.0), out=x)  # nan becomes 16; relu(a) below carries the nan
    h *= x
    np.multiply(x, x, out=x)
    x *= -0.5
    np.exp(x, out=x)
    h *= x  # h = |a| Phi(-|a|)
    x.fill(0.0)  # maximum against an array is vectorised; against a scalar it is not
    out = np.maximum(a, x, out=x)
    out -= h
    if rare:
        out[a == -np.inf] = np.nan  # PyTorch's -inf * Phi(-inf) = -inf * 0 = nan
    return out


def gelu(a, approximate="none"):
    # BEGIN SOLUTION
    if approximate == "none" and a.dtype == np.float32:  # the hot path of every GPT MLP
        return _gelu_exact_float32(a)
    s = gelu_factor(a, approximate)
    with np.errstate(invalid="ignore"):  # -inf * Phi(-inf) = -inf * 0 = nan, as in PyTorch
        s *= a
    # ndtr computes float16 in float32; the result keeps the input's dtype, as in PyTorch
    return s.astype(a.dtype, copy=False) if a.dtype.kind == "f" else s
    # END SOLUTION


def softmax(a, dim):
    # BEGIN SOLUTION
    if a.size == 0:  # nothing to normalise; max() of an empty axis would raise
        return a.copy()
    # Subtracting the max makes every exponent <= 0: no overflow, and the result is unchanged.
    out = a - a.max(axis=dim, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=dim, keepdims=True)
    return out
    # END SOLUTION


def log_softmax(a, dim):
    # BEGIN SOLUTION
    if a.size == 0:
        return a.copy()
    # log softmax(a) = (a - m) - log(sum(exp(a - m))): the log-sum-exp trick, no overflow.
    out = a - a.max(axis=dim, keepdims=True)
    lse = np.exp(out).sum(axis=dim, keepdims=True)
    np.log(lse, out=lse)
    out -= lse
    return out
    # END SOLUTION
