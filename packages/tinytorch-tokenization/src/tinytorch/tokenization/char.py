"""``CharTokenizer``: one id per character, the vocabulary read off a text."""

import numpy as np

from .base import Tokenizer, check_special_tokens
from .io import TokenizerFileError, read_special_tokens, read_tokenizer_json, write_json_atomic


def _codepoints(text):
    """The Unicode code points of ``text`` as a uint32 array, without a Python loop."""
    # UTF-32 is one 4-byte unit per code point; surrogatepass keeps lone surrogates, which a
    # Python str may hold, instead of failing on them.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


class CharTokenizer(Tokenizer):
    r"""A character-level tokenizer: id :math:`i` is the :math:`i`-th character of the vocabulary.

    The vocabulary of :meth:`from_text` is the sorted set of characters of a text (65 for Tiny
    Shakespeare), so sequences are as long as the text and the embedding table is tiny; special
    tokens (e.g. ``"<|endoftext|>"``, ``"<|pad|>"``) get the ids after the characters.

    Args:
        chars: the characters in id order (a string or a sequence of 1-character strings; an
            empty one gives a tokenizer that can encode only special tokens).
        special_tokens: special token strings, ids ``len(chars)``, ``len(chars) + 1``, ...

    Example:
        >>> tok = CharTokenizer.from_text("hello world", special_tokens=["<|pad|>"])
        >>> tok.vocab_size
        9
        >>> tok.encode("hello")
        [3, 2, 4, 4, 5]
        >>> tok.decode([3, 2, 4, 4, 5])
        'hello'
        >>> ids, mask = tok.encode_batch(["he", "low"])
        >>> ids.tolist(), mask.tolist()
        ([[3, 2, 8], [4, 5, 7]], [[True, True, False], [True, True, True]])
    """

    def __init__(self, chars, special_tokens=()):
        chars = list(chars)
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"CharTokenizer: every vocabulary entry must be one character, got {c!r}")
        if len(set(chars)) != len(chars):
            raise ValueError("CharTokenizer: the vocabulary has a repeated character")
        self.chars = "".join(chars)
        self.special_tokens = check_special_tokens(special_tokens, len(chars))
        codes = _codepoints(self.chars)
        self._order = np.argsort(codes, kind="stable")  # ids sorted by code point
        self._sorted_codes = codes[self._order]
        self._strings = chars + list(self.special_tokens)  # id -> text

    @classmethod
    def from_text(cls, text, special_tokens=()):
        """A tokenizer whose vocabulary is the sorted set of characters of ``text``.

        Raises:
            ValueError: ``text`` is empty (the vocabulary would be empty and every encode fail).
        """
        if not isinstance(text, str):
            raise TypeError(f"from_text expects a str, got {type(text).__name__}")
        if not text:
            raise ValueError("from_text: the text is empty, so there is no vocabulary to learn; pass the corpus")
        return cls(sorted(set(text)), special_tokens)

    @property
    def vocab_size(self):
        return len(self._strings)

    def _encode_ordinary(self, text):
        # BEGIN SOLUTION
        codes = _codepoints(text)  # (N,)
        if self._sorted_codes.size == 0:
            pos = np.zeros(codes.shape, dtype=np.intp)
            known = np.zeros(codes.shape, dtype=bool)
        else:
            pos = np.searchsorted(self._sorted_codes, codes).clip(max=self._sorted_codes.size - 1)
            known = self._sorted_codes[pos] == codes
        if not known.all():
            i = int(np.argmin(known))
            raise ValueError(
                f"character {text[i]!r} (U+{ord(text[i]):04X}) at position {i} is not in the "
                f"vocabulary of {len(self.chars)} characters"
            )
        return self._order[pos].tolist()
        # END SOLUTION

    def decode(self, ids):
        """The text of ``ids`` (special tokens decode to their text)."""
        # BEGIN SOLUTION
        strings = self._strings
        return "".join(map(strings.__getitem__, self._check_ids(ids).tolist()))
        # END SOLUTION

    def save(self, path):
        """Write the tokenizer to ``path`` as JSON (atomically: the old file survives a crash)."""
        write_json_atomic(path, {
            "format": "tinytorch-tokenizer", "version": 1, "type": "char",
            "chars": self.chars, "special_tokens": self.special_tokens,
        })

    @classmethod
    def load(cls, path):
        """The tokenizer saved at ``path``; raises :class:`TokenizerFileError` naming what is wrong."""
        payload = read_tokenizer_json(path, "char")
        chars = payload.get("chars")
        if not isinstance(chars, str) or len(set(chars)) != len(chars):
            raise TokenizerFileError(f"{path}: chars must be a string of distinct characters")
        specials = read_special_tokens(payload.get("special_tokens", {}), path, len(chars))
        return cls(chars, sorted(specials, key=specials.get))

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size}, special_tokens={list(self.special_tokens)})"
