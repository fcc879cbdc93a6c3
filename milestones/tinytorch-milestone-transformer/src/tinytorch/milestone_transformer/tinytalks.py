"""Part 2: TinyTalks — a small GPT answers questions about facts it read in other words.

The corpus is generated here, deterministically: 50 people, four facts each (favourite colour,
home city, pet, job; each value picked by a hash of the name and relation, so no random generator
is involved), and ten phrasings of the question for each relation, 2,000 question-answer pairs::

    Q: Where does Ada live?
    A: Lima

For every fact one phrasing is held out (a different one for different facts, so every phrasing
is seen in training with *other* people): the 200 test questions are phrasings never seen with
that person, of facts seen in training. The model trains on the answer characters only (the
questions are the prompt). The generated text is checked against ``tinytalks_manifest.json``
(counts and sha256 of both splits) before training, so a changed generator fails loudly.
"""

import hashlib
import json
from importlib import resources

import numpy as np

from tinytorch.tensor import Tensor, manual_seed
from tinytorch.tokenization import CharTokenizer
from tinytorch.transformer import GPT, GPTConfig

from .common import insight, mean_loss, train

NAMES = (
    "Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivy", "Jon", "Kai", "Lea", "Max", "Nia", "Otto",
    "Pia", "Quinn", "Rex", "Sam", "Tara", "Uma", "Vic", "Wes", "Xena", "Yuri", "Zoe", "Abe", "Bea", "Cy", "Dora",
    "Eli", "Fay", "Gil", "Hugo", "Iris", "Jade", "Kit", "Lou", "Mia", "Ned", "Ola", "Pat", "Rae", "Sid", "Tom",
    "Val", "Will", "Yara", "Zack", "Amy",
)
VALUES = {
    "color": ("red", "blue", "green", "yellow", "purple", "orange", "black", "white"),
    "city": ("Paris", "Tokyo", "Lima", "Cairo", "Oslo", "Rome", "Delhi", "Boston"),
    "pet": ("cat", "dog", "fish", "bird", "rabbit", "turtle"),
    "job": ("doctor", "teacher", "baker", "pilot", "farmer", "nurse", "chef", "artist"),
}
TEMPLATES = {
    "color": ("What is {}'s favorite color?", "Which color does {} like best?", "What color does {} love?",
              "Tell me {}'s favorite color.", "{} likes which color most?", "Name the color {} prefers.",
              "What is the favorite color of {}?", "Which color is {}'s favorite?", "What color is {} fond of?",
              "Do you know {}'s favorite color?"),
    "city": ("Where does {} live?", "In which city does {} live?", "What city is {} from?", "{} lives where?",
             "Which town is home to {}?", "Tell me where {} lives.", "Where is {}'s home?",
             "What is {}'s home city?", "Name the city where {} lives.", "Do you know where {} lives?"),
    "pet": ("What pet does {} have?", "Which animal does {} keep?", "What is {}'s pet?", "{} owns what pet?",
            "Which pet belongs to {}?", "Tell me {}'s pet.", "What animal lives with {}?",
            "Name the pet of {}.", "What kind of pet does {} own?", "Do you know {}'s pet?"),
    "job": ("What does {} do for work?", "What is {}'s job?", "Which job does {} have?", "{} works as what?",
            "Tell me {}'s job.", "What is {}'s profession?", "How does {} earn a living?",
            "Name the job of {}.", "What work does {} do?", "Do you know {}'s job?"),
}
RELATIONS = tuple(VALUES)
N_PHRASINGS = 10
MANIFEST = "tinytalks_manifest.json"


def fact(name, relation):
    """The value of ``relation`` for ``name``: picked by sha256, stable across machines and versions."""
    digest = hashlib.sha256(f"{name}|{relation}".encode()).digest()
    options = VALUES[relation]
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def pair_text(question, answer):
    return f"Q: {question}\nA: {answer}\n"


def generate_corpus():
    """``(train, test)``: lists of ``(question, answer, fact_key)``; one phrasing per fact is held out."""
    train_pairs, test_pairs = [], []
    for i, name in enumerate(NAMES):
        for r, relation in enumerate(RELATIONS):
            answer = fact(name, relation)
            held_out = (i + 3 * r) % N_PHRASINGS  # rotates, so every phrasing is trained with others
            for t, template in enumerate(TEMPLATES[relation]):
                pair = (template.format(name), answer, f"{name}|{relation}")
                (test_pairs if t == held_out else train_pairs).append(pair)
    return train_pairs, test_pairs


def manifest_of(train_pairs, test_pairs):
    """Counts and sha256 of both splits' text."""
    def digest(pairs):
        return hashlib.sha256("".join(pair_text(q, a) for q, a, _ in pairs).encode()).hexdigest()
    return {"names": len(NAMES), "relations": len(RELATIONS), "facts": len(NAMES) * len(RELATIONS),
            "phrasings_per_fact": N_PHRASINGS, "train_pairs": len(train_pairs), "test_pairs": len(test_pairs),
            "train_sha256": digest(train_pairs), "test_sha256": digest(test_pairs)}


