"""What every tokenizer shares: special tokens, id checks and batch encoding with padding.

A tokenizer maps text to a list of integer ids and back. Subclasses provide the vocabulary
(``vocab_size``), the encoding of ordinary text (``_encode_ordinary``) and ``decode``; this base
class adds special tokens with tiktoken's rules (a special token's text in the input is an error
unless it is allowed, and then it becomes its one id) and ``encode_batch``, which pads and
truncates a list of texts into an ``(B, T)`` id tensor plus the attention mask.
"""

import numbers
import re
from typing import NamedTuple

import numpy as np

from tinytorch.tensor import Tensor

PAD_TOKEN = "<|pad|>"
"""The special token ``encode_batch`` pads with when no ``pad_id`` is given."""


class BatchEncoding(NamedTuple):
    """The result of :meth:`Tokenizer.encode_batch`: unpacks as ``ids, mask = ...``."""

    input_ids: Tensor
    """(B, T) int64 ids, padded with the pad id."""
    attention_mask: Tensor
    """(B, T) bool, True where a real token is (False on padding)."""


def check_special_tokens(special_tokens, first_id):
    """``special_tokens`` (an iterable of strings) as a dict token -> id counting from ``first_id``."""
    if isinstance(special_tokens, str):
        raise TypeError(f"special_tokens must be a list of strings, got the string {special_tokens!r}")
    tokens = list(special_tokens)
    for token in tokens:
        if not isinstance(token, str) or not token:
            raise ValueError(f"a special token must be a non-empty string, got {token!r}")
    if len(set(tokens)) != len(tokens):
        raise ValueError(f"special tokens must be unique, got {tokens}")
    return {token: first_id + i for i, token in enumerate(tokens)}


