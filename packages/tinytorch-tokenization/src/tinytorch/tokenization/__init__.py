"""TinyTorch module 10: tokenization.

Text becomes integer ids before a model sees it. ``CharTokenizer`` gives every character its own
id; ``BPETokenizer`` learns byte-level BPE merges (GPT-2's scheme, trained by
:func:`train.train_bpe` with incrementally updated pair counts) and encodes through tiktoken, with
the pure-Python merge loop :func:`bpe_merge` beside it; ``get_encoding("gpt2")`` loads GPT-2's
vocabulary offline. Every tokenizer has ``encode``/``decode``, ``vocab_size``, special tokens,
atomic JSON ``save``/``load`` and ``encode_batch`` (padding, truncation, attention mask).
"""

from importlib.metadata import PackageNotFoundError, version

from .base import PAD_TOKEN, BatchEncoding, Tokenizer
from .bpe import BPETokenizer, bpe_merge
from .char import CharTokenizer
from .gpt2 import ENDOFTEXT, get_encoding
from .io import TokenizerFileError
from .train import GPT2_PATTERN, train_bpe

try:
    __version__ = version("tinytorch-tokenization")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Tokenizer", "CharTokenizer", "BPETokenizer", "BatchEncoding", "TokenizerFileError",
    "get_encoding", "bpe_merge", "train_bpe", "GPT2_PATTERN", "PAD_TOKEN", "ENDOFTEXT",
]
