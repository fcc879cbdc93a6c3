"""BPETokenizer and the trainer: hand-checked merges, the incremental trainer against a full
recount, both encoding backends equal, Unicode round trips, special tokens, files."""

import base64
import json
import os
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from tinytorch.tokenization import BPETokenizer, TokenizerFileError, bpe_merge, train_bpe
from tinytorch.tokenization.train import count_pieces, train_bpe_naive

EOT, PAD = "<|endoftext|>", "<|pad|>"
TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    "It's 2024 and we're testing   spaces, numbers 12345, café, naïve, 日本語, emoji 😀👍🏽!\n"
) * 3


def test_first_merges_by_hand():
    # pieces "aaab" and " aaab": (a, a) occurs 4 times; then (aa, a), (a, b) twice each and the
    # tie goes to the smaller pair (97, 98).
    tokens = train_bpe(count_pieces("aaab aaab"), 258)
    assert tokens[256:] == [b"aa", b"ab"]
    assert tokens[:256] == [bytes([i]) for i in range(256)]


def test_pieces_follow_gpt2_pattern():
    assert count_pieces("Hello world's  end 123!!") == Counter(
        {"Hello": 1, " world": 1, "'s": 1, " ": 1, " end": 1, " 123": 1, "!!": 1})


def test_incremental_trainer_equals_full_recount():
    pieces = count_pieces(TEXT)
    assert train_bpe(pieces, 400) == train_bpe_naive(pieces, 400)


def test_incremental_trainer_equals_full_recount_on_shakespeare():
    path = os.path.join(os.environ.get("TINYTORCH_DATA_DIR", ""), "tinyshakespeare", "input.txt")
    if not os.path.exists(path):
        pytest.skip("Tiny Shakespeare is not in the data root")
    pieces = count_pieces(open(path, encoding="utf-8").read()[:30_000])
    assert train_bpe(pieces, 420) == train_bpe_naive(pieces, 420)


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="ab c\nd", max_size=60), st.integers(256, 300))
def test_incremental_trainer_equals_full_recount_on_random_text(text, n):
    pieces = count_pieces(text)
    assert train_bpe(pieces, n) == train_bpe_naive(pieces, n)


def test_a_merge_that_repeats_bytes_reuses_the_token():
    # "ab" + "c" and "a" + "bc" both spell "abc": one id, so tiktoken accepts the ranks.
    tokens = train_bpe(Counter({"abc": 5, "bc": 4, "ab": 3, "xabcx": 2}), 300)
    assert len(set(tokens)) == len(tokens)


def test_train_to_vocab_size_and_compresses():
    tok = BPETokenizer.train(TEXT, 300)
    assert tok.vocab_size == len(tok) == 300
    ids = tok.encode(TEXT)
    assert len(ids) < 0.7 * len(TEXT.encode("utf-8"))
    assert tok.decode(ids) == TEXT


def test_backends_give_the_same_ids():
    fast = BPETokenizer.train(TEXT, 350)
    slow = BPETokenizer(fast.ranks, backend="python")
    for text in (TEXT, "unseen words: quixotic zephyr 😀", "", "  \n\t ", "1234567890" * 3):
        assert fast.encode(text) == slow.encode(text)
        assert slow.decode(slow.encode(text)) == text


def test_bpe_merge_by_hand():
    ranks = {bytes([i]): i for i in range(256)} | {b"aa": 256, b"aaa": 257, b"ba": 258}
    assert bpe_merge(b"aaaa", ranks) == [256, 256]  # leftmost "aa" first, then no "aaa" pair left
    assert bpe_merge(b"baaa", ranks) == [98, 257]  # "aa" (256) beats "ba" (258), then "aa"+"a"
    assert bpe_merge(b"", ranks) == []


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_unicode_round_trips(text):
    tok = _trained()
    ids = tok.encode(text, disallowed_special=())  # special tokens' text too is ordinary here
    assert tok.decode(ids) == text
    assert BPETokenizer(tok.ranks, backend="python").encode(text) == ids


_TRAINED = []


