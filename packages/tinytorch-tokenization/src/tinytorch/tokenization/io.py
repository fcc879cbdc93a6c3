"""Saving and loading tokenizers: one JSON file, written atomically, read all or nothing.

A tokenizer file is a JSON object ``{"format": "tinytorch-tokenizer", "version": 1, "type":
"char" | "bpe", ...}``. Writes go to a temporary file in the destination's folder that replaces
the destination only once it is complete and flushed to disk (``os.replace``), so a crash leaves
either the old file or the new one, never half of one; the temporary file is removed on any
error. Loads parse and check everything before a tokenizer is built, and every problem is a
:class:`TokenizerFileError` naming the file and what is wrong. JSON only: nothing is unpickled.
"""

import json
import os
import tempfile
from pathlib import Path

FORMAT = "tinytorch-tokenizer"
VERSION = 1


class TokenizerFileError(ValueError):
    """A tokenizer file that cannot be read, is not valid JSON, or does not describe a tokenizer."""


def write_json_atomic(path, payload):
    """Write ``payload`` as JSON to ``path`` atomically (temp file in the same folder + ``os.replace``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            # ensure_ascii escapes every non-ASCII character, lone surrogates included, so any
            # Python string round-trips through the file.
            json.dump(payload, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_tokenizer_json(path, expected_type):
    """The parsed object of the tokenizer file ``path``, checked to be of ``expected_type``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as e:
        raise TokenizerFileError(f"{path}: cannot read tokenizer file ({e})") from e
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as e:
        raise TokenizerFileError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise TokenizerFileError(f'{path}: not a tokenizer file (expected "format": "{FORMAT}")')
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TokenizerFileError(f"{path}: bad version {version!r} (expected a positive int)")
    if version > VERSION:
        raise TokenizerFileError(
            f"{path}: written by a newer tinytorch-tokenization (file version {version}, this "
            f"version reads up to {VERSION}); upgrade the package"
        )
    if payload.get("type") != expected_type:
        raise TokenizerFileError(
            f"{path}: holds a {payload.get('type')!r} tokenizer, expected {expected_type!r}"
        )
    return payload


def read_special_tokens(value, path, first_id):
    """The ``special_tokens`` field of a file as a dict, checked: unique non-empty strings with
    consecutive ids from ``first_id``."""
    if not isinstance(value, dict):
        raise TokenizerFileError(f"{path}: special_tokens must be an object of token -> id")
    if any(not isinstance(token, str) or not token for token in value):
        raise TokenizerFileError(f"{path}: special tokens must be non-empty strings")
    ids = list(value.values())
    if any(not isinstance(i, int) or isinstance(i, bool) for i in ids) or sorted(ids) != list(
        range(first_id, first_id + len(ids))
    ):
        raise TokenizerFileError(
            f"{path}: special token ids must be the consecutive ints {first_id}.."
            f"{first_id + len(ids) - 1}, got {ids}"
        )
    return dict(value)
