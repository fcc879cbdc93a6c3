r"""Cached and batched generation.

:func:`generate` runs the prompt through the model once (the *prefill*, filling a
:class:`~tinytorch.memoization.KVCache`), then feeds one token per step: each step costs one
position's projections and one row of attention over the cached keys, instead of the whole context
again. Under greedy decoding the tokens equal ``model.generate``'s (recomputation) and the logits
agree to float32 round-off, as long as the context fits in ``block_size``.

**When the context fills** (``on_full``):

- ``"shift"`` (default): drop the oldest half of the window and re-encode the newer half
  ``block_size // 2`` tokens in one forward, positions restarting at 0; generation then continues
  incrementally. Every token still sees between ``block_size // 2`` and ``block_size - 1`` earlier
  tokens; tokens after the first shift may differ from recomputation, which always sees the last
  ``block_size``. One re-encode per ``block_size // 2`` tokens keeps the cost per token ``O(T)``.
- ``"recompute"``: re-encode the last ``block_size`` tokens at every step once full, exactly what
  ``model.generate`` does — identical tokens at recomputation's cost.
- ``"error"``: raise ``ValueError``.

**Batches of different lengths**: :func:`generate_batch` left-pads the prompts to a common length
with an ``attention_mask`` (True = real token) and per-row ``position_ids`` that count real tokens
only, so every row sees exactly what it would see alone; its tokens equal generating each prompt
by itself (as long as the padded batch fits in the context).
"""

import numbers

import numpy as np

from tinytorch.tensor import Tensor, no_grad
from tinytorch.transformer import sample_next_token

from .decode import GraphFreeGPT
from .kv_cache import KVCache

__all__ = ["generate", "generate_batch"]

_POLICIES = ("shift", "recompute", "error")


