"""``BPETokenizer``: byte-level BPE with GPT-2's pre-tokenisation, trained by us, encoded fast.

Encoding a piece of text with a BPE vocabulary (``ranks``: token bytes -> id, lower id = learned
earlier) starts from its UTF-8 bytes and keeps merging the adjacent pair whose concatenation has
the lowest rank, until no adjacent pair is a token. :func:`bpe_merge` is that loop in plain
Python. The same ranks also build a ``tiktoken.Encoding``, which runs the identical algorithm in
Rust; it is the default backend, and the two are tested to give the same ids.

Because every byte is a token, any text round-trips exactly, and no id is ever unknown.
"""

import base64
import numbers

import regex
import tiktoken

from .base import Tokenizer, check_special_tokens
from .io import TokenizerFileError, read_special_tokens, read_tokenizer_json, write_json_atomic
from .train import GPT2_PATTERN, count_pieces, train_bpe

BACKENDS = ("tiktoken", "python")


def bpe_merge(piece, ranks):
    """The ids of the bytes ``piece`` under the BPE vocabulary ``ranks`` (pure Python).

    Args:
        piece: ``bytes`` of one pre-tokenised piece.
        ranks: dict token bytes -> id; every single byte must be a token.

    Returns:
        list[int]: the ids, left to right.

    Example:
        >>> ranks = {bytes([i]): i for i in range(256)} | {b"ab": 256, b"abc": 257}
        >>> bpe_merge(b"abcab", ranks)
        [257, 256]
    """
    # BEGIN SOLUTION
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        # The adjacent pair whose concatenation was learned first (lowest rank); leftmost on ties.
        best_rank, best_i = None, -1
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is not None and (best_rank is None or rank < best_rank):
                best_rank, best_i = rank, i
        if best_rank is None:
            break
        parts[best_i:best_i + 2] = [parts[best_i] + parts[best_i + 1]]
    return [ranks[p] for p in parts]
    # END SOLUTION


def _utf8(text):
    # A lone surrogate has no UTF-8 form; tiktoken replaces it with U+FFFD, and so do we.
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


