"""Choosing the next token from a row of logits: temperature, top-k, top-p (nucleus), greedy.

Sampling happens once per generated token on a ``(B, V)`` row of logits, outside autograd, so it
works on ndarrays; every step is vectorised over the batch.
"""

import numbers

import numpy as np

from tinytorch.tensor import Tensor, multinomial

__all__ = ["top_k_filter", "top_p_filter", "sample_next_token"]


def top_k_filter(logits, k):
    """Keep the ``k`` largest logits of each row, set the rest to ``-inf``.

    Ties at the ``k``-th value are all kept (as nanoGPT's ``logits < v[:, [-1]]``).

    Example:
        >>> top_k_filter(np.array([[1.0, 3.0, 2.0]]), 2).tolist()
        [[-inf, 3.0, 2.0]]
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k <= 0:
        raise ValueError(f"top_k_filter: k must be a positive int, got {k!r}")
    # BEGIN SOLUTION
    V = logits.shape[-1]
    k = min(int(k), V)
    kth = np.partition(logits, V - k, axis=-1)[..., V - k:V - k + 1]  # (B, 1): the k-th largest
    return np.where(logits < kth, -np.inf, logits)
    # END SOLUTION


def top_p_filter(logits, p):
    """Keep the smallest set of most likely tokens whose probabilities sum to at least ``p``.

    The most likely token always stays, so ``p`` close to 0 is greedy-like sampling.

    Example:
        >>> top_p_filter(np.log(np.array([[0.5, 0.3, 0.2]])), 0.7).round(3).tolist()
        [[-0.693, -1.204, -inf]]
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 < p <= 1.0:
        raise ValueError(f"top_p_filter: p must be in (0, 1], got {p!r}")
    # BEGIN SOLUTION
    order = np.argsort(-logits, axis=-1, kind="stable")  # (B, V), most likely first
    ranked = np.take_along_axis(logits, order, axis=-1)
    probs = np.exp(ranked - ranked[..., :1])
    probs /= probs.sum(axis=-1, keepdims=True)
    before = np.cumsum(probs, axis=-1) - probs  # probability mass ranked above each token
    ranked = np.where(before < p, ranked, -np.inf)
    out = np.empty_like(logits)
    np.put_along_axis(out, order, ranked, axis=-1)
    return out
    # END SOLUTION


def _check(temperature, top_k, top_p):
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r} "
                         "(for greedy decoding pass top_k=1)")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k <= 0):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, numbers.Real)
                              or not 0.0 < top_p <= 1.0):
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")


def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    """One token id per row of ``logits`` ``(B, V)``: an int64 array of shape ``(B, 1)``.

    ``top_k=1`` is greedy decoding: the first maximum of each row, no random draw. Otherwise the
    logits are divided by ``temperature``, filtered by ``top_k`` and then ``top_p``, and one id is
    drawn per row with ``tinytorch.tensor.multinomial`` from ``generator`` (default: the global
    generator, so ``manual_seed`` reproduces it).

    Example:
        >>> sample_next_token(np.array([[0.0, 5.0, 1.0], [2.0, 0.0, 0.0]]), top_k=1).tolist()
        [[1], [0]]
    """
    _check(temperature, top_k, top_p)
    logits = np.asarray(getattr(logits, "data", logits))
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"sample_next_token expects logits of shape (B, V) with V > 0, got {logits.shape}")
    # BEGIN SOLUTION
    if top_k == 1:
        return np.argmax(logits, axis=-1)[:, None].astype(np.int64)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))  # -inf -> 0
    return multinomial(Tensor(probs), 1, replacement=True, generator=generator).data  # (B, 1)
    # END SOLUTION