def verified_corpus():
    """The corpus, after checking it against the manifest shipped with this package."""
    train_pairs, test_pairs = generate_corpus()
    expected = json.loads(resources.files(__package__).joinpath(MANIFEST).read_text())
    actual = manifest_of(train_pairs, test_pairs)
    if actual != expected:
        diff = {k: (expected.get(k), actual.get(k)) for k in set(expected) | set(actual) if expected.get(k) != actual.get(k)}
        raise RuntimeError(f"TinyTalks corpus does not match {MANIFEST}: (expected, generated) = {diff}")
    # the promise of the split, checked rather than assumed: unseen questions, seen facts
    if {q for q, _, _ in train_pairs} & {q for q, _, _ in test_pairs}:
        raise RuntimeError("TinyTalks: a held-out question also occurs in training")
    if not {k for _, _, k in test_pairs} <= {k for _, _, k in train_pairs}:
        raise RuntimeError("TinyTalks: a held-out question asks about a fact never seen in training")
    return train_pairs, test_pairs, actual


def encode_pairs(tokenizer, pairs, block_size):
    """Inputs and targets ``(N, block_size)``: loss on the answer characters (and the final newline) only."""
    n = len(pairs)
    x = np.zeros((n, block_size), np.int64)
    y = np.full((n, block_size), -100, np.int64)
    for row, (question, answer, _) in enumerate(pairs):
        prompt = tokenizer.encode(f"Q: {question}\nA: ")
        ids = prompt + tokenizer.encode(f"{answer}\n")
        if len(ids) > block_size + 1:
            raise ValueError(f"TinyTalks pair longer than the context ({len(ids)} > {block_size + 1}): {question!r}")
        x[row, :len(ids) - 1] = ids[:-1]
        y[row, len(prompt) - 1:len(ids) - 1] = ids[len(prompt):]  # predicting the answer, then '\n'
    return x, y


def answer_questions(model, tokenizer, questions, max_answer=10):
    """Greedy answers, batched over questions whose prompts have the same length."""
    prompts = [tokenizer.encode(f"Q: {q}\nA: ") for q in questions]
    answers = [None] * len(questions)
    newline = tokenizer.encode("\n")[0]
    by_length = {}
    for i, p in enumerate(prompts):
        by_length.setdefault(len(p), []).append(i)
    for length, rows in by_length.items():
        steps = min(max_answer, model.config.block_size - length)
        out = model.generate(Tensor(np.array([prompts[i] for i in rows])), steps, top_k=1).data[:, length:]
        for i, ids in zip(rows, out.tolist()):
            ids = ids[:ids.index(newline)] if newline in ids else ids
            answers[i] = tokenizer.decode(ids)
    return answers


CONFIGS = {
    "full": dict(n_layer=2, n_head=4, n_embd=64, block_size=48, batch_size=64, steps=1000, lr=3e-3),
    "quick": dict(n_layer=1, n_head=2, n_embd=32, block_size=48, batch_size=32, steps=40, lr=1e-2),
}
TARGETS = {"full": {"loss": 1.5, "exact": 0.90}, "quick": {"loss": 3.0}}


def run_part(run, seed, log):
    """Train on TinyTalks; return ``(held-out loss, exact-match rate, metrics)``."""
    cfg = CONFIGS[run]
    train_pairs, test_pairs, manifest = verified_corpus()
    tokenizer = CharTokenizer.from_text("".join(pair_text(q, a) for q, a, _ in train_pairs + test_pairs))
    x_train, y_train = encode_pairs(tokenizer, train_pairs, cfg["block_size"])
    x_test, y_test = encode_pairs(tokenizer, test_pairs, cfg["block_size"])
    log(f"TinyTalks: {manifest['facts']} facts, {manifest['train_pairs']} training pairs, {manifest['test_pairs']} "
        f"held-out questions (unseen phrasings), vocabulary {tokenizer.vocab_size} characters; corpus sha256 "
        f"{manifest['train_sha256'][:12]}... matches the manifest")
    manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=cfg["block_size"], n_layer=cfg["n_layer"],
                          n_head=cfg["n_head"], n_embd=cfg["n_embd"]))
    rng = np.random.default_rng(seed)
    test_batches = [(x_test[i:i + 100], y_test[i:i + 100]) for i in range(0, len(x_test), 100)]

    def batch(step):
        rows = rng.integers(0, len(x_train), cfg["batch_size"])
        return x_train[rows], y_train[rows]

    fit = train(model, batch, steps=cfg["steps"], lr=cfg["lr"], warmup=min(50, cfg["steps"] // 5),
                weight_decay=0.0, eval_every=max(1, cfg["steps"] // 4),
                evaluate=lambda: mean_loss(model, test_batches), log=log)
    loss = mean_loss(model, test_batches)
    questions = [q for q, _, _ in test_pairs]
    predicted = answer_questions(model, tokenizer, questions)
    exact = float(np.mean([p == a for p, (_, a, _) in zip(predicted, test_pairs)]))
    log(f"  held-out answer loss {loss:.4f}, exact-match answers {100 * exact:.1f}% of {len(test_pairs)}")
    log("  sample dialogue (held-out phrasings):")
    for i in range(0, len(test_pairs), len(test_pairs) // 6)[:6]:
        mark = "ok" if predicted[i] == test_pairs[i][1] else f"expected {test_pairs[i][1]}"
        log(f"    Q: {questions[i]}\n    A: {predicted[i]}   ({mark})")
    metrics = insight(model, "tinytalks", cfg["batch_size"], cfg["block_size"], fit, 4 * cfg["block_size"])
    metrics.update(tinytalks_loss=loss, tinytalks_exact=exact, tinytalks_manifest=manifest)
    return loss, exact, metrics, model
