"""``MultiheadAttention`` with ``torch.nn.MultiheadAttention``'s parameters, layout and masks.

All heads run in one batched matmul: the projected ``(N, L, E)`` tensors are viewed as
``(N, H, L, E / H)``, so there is no Python loop over heads or over the batch.
"""

import math
import numbers

import numpy as np

from tinytorch.layers import Linear, Module, Parameter, linear
from tinytorch.layers.init import xavier_normal_
from tinytorch.tensor import Tensor, cat, default_generator, zeros

from .functional import attention

__all__ = ["MultiheadAttention"]


def _xavier_uniform(shape, fan_in, fan_out):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return default_generator.uniform(-bound, bound, size=shape).astype(np.float32)


def _mask_array(mask, name, dtype):
    """A user mask as an ndarray: bool (True = masked out, PyTorch's MHA convention) or float."""
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype == np.bool_:
        return mask
    if mask.dtype.kind == "f":
        return mask.astype(dtype, copy=False)
    raise AssertionError(f"only bool and floating types of {name} are supported, got {mask.dtype}")


def _pad_keys(mask, extra):
    """Append ``extra`` key columns that take part: True in a bool 'take part' mask, 0 in a float one."""
    fill = True if mask.dtype == np.bool_ else 0.0
    return np.concatenate([mask, np.full((*mask.shape[:-1], extra), fill, mask.dtype)], axis=-1)


def _additive(mask, dtype):
    """Turn a bool 'True = masked out' mask into an additive one (0 or -inf); floats pass through."""
    if mask.dtype != np.bool_:
        return mask
    return np.where(mask, np.asarray(-np.inf, dtype), np.asarray(0.0, dtype))


