"""GPT-2's tokenizer, loaded offline from the data root with its sha256 checked.

``get_encoding("gpt2")`` reads ``gpt2-bpe/r50k_base.tiktoken`` (one ``base64(token) rank`` line
per token, tiktoken's file format) from the data root: ``root=``, else ``$TINYTORCH_DATA_DIR``,
else ``~/.cache/tinytorch`` (as every TinyTorch module). The file is hashed on every load and
refused unless it is byte for byte the pinned one; nothing is downloaded.

Module 10 depends only on module 01 and tiktoken, so the check is this small helper rather than
module 08's verified-dataset machinery (docs/architecture.md records the decision).
"""

import base64
import hashlib
import os
from pathlib import Path

from .bpe import BPETokenizer
from .io import TokenizerFileError
from .train import GPT2_PATTERN

ENDOFTEXT = "<|endoftext|>"

_FILES = {
    # name: (relative path, bytes, sha256); the hash is tiktoken 0.14's pinned expected_hash.
    "gpt2": ("gpt2-bpe/r50k_base.tiktoken", 835_554,
             "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),
}
_ALIASES = {"gpt2": "gpt2", "r50k_base": "gpt2"}
_cache = {}


def data_root(root=None):
    """The data folder: ``root``, else ``$TINYTORCH_DATA_DIR``, else ``~/.cache/tinytorch``."""
    if root is not None:
        return Path(root)
    env = os.environ.get("TINYTORCH_DATA_DIR")
    return Path(env) if env else Path.home() / ".cache" / "tinytorch"


def verified_bytes(path, size, sha256):
    """The contents of ``path``, after checking its size and sha256 (read once, then hashed)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: put tiktoken's r50k_base.tiktoken ({size:,} bytes, sha256 {sha256}) "
            f"in {path.parent} (or point TINYTORCH_DATA_DIR at a data root that has it)"
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != size or digest != sha256:
        raise TokenizerFileError(
            f"{path} is corrupt or not the expected file: {len(data):,} bytes with sha256 {digest}, "
            f"expected {size:,} bytes with sha256 {sha256}; replace it with the original"
        )
    return data


def _parse_ranks(data, path):
    ranks = {}
    for n, line in enumerate(data.splitlines(), 1):
        if not line:
            continue
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    if sorted(ranks.values()) != list(range(len(ranks))):
        raise TokenizerFileError(f"{path}: ranks are not the ids 0 .. {len(ranks) - 1}")
    return ranks


def get_encoding(name="gpt2", root=None, backend="tiktoken"):
    """A pretrained tokenizer by name: ``"gpt2"`` (alias ``"r50k_base"``), as in ``tiktoken.get_encoding``.

    Args:
        name: ``"gpt2"`` or ``"r50k_base"``: GPT-2's 50,257-id byte-level BPE, ``<|endoftext|>`` = 50256.
        root: the data root (default: ``$TINYTORCH_DATA_DIR``, else ``~/.cache/tinytorch``).
        backend: ``"tiktoken"`` or ``"python"`` (see :class:`BPETokenizer`).

    Raises:
        ValueError: an unknown name. FileNotFoundError: the file is not in the data root (the
        message names it, its size, its sha256 and the folder). TokenizerFileError: the file's
        size or sha256 differs from the pinned one.

    Example:
        >>> enc = get_encoding("gpt2")  # doctest: +SKIP
        >>> enc.encode("Hello world")  # doctest: +SKIP
        [15496, 995]
    """
    if name not in _ALIASES:
        raise ValueError(f"unknown encoding {name!r}; available: {sorted(_ALIASES)}")
    relative, size, sha256 = _FILES[_ALIASES[name]]
    path = data_root(root) / relative
    data = verified_bytes(path, size, sha256)  # every call: a file changed on disk is caught
    key = (str(path.resolve()), sha256, backend)
    if key not in _cache:
        _cache[key] = BPETokenizer(_parse_ranks(data, path), GPT2_PATTERN, [ENDOFTEXT], backend, name="gpt2")
    return _cache[key]
