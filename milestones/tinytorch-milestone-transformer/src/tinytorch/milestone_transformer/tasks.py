"""Part 1: the three attention challenges — reverse, copy and sort a sequence of digits.

A sequence of ``n`` random digits, a separator, then the answer: ``3 1 4 1 | 1 4 1 3`` (reverse).
The model sees the whole line and is trained only on the answer positions (targets ``-100``
elsewhere). Each answer digit must be *fetched* from the right input position (copy: ``n`` back,
reverse: a mirrored position, sort: the smallest digit not yet emitted), which is what attention
does and a fixed-window model cannot. Scored on held-out sequences, never drawn in training, by
greedy decoding of the whole answer: a sequence counts only if every digit is right.

Training stops early once the task is learned by a training-side check (:func:`learned_after`):
``streak`` consecutive training batches, each of fresh sequences, answered exactly. The held-out
sequences decide the claim only, after training.
"""

import numpy as np

from tinytorch.tensor import Tensor, manual_seed
from tinytorch.transformer import GPT, GPTConfig

from .common import insight, train

SEP = 10  # token after the ten digits
TASKS = ("reverse", "copy", "sort")

# Per run: sequence length, model, batch, most steps, peak learning rate, the training-side stopping
# streak (consecutive exact batches) and held-out sequences.
CONFIGS = {
    "full": dict(length=8, n_layer=2, n_head=4, n_embd=64, batch_size=64, steps=700, lr=3e-3, streak=20,
                 test_size=1000),
    "quick": dict(length=4, n_layer=1, n_head=2, n_embd=32, batch_size=32, steps=200, lr=1e-2, streak=5,
                  test_size=200),
}
TARGET = {"full": 0.99, "quick": 0.8}


def answer(task, x):
    """The answer digits for each row of ``x`` ``(N, n)``."""
    if task == "reverse":
        return x[:, ::-1]
    if task == "copy":
        return x.copy()
    if task == "sort":
        return np.sort(x, axis=1)
    raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")


def _codes(x):
    """One integer per row (the digits read as a number), for set membership."""
    return x @ (10 ** np.arange(x.shape[1] - 1, -1, -1))


def make_split(length, test_size, seed):
    """Held-out input sequences ``(test_size, length)`` and a sampler of training batches that never
    draws one of them."""
    rng = np.random.default_rng(seed)
    test = rng.integers(0, 10, size=(test_size, length))
    held_out = set(_codes(test).tolist())

    def sample(batch_size):
        x = rng.integers(0, 10, size=(batch_size, length))
        clash = np.fromiter((c in held_out for c in _codes(x).tolist()), bool, batch_size)
        while clash.any():  # redraw the rare rows that landed on a held-out sequence
            x[clash] = rng.integers(0, 10, size=(int(clash.sum()), length))
            clash = np.fromiter((c in held_out for c in _codes(x).tolist()), bool, batch_size)
        return x
    return test, sample


def lm_batch(task, x):
    """Inputs and targets for next-token training: loss only where the answer is predicted."""
    n = x.shape[1]
    seq = np.concatenate([x, np.full((len(x), 1), SEP), answer(task, x)], axis=1)  # (N, 2n + 1)
    inputs, targets = seq[:, :-1], seq[:, 1:].copy()
    targets[:, :n] = -100  # the prompt digits are random: nothing to learn there
    return inputs, targets


def learned_after(streak):
    """A training-side stopping rule for :func:`~.common.train`: True once ``streak`` consecutive
    training batches were answered exactly.

    A row counts when the argmax at every answer position is the target digit, with the right digits
    fed in (teacher forcing): exactly the condition for greedy decoding to produce the whole answer,
    so it measures the claim's quantity on one forward pass the step computes anyway. Every batch is
    freshly drawn from the training sampler, never from the held-out sequences.
    """
    run = 0

    def check(logits, y):  # logits (B, T, V), y (B, T) with -100 off the answer
        nonlocal run
        answer = y != -100
        exact = np.all((logits.argmax(axis=-1) == y) | ~answer, axis=1)  # (B,)
        run = run + 1 if exact.all() else 0
        return run >= streak
    return check


def exact_accuracy(model, task, x, batch_size=500):
    """Fraction of rows of ``x`` whose whole answer greedy decoding gets right."""
    n = x.shape[1]
    correct = 0
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        prompt = np.concatenate([xb, np.full((len(xb), 1), SEP)], axis=1)
        out = model.generate(Tensor(prompt), n, top_k=1).data[:, n + 1:]
        correct += int(np.all(out == answer(task, xb), axis=1).sum())
    return correct / len(x)


def run_task(task, run, seed, log):
    """Train one task; return ``(accuracy, metrics)``."""
    cfg = CONFIGS[run]
    n = cfg["length"]
    test, sample = make_split(n, cfg["test_size"], seed + TASKS.index(task))
    manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=11, block_size=2 * n, n_layer=cfg["n_layer"], n_head=cfg["n_head"],
                          n_embd=cfg["n_embd"]))
    log(f"{task}: {n} digits, GPT {cfg['n_layer']} layers x {cfg['n_head']} heads x {cfg['n_embd']} wide, "
        f"up to {cfg['steps']} steps of {cfg['batch_size']}, until {cfg['streak']} training batches in a row "
        "are answered exactly")
    fit = train(model, lambda step: lm_batch(task, sample(cfg["batch_size"])), steps=cfg["steps"], lr=cfg["lr"],
                warmup=min(50, cfg["steps"] // 5), weight_decay=0.0, until=learned_after(cfg["streak"]), log=log)
    learned = (f"learned by the training-side check after {fit['steps']} steps"
               if fit["stopped_early"] else f"not learned by the training-side check in {fit['steps']} steps")
    log(f"  {learned}: {fit['wall_seconds']:.1f} s wall, {fit['cpu_seconds']:.1f} s CPU, "
        f"training loss {np.mean(fit['losses'][-cfg['streak']:]):.4f}")
    accuracy = exact_accuracy(model, task, test)
    sample_x = test[:1]
    shown = model.generate(Tensor(np.concatenate([sample_x, [[SEP]]], axis=1)), n, top_k=1).data[0]
    log(f"  {task}: held-out exact-sequence accuracy {100 * accuracy:.1f}% on {len(test)} sequences; e.g. "
        f"{''.join(map(str, sample_x[0]))} -> {''.join(map(str, shown[n + 1:]))}")
    metrics = insight(model, task, cfg["batch_size"], 2 * n, fit, 8 * n)
    metrics[f"{task}_accuracy"] = accuracy
    metrics[f"{task}_stopped_by_training_check"] = fit["stopped_early"]
    return accuracy, metrics, model
