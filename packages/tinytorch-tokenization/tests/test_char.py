"""CharTokenizer: hand-checked encodings, special tokens, batches, files and bad input."""

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.tensor import Tensor
from tinytorch.tokenization import CharTokenizer, TokenizerFileError

EOT, PAD = "<|endoftext|>", "<|pad|>"


def test_vocabulary_is_the_sorted_characters():
    tok = CharTokenizer.from_text("banana!")
    assert tok.chars == "!abn"
    assert tok.vocab_size == len(tok) == 4
    assert tok.encode("nab!") == [3, 1, 2, 0]
    assert tok.decode([3, 1, 2, 0]) == "nab!"
    assert tok.encode("") == [] and tok.decode([]) == ""


def test_tiny_shakespeare_has_65_characters(tmp_path):
    path = os.path.join(os.environ.get("TINYTORCH_DATA_DIR", ""), "tinyshakespeare", "input.txt")
    if not os.path.exists(path):
        pytest.skip("Tiny Shakespeare is not in the data root")
    text = open(path, encoding="utf-8").read()
    tok = CharTokenizer.from_text(text)
    assert tok.vocab_size == 65
    ids = tok.encode(text)
    assert len(ids) == len(text) and tok.decode(ids) == text


def test_custom_order_and_unicode():
    tok = CharTokenizer("zé😀a")
    assert tok.encode("a😀zé") == [3, 2, 0, 1]
    assert tok.decode(np.array([1, 2])) == "é😀"
    assert tok.decode(Tensor([0, 3])) == "za"


def test_special_tokens_follow_tiktoken_rules():
    tok = CharTokenizer.from_text("ab<|>endoftxp", special_tokens=[EOT, PAD])
    eot, pad = tok.special_tokens[EOT], tok.special_tokens[PAD]
    assert (eot, pad) == (len(tok.chars), len(tok.chars) + 1)
    with pytest.raises(ValueError, match=r"special token '<\|endoftext\|>' at position 1"):
        tok.encode("a<|endoftext|>b")
    assert tok.encode("a<|endoftext|>b", allowed_special={EOT}) == [tok.encode("a")[0], eot, tok.encode("b")[0]]
    assert tok.encode("a<|endoftext|>b", allowed_special="all")[1] == eot
    as_text = tok.encode("a<|endoftext|>", disallowed_special=())
    assert len(as_text) == 14 and tok.decode(as_text) == "a<|endoftext|>"
    assert tok.encode_ordinary("<|pad|>") == tok.encode("<|pad|>", disallowed_special=())
    assert tok.decode([eot, pad]) == EOT + PAD
    with pytest.raises(ValueError, match="not special tokens"):
        tok.encode("a", allowed_special={"<|nope|>"})
    with pytest.raises(TypeError, match="set of special tokens"):
        tok.encode("a", allowed_special=EOT)


def test_a_longer_special_token_wins_over_its_prefix():
    tok = CharTokenizer.from_text("ab", special_tokens=["<s>", "<s>>"])
    assert tok.encode("a<s>>b", allowed_special="all") == [0, 3, 1]


def test_batch_padding_right_left_truncation():
    tok = CharTokenizer.from_text("abc", special_tokens=[PAD])
    ids, mask = tok.encode_batch(["abc", "a", ""])
    assert ids.tolist() == [[0, 1, 2], [0, 3, 3], [3, 3, 3]]
    assert mask.tolist() == [[True] * 3, [True, False, False], [False] * 3]
    assert ids.dtype == np.int64 and mask.dtype == np.bool_
    ids, mask = tok.encode_batch(["abc", "b"], padding_side="left")
    assert ids.tolist() == [[0, 1, 2], [3, 3, 1]] and mask.tolist()[1] == [False, False, True]
    out = tok.encode_batch(["abcabc", "ab"], truncation=True, max_length=4, padding="max_length")
    assert out.input_ids.tolist() == [[0, 1, 2, 0], [0, 1, 3, 3]]
    assert out.attention_mask.tolist() == [[True] * 4, [True, True, False, False]]
    assert tok.encode_batch([]).input_ids.shape == (0, 0)
    assert tok.encode_batch(["ab", "ba"], padding=False).input_ids.tolist() == [[0, 1], [1, 0]]


def test_batch_pad_id_and_errors():
    tok = CharTokenizer.from_text("abc", special_tokens=[EOT])
    with pytest.raises(ValueError, match="pad id"):
        tok.encode_batch(["a", "abc"])
    assert tok.encode_batch(["ab", "ba"]).input_ids.tolist() == [[0, 1], [1, 0]]  # no padding needed
    assert tok.encode_batch(["a", "abc"], pad_id=3).input_ids.tolist() == [[0, 3, 3], [0, 1, 2]]
    with pytest.raises(ValueError, match="pad_id"):
        tok.encode_batch(["a"], pad_id=4)
    with pytest.raises(ValueError, match="different lengths"):
        tok.encode_batch(["a", "abc"], padding=False)
    with pytest.raises(ValueError, match="more than max_length=2"):
        tok.encode_batch(["abc"], padding="max_length", max_length=2)
    with pytest.raises(ValueError, match="need max_length"):
        tok.encode_batch(["abc"], truncation=True)
    with pytest.raises(TypeError, match="list of strings"):
        tok.encode_batch("abc")
    with pytest.raises(ValueError, match="padding_side"):
        tok.encode_batch(["a"], padding_side="middle")
    with pytest.raises(ValueError, match="padding must be"):
        tok.encode_batch(["a"], padding="short")


