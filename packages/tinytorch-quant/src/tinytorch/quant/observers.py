r"""Quantization parameters: symmetric per-channel weights, affine per-tensor activations.

A real number :math:`r` is represented by an integer :math:`q` with a scale :math:`s` and a zero
point :math:`z`: :math:`r \approx s (q - z)`.

- **Weights** are quantized symmetrically per output channel (:math:`z = 0`,
  :math:`s_c = \max|W_c| / 127`, :math:`q \in [-127, 127]`), as torch's ``per_channel_symmetric``:
  one scale per row keeps a layer with one large row from crushing all the others.
- **Activations** are quantized per tensor with an affine map onto ``[-128, 127]``: the range
  :math:`[\min(x_{lo}, 0), \max(x_{hi}, 0)]` (zero must be exact, for padding and ReLU outputs)
  gives :math:`s = (hi - lo) / 255`, :math:`z = -128 - \text{round}(lo / s)`. The range comes from
  the batch itself (dynamic) or from an observer that saw calibration batches (static):
  :class:`MinMaxObserver` keeps the extremes, :class:`PercentileObserver` ignores rare outliers.
"""

import numpy as np

__all__ = [
    "QMIN", "QMAX", "choose_qparams", "quantize_per_tensor", "dequantize",
    "quantize_per_channel", "MinMaxObserver", "PercentileObserver",
]

QMIN, QMAX = -128, 127
_EPS = np.finfo(np.float32).eps


def choose_qparams(min_val, max_val):
    """Scale and zero point mapping ``[min_val, max_val]`` (widened to include 0) onto int8.

    Example:
        >>> scale, zero_point = choose_qparams(-1.0, 3.0)  # 4 / 255; -1.0 -> -128, 0.0 -> -64
        >>> round(scale * 255, 6), zero_point
        (4.0, -64)
        >>> scale, zero_point = choose_qparams(0.0, 2.55)  # ReLU outputs use the whole range
        >>> round(scale, 6), zero_point
        (0.01, -128)
    """
    lo, hi = min(float(min_val), 0.0), max(float(max_val), 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"choose_qparams: the range must be finite, got [{min_val}, {max_val}]")
    if float(min_val) > float(max_val):
        raise ValueError(f"choose_qparams: min_val {min_val} must not exceed max_val {max_val}")
    # BEGIN SOLUTION
    scale = float(np.float32(max((hi - lo) / (QMAX - QMIN), float(_EPS))))
    zero_point = min(max(QMIN - round(lo / scale), QMIN), QMAX)
    return scale, int(zero_point)
    # END SOLUTION


def quantize_per_tensor(x, scale, zero_point):
    """``clip(round(x / scale) + zero_point, -128, 127)`` as ``int8``.

    A ``zero_point`` outside [-128, 127] raises ``RuntimeError`` (as torch). Unlike torch, a
    scale that is not a finite positive number and an ``x`` holding NaN or infinity raise
    ``ValueError``: int8 has no code for them.

    Example:
        >>> quantize_per_tensor(np.array([-1.0, 0.0, 0.5, 9.0]), 0.01, -28)
        array([-128,  -28,   22,  127], dtype=int8)
    """
    if not (np.isfinite(float(scale)) and float(scale) > 0):
        raise ValueError(f"quantize_per_tensor: scale must be a finite number > 0, got {scale}")
    if int(zero_point) != zero_point or not QMIN <= zero_point <= QMAX:
        raise RuntimeError(
            f"quantize_per_tensor: zero_point {zero_point} is outside the int8 range [{QMIN}, {QMAX}]"
        )
    x = np.asarray(x, dtype=np.float32)
    if not np.isfinite(x).all():
        raise ValueError("quantize_per_tensor: x holds NaN or infinity, which int8 cannot represent")
    return _quantize(x, scale, int(zero_point))


def _quantize(x, scale, zero_point):
    """The arithmetic of :func:`quantize_per_tensor` on a float32 ``x`` already checked.

    The quantized layers call it directly: the input range they find anyway (to choose the
    scale) already proved the input finite, so a second pass over it would be wasted.
    """
    # BEGIN SOLUTION
    q = np.empty_like(x)  # one float32 temporary, reused in place (a 0-d array for a scalar)
    np.divide(x, np.float32(scale), out=q)
    np.rint(q, out=q)
    q += zero_point
    return np.clip(q, QMIN, QMAX, out=q).astype(np.int8)
    # END SOLUTION