class MultiheadAttention(Module):
    r"""Multi-head attention (``torch.nn.MultiheadAttention``).

    .. math::
        \text{MultiHead}(Q, K, V) = \text{Concat}(\text{head}_1, \dots, \text{head}_h) W^O, \quad
        \text{head}_i = \text{Attention}(Q W_i^Q, K W_i^K, V W_i^V)

    Each head attends in a ``embed_dim // num_heads`` subspace, so ``h`` heads cost the same as
    one full-width head and can look at different positions.

    Parameters have PyTorch's names and layout, so ``load_state_dict`` takes a
    ``torch.nn.MultiheadAttention`` state dict (as NumPy arrays) and gives the same outputs:
    ``in_proj_weight`` :math:`(3E, E)` (or ``q_proj_weight``, ``k_proj_weight``,
    ``v_proj_weight`` when ``kdim``/``vdim`` differ from ``embed_dim``), ``in_proj_bias``
    :math:`(3E)`, ``bias_k`` and ``bias_v`` :math:`(1, 1, E)` with ``add_bias_kv``, and ``out_proj``
    (a ``Linear(E, E)``). Initialisation as PyTorch: Xavier-uniform projections, zero biases,
    Xavier-normal ``bias_k`` and ``bias_v``.

    ``add_bias_kv`` appends one learned key and value (``bias_k``, ``bias_v``, after the input
    projection) to every sample's keys, and ``add_zero_attn`` then one all-zero key and value per
    head: each query can attend to "nothing in particular". Both add a key column to the masks
    (never masked) and to the returned weights, :math:`S + 1` or :math:`S + 2` keys in all.

    As in PyTorch, a True in a bool ``key_padding_mask`` or ``attn_mask`` means the key is
    **masked out** (the opposite of ``scaled_dot_product_attention``); float masks are added.
    Deliberate difference: a query whose keys are all masked gives zero weights (the output is then
    ``out_proj.bias``); PyTorch returns that too with ``need_weights=False`` but NaN with
    ``need_weights=True``.

    Args:
        embed_dim: model width :math:`E`.
        num_heads: number of heads; must divide ``embed_dim``.
        dropout: dropout on the attention weights in training. Default: 0.0.
        bias: learn ``in_proj_bias`` and ``out_proj.bias``. Default: True.
        add_bias_kv: learn ``bias_k`` and ``bias_v``, appended to the keys and values. Default: False.
        add_zero_attn: append a zero key and value (after ``bias_k``/``bias_v``). Default: False.
        kdim, vdim: feature sizes of key and value (default: ``embed_dim``).
        batch_first: inputs and outputs are :math:`(N, L, E)` instead of :math:`(L, N, E)`.
        device: only ``"cpu"`` or None. dtype: parameter dtype (default float32).

    Shape:
        - query :math:`(L, N, E)` (or :math:`(N, L, E)` with ``batch_first``, or unbatched
          :math:`(L, E)`); key :math:`(S, N, k_{dim})`; value :math:`(S, N, v_{dim})`.
        - key_padding_mask :math:`(N, S)` (unbatched :math:`(S)`); attn_mask :math:`(L, S)` or
          :math:`(N \cdot H, L, S)`.
        - Output: attn_output like query; attn_weights :math:`(N, L, S)` averaged over heads, or
          :math:`(N, H, L, S)` with ``average_attn_weights=False`` (:math:`S` counts the keys
          ``add_bias_kv`` and ``add_zero_attn`` append); None if not ``need_weights``.

    Example:
        >>> from tinytorch.tensor import randn
        >>> mha = MultiheadAttention(8, 2, batch_first=True)
        >>> x = randn(3, 5, 8)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        if device is not None and str(device) != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device {device!r}")
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"MultiheadAttention: dtype must be floating point, got {dtype}")
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"MultiheadAttention: {name} must be a positive int, got {value!r}")
        if embed_dim % num_heads:
            raise AssertionError(f"embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                                 f"and num_heads={num_heads}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout!r}")
        self.embed_dim = int(embed_dim)
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), np.float32))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), np.float32))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), np.float32))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), np.float32))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * E, np.float32))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, E), np.float32))
            self.bias_v = Parameter(np.empty((1, 1, E), np.float32))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = bool(add_zero_attn)
        self._reset_parameters()
        if dtype != np.float32:
            self.to(dtype)

    def _reset_parameters(self):
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight.data[...] = _xavier_uniform((3 * E, E), E, 3 * E)
        else:
            self.q_proj_weight.data[...] = _xavier_uniform((E, E), E, E)
            self.k_proj_weight.data[...] = _xavier_uniform((E, self.kdim), self.kdim, E)
            self.v_proj_weight.data[...] = _xavier_uniform((E, self.vdim), self.vdim, E)
        if self.in_proj_bias is not None:
            self.in_proj_bias.data[...] = 0.0
            self.out_proj.bias.data[...] = 0.0
        if self.bias_k is not None:
            xavier_normal_(self.bias_k)
            xavier_normal_(self.bias_v)

    def _projections(self):
        """``(W_q, W_k, W_v, b_q, b_k, b_v)``; slices of the packed weights are views (their
        gradients land in the packed parameter)."""
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        return weights + biases

    def _check_shapes(self, query, key, value, batched):
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"MultiheadAttention: {name} must be a Tensor, got {type(t).__name__}")
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(
                f"MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D (unbatched), "
                f"got shapes {query.shape}, {key.shape} and {value.shape}")
        for name, t, size in (("query", query, self.embed_dim), ("key", key, self.kdim), ("value", value, self.vdim)):
            if t.shape[-1] != size:
                raise AssertionError(f"MultiheadAttention: expected {name} with last dim {size}, "
                                     f"got shape {t.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise AssertionError(f"MultiheadAttention: key shape {key.shape} does not match value shape "
                                 f"{value.shape} (except in the last dim)")
        batch_dim = 0 if self.batch_first else 1
        if batched and query.shape[batch_dim] != key.shape[batch_dim]:
            raise AssertionError(f"MultiheadAttention: query {query.shape} and key {key.shape} have "
                                 "different batch sizes")

    def _merged_mask(self, attn_mask, key_padding_mask, N, L, S, dtype):
        """One mask for :func:`attention` of shape broadcastable to ``(N, H, L, S)``: bool with True =
        take part when both masks are bool, else additive float; None when there is none."""
        H = self.num_heads
        masks = []
        if attn_mask is not None:
            m = _mask_array(attn_mask, "attn_mask", dtype)
            if m.ndim == 2:
                if m.shape != (L, S):
                    raise RuntimeError(f"The shape of the 2D attn_mask is {m.shape}, but should be {(L, S)}.")
            elif m.ndim == 3:
                if m.shape != (N * H, L, S):
                    raise RuntimeError(f"The shape of the 3D attn_mask is {m.shape}, but should be "
                                       f"{(N * H, L, S)}.")
                m = m.reshape(N, H, L, S)
            else:
                raise RuntimeError(f"attn_mask's dimension {m.ndim} is not supported (expected 2 or 3)")
            masks.append(m)
        if key_padding_mask is not None:
            m = _mask_array(key_padding_mask, "key_padding_mask", dtype)
            if m.shape != (N, S):
                raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got {m.shape}")
            masks.append(m.reshape(N, 1, 1, S))
        if not masks:
            return None
        if all(m.dtype == np.bool_ for m in masks):
            blocked = masks[0] if len(masks) == 1 else masks[0] | masks[1]
            return ~blocked
        total = _additive(masks[0], dtype)
        for m in masks[1:]:
            total = total + _additive(m, dtype)
        return total

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Attend from ``query`` to ``key``/``value``; returns ``(attn_output, attn_weights)``.

        ``is_causal`` is a hint, as in PyTorch: ``attn_mask`` must then be the causal mask itself
        (an error without it).
        """
        batched = isinstance(query, Tensor) and query.ndim == 3
        self._check_shapes(query, key, value, batched)
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "tinytorch.attention.causal_mask to create it (True = take part; invert it).")
        # BEGIN SOLUTION
        if not batched:  # (L, E) -> (1, L, E)
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            if key_padding_mask is not None:
                kpm = key_padding_mask.data if isinstance(key_padding_mask, Tensor) else np.asarray(key_padding_mask)
                key_padding_mask = kpm.reshape(1, *kpm.shape)
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        N, L, E = query.shape
        S = key.shape[1]
        H, D = self.num_heads, self.head_dim
        wq, wk, wv, bq, bk, bv = self._projections()
        q = linear(query, wq, bq).reshape(N, L, H, D).transpose(1, 2)  # (N, H, L, D)
        k, v = linear(key, wk, bk), linear(value, wv, bv)  # (N, S, E)
        mask = self._merged_mask(attn_mask, key_padding_mask, N, L, S, query.dtype)
        extra = (self.bias_k is not None) + self.add_zero_attn  # keys appended to every sample
        if self.bias_k is not None:  # one learned key and value per sample: (N, S + 1, E)
            k = cat([k, self.bias_k.expand(N, 1, E)], dim=1)
            v = cat([v, self.bias_v.expand(N, 1, E)], dim=1)
        if self.add_zero_attn:  # then a zero key and value; zero in E is zero in every head
            k = cat([k, zeros(N, 1, E, dtype=k.dtype)], dim=1)
            v = cat([v, zeros(N, 1, E, dtype=v.dtype)], dim=1)
        if extra:
            S += extra
            mask = None if mask is None else _pad_keys(mask, extra)
        k = k.reshape(N, S, H, D).transpose(1, 2)  # (N, H, S, D)
        v = v.reshape(N, S, H, D).transpose(1, 2)  # (N, H, S, D)
        dropout_p = self.dropout if self.training else 0.0
        out, weights = attention(q, k, v, mask, dropout_p)  # (N, H, L, D), (N, H, L, S)
        out = self.out_proj(out.transpose(1, 2).reshape(N, L, E))  # (N, L, E)
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)  # back to (L, N, E)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)  # (N, L, S)
        return out, (weights.squeeze(0) if not batched else weights)
        # END SOLUTION

    def extra_repr(self):
        extra = ", add_bias_kv=True" if self.bias_k is not None else ""
        extra += ", add_zero_attn=True" if self.add_zero_attn else ""
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
                f"batch_first={self.batch_first}{extra}")