def test_unknown_character_names_it():
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match=r"character 'z' \(U\+007A\) at position 2 is not in the vocabulary of 3"):
        tok.encode("abz")
    with pytest.raises(ValueError, match="not in the vocabulary of 0"):
        CharTokenizer("").encode("a")


def test_from_empty_text_is_refused():
    with pytest.raises(ValueError, match="text is empty"):
        CharTokenizer.from_text("")
    tok = CharTokenizer("", special_tokens=["<s>"])
    assert tok.vocab_size == 1 and tok.encode("<s>", allowed_special="all") == [0] and tok.encode("") == []


@pytest.mark.parametrize("ids,error", [
    ([0, 3], IndexError), ([-1], IndexError), ([0.5], TypeError), ("ab", TypeError), (3, TypeError),
    ([[0, 1]], ValueError),
])
def test_decode_bad_ids(ids, error):
    with pytest.raises(error):
        CharTokenizer.from_text("abc").decode(ids)


def test_decode_names_the_bad_id():
    with pytest.raises(IndexError, match="token id 7 is out of range for a vocabulary of 3"):
        CharTokenizer.from_text("abc").decode([1, 7])


def test_constructor_checks():
    with pytest.raises(ValueError, match="one character"):
        CharTokenizer(["ab"])
    with pytest.raises(ValueError, match="repeated"):
        CharTokenizer("aa")
    with pytest.raises(ValueError, match="unique"):
        CharTokenizer("a", special_tokens=[EOT, EOT])
    with pytest.raises(TypeError, match="list of strings"):
        CharTokenizer("a", special_tokens=EOT)
    with pytest.raises(TypeError, match="str"):
        CharTokenizer.from_text(b"bytes")
    with pytest.raises(TypeError, match="str"):
        CharTokenizer.from_text("a").encode(b"a")


def test_save_load_round_trip(tmp_path):
    tok = CharTokenizer.from_text("héllo\n\ud800", special_tokens=[EOT, PAD])
    path = tmp_path / "tok.json"
    tok.save(path)
    back = CharTokenizer.load(path)
    assert back.chars == tok.chars and back.special_tokens == tok.special_tokens
    assert back.encode("olé\n") == tok.encode("olé\n")
    assert [p.name for p in tmp_path.iterdir()] == ["tok.json"]  # no temp file left


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "tok.json"
    CharTokenizer.from_text("ab").save(path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", boom)
    with pytest.raises(OSError, match="disk full"):
        CharTokenizer.from_text("xyz").save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["tok.json"]


@pytest.mark.parametrize("content,match", [
    ("{not json", "not valid JSON"),
    ('{"format": "other"}', "not a tokenizer file"),
    ('{"format": "tinytorch-tokenizer", "version": 99, "type": "char"}', "newer"),
    ('{"format": "tinytorch-tokenizer", "version": "1", "type": "char"}', "bad version"),
    ('{"format": "tinytorch-tokenizer", "version": 1, "type": "bpe"}', "expected 'char'"),
    ('{"format": "tinytorch-tokenizer", "version": 1, "type": "char", "chars": "aa"}', "distinct"),
    ('{"format": "tinytorch-tokenizer", "version": 1, "type": "char", "chars": 5}', "distinct"),
    ('{"format": "tinytorch-tokenizer", "version": 1, "type": "char", "chars": "ab", "special_tokens": {"<s>": 5}}',
     "consecutive"),
    ('{"format": "tinytorch-tokenizer", "version": 1, "type": "char", "chars": "ab", "special_tokens": {"": 2}}',
     "non-empty"),
    ('[1, 2]', "not a tokenizer file"),
])
def test_corrupt_files_name_the_problem(tmp_path, content, match):
    path = tmp_path / "tok.json"
    path.write_text(content)
    with pytest.raises(TokenizerFileError, match=match) as info:
        CharTokenizer.load(path)
    assert str(path) in str(info.value)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        CharTokenizer.load("/nonexistent/tok.json")


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_any_text_round_trips(vocab_text, extra):
    tok = CharTokenizer(sorted(set(vocab_text + extra)))
    ids = tok.encode(extra)
    assert len(ids) == len(extra)
    assert all(0 <= i < tok.vocab_size for i in ids)
    assert tok.decode(ids) == extra


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abc", max_size=8), max_size=5), st.sampled_from(["left", "right"]))
def test_batch_rows_decode_back(texts, side):
    tok = CharTokenizer.from_text("abc", special_tokens=[PAD])
    ids, mask = tok.encode_batch(texts, padding_side=side)
    assert ids.shape == mask.shape == (len(texts), max([len(t) for t in texts], default=0))
    for row, keep, text in zip(ids.data, mask.data, texts):
        assert tok.decode(row[keep]) == text
        assert (row[~keep] == tok.special_tokens[PAD]).all()
