"""GPT: token and position embeddings, a stack of pre-norm blocks, a final norm, a language-model head."""

import math
from collections import OrderedDict

import numpy as np

from tinytorch.embeddings import Embedding
from tinytorch.layers import Dropout, LayerNorm, Linear, Module, ModuleList
from tinytorch.losses import cross_entropy
from tinytorch.tensor import Tensor, default_generator, no_grad

from .blocks import Block
from .sampling import _check, sample_next_token

__all__ = ["GPT"]


def _as_ids(x, name):
    """``x`` (Tensor, ndarray or nested list of ints) as an int64 ndarray."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind not in "iu":
        raise TypeError(f"GPT: {name} must hold integer token ids, got dtype {data.dtype}")
    return data.astype(np.int64, copy=False)


class GPT(Module):
    r"""A decoder-only transformer language model (GPT-2's layout, nanoGPT's initialisation).

    .. math::
        h_0 = W_{te}[\text{idx}] + W_{pe}[\text{pos}], \quad h_{l} = \text{Block}_l(h_{l-1}),
        \quad \text{logits} = \text{LN}(h_L)\, W_{te}^T

    Initialisation as nanoGPT: every linear and embedding weight from :math:`\mathcal{N}(0, 0.02)`,
    biases zero, and the two residual projections of each block (``attn.c_proj``, ``mlp.c_proj``)
    from :math:`\mathcal{N}(0, 0.02/\sqrt{2 n_{layer}})`, so the residual stream's variance does
    not grow with depth. The initial logits are then nearly zero and the loss is close to
    :math:`\ln V`.

    Args:
        config: a :class:`GPTConfig`.

    Shape:
        - idx: :math:`(B, T)` int token ids; targets the same shape (``-100`` = ignored).
        - Output of ``forward``: ``(logits (B, T, V), loss or None)``.

    Example:
        >>> from tinytorch.tensor import manual_seed
        >>> from tinytorch.transformer import GPTConfig
        >>> _ = manual_seed(0)
        >>> model = GPT(GPTConfig(vocab_size=10, block_size=8, n_layer=2, n_head=2, n_embd=16))
        >>> logits, loss = model(Tensor([[1, 2, 3]]), targets=Tensor([[2, 3, 4]]))
        >>> logits.shape, round(loss.item(), 1)  # ln 10 = 2.3
        ((1, 3, 10), 2.3)
        >>> model.generate(Tensor([[1, 2]]), max_new_tokens=3, top_k=1).shape
        (1, 5)
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.wte = Embedding(config.vocab_size, config.n_embd)
        self.wpe = Embedding(config.block_size, config.n_embd)
        self.drop = Dropout(config.dropout)
        self.h = ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_weights:
            self.lm_head.weight = self.wte.weight  # one Parameter, two uses: gradients add up
        self._init_weights()

    def _init_weights(self):
        # BEGIN SOLUTION
        normal = default_generator.standard_normal
        for module in self.modules():
            if isinstance(module, (Linear, Embedding)):
                module.weight.data[...] = 0.02 * normal(module.weight.shape)
            if isinstance(module, Linear) and module.bias is not None:
                module.bias.data[...] = 0.0
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        for block in self.h:
            for proj in (block.attn.c_proj, block.mlp.c_proj):
                proj.weight.data[...] = residual_std * normal(proj.weight.shape)
        # END SOLUTION

    # ----- forward -----------------------------------------------------------------------------
    def _positions(self, B, T, past, position_ids):
        if position_ids is None:
            pos = np.arange(past, past + T, dtype=np.int64)  # (T,)
        else:
            pos = _as_ids(position_ids, "position_ids")
            if pos.shape not in ((T,), (B, T)):
                raise ValueError(f"GPT: position_ids must have shape ({T},) or ({B}, {T}), got {pos.shape}")
        if T and (pos.max() >= self.config.block_size or pos.min() < 0):
            raise ValueError(
                f"GPT: positions {pos.min()}..{pos.max()} do not fit block_size {self.config.block_size} "
                f"(sequence of {T} new tokens after {past} cached); crop the context to the last "
                f"{self.config.block_size} tokens")
        return pos

    def _mask(self, B, T, past, attention_mask):
        """Bool mask, True = take part: causal over ``past + T`` keys, and the padding mask; None when
        every key takes part."""
        S = past + T
        if attention_mask is None:
            # one new token sees every key: no mask at all (the common decode step)
            return None if T == 1 else np.tri(T, S, k=past, dtype=bool)  # query t is at past + t
        mask = np.tri(T, S, k=past, dtype=bool)  # (T, S)
        am = attention_mask.data if isinstance(attention_mask, Tensor) else np.asarray(attention_mask)
        if am.dtype != np.bool_ or am.shape != (B, S):
            raise ValueError(f"GPT: attention_mask must be a bool (B, T_past + T_new) = ({B}, {S}) mask, "
                             f"True = real token; got {am.dtype} of shape {am.shape}")
        return mask & am[:, None, None, :]  # (B, 1, T, S)

    def hidden_states(self, idx, cache=None, attention_mask=None, position_ids=None):
        """The final layer-normed hidden states :math:`(B, T, C)` (``forward`` without the head)."""
        ids = _as_ids(idx, "idx")
        if ids.ndim != 2:
            raise ValueError(f"GPT: idx must be (B, T) token ids, got shape {ids.shape}")
        B, T = ids.shape
        if T == 0:
            raise ValueError("GPT: idx has no tokens (T = 0)")
        past = 0 if cache is None else cache.seq_len
        pos = self._positions(B, T, past, position_ids)
        # BEGIN SOLUTION
        x = self.drop(self.wte(Tensor(ids)) + self.wpe(Tensor(pos)))  # (B, T, C)
        mask = self._mask(B, T, past, attention_mask)
        for i, block in enumerate(self.h):
            x = block(x, mask, i, cache)
        if cache is not None:
            cache.advance(T)
        return self.ln_f(x)
        # END SOLUTION

    def forward(self, idx, targets=None, cache=None, attention_mask=None, position_ids=None):
        """Logits for every position, and the mean cross-entropy against ``targets`` if given.

        Args:
            idx: :math:`(B, T)` int token ids, each in ``[0, vocab_size)``.
            targets: :math:`(B, T)` next-token ids, ``-100`` where no loss is wanted.
            cache: an object with the generation-cache protocol (:mod:`tinytorch.transformer.cache`):
                ``idx`` then holds only the new tokens, which come after ``cache.seq_len`` cached ones.
            attention_mask: bool :math:`(B, T_{past} + T)`, True = real token (left-padded batches).
            position_ids: :math:`(T,)` or :math:`(B, T)` positions of the new tokens
                (default: ``cache.seq_len`` onwards, or 0 onwards without a cache).

        Returns:
            ``(logits, loss)``: logits :math:`(B, T, V)`; loss a scalar Tensor or None.

        Raises:
            ValueError: positions beyond ``block_size``, wrong shapes. IndexError: a token id
            outside ``[0, vocab_size)`` (from the embedding, naming the id).
        """
        x = self.hidden_states(idx, cache, attention_mask, position_ids)
        logits = self.lm_head(x)  # (B, T, V)
        if targets is None:
            return logits, None
        B, T, V = logits.shape
        tgt = _as_ids(targets, "targets")
        if tgt.shape != (B, T):
            raise ValueError(f"GPT: targets must have idx's shape {(B, T)}, got {tgt.shape}")
        return logits, cross_entropy(logits.reshape(B * T, V), Tensor(tgt.reshape(B * T)))

    # ----- generation --------------------------------------------------------------------------
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
        """Append ``max_new_tokens`` sampled tokens to each row of ``idx`` ``(B, T)``.

        Each step feeds the last ``block_size`` tokens (the context is cropped), takes the last
        position's logits, and samples with :func:`~tinytorch.transformer.sampling.sample_next_token`
        (``top_k=1``: greedy). Runs under ``no_grad`` in eval mode (dropout off), then restores
        the model's mode. Every step recomputes the whole context; module 17's KV cache avoids that.

        Returns:
            int64 Tensor :math:`(B, T + \\text{max\\_new\\_tokens})`.
        """
        _check(temperature, top_k, top_p)
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"generate: max_new_tokens must be a non-negative int, got {max_new_tokens!r}")
        ids = _as_ids(idx, "idx")
        if ids.ndim != 2 or ids.shape[1] == 0:
            raise ValueError(f"generate: idx must be (B, T) token ids with T >= 1, got shape {ids.shape}")
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                # BEGIN SOLUTION
                for _ in range(max_new_tokens):
                    context = ids[:, -self.config.block_size:]  # (B, <= block_size)
                    last = self.hidden_states(Tensor(context))[:, -1, :]  # (B, C): only the last position
                    logits = self.lm_head(last).data  # (B, V)
                    next_id = sample_next_token(logits, temperature, top_k, top_p, generator)  # (B, 1)
                    ids = np.concatenate([ids, next_id], axis=1)
                # END SOLUTION
        finally:
            self.train(was_training)
        return Tensor(ids)

    # ----- systems insight ---------------------------------------------------------------------
    def parameter_counts(self):
        """Parameters by component (a tied ``lm_head`` counts 0: it is the token embedding).

        Example:
            >>> from tinytorch.transformer import GPTConfig
            >>> counts = GPT(GPTConfig(65, 64, 4, 4, 128)).parameter_counts()
            >>> counts["attention"], counts["mlp"], counts["total"]
            (264192, 526848, 809856)
        """
        def size(modules):
            return sum(p.data.size for m in modules for p in m.parameters())
        counts = OrderedDict()
        counts["token_embedding"] = self.wte.weight.data.size
        counts["position_embedding"] = self.wpe.weight.data.size
        counts["attention"] = size(b.attn for b in self.h)
        counts["mlp"] = size(b.mlp for b in self.h)
        counts["layer_norm"] = size([b.ln_1 for b in self.h] + [b.ln_2 for b in self.h] + [self.ln_f])
        counts["lm_head"] = 0 if self.lm_head.weight is self.wte.weight else self.lm_head.weight.data.size
        counts["total"] = sum(p.data.size for p in self.parameters())
        return counts

    def flops_per_token(self, seq_len, training=False):
        r"""Floating point operations per token at context ``seq_len`` (a multiply-add is 2).

        Forward: :math:`2 \times` (weights of every linear layer, including the head) for the
        matmuls, plus :math:`4 \cdot n_{layer} \cdot T \cdot C` for the attention scores and the
        weighted sum over :math:`T` keys. Training (forward + backward) is 3 times the forward.
        """
        matmul_weights = sum(m.weight.data.size for m in self.modules() if isinstance(m, Linear))
        forward = 2 * matmul_weights + 4 * self.config.n_layer * seq_len * self.config.n_embd
        return 3 * forward if training else forward

    def attention_matrix_bytes(self, batch_size, seq_len):
        """Bytes of the float32 attention matrices one forward pass keeps for backward:
        ``B * n_head * T^2 * n_layer * 4``."""
        return batch_size * self.config.n_head * seq_len * seq_len * self.config.n_layer * 4
