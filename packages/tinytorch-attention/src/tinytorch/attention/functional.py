"""Scaled dot-product attention and its masks.

Attention is a matmul, a softmax and a matmul. :func:`attention_composite` writes it in recorded
ops that module 05 already differentiates; :func:`attention`, which every public form uses, runs
the mask and the softmax as one kernel with its own rule (:mod:`.ops`), measured faster and tested
equal to the composite. Masks come in two forms, as in
``torch.nn.functional.scaled_dot_product_attention``: a bool mask (True = the key takes part) or a
float mask added to the scores (``-inf`` removes a key).
"""

import math
import numbers

import numpy as np

from tinytorch.activations import softmax
from tinytorch.autograd import gradient_of
from tinytorch.layers import dropout
from tinytorch.tensor import Tensor, apply_op

from . import ops

gradient_of(ops.masked_softmax)(ops.masked_softmax_backward)

__all__ = ["scaled_dot_product_attention", "attention", "attention_composite", "causal_mask"]


def causal_mask(size_q, size_k=None):
    r"""A bool mask that lets each query see only keys at or before its own position.

    Query ``i`` of ``size_q`` sits at position ``size_k - size_q + i`` of the key sequence (the
    queries are the *last* ``size_q`` positions), so it may attend to keys ``j <= size_k - size_q + i``.
    That is the alignment a KV cache needs: new tokens come after the cached ones. For
    ``size_q == size_k`` it is the lower triangle, the same as ``is_causal=True``.

    Args:
        size_q: number of queries :math:`L`.
        size_k: number of keys :math:`S` (default: ``size_q``); must be at least ``size_q``.

    Returns:
        bool Tensor of shape :math:`(L, S)`, True where the key takes part.

    Example:
        >>> causal_mask(2, 3).tolist()
        [[True, True, False], [True, True, True]]
    """
    size_k = size_q if size_k is None else size_k
    for name, n in (("size_q", size_q), ("size_k", size_k)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"causal_mask: {name} must be a non-negative int, got {n!r}")
    if size_k < size_q:
        raise ValueError(f"causal_mask: size_k ({size_k}) must be >= size_q ({size_q}): the queries "
                         "are the last size_q positions of the key sequence")
    # BEGIN SOLUTION
    return Tensor(np.tri(size_q, size_k, k=size_k - size_q, dtype=bool))
    # END SOLUTION


def _softmax_rows(scores, dead):
    """Softmax over the keys, where ``dead`` (bool, broadcastable to ``(..., L, 1)``) marks the query
    rows whose keys are all masked: those give zeros, not NaN.

    ``softmax`` of an all ``-inf`` row is ``0 / 0``. PyTorch's ``scaled_dot_product_attention``
    returns zeros there (and zero gradients); so do we: such rows are set to 0 before the softmax
    (any finite value would do) and their weights to 0 after it, so nothing NaN reaches the graph.
    """
    # BEGIN SOLUTION
    if not dead.any():
        return softmax(scores, dim=-1)
    return softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
    # END SOLUTION


def attention(query, key, value, mask=None, dropout_p=0.0, scale=None):
    r"""The attention computation behind every public form; returns the weights too.

    .. math::
        \text{weights} = \text{softmax}\!\left(s\, Q K^T + M\right), \qquad
        \text{output} = \text{weights}\, V

    The mask and the softmax run as one kernel (:func:`tinytorch.attention.ops.masked_softmax`,
    with its own gradient rule); :func:`attention_composite` is the same in plain recorded ops.

    Args:
        query: Tensor :math:`(..., L, E)`.
        key: Tensor :math:`(..., S, E)`.
        value: Tensor :math:`(..., S, E_v)`.
        mask: None, a bool ndarray broadcastable to :math:`(..., L, S)` (True = take part), or a
            float ndarray added to the scores. Callers check shapes and dtypes.
        dropout_p: dropout on the weights (applied whenever it is > 0).
        scale: :math:`s`; default :math:`1/\sqrt{E}`.

    Returns:
        ``(output, weights)`` of shapes :math:`(..., L, E_v)` and :math:`(..., L, S)`.

    Example:
        >>> q = Tensor([[1.0, 0.0]]); k = Tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out, w = attention(q, k, k, scale=0.0)
        >>> w
        tensor([[0.5, 0.5]])
    """
    # BEGIN SOLUTION
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    # Scaling the queries costs L*E multiplies instead of L*S on the scores.
    scores = (query * scale) @ key.transpose(-2, -1)  # (..., L, S)
    if key.shape[-2] == 0:  # no keys: nothing to attend to, the output is zeros
        weights = scores
    else:
        if mask is not None and mask.dtype != np.bool_:
            scores, mask = scores + mask, None  # float masks are added; -inf removes a key
        weights = apply_op(ops.masked_softmax, scores, mask=mask)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value, weights  # (..., L, Ev), (..., L, S)
    # END SOLUTION


