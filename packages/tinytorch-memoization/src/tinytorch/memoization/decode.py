r"""A graph-free forward for decoding: the GPT's own kernels on ndarrays, no Tensor per op.

With a KV cache, one decode step of a small GPT does almost no arithmetic — for the 2017 model
(4 layers, width 128) about 1.6 MFLOP — but through ``GPT.forward`` it runs ~97 recorded ops and
~46 module calls, each with its argument checks, dtype promotion and Tensor wrapping. Measured
with cProfile, that bookkeeping is most of the step, so the cache alone bought little over
recomputation.

:class:`GraphFreeGPT` runs exactly the computation of
:meth:`tinytorch.transformer.GPT.forward` under ``no_grad`` in eval mode, on the model's own
parameter arrays (looked up once, when it is built, and the linear weights transposed once into
an ``(in, out)`` copy — the model's size again, for the decoder's lifetime; build it again after
changing a weight; :func:`~tinytorch.memoization.generate` builds one per call), with the same kernels its layers call
(the GEMM of ``tinytorch.tensor.ops.linear``, ``tinytorch.activations.ops.gelu``,
``tinytorch.attention.ops.masked_softmax``) in the same order: one NumPy call per kernel, no
graph, no mask at all for a single new position (it sees every cached key). It only
takes a model it can reproduce exactly — a :class:`~tinytorch.transformer.GPT` built of the stock
blocks, layers and activations, with no forward hooks; :func:`GraphFreeGPT.supports` says
whether it does, and :func:`~tinytorch.memoization.generate` falls back to ``model.forward``
otherwise (an ``accelerate()``-d, quantized or hooked model). Logits agree with ``model.forward``
to float32 round-off (tested within 1e-5, and greedy tokens identical).
"""

import math

import numpy as np

from tinytorch.activations import GELU
from tinytorch.activations import ops as act_ops
from tinytorch.attention import ops as attn_ops
from tinytorch.embeddings import Embedding
from tinytorch.layers import Dropout, LayerNorm, Linear
from tinytorch.transformer import GPT
from tinytorch.transformer.blocks import MLP, Block, CausalSelfAttention

__all__ = ["GraphFreeGPT"]

# The exact classes whose forward this module reproduces: a subclass may compute something else.
_STOCK = {"block": Block, "attn": CausalSelfAttention, "mlp": MLP, "ln": LayerNorm,
          "linear": Linear, "gelu": GELU, "drop": Dropout, "emb": Embedding}


def _plain(module, cls):
    # Modules of tinytorch.layers carry hook dicts; a module without them cannot be hooked.
    return type(module) is cls and not getattr(module, "_forward_pre_hooks", None) \
        and not getattr(module, "_forward_hooks", None)


def _arrays(layer):
    """``(weight, bias, eps)`` ndarrays of a LayerNorm (None where it has none)."""
    weight, bias = layer.weight, layer.bias
    return (None if weight is None else weight.data, None if bias is None else bias.data,
            np.float32(layer.eps))


def _linear_arrays(layer):
    """``(weight^T, bias, None)`` of a Linear, the weight laid out ``(in, out)`` row-major once:
    BLAS multiplies a few rows by it 1.2-1.8x faster than by the transposed view (measured)."""
    return np.ascontiguousarray(layer.weight.data.T), None if layer.bias is None else layer.bias.data, None


def _layer_norm(x, ln):
    # tinytorch.layers.layer_norm's composite, in the same order, on (N, C) arrays; add.reduce / C
    # is what ndarray.mean computes, without its Python wrapper.
    weight, bias, eps = ln
    C = x.shape[-1]
    centred = x - np.add.reduce(x, axis=-1, keepdims=True) / C
    var = np.add.reduce(centred * centred, axis=-1, keepdims=True) / C  # biased
    var += eps
    out = centred * np.power(var, np.float32(-0.5), out=var)  # module 03's multiply by (var + eps)^-1/2
    if weight is not None:
        out *= weight
    if bias is not None:
        out += bias
    return out


def _linear(x, layer):
    # tinytorch.tensor.ops.linear's computation on a 2-D (N, in) input: one GEMM.
    weight_t, bias, _ = layer
    out = x @ weight_t  # (N, in) @ (in, out)
    if bias is not None:
        out += bias
    return out


def _softmax(scores, mask):
    """Softmax over the last dim; the fused masked kernel when there is a mask."""
    if mask is not None:
        return attn_ops.masked_softmax(scores, mask)
    out = scores - scores.max(axis=-1, keepdims=True)  # every key takes part: no -inf rows
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


