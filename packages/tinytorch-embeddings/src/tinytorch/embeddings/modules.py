"""``Embedding`` (``torch.nn.Embedding``) and ``LearnedPositionalEmbedding``, a table of one
vector per position."""

import numbers

import numpy as np

from tinytorch.layers import Module, Parameter
from tinytorch.tensor import Tensor, default_generator
from tinytorch.tensor import device as as_device

from . import functional as F


def _check_size(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def _float_dtype(dtype, owner):
    dtype = np.dtype(np.float32 if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"{owner}: dtype must be floating point, got {dtype}")
    return dtype


class Embedding(Module):
    r"""A lookup table of ``num_embeddings`` vectors of size ``embedding_dim`` (``torch.nn.Embedding``).

    Token id :math:`i` is mapped to row :math:`i` of the weight, so a batch of ids of shape
    :math:`(B, T)` becomes vectors :math:`(B, T, D)`. The forward pass is a gather and the
    gradient a scatter-add (:func:`tinytorch.embeddings.embedding`). The table has
    :math:`V \cdot D` parameters: for GPT-2 (50,257 × 768) that is 38.6 M, the largest single
    tensor of the model.

    Weights are drawn from :math:`\mathcal{N}(0, 1)` as in PyTorch (from
    ``tinytorch.tensor.default_generator``); the ``padding_idx`` row starts at zero and its
    gradient is always zero, so training never moves it.

    Args:
        num_embeddings: size of the vocabulary :math:`V`.
        embedding_dim: size of each vector :math:`D`.
        padding_idx: the row of the padding token (negative counts from the end). Default: None.
        max_norm, norm_type, scale_grad_by_freq, sparse: torch's options; only their defaults
            are supported (anything else raises NotImplementedError naming it).
        _weight: an initial (V, D) table to copy instead of drawing one (torch's private argument).
        _freeze: if True the weight does not require grad. Default: False.
        device: ``None`` or the CPU (the only device); another raises RuntimeError.
        dtype: floating point dtype of the weight. Default: float32.

    Shape:
        - Input: :math:`(*)`, integer ids in :math:`[0, V)`.
        - Output: :math:`(*, D)`.

    Attributes:
        weight: Parameter of shape :math:`(V, D)`.

    Unlike PyTorch: ``max_norm``, ``scale_grad_by_freq`` and ``sparse=True`` are refused.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> emb = Embedding(10, 3, padding_idx=0)
        >>> emb(Tensor([[0, 2, 4], [4, 3, 9]])).shape
        (2, 3, 3)
        >>> emb.weight[0].tolist()
        [0.0, 0.0, 0.0]
        >>> emb
        Embedding(10, 3, padding_idx=0)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        F.check_unsupported(type(self).__name__, max_norm, scale_grad_by_freq, sparse)
        if device is not None:
            as_device(device)  # the CPU passes; any other device raises, naming it
        self.num_embeddings = _check_size("num_embeddings", num_embeddings)
        self.embedding_dim = _check_size("embedding_dim", embedding_dim)
        self.padding_idx = F._check_padding_idx(padding_idx, self.num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        dtype = _float_dtype(dtype, type(self).__name__)
        shape = (self.num_embeddings, self.embedding_dim)
        self.weight = Parameter(np.empty(shape, dtype=dtype), requires_grad=not _freeze)
        if _weight is None:
            self.reset_parameters()
        else:
            table = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if table.shape != shape:
                raise ValueError(f"{type(self).__name__}: _weight has shape {table.shape}, expected {shape}")
            self.weight.data[...] = table

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An ``Embedding`` whose weight is a copy of the 2-d table ``embeddings``.

        Args:
            embeddings: Tensor or array of shape (V, D).
            freeze: if True the weight does not require grad. Default: True.
            padding_idx: as in the constructor (the given row is kept, not zeroed). Default: None.
            max_norm, norm_type, scale_grad_by_freq, sparse: as in the constructor.

        Example:
            >>> emb = Embedding.from_pretrained(Tensor([[1.0, 2.0], [3.0, 4.0]]))
            >>> emb(Tensor([1])), emb.weight.requires_grad
            (tensor([[3., 4.]]), False)
        """
        table = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if table.ndim != 2:
            raise ValueError(f"from_pretrained: embeddings must be 2-d (V, D), got shape {table.shape}")
        dtype = table.dtype if table.dtype.kind == "f" else np.float32
        return cls(*table.shape, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=table, _freeze=freeze,
                   dtype=dtype)

    def reset_parameters(self):
        """Redraw the weight from :math:`\\mathcal{N}(0, 1)` in place and zero the padding row."""
        # BEGIN SOLUTION
        w = self.weight.data
        w[...] = default_generator.standard_normal(w.shape)
        if self.padding_idx is not None:
            w[self.padding_idx] = 0
        # END SOLUTION

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text


class LearnedPositionalEmbedding(Embedding):
    r"""One learned vector per position ``0 .. num_positions - 1`` (GPT-2's ``wpe``).

    An :class:`Embedding` looked up by position instead of by token id; the sum of token and
    position embeddings tells the model *what* is where. ``num_positions`` is the longest context
    the model can see: a longer sequence is an error, not a silent wrap-around.

    Args:
        num_positions: number of positions (the context length).
        embedding_dim: size of each vector :math:`D`.
        dtype: floating point dtype of the weight. Default: float32.

    Shape:
        - Input: an int :math:`T` (positions ``offset .. offset + T - 1``), or an integer
          Tensor of position ids :math:`(*)`.
        - Output: :math:`(T, D)` for an int (broadcasts against :math:`(B, T, D)`), else :math:`(*, D)`.

    Not in PyTorch (which spells it ``nn.Embedding(block_size, n_embd)`` plus ``arange``).

    Example:
        >>> from tinytorch.tensor import randn
        >>> wpe = LearnedPositionalEmbedding(64, 8)
        >>> x = randn(2, 10, 8)
        >>> (x + wpe(10)).shape
        (2, 10, 8)
        >>> wpe(3, offset=10).shape  # the next 3 positions after a cached prefix of 10
        (3, 8)
    """

    def __init__(self, num_positions, embedding_dim, dtype=None):
        super().__init__(num_positions, embedding_dim, dtype=dtype)

    @property
    def num_positions(self):
        return self.num_embeddings

    def forward(self, input, offset=0):
        if isinstance(input, Tensor):
            if offset:
                raise ValueError("offset applies to an int sequence length, not to position ids")
            return F.embedding(input, self.weight)
        length = _check_size("sequence length", input)
        offset = _check_size("offset", offset)
        if offset + length > self.num_embeddings:
            raise IndexError(
                f"positions {offset}..{offset + length - 1} do not fit a table of "
                f"{self.num_embeddings} positions (the longest context this model sees); "
                "crop the sequence"
            )
        return F.embedding(Tensor(np.arange(offset, offset + length)), self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"