def attention_composite(query, key, value, mask=None, dropout_p=0.0, scale=None):
    r"""The same computation as :func:`attention`, spelled out in recorded ops (``masked_fill``,
    ``softmax``, the dead-row fix): the readable version, tested equal to the fused one.

    .. math::
        \text{weights} = \text{softmax}\!\left(s\, Q K^T + M\right), \qquad
        \text{output} = \text{weights}\, V

    Args:
        query: Tensor :math:`(..., L, E)`.
        key: Tensor :math:`(..., S, E)`.
        value: Tensor :math:`(..., S, E_v)`.
        mask: None, a bool ndarray broadcastable to :math:`(..., L, S)` (True = take part), or a
            float ndarray added to the scores. Callers check shapes and dtypes.
        dropout_p: dropout on the weights (applied whenever it is > 0).
        scale: :math:`s`; default :math:`1/\sqrt{E}`.

    Returns:
        ``(output, weights)`` of shapes :math:`(..., L, E_v)` and :math:`(..., L, S)`.

    Example:
        >>> q = Tensor([[1.0, 0.0]]); k = Tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out, w = attention_composite(q, k, k, scale=0.0)
        >>> w
        tensor([[0.5, 0.5]])
    """
    # BEGIN SOLUTION
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    # Scaling the queries costs L*E multiplies instead of L*S on the scores.
    scores = (query * scale) @ key.transpose(-2, -1)  # (..., L, S)
    if key.shape[-2] == 0:  # no keys: nothing to attend to, the output is zeros
        weights = scores
    else:
        if mask is None:
            weights = softmax(scores, dim=-1)
        else:
            if mask.dtype == np.bool_:
                scores = scores.masked_fill(~mask, -math.inf)
                dead = ~mask.any(axis=-1, keepdims=True)  # from the small mask, not the scores
            else:
                scores = scores + mask
                dead = np.isneginf(scores.data).all(axis=-1, keepdims=True)  # (..., L, 1)
            weights = _softmax_rows(scores, dead)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value, weights  # (..., L, Ev), (..., L, S)
    # END SOLUTION