class Tokenizer:
    """Base class of :class:`CharTokenizer` and :class:`BPETokenizer` (see module docstring)."""

    special_tokens = {}
    """Special token text -> id; their ids follow the ordinary vocabulary."""

    @property
    def vocab_size(self):
        """Number of ids: the ordinary vocabulary plus the special tokens."""
        raise NotImplementedError

    def __len__(self):
        return self.vocab_size

    def _encode_ordinary(self, text):
        raise NotImplementedError

    def decode(self, ids):
        raise NotImplementedError

    # ----- encoding with special tokens ---------------------------------------------------------
    def encode_ordinary(self, text):
        """``text`` as ids, with special tokens' text treated as ordinary text."""
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}")
        return self._encode_ordinary(text)

    def encode(self, text, allowed_special=frozenset(), disallowed_special="all"):
        """``text`` as a list of ids.

        Args:
            text: the string to encode.
            allowed_special: ``"all"`` or a set of special tokens whose text in ``text`` becomes
                their id. Default: none.
            disallowed_special: ``"all"`` (every special token not allowed) or a set of special
                tokens whose text in ``text`` is an error; the text of a special token that is
                neither is encoded as ordinary text. Default: ``"all"`` (tiktoken's rule, which
                keeps user text from injecting control tokens).

        Raises:
            ValueError: ``text`` contains a disallowed special token (named, with its position).
        """
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}")
        allowed = self._special_set(allowed_special, "allowed_special")
        if disallowed_special == "all":
            disallowed = set(self.special_tokens) - allowed
        else:
            disallowed = self._special_set(disallowed_special, "disallowed_special")
        if disallowed:
            found = _special_pattern(disallowed).search(text)
            if found:
                raise ValueError(
                    f"text contains the special token {found.group()!r} at position {found.start()}; "
                    f"pass allowed_special={{{found.group()!r}}} to encode it as its id, or "
                    "disallowed_special=() to encode it as ordinary text"
                )
        if not allowed:
            return self._encode_ordinary(text)
        ids = []
        start = 0
        for match in _special_pattern(allowed).finditer(text):
            ids += self._encode_ordinary(text[start:match.start()])
            ids.append(self.special_tokens[match.group()])
            start = match.end()
        ids += self._encode_ordinary(text[start:])
        return ids

    def _special_set(self, value, name):
        if value == "all":
            return set(self.special_tokens)
        if isinstance(value, str):
            raise TypeError(f'{name} must be "all" or a set of special tokens, got the string {value!r}')
        value = set(value)
        unknown = value - set(self.special_tokens)
        if unknown:
            raise ValueError(
                f"{name}: {sorted(unknown)} are not special tokens of this tokenizer "
                f"(it has {sorted(self.special_tokens)})"
            )
        return value

    # ----- ids ------------------------------------------------------------------------------------
    def _check_ids(self, ids):
        """``ids`` (list, tuple, ndarray or Tensor of ints) as a 1-d int64 array, range-checked."""
        data = ids.data if isinstance(ids, Tensor) else ids
        if isinstance(data, (str, bytes)) or isinstance(data, numbers.Number):
            raise TypeError(f"decode expects a sequence of int ids, got {type(ids).__name__}")
        array = np.asarray(data)
        if array.size == 0:
            return np.zeros(0, dtype=np.int64)
        if array.dtype.kind not in "iu":
            raise TypeError(f"decode expects integer ids, got dtype {array.dtype}")
        if array.ndim != 1:
            raise ValueError(f"decode expects a 1-d sequence of ids, got shape {array.shape}")
        low, high = array.min(), array.max()
        if low < 0 or high >= self.vocab_size:
            bad = low if low < 0 else high
            raise IndexError(
                f"token id {bad.item()} is out of range for a vocabulary of {self.vocab_size} "
                f"(expected 0 <= id < {self.vocab_size})"
            )
        return array.astype(np.int64, copy=False)

    # ----- batches ------------------------------------------------------------------------------
    def encode_batch(self, texts, padding="longest", truncation=False, max_length=None,
                     padding_side="right", pad_id=None, allowed_special=frozenset(),
                     disallowed_special="all"):
        """Encode a list of texts into one padded id tensor and its attention mask.

        Args:
            texts: list of strings.
            padding: ``"longest"`` (or True) pads to the longest sequence, ``"max_length"`` to
                ``max_length``, ``"do_not_pad"`` (or False) requires equal lengths.
                Default: ``"longest"``.
            truncation: cut each sequence to ``max_length`` ids (keeps the first). Default: False.
            max_length: the length for truncation and ``padding="max_length"``.
            padding_side: ``"right"`` or ``"left"`` (left-padded prompts for batched generation).
            pad_id: the id of padding positions. Default: the id of ``"<|pad|>"`` when that is a
                special token (needed only when some sequence is padded).
            allowed_special, disallowed_special: as in :meth:`encode`.

        Returns:
            BatchEncoding: ``input_ids`` (B, T) int64 and ``attention_mask`` (B, T) bool.

        Raises:
            ValueError: a sequence is longer than ``max_length`` without truncation; lengths
                differ without padding; padding is needed but there is no pad id.
        """
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError("encode_batch expects a list of strings (use encode for one string)")
        if padding is True:
            padding = "longest"
        elif padding is False:
            padding = "do_not_pad"
        if padding not in ("longest", "max_length", "do_not_pad"):
            raise ValueError(f'padding must be "longest", "max_length", "do_not_pad" or a bool, got {padding!r}')
        if padding_side not in ("right", "left"):
            raise ValueError(f'padding_side must be "right" or "left", got {padding_side!r}')
        if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, numbers.Integral) or max_length < 0):
            raise ValueError(f"max_length must be a non-negative int, got {max_length!r}")
        if (truncation or padding == "max_length") and max_length is None:
            raise ValueError("truncation and padding='max_length' need max_length")

        seqs = [self.encode(t, allowed_special, disallowed_special) for t in texts]
        if truncation:
            seqs = [s[:max_length] for s in seqs]
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)  # (B,)
        if padding == "max_length":
            if lengths.size and lengths.max() > max_length:
                i = int(lengths.argmax())
                raise ValueError(
                    f"text {i} has {lengths[i]} tokens, more than max_length={max_length}; pass truncation=True"
                )
            width = max_length
        else:
            width = int(lengths.max()) if lengths.size else 0
            if padding == "do_not_pad" and lengths.size and lengths.min() != width:
                raise ValueError(
                    f"sequences have different lengths {lengths.tolist()}; pass padding=True"
                )
        if pad_id is None:
            pad_id = self.special_tokens.get(PAD_TOKEN)
            if pad_id is None and (lengths < width).any():
                raise ValueError(
                    f"padding needs a pad id: this tokenizer has no {PAD_TOKEN!r} special token; pass "
                    "pad_id= (e.g. the id of <|endoftext|>) or build it with that special token"
                )
        elif isinstance(pad_id, bool) or not isinstance(pad_id, numbers.Integral) or not 0 <= pad_id < self.vocab_size:
            raise ValueError(f"pad_id must be an id in [0, {self.vocab_size}), got {pad_id!r}")

        positions = np.arange(width)  # (T,)
        if padding_side == "right":
            mask = positions < lengths[:, None]  # (B, T)
        else:
            mask = positions >= (width - lengths)[:, None]
        ids = np.full(mask.shape, 0 if pad_id is None else pad_id, dtype=np.int64)
        # Row-major order of the True cells is each sequence in turn, left to right.
        ids[mask] = np.fromiter((i for s in seqs for i in s), dtype=np.int64, count=int(lengths.sum()))
        return BatchEncoding(Tensor(ids), Tensor(mask))


def _special_pattern(tokens):
    # Longest first, so that a special token that is a prefix of another never wins over it.
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)))
