"""get_encoding("gpt2") against tiktoken's own GPT-2 encoding and against GPT-2's original
encoder.json + vocab.bpe decoded by hand; the sha256 check of the vocabulary file."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
import regex
import tiktoken
import tiktoken.load

from tinytorch.tokenization import ENDOFTEXT, TokenizerFileError, get_encoding

ROOT = Path(os.environ.get("TINYTORCH_DATA_DIR", Path.home() / ".cache" / "tinytorch"))
BPE_DIR = ROOT / "gpt2-bpe"
pytestmark = pytest.mark.skipif(not (BPE_DIR / "r50k_base.tiktoken").is_file(),
                                reason=f"GPT-2's BPE files are not in {BPE_DIR}")

TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog. It's 2024; we're here, they'll see, I'd say, you've.",
    "   leading spaces and trailing spaces   ",
    "tabs\tand\nnewlines\n\n\r\n  \n",
    "numbers 1 12 123 1234 12345 3.14159 -42 1e10",
    "def f(x):\n    return x ** 2  # comment\n",
    "Unicode: café naïve Ünïcödé 日本語のテキスト 한국어 العربية עברית Ελληνικά",
    "emoji 😀👍🏽🇫🇷 family 👨‍👩‍👧‍👦 and symbols ™©®∑∫√",
    "!!!??? ... --- *** <html><body>x</body></html> {'a': [1, 2]}",
    "A" * 300 + " " + "ab" * 200,
    "'s 's's 'S 'LL 'll'",
    "",
]
EOT_TEXT = f"first document{ENDOFTEXT}second document"


@pytest.fixture(scope="module")
def tiktoken_gpt2():
    """tiktoken's own "gpt2" encoding, built by tiktoken from encoder.json and vocab.bpe, with its
    file reader pointed at the data root (nothing is downloaded)."""
    from tiktoken_ext import openai_public

    def read_local(blobpath, expected_hash=None):
        data = (BPE_DIR / Path(blobpath).name).read_bytes()
        assert expected_hash is None or hashlib.sha256(data).hexdigest() == expected_hash
        return data

    original = tiktoken.load.read_file_cached
    tiktoken.load.read_file_cached = read_local
    try:
        return tiktoken.Encoding(**openai_public.gpt2())
    finally:
        tiktoken.load.read_file_cached = original


def _bytes_to_unicode():
    # GPT-2's printable stand-ins for the 256 bytes, as in its encoder.py.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class HandGPT2:
    """GPT-2's original algorithm over encoder.json + vocab.bpe: merge the adjacent pair that
    comes first in vocab.bpe until none is left."""

    PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def __init__(self):
        self.encoder = json.loads((BPE_DIR / "encoder.json").read_text(encoding="utf-8"))
        lines = (BPE_DIR / "vocab.bpe").read_text(encoding="utf-8").split("\n")[1:]
        self.merge_rank = {tuple(line.split()): i for i, line in enumerate(lines) if line}
        self.byte_encoder = _bytes_to_unicode()

    def bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.merge_rank.get(p, float("inf")), i) for i, p in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return parts

    def encode(self, text):
        ids = []
        for piece in self.PATTERN.findall(text):
            word = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids += [self.encoder[t] for t in self.bpe(word)]
        return ids


def test_hello_world_and_vocabulary():
    enc = get_encoding("gpt2")
    assert enc.encode("Hello world") == [15496, 995]
    assert enc.vocab_size == 50257 and enc.special_tokens == {ENDOFTEXT: 50256}
    assert get_encoding("r50k_base") is enc  # same file, cached


def test_equal_to_tiktokens_own_gpt2(tiktoken_gpt2):
    enc = get_encoding("gpt2")
    for text in TEXTS:
        assert enc.encode(text) == tiktoken_gpt2.encode(text), text
        assert enc.decode(enc.encode(text)) == text
    assert enc.encode(EOT_TEXT, allowed_special="all") == tiktoken_gpt2.encode(EOT_TEXT, allowed_special="all")
    with pytest.raises(ValueError):
        tiktoken_gpt2.encode(EOT_TEXT)
    with pytest.raises(ValueError):
        enc.encode(EOT_TEXT)


def test_equal_to_encoder_json_and_vocab_bpe_by_hand():
    hand = HandGPT2()
    enc = get_encoding("gpt2")
    byte_decoder = {c: b for b, c in hand.byte_encoder.items()}
    # Every token of encoder.json has the same id in our ranks.
    for token, i in hand.encoder.items():
        if token == ENDOFTEXT:
            assert enc.special_tokens[token] == i
        else:
            assert enc.ranks[bytes(byte_decoder[c] for c in token)] == i
    for text in TEXTS:
        assert enc.encode(text) == hand.encode(text), text


def test_python_backend_equals_tiktoken_backend():
    fast, slow = get_encoding("gpt2"), get_encoding("gpt2", backend="python")
    for text in TEXTS:
        assert slow.encode(text) == fast.encode(text), text


def test_shakespeare_matches_tiktoken(tiktoken_gpt2):
    path = ROOT / "tinyshakespeare" / "input.txt"
    if not path.is_file():
        pytest.skip("Tiny Shakespeare is not in the data root")
    text = path.read_text(encoding="utf-8")
    enc = get_encoding("gpt2")
    ids = enc.encode(text, disallowed_special=())
    assert ids == tiktoken_gpt2.encode(text, disallowed_special=())
    assert enc.decode(ids) == text


def _copy_root(tmp_path):
    (tmp_path / "gpt2-bpe").mkdir()
    target = tmp_path / "gpt2-bpe" / "r50k_base.tiktoken"
    shutil.copyfile(BPE_DIR / "r50k_base.tiktoken", target)
    return target


def test_explicit_root_and_env(tmp_path, monkeypatch):
    _copy_root(tmp_path)
    assert get_encoding("gpt2", root=tmp_path).encode("Hello world") == [15496, 995]
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(tmp_path))
    assert get_encoding().encode("Hello world") == [15496, 995]


def test_corrupt_file_is_refused(tmp_path):
    target = _copy_root(tmp_path)
    data = bytearray(target.read_bytes())
    data[100] ^= 1  # same size, one bit flipped
    target.write_bytes(bytes(data))
    with pytest.raises(TokenizerFileError, match="sha256 .* expected 835,554 bytes with sha256 306cd27f"):
        get_encoding("gpt2", root=tmp_path)
    target.write_bytes(bytes(data[:1000]))
    with pytest.raises(TokenizerFileError, match="1,000 bytes"):
        get_encoding("gpt2", root=tmp_path)


def test_missing_file_names_hash_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"306cd27f.*in .*gpt2-bpe"):
        get_encoding("gpt2", root=tmp_path)


def test_unknown_name():
    with pytest.raises(ValueError, match="available"):
        get_encoding("cl100k_base")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_any_unicode_round_trips_and_equals_tiktoken(tiktoken_gpt2, text):
    enc = get_encoding("gpt2")
    ids = enc.encode(text, disallowed_special=())
    assert ids == tiktoken_gpt2.encode(text, disallowed_special=())
    assert enc.decode(ids) == text
