"""The 2017 milestone: corpus and data checks, the pieces of each part, and the quick run end to end."""

import json
import math
from collections import Counter

import numpy as np
import pytest

from tinytorch.milestone_transformer import main, shakespeare, tasks, tinytalks
from tinytorch.milestone_transformer.common import sparkline, warmup_cosine
from tinytorch.results import find_result

DATA = shakespeare.data_root(None)
HAVE_SHAKESPEARE = (DATA / shakespeare.FILE).is_file()


def test_tinytalks_corpus_is_deterministic_and_matches_the_manifest():
    train, test, manifest = tinytalks.verified_corpus()
    assert (manifest["train_pairs"], manifest["test_pairs"], manifest["facts"]) == (1800, 200, 200)
    assert tinytalks.generate_corpus() == (train, test)


def test_tinytalks_split_holds_out_unseen_phrasings_of_seen_facts():
    train, test, _ = tinytalks.verified_corpus()
    assert not {q for q, _, _ in train} & {q for q, _, _ in test}
    assert Counter(k for _, _, k in test) == Counter({k: 1 for _, _, k in test})  # one per fact
    assert {k for _, _, k in test} == {k for _, _, k in train}
    # every phrasing is held out for some facts and trained with others
    for relation, templates in tinytalks.TEMPLATES.items():
        for template in templates:
            asked = [template.format(n) for n in tinytalks.NAMES]
            assert any(q in asked for q, _, _ in test) and any(q in asked for q, _, _ in train)
    # the answer of a held-out question is the one its fact has in training
    answers = {k: a for _, a, k in train}
    assert all(answers[k] == a for _, a, k in test)


def test_tinytalks_manifest_mismatch_fails_loudly(monkeypatch):
    monkeypatch.setattr(tinytalks, "NAMES", tinytalks.NAMES[:-1])
    with pytest.raises(RuntimeError, match="does not match"):
        tinytalks.verified_corpus()


def test_tinytalks_encoding_puts_loss_on_the_answer_only():
    from tinytorch.tokenization import CharTokenizer

    pairs = [("Where does Ada live?", "Lima", "Ada|city")]
    tok = CharTokenizer.from_text(tinytalks.pair_text(*pairs[0][:2]))
    x, y = tinytalks.encode_pairs(tok, pairs, 40)
    kept = y[0][y[0] != -100]
    assert tok.decode(kept.tolist()) == "Lima\n"
    prompt = len(tok.encode("Q: Where does Ada live?\nA: "))
    assert tok.decode(x[0, :prompt].tolist()) == "Q: Where does Ada live?\nA: "
    with pytest.raises(ValueError, match="longer than the context"):
        tinytalks.encode_pairs(tok, pairs, 10)


def test_tasks_answers_batches_and_held_out_split():
    x = np.array([[3, 1, 4, 1]])
    assert tasks.answer("reverse", x).tolist() == [[1, 4, 1, 3]]
    assert tasks.answer("copy", x).tolist() == [[3, 1, 4, 1]]
    assert tasks.answer("sort", x).tolist() == [[1, 1, 3, 4]]
    with pytest.raises(ValueError, match="unknown task"):
        tasks.answer("add", x)
    inputs, targets = tasks.lm_batch("reverse", x)
    assert inputs.tolist() == [[3, 1, 4, 1, tasks.SEP, 1, 4, 1]]
    assert targets.tolist() == [[-100] * 4 + [1, 4, 1, 3]]
    test, sample = tasks.make_split(2, 90, seed=0)  # 90 of the 100 two-digit sequences held out
    held = set(map(tuple, test.tolist()))
    drawn = sample(2000)
    assert not held & set(map(tuple, drawn.tolist()))


def test_learned_after_needs_a_streak_of_exactly_answered_batches():
    y = np.array([[-100, -100, 3, 1], [-100, -100, 2, 2]])
    right = np.zeros((2, 4, 11))
    right[np.arange(2)[:, None], np.arange(4), np.where(y == -100, 0, y)] = 1.0  # argmax = target
    wrong = right.copy()
    wrong[1, 3] = 0.0
    wrong[1, 3, 5] = 1.0  # one answer digit wrong in one row
    prompt_only = right.copy()
    prompt_only[:, :2] = 0.0
    prompt_only[:, :2, 7] = 1.0  # predictions off the answer positions do not count
    check = tasks.learned_after(2)
    assert [check(right, y), check(wrong, y), check(right, y), check(prompt_only, y)] == [False, False, False, True]