def _ids(x, name):
    a = np.asarray(x.data if isinstance(x, Tensor) else x)
    if a.dtype.kind not in "iu" and a.size:
        raise TypeError(f"generate: {name} must hold integer token ids, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _positions(mask):
    """Per-row positions that count real tokens only: (B, T) int64 (pads get 0)."""
    return np.maximum(np.cumsum(mask, axis=1) - 1, 0).astype(np.int64)


def _forward(model, ids, mask, cache):
    """Last-position logits (B, V) for ``ids`` (B, T) after what ``cache`` holds (or no cache).

    ``model`` is the GPT, or its :class:`GraphFreeGPT` when it has one (the same computation
    without a Tensor per op)."""
    past = 0 if cache is None else cache.seq_len
    pos = None if mask is None else _positions(mask)[:, past:]  # the new tokens' positions
    if isinstance(model, GraphFreeGPT):
        if pos is None and past + ids.shape[1] > model.model.config.block_size:
            raise ValueError(f"GPT: {ids.shape[1]} new tokens after {past} cached do not fit block_size "
                             f"{model.model.config.block_size}")
        return model.last_logits(ids, cache, mask, pos)
    if mask is None:
        logits, _ = model(Tensor(ids), cache=cache)
    else:
        logits, _ = model(Tensor(ids), cache=cache, attention_mask=mask, position_ids=pos)
    return logits.data[:, -1, :]


def _tail(mask, n):
    """The last ``n`` columns of ``mask`` (None stays None)."""
    return None if mask is None else mask[:, -n:]


def _encode_window(net, cache, window, mask, reuse):
    """Encode ``window`` (B, T) into ``cache`` from scratch, or after the longest prefix the cache
    already holds when ``reuse``; return the last position's logits (B, V)."""
    if reuse:
        start = _reuse_prefix(cache, window)
    else:
        cache.reset()
        start = 0
    logits = _forward(net, window[:, start:], mask, cache)
    cache.token_ids = window.copy()
    return logits


def _reuse_prefix(cache, ids):
    """Truncate ``cache`` to the longest cached prefix of ``ids`` and return that length."""
    if cache.token_ids is None or cache.token_ids.shape[0] != ids.shape[0]:
        cache.reset()
        return 0
    cached = cache.token_ids
    n = min(cached.shape[1], ids.shape[1] - 1)  # the last prompt token is always fed again
    same = np.all(cached[:, :n] == ids[:, :n], axis=0)
    keep = n if same.all() else int(np.argmin(same))
    cache.truncate(keep)
    return keep


def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, use_cache=True,
             generator=None, attention_mask=None, cache=None, on_full="shift", return_logits=False):
    r"""Append ``max_new_tokens`` tokens to each row of ``idx``, reusing keys and values.

    Args:
        model: a GPT (:class:`tinytorch.transformer.GPT` or anything with its ``forward`` and
            cache protocol and a ``config`` with ``block_size``, ``n_layer``, ``n_head``, ``n_embd``).
        idx: :math:`(B, T)` int token ids.
        max_new_tokens: how many tokens to add.
        temperature, top_k, top_p, generator: sampling, as ``model.generate`` (``top_k=1``: greedy).
        use_cache: keep keys and values (default). False recomputes the window every step.
        attention_mask: bool :math:`(B, T)`, True = real token, for left-padded rows.
        cache: a :class:`KVCache` to reuse. The longest prefix of ``idx`` that it already holds
            (``cache.token_ids``) is not recomputed; a changed prefix is recomputed from the
            first difference. Default: a fresh cache.
        on_full: ``"shift"``, ``"recompute"`` or ``"error"``: what to do when the context fills.
        return_logits: also return the logits of every generated token, :math:`(B, N, V)`.

    Returns:
        int64 Tensor :math:`(B, T + N)`; with ``return_logits``, ``(ids, logits)``.

    Example:
        >>> from tinytorch.tensor import manual_seed
        >>> from tinytorch.transformer import GPT, GPTConfig
        >>> _ = manual_seed(0)
        >>> model = GPT(GPTConfig(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=8))
        >>> prompt = Tensor([[1, 2, 3]])
        >>> fast = generate(model, prompt, 10, top_k=1)
        >>> bool((fast.data == model.generate(prompt, 10, top_k=1).data).all())
        True
    """
    if on_full not in _POLICIES:
        raise ValueError(f"generate: on_full must be one of {_POLICIES}, got {on_full!r}")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, numbers.Integral) or max_new_tokens < 0:
        raise ValueError(f"generate: max_new_tokens must be a non-negative int, got {max_new_tokens!r}")
    ids = _ids(idx, "idx")
    if ids.ndim != 2 or ids.shape[1] == 0:
        raise ValueError(f"generate: idx must be (B, T) token ids with T >= 1, got shape {ids.shape}")
    mask = None
    if attention_mask is not None:
        mask = np.asarray(attention_mask.data if isinstance(attention_mask, Tensor) else attention_mask)
        if mask.dtype != np.bool_ or mask.shape != ids.shape:
            raise ValueError(f"generate: attention_mask must be a bool mask of idx's shape {ids.shape}, "
                             f"got {mask.dtype} of shape {mask.shape}")
    if cache is not None and not isinstance(cache, KVCache):
        raise TypeError(f"generate: cache must be a KVCache, got {type(cache).__name__}")
    block = model.config.block_size
    B = ids.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= model.config.vocab_size):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise IndexError(f"generate: token id {bad} is out of range for vocab_size {model.config.vocab_size}")
    was_training = model.training
    model.eval()
    # The graph-free path computes what model.forward does, minus a Tensor per op; other models
    # (fused, quantized, hooked) run their own forward.
    net = GraphFreeGPT(model) if GraphFreeGPT.supports(model) else model
    all_logits = []
    try:
        with no_grad():
            # BEGIN SOLUTION
            if use_cache:
                if cache is None:
                    cache = KVCache.from_model(model, B)
                elif cache.batch_size != B or cache.max_seq_len < block:
                    raise ValueError(f"generate: cache is for batch {cache.batch_size} and {cache.max_seq_len} "
                                     f"positions; need batch {B} and {block}")
            for step in range(max_new_tokens):
                if not use_cache:
                    logits = _forward(net, ids[:, -block:], _tail(mask, block), None)
                elif step == 0 or cache.seq_len >= block:
                    if step > 0 and on_full == "error":
                        raise ValueError(f"generate: the context of {block} tokens is full (on_full='error')")
                    keep = block if step == 0 or on_full == "recompute" else max(1, block // 2)
                    reuse = step == 0 and ids.shape[1] <= keep  # a whole prompt: its cached prefix counts
                    logits = _encode_window(net, cache, ids[:, -keep:], _tail(mask, keep), reuse)
                else:
                    # One new position per row; its position counts this row's real tokens.
                    logits = _forward(net, ids[:, -1:], _tail(mask, cache.seq_len + 1), cache)
                    cache.token_ids = np.concatenate([cache.token_ids, ids[:, -1:]], axis=1)
                if return_logits:
                    all_logits.append(logits.copy())
                next_id = sample_next_token(logits, temperature, top_k, top_p, generator)  # (B, 1)
                ids = np.concatenate([ids, next_id], axis=1)
                if mask is not None:
                    mask = np.concatenate([mask, np.ones((B, 1), dtype=bool)], axis=1)
            # END SOLUTION
    finally:
        model.train(was_training)
    out = Tensor(ids)
    if return_logits:
        V = model.config.vocab_size
        return out, Tensor(np.stack(all_logits, axis=1) if all_logits else np.zeros((B, 0, V), np.float32))
    return out


def generate_batch(model, prompts, max_new_tokens, pad_id=0, **kwargs):
    """Generate for several prompts of different lengths in one batch (left padding + masks).

    Args:
        model: as :func:`generate`.
        prompts: a list of non-empty token-id sequences.
        max_new_tokens: tokens to add to each.
        pad_id: the id written into the padding (never attended to). Default: 0.
        **kwargs: passed to :func:`generate` (sampling, ``use_cache``, ``on_full``).

    Returns:
        a list with each prompt followed by its ``max_new_tokens`` new ids (lists of ints).

    Example:
        >>> from tinytorch.tensor import manual_seed
        >>> from tinytorch.transformer import GPT, GPTConfig
        >>> _ = manual_seed(0)
        >>> model = GPT(GPTConfig(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=8))
        >>> both = generate_batch(model, [[1, 2, 3], [4]], 5, top_k=1)
        >>> both[1] == generate(model, Tensor([[4]]), 5, top_k=1).tolist()[0]
        True
    """
    if isinstance(prompts, (str, bytes)) or not hasattr(prompts, "__len__") or len(prompts) == 0:
        raise ValueError("generate_batch: prompts must be a non-empty list of token-id sequences")
    rows = [_ids(p, f"prompts[{i}]").reshape(-1) for i, p in enumerate(prompts)]
    for i, r in enumerate(rows):
        if r.size == 0:
            raise ValueError(f"generate_batch: prompts[{i}] is empty")
    V = model.config.vocab_size
    if isinstance(pad_id, bool) or not isinstance(pad_id, numbers.Integral) or not 0 <= pad_id < V:
        raise ValueError(f"generate_batch: pad_id {pad_id!r} must be a token id in [0, {V}) (pads are "
                         f"embedded, though never attended to)")
    width = max(r.size for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=bool)
    for i, r in enumerate(rows):  # one slice assignment per prompt, not per token
        ids[i, width - r.size:] = r
        mask[i, width - r.size:] = True
    out = generate(model, Tensor(ids), max_new_tokens, attention_mask=mask, **kwargs)
    data = out.data
    return [data[i, width - r.size:].tolist() for i, r in enumerate(rows)]