def _check_inputs(query, key, value, enable_gqa):
    """Check the three inputs; return them (key and value with repeated heads under ``enable_gqa``)
    and the scores' shape ``(..., L, S)``."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be a Tensor, "
                            f"not {type(t).__name__}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            "scaled_dot_product_attention: expected query, key and value to be at least 2-dimensional "
            f"(..., L, E), got shapes {query.shape}, {key.shape} and {value.shape}")
    if query.dtype.kind != "f":
        raise RuntimeError(f"scaled_dot_product_attention: expected floating point query, key and value, "
                           f"got dtype {query.dtype}")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "scaled_dot_product_attention: expected query, key and value to have the same dtype, got "
            f"{query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query of shape {query.shape} and key of shape {key.shape} "
            f"must have the same embedding size E (last dim): {query.shape[-1]} != {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: key of shape {key.shape} and value of shape {value.shape} "
            f"must have the same number of keys S (second-to-last dim): {key.shape[-2]} != {value.shape[-2]}")
    if enable_gqa:
        key, value = _repeat_kv_heads(query, key, value)
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"scaled_dot_product_attention: batch dims of query {query.shape}, key {key.shape} and "
            f"value {value.shape} cannot be broadcast together") from None
    return key, value, (*batch, query.shape[-2], key.shape[-2])


def _repeat_kv_heads(query, key, value):
    """Grouped-query attention: each of the ``Hk`` key heads serves ``Hq / Hk`` consecutive query heads
    (``repeat_interleave`` on dim -3, as PyTorch), and likewise the value heads. Like PyTorch's
    reference path this copies the repeated key and value (``Hq / Hk`` times their memory)."""
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise IndexError(
            "scaled_dot_product_attention: enable_gqa=True reads the heads from dim -3, but got shapes "
            f"{query.shape}, {key.shape} and {value.shape} (expected (..., H, L, E) with at least 3 dims)")
    heads = query.shape[-3]
    repeated = []
    for name, t in (("key", key), ("value", value)):
        h = t.shape[-3]
        if h != heads and (h == 0 or heads % h):
            raise RuntimeError(
                f"Number of heads in key and value must divide the number of heads in query: {name} has "
                f"{h} heads (shape {t.shape}), query has {heads} (shape {query.shape})")
        if h != heads:  # (..., h, S, E) -> (..., h, g, S, E) broadcast view -> (..., h * g, S, E)
            grouped = t.unsqueeze(-3).expand(*t.shape[:-2], heads // h, *t.shape[-2:])
            t = grouped.reshape(*t.shape[:-3], heads, *t.shape[-2:])
        repeated.append(t)
    return repeated


def _as_mask(attn_mask, dtype, scores_shape):
    """``attn_mask`` as an ndarray: bool (True = take part) or additive float in ``dtype``."""
    mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
    if mask.dtype.kind == "f":
        mask = mask.astype(dtype, copy=False)
    elif mask.dtype != np.bool_:
        raise RuntimeError(f"scaled_dot_product_attention: expected attn_mask dtype to be bool or float, "
                           f"got {mask.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"scaled_dot_product_attention: attn_mask of shape {mask.shape} does not broadcast to the "
            f"attention scores' shape {scores_shape} (..., L, S)")
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    r"""Attention of every query over every key (``torch.nn.functional.scaled_dot_product_attention``).

    .. math::
        \text{Attention}(Q, K, V) = \text{softmax}\!\left(\frac{Q K^T}{\sqrt{E}} + M\right) V

    Time and memory grow as :math:`L \cdot S`: the score matrix holds one number per (query, key)
    pair. A query row whose keys are all masked gives zeros (and zero gradients), as in PyTorch.

    Args:
        query: Tensor :math:`(..., L, E)`.
        key: Tensor :math:`(..., S, E)`.
        value: Tensor :math:`(..., S, E_v)`.
        attn_mask: bool mask broadcastable to :math:`(..., L, S)`, True where the key **takes
            part**; or a float mask added to the scores. Default: None.
        dropout_p: probability of dropping an attention weight; applied whenever > 0 (the caller
            passes 0.0 in evaluation). Default: 0.0.
        is_causal: mask out keys after each query (top-left aligned lower triangle, as PyTorch);
            an error together with ``attn_mask``.
        scale: factor applied to :math:`Q K^T`; default :math:`1/\sqrt{E}`.
        enable_gqa: grouped-query attention: query has :math:`H_q` heads (dim -3), key and value
            :math:`H_k` and :math:`H_v` heads that divide :math:`H_q`; key head ``j`` serves query heads
            ``j * Hq/Hk ... (j + 1) * Hq/Hk - 1``. Default: False. Key or value with zero heads
            (under a non-empty query) is an error here; PyTorch lets it through.

    Shape:
        - Output: :math:`(..., L, E_v)`, batch dims broadcast between query, key and value.

    Example:
        >>> q = Tensor([[[1.0, 0.0], [0.0, 1.0]]])
        >>> v = Tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> scaled_dot_product_attention(q, q, v, is_causal=True)[0, 0]
        tensor([1., 2.])
    """
    key, value, scores_shape = _check_inputs(query, key, value, bool(enable_gqa))
    if isinstance(dropout_p, bool) or not isinstance(dropout_p, numbers.Real) or not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p!r}")
    mask = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be set when "
                               "is_causal=True")
        L, S = scores_shape[-2:]
        mask = np.tri(L, S, dtype=bool)  # top-left aligned, as PyTorch's is_causal
    elif attn_mask is not None:
        mask = _as_mask(attn_mask, query.dtype, scores_shape)
    return attention(query, key, value, mask, float(dropout_p), scale)[0]