def dequantize(q, scale, zero_point=0, axis=None):
    """``scale * (q - zero_point)`` in float32; ``axis`` names the per-channel dim of ``scale``."""
    q = np.asarray(q)
    if q.dtype.kind not in "iu":
        raise TypeError(f"dequantize expects integer codes, got dtype {q.dtype}")
    scale = np.asarray(scale, dtype=np.float32)
    if axis is not None:
        axis = _check_axis(axis, q.ndim)
        if scale.size != q.shape[axis]:
            raise ValueError(f"dequantize: {scale.size} scales for {q.shape[axis]} channels along "
                             f"axis {axis} of codes of shape {q.shape}")
        shape = [1] * q.ndim
        shape[axis] = -1
        scale = scale.reshape(shape)
    elif scale.size != 1:
        raise ValueError(f"dequantize: {scale.size} scales need an axis= naming the channel dim")
    return (q.astype(np.float32) - np.float32(zero_point)) * scale


def _check_axis(axis, ndim):
    # torch's wording and class for an out-of-range dim
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                         f"but got {axis!r})")
    return int(axis) % ndim


def quantize_per_channel(w, axis=0):
    """Symmetric per-channel int8 quantization of a weight: ``(q int8, scales float32)``.

    ``scales[c] = max|w[c]| / 127`` along every dim but ``axis``; an all-zero channel gets
    scale 1 (any scale represents it exactly).

    Example:
        >>> q, s = quantize_per_channel(np.array([[0.5, -1.0], [0.1, 0.2]], np.float32))
        >>> q
        array([[  64, -127],
               [  64,  127]], dtype=int8)
        >>> s * 127
        array([1. , 0.2], dtype=float32)
    """
    w = np.asarray(w)
    if w.dtype.kind != "f":
        raise TypeError(f"quantize_per_channel expects a floating point weight, got dtype {w.dtype}")
    if not np.isfinite(w).all():
        raise ValueError("quantize_per_channel: the weight holds NaN or infinity")
    if w.ndim == 0:
        raise ValueError("quantize_per_channel expects a weight with at least one dim, got a 0-d array")
    axis = _check_axis(axis, w.ndim)
    # BEGIN SOLUTION
    reduce = tuple(d for d in range(w.ndim) if d != axis)
    amax = np.abs(w).max(axis=reduce) if w.size else np.zeros(w.shape[axis], w.dtype)
    scales = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scales.reshape(shape)), -127, 127).astype(np.int8)
    return q, scales
    # END SOLUTION


class MinMaxObserver:
    """Tracks the running minimum and maximum of every tensor it sees (``torch.ao`` name).

    Example:
        >>> obs = MinMaxObserver()
        >>> obs(np.array([-0.5, 1.0])); obs(np.array([2.0]))
        >>> obs.min_val, obs.max_val
        (-0.5, 2.0)
    """

    def __init__(self):
        self.min_val = float("inf")
        self.max_val = float("-inf")

    def __call__(self, x):
        x = np.asarray(x)
        if x.size == 0:
            return
        if not np.isfinite(x).all():
            raise ValueError(f"{type(self).__name__}: calibration data holds NaN or infinity")
        self.min_val = min(self.min_val, float(x.min()))
        self.max_val = max(self.max_val, float(x.max()))

    def calculate_qparams(self):
        """``(scale, zero_point)`` for the observed range."""
        if self.min_val > self.max_val:
            raise RuntimeError(f"{type(self).__name__} has seen no data: run calibration batches first")
        return choose_qparams(self.min_val, self.max_val)


class PercentileObserver(MinMaxObserver):
    """Clips the range to the ``percentile``-th and ``(100 - percentile)``-th percentiles.

    Per batch the two percentiles are taken; the range is their mean over the batches, so a few
    extreme activations do not stretch the scale (and cost resolution for everything else).
    Not in ``torch.ao`` (its closest relative is ``HistogramObserver``).

    Example:
        >>> obs = PercentileObserver(99.0)
        >>> obs(np.r_[np.linspace(-1, 1, 999), 50.0])
        >>> round(obs.max_val, 2), obs.min_val > -1.0
        (0.98, True)
    """

    def __init__(self, percentile=99.99):
        super().__init__()
        if isinstance(percentile, bool) or not isinstance(percentile, (int, float, np.number)):
            raise TypeError(f"percentile must be a number in (50, 100], got {percentile!r}")
        if not 50.0 < percentile <= 100.0:
            raise ValueError(f"percentile must be in (50, 100], got {percentile!r}")
        self.percentile = float(percentile)
        self._lows, self._highs = [], []

    def __call__(self, x):
        x = np.asarray(x)
        if x.size == 0:
            return
        if not np.isfinite(x).all():
            raise ValueError(f"{type(self).__name__}: calibration data holds NaN or infinity")
        lo, hi = np.percentile(x, [100.0 - self.percentile, self.percentile])
        self._lows.append(float(lo))
        self._highs.append(float(hi))
        self.min_val, self.max_val = float(np.mean(self._lows)), float(np.mean(self._highs))
