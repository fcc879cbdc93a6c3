r"""A preallocated key/value cache for autoregressive generation.

Without a cache, generating token :math:`t` runs the model over all :math:`t` tokens again:
:math:`O(t)` work per layer for the projections and :math:`O(t^2)` for attention, although only
the newest position is new. Every earlier position's keys and values are the same as last step,
so they can be kept: :class:`KVCache` holds, per layer, one buffer
:math:`(B, n_{head}, T_{max}, d_{head})` for keys and one for values, allocated once. Each step
writes the new token's keys and values into the next slot and hands attention a *view* of the
filled prefix — no concatenation, no copy of the past. Memory:
:math:`2 \cdot n_{layer} \cdot B \cdot T_{max} \cdot C \cdot 4` bytes in float32.

The cache speaks the generation-cache protocol of :mod:`tinytorch.transformer.cache`:
``seq_len``, ``k_all, v_all = update(layer_idx, k, v)`` by every attention layer, then one
``advance(T_new)`` after the last layer.
"""

import numbers

import numpy as np

from tinytorch.tensor import Tensor, cat, is_grad_enabled

__all__ = ["KVCache"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"KVCache: {name} must be a positive int, got {value!r}")
    return int(value)


class KVCache:
    r"""Preallocated per-layer key and value buffers.

    Args:
        n_layer: number of attention layers.
        batch_size: :math:`B`, the number of sequences generated together.
        n_head: attention heads per layer.
        head_dim: :math:`C / n_{head}`.
        max_seq_len: :math:`T_{max}`, positions per sequence (the model's ``block_size``).
        dtype: buffer dtype. Default: float32.

    Attributes:
        token_ids: the ``(B, seq_len)`` ids that produced the cached entries, when the caller
            records them (:func:`~tinytorch.memoization.generate` does); used to find how much of
            a new prompt is already cached.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> cache = KVCache(n_layer=1, batch_size=1, n_head=2, head_dim=4, max_seq_len=8)
        >>> k, v = cache.update(0, zeros(1, 2, 3, 4), zeros(1, 2, 3, 4))
        >>> cache.advance(3)
        >>> k, v = cache.update(0, zeros(1, 2, 1, 4), zeros(1, 2, 1, 4))
        >>> cache.advance(1)
        >>> k.shape, cache.seq_len, cache.nbytes
        ((1, 2, 4, 4), 4, 512)
    """

    def __init__(self, n_layer, batch_size, n_head, head_dim, max_seq_len, dtype=np.float32):
        self.n_layer = _positive_int("n_layer", n_layer)
        self.batch_size = _positive_int("batch_size", batch_size)
        self.n_head = _positive_int("n_head", n_head)
        self.head_dim = _positive_int("head_dim", head_dim)
        self.max_seq_len = _positive_int("max_seq_len", max_seq_len)
        shape = (self.n_layer, self.batch_size, self.n_head, self.max_seq_len, self.head_dim)
        self.keys = np.zeros(shape, dtype=dtype)  # (L, B, H, T_max, D), written slot by slot
        self.values = np.zeros(shape, dtype=dtype)
        self.reset()

    @classmethod
    def from_model(cls, model, batch_size, max_seq_len=None):
        """A cache sized for ``model`` (anything with a GPT-like ``config``)."""
        c = model.config
        return cls(c.n_layer, batch_size, c.n_head, c.n_embd // c.n_head,
                   c.block_size if max_seq_len is None else max_seq_len,
                   dtype=model.lm_head.weight.dtype if hasattr(model, "lm_head") else np.float32)

    @property
    def seq_len(self):
        """Positions already cached in every layer."""
        return self._seq_len

    @property
    def nbytes(self):
        """Bytes held by the key and value buffers."""
        return self.keys.nbytes + self.values.nbytes

    def reset(self):
        """Forget every cached position (the buffers stay allocated)."""
        self._seq_len = 0
        self._filled = [0] * self.n_layer
        self.token_ids = None

    def truncate(self, length):
        """Keep only the first ``length`` cached positions (e.g. the part of a prompt that did not
        change); later updates overwrite the rest."""
        if isinstance(length, bool) or not isinstance(length, numbers.Integral) or not 0 <= length <= self._seq_len:
            raise ValueError(f"KVCache.truncate: length must be in [0, {self._seq_len}], got {length!r}")
        self._seq_len = int(length)
        self._filled = [self._seq_len] * self.n_layer
        if self.token_ids is not None:
            self.token_ids = self.token_ids[:, :self._seq_len]

    def update(self, layer_idx, k, v):
        """Store layer ``layer_idx``'s new keys and values ``(B, n_head, T_new, head_dim)`` after the
        cached ones; return all of them, ``(B, n_head, seq_len + T_new, head_dim)`` each.

        The results are views of the buffers. When gradients are being recorded for ``k`` or
        ``v``, the new part keeps its graph (the cached past is a constant).
        """
        if isinstance(layer_idx, bool) or not isinstance(layer_idx, numbers.Integral) \
                or not 0 <= layer_idx < self.n_layer:
            raise IndexError(f"KVCache: layer_idx {layer_idx!r} out of range for {self.n_layer} layers")
        expected = (self.batch_size, self.n_head, None, self.head_dim)
        for name, t in (("k", k), ("v", v)):
            if not isinstance(t, Tensor):
                raise TypeError(f"KVCache.update: {name} must be a Tensor, got {type(t).__name__} "
                                f"(KVCache.write takes ndarrays)")
            if t.ndim != 4 or t.shape[0] != expected[0] \
                    or t.shape[1] != expected[1] or t.shape[3] != expected[3]:
                raise ValueError(
                    f"KVCache.update: {name} must be a Tensor of shape ({self.batch_size}, {self.n_head}, "
                    f"T_new, {self.head_dim}), got {getattr(t, 'shape', type(t).__name__)}")
        if k.shape != v.shape:
            raise ValueError(f"KVCache.update: k {k.shape} and v {v.shape} differ in shape")
        if self._filled[layer_idx] != self._seq_len:
            raise RuntimeError(f"KVCache: layer {layer_idx} was updated twice before advance()")
        start = self._seq_len
        k_all, v_all = self.write(layer_idx, k.data, v.data)
        k_all, v_all = Tensor._make(k_all), Tensor._make(v_all)  # (B, H, stop, D) views
        if is_grad_enabled() and (k.requires_grad or v.requires_grad):
            k_all = cat([Tensor._make(self.keys[layer_idx, :, :, :start]), k], dim=2)
            v_all = cat([Tensor._make(self.values[layer_idx, :, :, :start]), v], dim=2)
        return k_all, v_all

    def write(self, layer_idx, k, v):
        """Write ndarrays ``k``, ``v`` ``(B, n_head, T_new, head_dim)`` into the next slots of layer
        ``layer_idx``; return views ``(B, n_head, seq_len + T_new, head_dim)`` of its filled
        buffers (what :meth:`update` does for Tensors, and the graph-free decoder calls)."""
        # BEGIN SOLUTION
        start, stop = self._seq_len, self._seq_len + k.shape[2]
        if stop > self.max_seq_len:
            raise ValueError(
                f"KVCache is full: {self._seq_len} cached + {k.shape[2]} new positions exceed "
                f"max_seq_len={self.max_seq_len}; reset() or truncate() it, or crop the context")
        self.keys[layer_idx, :, :, start:stop] = k  # the only copy: T_new positions
        self.values[layer_idx, :, :, start:stop] = v
        self._filled[layer_idx] = stop
        return self.keys[layer_idx, :, :, :stop], self.values[layer_idx, :, :, :stop]  # views
        # END SOLUTION

    def advance(self, n):
        """Record that ``n`` new positions went through every layer."""
        target = self._seq_len + n
        for i, filled in enumerate(self._filled):
            if filled != target:
                raise RuntimeError(f"KVCache.advance({n}): layer {i} holds {filled} positions, expected {target}")
        self._seq_len = target

    def __repr__(self):
        return (f"KVCache(n_layer={self.n_layer}, batch_size={self.batch_size}, n_head={self.n_head}, "
                f"head_dim={self.head_dim}, max_seq_len={self.max_seq_len}, seq_len={self._seq_len})")