class GraphFreeGPT:
    r"""``GPT.forward``'s inference computation on ndarrays, for cached decoding.

    Args:
        model: a stock :class:`~tinytorch.transformer.GPT` (see :meth:`supports`).

    Example:
        >>> import numpy as np
        >>> from tinytorch.tensor import Tensor, manual_seed
        >>> from tinytorch.transformer import GPTConfig
        >>> _ = manual_seed(0)
        >>> model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=8)).eval()
        >>> ids = np.array([[1, 2, 3]])
        >>> fast = GraphFreeGPT(model).last_logits(ids)
        >>> bool(np.allclose(fast, model(Tensor(ids))[0].data[:, -1], atol=1e-6))
        True
    """

    def __init__(self, model):
        if not self.supports(model):
            raise TypeError(f"GraphFreeGPT: {type(model).__name__} is not a stock GPT without hooks")
        self.model = model
        c = model.config
        self.n_head, self.head_dim = c.n_head, c.n_embd // c.n_head
        self.scale = np.float32(1.0 / math.sqrt(self.head_dim))
        # Module attribute lookups cost more than a small kernel: take the arrays once, per block.
        self.blocks = [(_arrays(b.ln_1), _linear_arrays(b.attn.c_attn), _linear_arrays(b.attn.c_proj),
                        _arrays(b.ln_2), _linear_arrays(b.mlp.c_fc), b.mlp.gelu.approximate,
                        _linear_arrays(b.mlp.c_proj)) for b in model.h]
        self.wte, self.wpe = model.wte.weight.data, model.wpe.weight.data
        self.ln_f, self.lm_head = _arrays(model.ln_f), _linear_arrays(model.lm_head)

    @staticmethod
    def supports(model):
        """True when ``model`` is a :class:`GPT` of stock parts, no hooks, and not training with
        dropout (whose random masks this path does not draw)."""
        if not _plain(model, GPT) or (model.training and model.config.dropout > 0):
            return False
        parts = [(model.wte, "emb"), (model.wpe, "emb"), (model.drop, "drop"), (model.ln_f, "ln"),
                 (model.lm_head, "linear")]
        for block in model.h:
            parts += [(block, "block"), (block.ln_1, "ln"), (block.ln_2, "ln"), (block.attn, "attn"),
                      (block.attn.c_attn, "linear"), (block.attn.c_proj, "linear"),
                      (block.attn.resid_dropout, "drop"), (block.mlp, "mlp"), (block.mlp.c_fc, "linear"),
                      (block.mlp.gelu, "gelu"), (block.mlp.c_proj, "linear"), (block.mlp.dropout, "drop")]
        return all(_plain(m, _STOCK[kind]) for m, kind in parts) and all(
            ln.normalized_shape == (model.config.n_embd,) for ln in model.modules() if type(ln) is LayerNorm)

    def last_logits(self, ids, cache=None, attention_mask=None, position_ids=None):
        r"""Logits of the last position, :math:`(B, V)`, for ``ids`` :math:`(B, T)` after what
        ``cache`` holds (then written into it and advanced), as ``model(ids, cache=cache,
        attention_mask=attention_mask, position_ids=position_ids)[0][:, -1]``.

        ``position_ids``: :math:`(T,)` or :math:`(B, T)` (default: ``cache.seq_len`` onwards).
        ``attention_mask``: bool :math:`(B, T_{past} + T)`, True = real token. Callers check
        ids, positions and shapes (:func:`~tinytorch.memoization.generate` does).
        """
        B, T = ids.shape
        past = 0 if cache is None else cache.seq_len
        S = past + T
        pos = np.arange(past, S) if position_ids is None else position_ids
        x = (self.wte[ids] + self.wpe[pos]).reshape(B * T, -1)  # (B*T, C)
        mask = None if T == 1 else np.tri(T, S, k=past, dtype=bool)  # one query sees every key
        if attention_mask is not None:
            pad = attention_mask[:, None, None, :]  # (B, 1, 1, S)
            mask = pad if mask is None else mask & pad
        H, D = self.n_head, self.head_dim
        for i, (ln_1, c_attn, attn_proj, ln_2, c_fc, approximate, mlp_proj) in enumerate(self.blocks):
            qkv = _linear(_layer_norm(x, ln_1), c_attn)  # (B*T, 3C)
            q, k, v = qkv.reshape(B, T, 3, H, D).transpose(2, 0, 3, 1, 4)  # 3 x (B, H, T, D) views
            if cache is not None:
                k, v = cache.write(i, k, v)  # (B, H, S, D) views of the buffers
            scores = (q * self.scale) @ k.swapaxes(-1, -2)  # (B, H, T, S)
            y = _softmax(scores, mask) @ v  # (B, H, T, D)
            x = x + _linear(y.transpose(0, 2, 1, 3).reshape(B * T, H * D), attn_proj)
            x = x + _linear(act_ops.gelu(_linear(_layer_norm(x, ln_2), c_fc), approximate), mlp_proj)
        if cache is not None:
            cache.advance(T)
        x = x.reshape(B, T, -1)[:, -1]  # (B, C): the head on the last position only
        return _linear(_layer_norm(x, self.ln_f), self.lm_head)  # (B, V)