class BPETokenizer(Tokenizer):
    r"""A byte-level BPE tokenizer (GPT-2's scheme) over a vocabulary of ranked byte strings.

    Text is split into pieces by ``pattern`` (GPT-2's by default), each piece's UTF-8 bytes are
    merged by rank (:func:`bpe_merge`), and special tokens get the ids after the vocabulary. Use
    :meth:`train` to learn a vocabulary, :func:`get_encoding` for GPT-2's.

    Args:
        ranks: dict token bytes -> id, ids ``0 .. len(ranks) - 1``, every single byte included.
        pattern: the pre-tokenisation regular expression. Default: GPT-2's.
        special_tokens: special token strings, ids ``len(ranks)``, ``len(ranks) + 1``, ...
        backend: ``"tiktoken"`` (a ``tiktoken.Encoding`` built from ``ranks``, fast) or
            ``"python"`` (the :func:`bpe_merge` loop). Both give the same ids.
        name: a name for the ``tiktoken.Encoding``.

    Example:
        >>> tok = BPETokenizer.train("the cat sat on the mat. " * 20, vocab_size=260)
        >>> tok.vocab_size
        260
        >>> ids = tok.encode("the cat")
        >>> len(ids) < len("the cat"), tok.decode(ids)
        (True, 'the cat')
        >>> tok.encode("the cat") == BPETokenizer(tok.ranks, backend="python").encode("the cat")
        True
    """

    def __init__(self, ranks, pattern=GPT2_PATTERN, special_tokens=(), backend="tiktoken", name="tinytorch-bpe"):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        ranks = dict(ranks)
        ids = sorted(ranks.values())
        if ids != list(range(len(ranks))) or not all(isinstance(t, bytes) and t for t in ranks):
            raise ValueError("ranks must map distinct non-empty bytes to the ids 0 .. len(ranks) - 1")
        missing = [b for b in range(256) if bytes([b]) not in ranks]
        if missing:
            raise ValueError(f"ranks must contain every single byte (byte-level BPE); missing {missing[:5]}")
        self.ranks = ranks
        self.pattern = pattern
        self.special_tokens = check_special_tokens(special_tokens, len(ranks))
        self.backend = backend
        self.name = name
        self._compiled = regex.compile(pattern)
        self._token_bytes = [b""] * len(ranks)  # id -> bytes
        for token, i in ranks.items():
            self._token_bytes[i] = token
        self._token_bytes += [t.encode("utf-8") for t in self.special_tokens]
        self._encoding = None
        if backend == "tiktoken":
            self._encoding = tiktoken.Encoding(
                name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=self.special_tokens,
                explicit_n_vocab=len(self._token_bytes),
            )

    @classmethod
    def train(cls, text, vocab_size, special_tokens=(), pattern=GPT2_PATTERN, backend="tiktoken"):
        """Learn a BPE vocabulary of ``vocab_size`` ids (special tokens included) from ``text``.

        Special tokens' text in ``text`` separates pieces and is never merged into tokens. If the
        text has too few distinct pairs, the vocabulary comes out smaller.
        """
        if not isinstance(text, str):
            raise TypeError(f"train expects a str, got {type(text).__name__}")
        special_tokens = list(special_tokens)
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, numbers.Integral):
            raise TypeError(f"vocab_size must be an int, got {vocab_size!r}")
        if vocab_size < 256 + len(special_tokens):
            raise ValueError(
                f"vocab_size must be at least 256 (one id per byte) + {len(special_tokens)} special "
                f"tokens = {256 + len(special_tokens)}, got {vocab_size}"
            )
        tokens = train_bpe(count_pieces(text, pattern, special_tokens), vocab_size - len(special_tokens))
        return cls({t: i for i, t in enumerate(tokens)}, pattern, special_tokens, backend)

    @property
    def vocab_size(self):
        return len(self._token_bytes)

    def _encode_ordinary(self, text):
        if self._encoding is not None:
            return self._encoding.encode_ordinary(text)
        ids = []
        ranks = self.ranks
        for piece in self._compiled.findall(text):
            ids += bpe_merge(_utf8(piece), ranks)
        return ids

    def decode_bytes(self, ids):
        """The bytes of ``ids`` joined (a token may hold part of a UTF-8 character)."""
        token_bytes = self._token_bytes
        return b"".join(map(token_bytes.__getitem__, self._check_ids(ids).tolist()))

    def decode(self, ids, errors="replace"):
        """The text of ``ids``; bytes that are not valid UTF-8 become U+FFFD (``errors``)."""
        return self.decode_bytes(ids).decode("utf-8", errors=errors)

    def token_bytes(self, token_id):
        """The bytes of one id."""
        return self.decode_bytes([token_id])

    def save(self, path):
        """Write the tokenizer to ``path`` as JSON (atomically): pattern, ranked tokens in base64,
        special tokens."""
        write_json_atomic(path, {
            "format": "tinytorch-tokenizer", "version": 1, "type": "bpe", "pattern": self.pattern,
            "tokens": [base64.b64encode(t).decode("ascii") for t in self._token_bytes[:len(self.ranks)]],
            "special_tokens": self.special_tokens,
        })

    @classmethod
    def load(cls, path, backend="tiktoken"):
        """The tokenizer saved at ``path``; raises :class:`TokenizerFileError` naming what is wrong."""
        payload = read_tokenizer_json(path, "bpe")
        pattern, tokens = payload.get("pattern"), payload.get("tokens")
        if not isinstance(pattern, str):
            raise TokenizerFileError(f"{path}: pattern must be a string")
        try:
            regex.compile(pattern)
        except regex.error as e:
            raise TokenizerFileError(f"{path}: pattern is not a valid regular expression ({e})") from e
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise TokenizerFileError(f"{path}: tokens must be a list of base64 strings")
        try:
            raw = [base64.b64decode(t, validate=True) for t in tokens]
        except ValueError as e:
            raise TokenizerFileError(f"{path}: a token is not valid base64 ({e})") from e
        specials = read_special_tokens(payload.get("special_tokens", {}), path, len(raw))
        try:
            return cls({t: i for i, t in enumerate(raw)} if len(set(raw)) == len(raw) else {}, pattern,
                       sorted(specials, key=specials.get), backend)
        except ValueError as e:
            raise TokenizerFileError(f"{path}: {e} (tokens must be distinct, every byte included)") from e

    def __repr__(self):
        return (f"BPETokenizer(vocab_size={self.vocab_size}, special_tokens={list(self.special_tokens)}, "
                f"backend={self.backend!r})")
