"""TinyTorch module 10: tokenization.

Text becomes integer ids before a model sees it. ``CharTokenizer`` gives every character its own
id; every tokenizer has ``encode``/``decode``, ``vocab_size``, special tokens, atomic JSON
``save``/``load`` and ``encode_batch`` (padding, truncation, attention mask).
"""

from importlib.metadata import PackageNotFoundError, version

from .base import PAD_TOKEN, BatchEncoding, Tokenizer
from .char import CharTokenizer
from .io import TokenizerFileError

try:
    __version__ = version("tinytorch-tokenization")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["Tokenizer", "CharTokenizer", "BatchEncoding", "TokenizerFileError", "PAD_TOKEN"]
