"""The configuration and the pieces of a GPT: causal self-attention, the MLP and the pre-norm block.

Names follow nanoGPT (``c_attn``, ``c_proj``, ``c_fc``, ``ln_1``, ``ln_2``), so its recipes read
across directly.
"""

import numbers
from dataclasses import dataclass

from tinytorch.activations import GELU
from tinytorch.attention import attention
from tinytorch.layers import Dropout, LayerNorm, Linear, Module, linear
from tinytorch.tensor import is_grad_enabled

__all__ = ["GPTConfig", "CausalSelfAttention", "MLP", "Block"]


@dataclass
class GPTConfig:
    """Sizes of a GPT.

    Args:
        vocab_size: number of token ids :math:`V`.
        block_size: longest context (number of learned positions).
        n_layer: number of transformer blocks.
        n_head: attention heads per block; must divide ``n_embd``.
        n_embd: model width :math:`C`.
        dropout: dropout after embeddings, on attention weights and on each residual branch.
        bias: biases in the linear layers and layer norms (nanoGPT's switch).
        tie_weights: share the token embedding with the output projection (GPT-2 does).

    Example:
        >>> GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128).n_embd // 4
        32
    """

    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    n_embd: int
    dropout: float = 0.0
    bias: bool = True
    tie_weights: bool = True

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"GPTConfig: {name} must be a positive int, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_head ({self.n_head}) must divide n_embd ({self.n_embd})")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, numbers.Real) \
                or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout!r}")


class CausalSelfAttention(Module):
    r"""Multi-head self-attention in which a token sees only itself and earlier tokens.

    One packed projection ``c_attn`` (:math:`C \to 3C`) makes queries, keys and values. In
    training its three row blocks are used as separate weights (views), so no activation is split
    and backward scatters nothing; without a graph (generation) it is one GEMM. The
    heads are a reshape ``(B, T, C) -> (B, H, T, C / H)``: one batched attention for all of them.

    Shape:
        - Input: :math:`(B, T, C)`; ``mask`` None or a bool ndarray broadcastable to :math:`(B, H, T, S)`,
          True = take part. Output: :math:`(B, T, C)`.
    """

    def __init__(self, config):
        super().__init__()
        C = config.n_embd
        self.n_head = config.n_head
        self.n_embd = C
        self.c_attn = Linear(C, 3 * C, bias=config.bias)
        self.c_proj = Linear(C, C, bias=config.bias)
        self.attn_dropout = float(config.dropout)
        self.resid_dropout = Dropout(config.dropout)

    def forward(self, x, mask, layer_idx=0, cache=None):
        # BEGIN SOLUTION
        B, T, C = x.shape
        H, D = self.n_head, C // self.n_head
        if is_grad_enabled():
            # training: multiply by the three row blocks of the packed weight (views), so backward
            # never scatters gradients into a (B, T, 3C) buffer
            w, b = self.c_attn.weight, self.c_attn.bias
            q, k, v = (linear(x, w[i * C:(i + 1) * C], None if b is None else b[i * C:(i + 1) * C])
                       for i in range(3))
        else:
            # no graph (generation): one GEMM, then views of its three column blocks
            qkv = self.c_attn(x)  # (B, T, 3C)
            q, k, v = (qkv[..., i * C:(i + 1) * C] for i in range(3))
        q, k, v = (t.reshape(B, T, H, D).transpose(1, 2) for t in (q, k, v))  # 3 x (B, H, T, D)
        if cache is not None:
            k, v = cache.update(layer_idx, k, v)  # (B, H, S, D), S = cached + T
        dropout_p = self.attn_dropout if self.training else 0.0
        y, _ = attention(q, k, v, mask, dropout_p)  # (B, H, T, D)
        y = y.transpose(1, 2).reshape(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))
        # END SOLUTION


class MLP(Module):
    """Position-wise feed-forward network: ``C -> 4C``, GELU, ``4C -> C``, dropout."""

    def __init__(self, config):
        super().__init__()
        C = config.n_embd
        self.c_fc = Linear(C, 4 * C, bias=config.bias)
        self.gelu = GELU()
        self.c_proj = Linear(4 * C, C, bias=config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x):
        # BEGIN SOLUTION
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))
        # END SOLUTION


class Block(Module):
    r"""A pre-norm transformer block: :math:`x + \text{Attn}(\text{LN}(x))`, then
    :math:`x + \text{MLP}(\text{LN}(x))`.

    Normalising the branch inputs and leaving the residual path untouched lets gradients reach
    early layers unchanged (GPT-2's arrangement, easier to train than the original post-norm).
    """

    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, mask, layer_idx=0, cache=None):
        # BEGIN SOLUTION
        x = x + self.attn(self.ln_1(x), mask, layer_idx, cache)
        return x + self.mlp(self.ln_2(x))
        # END SOLUTION
