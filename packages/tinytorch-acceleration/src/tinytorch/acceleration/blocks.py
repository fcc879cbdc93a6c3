"""Fused forms of the transformer's MLP and causal self-attention (nanoGPT layout).

:func:`~tinytorch.acceleration.accelerate` recognises these blocks by their parts, as module 13
builds them, without importing module 13:

- an MLP: children ``c_fc`` (Linear), ``gelu`` (exact GELU), ``c_proj`` (Linear), ``dropout``,
  computing ``dropout(c_proj(gelu(c_fc(x))))``: the first two become one :func:`linear_act`;
- a causal self-attention: children ``c_attn`` (Linear C -> 3C), ``c_proj``, ``resid_dropout``,
  attributes ``n_head`` and ``attn_dropout`` and ``forward(x, mask, layer_idx, cache)`` speaking
  the generation-cache protocol: the score / mask / softmax / weighted-sum chain becomes one
  fused attention kernel with its own rule.

The fused blocks share the original Parameters and compute the same function.
"""

from tinytorch.layers import Module, linear

from . import functional as F

__all__ = ["FusedMLP", "FusedCausalSelfAttention"]


def _adopt(new, old):
    for key, value in old.__dict__.items():
        new.__dict__[key] = value.copy() if isinstance(value, (dict, set)) else value
    return new


class FusedMLP(Module):
    """``dropout(c_proj(gelu(c_fc(x))))`` with ``gelu(c_fc(x))`` as one fused kernel."""

    @classmethod
    def from_module(cls, mlp):
        return _adopt(cls.__new__(cls), mlp)

    def forward(self, x):
        h = F.linear_act(x, self.c_fc.weight, self.c_fc.bias, "gelu")  # (B, T, 4C)
        return self.dropout(self.c_proj(h))


class FusedCausalSelfAttention(Module):
    """Causal self-attention whose attention core is :func:`scaled_dot_product_attention`."""

    @classmethod
    def from_module(cls, attn):
        return _adopt(cls.__new__(cls), attn)

    def forward(self, x, mask, layer_idx=0, cache=None):
        B, T, C = x.shape
        H, D = self.n_head, C // self.n_head
        w, b = self.c_attn.weight, self.c_attn.bias
        q, k, v = (linear(x, w[i * C:(i + 1) * C], None if b is None else b[i * C:(i + 1) * C])
                   .reshape(B, T, H, D).transpose(1, 2) for i in range(3))  # 3 x (B, H, T, D)
        if cache is not None:
            k, v = cache.update(layer_idx, k, v)  # (B, H, S, D)
        if self.training and self.attn_dropout > 0:
            raise NotImplementedError("FusedCausalSelfAttention has no attention dropout; train with dropout=0")
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, H, T, D)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))