def _trained():
    if not _TRAINED:
        _TRAINED.append(BPETokenizer.train(TEXT, 320, special_tokens=[EOT, PAD]))
    return _TRAINED[0]


def test_special_tokens():
    tok = BPETokenizer.train(TEXT + EOT + TEXT, 300, special_tokens=[EOT, PAD])
    assert tok.vocab_size == 300 and tok.special_tokens == {EOT: 298, PAD: 299}
    assert not any(b"<|" in t for t in tok.ranks)  # special text was cut out before training
    ids = tok.encode(f"hi{EOT}there", allowed_special={EOT})
    assert ids.count(298) == 1 and tok.decode(ids) == f"hi{EOT}there"
    with pytest.raises(ValueError, match="special token"):
        tok.encode(f"hi{EOT}")
    assert 298 not in tok.encode(f"hi{EOT}", disallowed_special=())
    batch = tok.encode_batch(["hello", "a much longer line of text"], padding_side="left")
    assert batch.input_ids.data[0, 0] == 299 and not batch.attention_mask.data[0, 0]


def test_save_load_round_trip(tmp_path):
    tok = BPETokenizer.train(TEXT, 330, special_tokens=[EOT])
    path = tmp_path / "bpe.json"
    tok.save(path)
    for backend in ("tiktoken", "python"):
        back = BPETokenizer.load(path, backend=backend)
        assert back.ranks == tok.ranks and back.special_tokens == tok.special_tokens
        assert back.encode(TEXT) == tok.encode(TEXT)
    assert os.listdir(tmp_path) == ["bpe.json"]


def _file(tmp_path, **changes):
    tok = BPETokenizer.train("abc abd", 258)
    path = tmp_path / "bpe.json"
    tok.save(path)
    payload = json.loads(path.read_text())
    payload.update(changes)
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize("changes,match", [
    ({"pattern": "("}, "not a valid regular expression"),
    ({"pattern": 3}, "pattern must be a string"),
    ({"tokens": "abc"}, "list of base64"),
    ({"tokens": ["!!notbase64"]}, "not valid base64"),
    ({"tokens": [base64.b64encode(bytes([i])).decode() for i in range(255)]}, "every byte"),
    ({"tokens": [base64.b64encode(bytes([i])).decode() for i in range(256)] * 2}, "distinct"),
    ({"special_tokens": {EOT: 3}}, "consecutive"),
    ({"type": "char"}, "expected 'bpe'"),
])
def test_corrupt_files_name_the_problem(tmp_path, changes, match):
    with pytest.raises(TokenizerFileError, match=match):
        BPETokenizer.load(_file(tmp_path, **changes))


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 256"):
        BPETokenizer.train("abc", 255)
    with pytest.raises(ValueError, match="258"):
        BPETokenizer.train("abc", 257, special_tokens=[EOT, PAD])
    with pytest.raises(TypeError, match="int"):
        BPETokenizer.train("abc", 300.0)
    with pytest.raises(TypeError, match="str"):
        BPETokenizer.train(b"abc", 300)
    with pytest.raises(ValueError, match="backend"):
        BPETokenizer({bytes([i]): i for i in range(256)}, backend="rust")
    with pytest.raises(ValueError, match="every single byte"):
        BPETokenizer({bytes([i]): i for i in range(255)})
    with pytest.raises(ValueError, match="distinct"):
        BPETokenizer({bytes([i]): i + 1 for i in range(256)})
    with pytest.raises(IndexError, match="out of range for a vocabulary of 256"):
        BPETokenizer({bytes([i]): i for i in range(256)}).decode([256])


def test_too_small_text_gives_a_smaller_vocabulary():
    assert BPETokenizer.train("ab", 1000).vocab_size == 257


def test_invalid_utf8_decodes_with_replacement():
    tok = BPETokenizer({bytes([i]): i for i in range(256)})
    euro = tok.encode("€")  # three bytes
    assert tok.decode(euro[:2]) == "\ufffd"
    assert tok.decode_bytes(euro[:2]) == "€".encode()[:2]
    assert tok.token_bytes(euro[0]) == b"\xe2"
