"""The generation-cache protocol that :meth:`GPT.forward` speaks, and a reference cache.

Generating token ``t + 1`` only needs the keys and values of tokens ``0 .. t``, and those do not
change once computed (attention is causal). A *cache* keeps them between calls so each new token
costs one position of work instead of the whole prefix. ``GPT.forward(idx, cache=cache)`` talks
to any object with this protocol (module 17 ships a preallocated ``KVCache`` that follows it):

- ``cache.seq_len``: how many tokens are already cached. The new tokens' positions start there
  (unless ``position_ids`` is given).
- ``k_all, v_all = cache.update(layer_idx, k, v)``: every attention layer ``i`` hands over the
  keys and values of the new tokens, shape ``(B, n_head, T_new, head_dim)``, and attends over the
  returned ``(B, n_head, seq_len + T_new, head_dim)`` tensors.
- ``cache.advance(T_new)``: called once after the last layer; ``seq_len`` grows by ``T_new``.

:class:`ConcatCache` is the simplest object that satisfies it: it concatenates. It is the
reference the tests compare every other cache with.
"""

import numbers

from tinytorch.tensor import Tensor, cat

__all__ = ["ConcatCache"]


class ConcatCache:
    """A generation cache that appends each layer's new keys and values with ``cat``.

    Every ``update`` copies the whole cache (``O(T)`` per token, ``O(T^2)`` per sequence of copying);
    module 17's preallocated cache writes in place instead. Correct and short, so it is the
    reference.

    Args:
        n_layer: number of attention layers that will call :meth:`update`.

    Example:
        >>> from tinytorch.tensor import zeros
        >>> cache = ConcatCache(n_layer=1)
        >>> k, v = cache.update(0, zeros(1, 2, 3, 4), zeros(1, 2, 3, 4))
        >>> cache.advance(3)
        >>> k, v = cache.update(0, zeros(1, 2, 1, 4), zeros(1, 2, 1, 4))
        >>> cache.advance(1)
        >>> k.shape, cache.seq_len
        ((1, 2, 4, 4), 4)
    """

    def __init__(self, n_layer):
        if isinstance(n_layer, bool) or not isinstance(n_layer, numbers.Integral) or n_layer <= 0:
            raise ValueError(f"ConcatCache: n_layer must be a positive int, got {n_layer!r}")
        self.n_layer = int(n_layer)
        self.reset()

    @property
    def seq_len(self):
        """Tokens already cached (every layer holds this many after :meth:`advance`)."""
        return self._seq_len

    def reset(self):
        """Forget everything (start a new sequence)."""
        self.keys = [None] * self.n_layer
        self.values = [None] * self.n_layer
        self._seq_len = 0

    def update(self, layer_idx, k, v):
        """Append layer ``layer_idx``'s new ``k``, ``v`` ``(B, H, T_new, D)``; return all of them."""
        if not 0 <= layer_idx < self.n_layer:
            raise IndexError(f"ConcatCache: layer_idx {layer_idx} out of range for {self.n_layer} layers")
        for name, t in (("k", k), ("v", v)):
            if not isinstance(t, Tensor) or t.ndim != 4:
                raise ValueError(f"ConcatCache.update: {name} must be a 4-d Tensor (B, n_head, T_new, "
                                 f"head_dim), got {getattr(t, 'shape', type(t).__name__)}")
        old_k, old_v = self.keys[layer_idx], self.values[layer_idx]
        if old_k is None:
            if self._seq_len:
                raise RuntimeError(f"ConcatCache: layer {layer_idx} has no entries but seq_len is "
                                   f"{self._seq_len}")
            new_k, new_v = k, v
        else:
            if old_k.shape[2] != self._seq_len:
                raise RuntimeError(f"ConcatCache: layer {layer_idx} was updated twice before advance()")
            if old_k.shape[:2] != k.shape[:2] or old_k.shape[3] != k.shape[3]:
                raise ValueError(f"ConcatCache.update: new keys of shape {k.shape} do not match the cached "
                                 f"{old_k.shape} (B, n_head, T, head_dim)")
            new_k, new_v = cat([old_k, k], dim=2), cat([old_v, v], dim=2)  # (B, H, T + T_new, D)
        self.keys[layer_idx], self.values[layer_idx] = new_k, new_v
        return new_k, new_v

    def advance(self, n):
        """Record that ``n`` new tokens went through every layer."""
        target = self._seq_len + n
        for i, k in enumerate(self.keys):
            if k is None or k.shape[2] != target:
                raise RuntimeError(f"ConcatCache.advance({n}): layer {i} holds "
                                   f"{0 if k is None else k.shape[2]} positions, expected {target}")
        self._seq_len = target
