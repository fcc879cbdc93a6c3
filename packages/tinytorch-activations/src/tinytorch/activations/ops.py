"""NumPy kernels for the activation functions.

Kernels (``fn(*arrays, **attrs) -> ndarray``; the first argument is the only differentiable
input, every other argument is a keyword attr passed through ``apply_op``):

- ``relu(a)``
- ``sigmoid(a)``
- ``gelu(a, approximate="none")`` with ``approximate`` in ``{"none", "tanh"}``
- ``softmax(a, dim)`` and ``log_softmax(a, dim)`` with an int ``dim`` (may be negative)

``tanh`` is not repeated here: ``tinytorch.activations.tanh`` records
``tinytorch.tensor.ops.tanh``. ``erf(a)`` is a helper, not a kernel (it is never recorded and is
not in ``__all__``): the exact GELU gradient rule needs it for ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``.
Each kernel returns a fresh array of the input's float dtype and never modifies its input; the
output of ``sigmoid``, ``softmax`` and ``log_softmax`` is all a gradient rule needs besides ``grad``.
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
_SQRT_2_OVER_PI = 0.7978845608028654
_SQRT_HALF = 0.7071067811865476


def _chebval(u, coeffs):
    """Clenshaw's recurrence for sum_k coeffs[k] T_k(u); loops over terms, not elements."""
    b1 = np.zeros_like(u)
    b2 = np.zeros_like(u)
    u2 = 2 * u
    for c in coeffs[:0:-1]:
        b1, b2 = u2 * b1 - b2 + c, b1
    return u * b1 - b2 + coeffs[0]


def erf(a):
    """The error function, elementwise, in the input's float dtype (float64 to ~1e-15 relative).

    Not a recorded kernel: a helper for :func:`gelu` and for its gradient rule.
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


def relu(a):
    # BEGIN SOLUTION
    return np.maximum(a, 0)
    # END SOLUTION


def sigmoid(a):
    # BEGIN SOLUTION
    # exp(-|a|) never overflows: sigmoid(-|a|) = e / (1 + e), and sigmoid(a) = 1 - sigmoid(-a)
    # for a >= 0, so both tails keep their relative precision.
    e = np.empty_like(a)
    np.abs(a, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    np.divide(e, e + 1, out=e)
    np.subtract(1, e, out=e, where=a >= 0)
    return e
    # END SOLUTION


def gelu(a, approximate="none"):
    # BEGIN SOLUTION
    if approximate == "tanh":
        # x * (c + c * 0.044715 * x^2) = c * (x + 0.044715 x^3), built in one buffer
        t = np.multiply(a, a, out=np.empty_like(a))
        t *= 0.044715 * _SQRT_2_OVER_PI
        t += _SQRT_2_OVER_PI
        t *= a
        np.tanh(t, out=t)
    else:
        t = erf(a * _SQRT_HALF)
    t += 1
    t *= a
    t *= 0.5
    return t
    # END SOLUTION


def softmax(a, dim):
    # BEGIN SOLUTION
    # Subtracting the max makes every exponent <= 0: no overflow, and the result is unchanged.
    out = a - a.max(axis=dim, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=dim, keepdims=True)
    return out
    # END SOLUTION


def log_softmax(a, dim):
    # BEGIN SOLUTION
    # log softmax(a) = (a - m) - log(sum(exp(a - m))): the log-sum-exp trick, no overflow.
    out = a - a.max(axis=dim, keepdims=True)
    lse = np.exp(out).sum(axis=dim, keepdims=True)
    np.log(lse, out=lse)
    out -= lse
    return out
    # END SOLUTION