def test_training_check_measures_what_greedy_decoding_scores():
    """Teacher-forced all-answer-digits-right is, row by row, greedy decoding's exact answer."""
    from tinytorch.milestone_transformer.common import train
    from tinytorch.tensor import Tensor, manual_seed
    from tinytorch.transformer import GPT, GPTConfig

    test, sample = tasks.make_split(4, 300, seed=5)
    manual_seed(0)
    model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=32))
    fit = train(model, lambda step: tasks.lm_batch("sort", sample(32)), steps=60, lr=1e-2, warmup=10,
                weight_decay=0.0, until=lambda logits, y: False)
    assert fit["steps"] == 60 and not fit["stopped_early"]
    x, y = tasks.lm_batch("sort", test)
    logits, _ = model(Tensor(x))
    forced = np.all((logits.data.argmax(-1) == y) | (y == -100), axis=1)
    greedy = np.array([tasks.exact_accuracy(model, "sort", row[None]) == 1.0 for row in test])
    assert 0 < forced.sum() < len(test)  # partly learned: both outcomes occur
    assert np.array_equal(forced, greedy)


def test_train_stops_when_the_training_check_fires():
    from tinytorch.milestone_transformer.common import train
    from tinytorch.tensor import manual_seed
    from tinytorch.transformer import GPT, GPTConfig

    _, sample = tasks.make_split(3, 10, seed=0)
    manual_seed(0)
    model = GPT(GPTConfig(vocab_size=11, block_size=6, n_layer=1, n_head=1, n_embd=8))
    calls = []
    fit = train(model, lambda step: tasks.lm_batch("copy", sample(4)), steps=50, lr=1e-3,
                until=lambda logits, y: calls.append(logits.shape) or len(calls) == 3)
    assert fit["steps"] == 2 and fit["stopped_early"] and len(fit["losses"]) == 2  # no update on the 3rd
    assert calls == [(4, 6, 11)] * 3


def test_tasks_fail_loudly_when_not_learned(monkeypatch, capsys):
    monkeypatch.setitem(tasks.CONFIGS, "quick", dict(tasks.CONFIGS["quick"], steps=2))
    code = main(["--quick", "--part", "tasks"])
    result = find_result(capsys.readouterr().out)
    assert code == 1 and not result.passed
    assert not result.metrics["sort_stopped_by_training_check"]


def test_shakespeare_file_is_verified(tmp_path):
    with pytest.raises(shakespeare.ShakespeareDataError, match="not at"):
        shakespeare.load_text(tmp_path)
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text("To be or not to be\n")
    with pytest.raises(shakespeare.ShakespeareDataError, match="sha256"):
        shakespeare.load_text(tmp_path)


@pytest.mark.skipif(not HAVE_SHAKESPEARE, reason="Tiny Shakespeare is not in the data root")
def test_shakespeare_split_and_windows():
    text = shakespeare.load_text()
    tok, train, val = shakespeare.split(text)
    assert tok.vocab_size == 65 and len(train) + len(val) == len(text) == shakespeare.SIZE
    x, y = shakespeare.windows(train, 16, 4, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 16)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


def test_schedule_and_sparkline():
    f = warmup_cosine(10, 110, floor=0.1)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(60) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 2)))
    assert f(110) == pytest.approx(0.1) and f(500) == pytest.approx(0.1)
    line = sparkline([3.0, 2.0, 1.0])
    assert line == "█▅▁" and sparkline([]) == "" and len(sparkline(range(500), width=40)) == 40


def test_quick_run_passes_and_reports(tmp_path, capsys):
    parts = ["tasks", "tinytalks"] + (["shakespeare"] if HAVE_SHAKESPEARE else [])
    code = main(["--quick", "--part", *parts, "--plot", str(tmp_path / "curve.png")])
    out = capsys.readouterr().out
    result = find_result(out)
    assert code == 0 and result.passed and result.quick
    names = {c.name for c in result.claims}
    assert {"reverse_exact_accuracy_quick", "copy_exact_accuracy_quick", "sort_exact_accuracy_quick",
            "tinytalks_heldout_loss_quick"} <= names
    assert "attention matrices at T = 8" in out and "training FLOPs per token" in out
    if HAVE_SHAKESPEARE:
        assert "300 generated characters" in out and "loss curve" in out
        assert result.metrics["shakespeare_parameters"] > 0


def test_missing_data_fails_loudly(tmp_path, capsys):
    code = main(["--quick", "--part", "shakespeare", "--root", str(tmp_path), "--plot", ""])
    out = capsys.readouterr().out
    assert code == 1
    result = find_result(out)
    assert not result.passed and "not at" in result.claims[0].reason
    assert json.loads(out.strip().splitlines()[-1].split(" ", 1)[1])["passed"] is False
