"""The fused attention-weights kernel: mask and softmax in one pass, and its gradient rule.

``masked_softmax(scores, mask)`` computes ``softmax(where(mask, scores, -inf))`` over the last dim
with one output array, where the composite form (``masked_fill`` then ``softmax``) makes two and
runs two rules backward. A row with no key left (every score ``-inf``) gives zeros, as PyTorch's
``scaled_dot_product_attention`` does. The rule needs only the output: masked positions have
weight 0, so their gradient is 0 without looking at the mask.

Measured on the GPT of ``tools/bench/bench_gpt.py`` (docs/performance.md) and tested equal to the
composite form, values and gradients (``tests/test_attention_fused.py``).
"""

import numpy as np

__all__ = ["masked_softmax"]


def masked_softmax(scores, mask=None):
    """Softmax over the last dim of ``scores`` where ``mask`` (bool, broadcastable) is True.

    Args:
        scores: float array ``(..., L, S)``.
        mask: bool array broadcastable to ``scores``, True = the key takes part; None = all do.

    Returns:
        a new array of ``scores``' shape: every row sums to 1, or is all zeros when it has no key.
    """
    # BEGIN SOLUTION
    out = np.where(mask, scores, -np.inf) if mask is not None else scores.copy()  # (..., L, S)
    peak = out.max(axis=-1, keepdims=True)  # (..., L, 1); -inf for a row without keys
    dead = np.isneginf(peak)
    if dead.any():
        peak[dead] = 0.0  # exp(-inf - 0) = 0: the row becomes all zeros instead of nan
    out -= peak
    np.exp(out, out=out)
    total = out.sum(axis=-1, keepdims=True)
    if dead.any():
        total[dead] = 1.0
    out /= total
    return out
    # END SOLUTION


def masked_softmax_backward(grad, out, scores, mask=None):
    """``y * (g - sum(g * y))`` along the last dim, in one temporary; 0 wherever ``y`` is 0."""
    # BEGIN SOLUTION
    gx = np.multiply(grad, out)
    row = gx.sum(axis=-1, keepdims=True)  # (..., L, 1)
    np.subtract(grad, row, out=gx)
    gx *= out
    return (gx,)
    # END SOLUTION
