"""Part 3: Tiny Shakespeare, character level — a 0.8M-parameter GPT writes Shakespeare-like text.

Data: ``<data root>/tinyshakespeare/input.txt`` (1,115,394 characters, Karpathy's char-rnn file),
verified against its pinned sha256 and the folder's ``SHA256SUMS`` before use. The first 90% trains,
the last 10% validates (nanoGPT's split). The model is nanoGPT's published CPU recipe (4 layers, 4
heads, width 128, context 64, batch 12, no dropout), trained with a slightly hotter schedule, under
a time budget: the claim is a validation loss of at most 1.85 within 10 minutes of training.
"""

import hashlib
import time
from pathlib import Path

import numpy as np

from tinytorch.data import data_root
from tinytorch.tensor import Generator, Tensor, manual_seed
from tinytorch.tokenization import CharTokenizer
from tinytorch.transformer import GPT, GPTConfig

from .common import insight, mean_loss, sparkline, train

FILE = "tinyshakespeare/input.txt"
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
SIZE = 1_115_394

CONFIGS = {
    "full": dict(n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=12, steps=2500, lr=2e-3,
                 time_limit=600.0, eval_every=250, eval_batches=40, final_eval_batches=200),
    "quick": dict(n_layer=1, n_head=2, n_embd=32, block_size=32, batch_size=8, steps=30, lr=1e-2,
                  time_limit=60.0, eval_every=15, eval_batches=4, final_eval_batches=8),
}
TARGETS = {"full": 1.85, "quick": 3.5}


class ShakespeareDataError(RuntimeError):
    """The Tiny Shakespeare file is missing or does not match its pinned hash."""


def load_text(root=None):
    """The verified text of Tiny Shakespeare from the data root."""
    folder = data_root(root) / "tinyshakespeare"
    path = folder / "input.txt"
    if not path.is_file():
        raise ShakespeareDataError(
            f"Tiny Shakespeare is not at {path}. Put Karpathy's char-rnn input.txt ({SIZE:,} bytes, sha256 "
            f"{SHA256}) there (https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
            "input.txt), or point TINYTORCH_DATA_DIR / --root at a data root that has it.")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) != SIZE or digest != SHA256:
        raise ShakespeareDataError(f"{path} has {len(raw):,} bytes and sha256 {digest}; expected {SIZE:,} bytes "
                                   f"and sha256 {SHA256}. Replace it with the original file.")
    sums = folder / "SHA256SUMS"
    if sums.is_file():
        listed = {}
        for line in sums.read_text().splitlines():
            if line.strip():
                value, name = line.split(maxsplit=1)
                listed[name.strip().lstrip("*")] = value.lower()
        if listed.get("input.txt", SHA256) != SHA256:
            raise ShakespeareDataError(f"{sums} lists sha256 {listed['input.txt']} for input.txt, not {SHA256}")
    return raw.decode("utf-8")


def split(text):
    """Tokenizer and the encoded training / validation arrays (first 90% / last 10%)."""
    tokenizer = CharTokenizer.from_text(text)
    data = np.array(tokenizer.encode(text), dtype=np.int64)
    n = int(0.9 * len(data))
    return tokenizer, data[:n], data[n:]


def windows(data, block_size, batch_size, rng):
    """A batch of random windows ``(B, T)`` and the same windows shifted by one (the targets)."""
    start = rng.integers(0, len(data) - block_size - 1, batch_size)
    offsets = start[:, None] + np.arange(block_size)  # (B, T)
    return data[offsets], data[offsets + 1]


def plot_curve(evals, losses, path):
    """Write the loss curve as a PNG when matplotlib is installed; return the path or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(np.arange(1, len(losses) + 1), losses, lw=0.6, alpha=0.5, label="train (per step)")
    ax.plot([e[0] for e in evals], [e[2] for e in evals], "o-", label="validation")
    ax.axhline(TARGETS["full"], ls="--", c="gray", lw=0.8, label="target 1.85")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/char)")
    ax.legend()
    fig.tight_layout()
    tmp = Path(path).with_suffix(".tmp.png")
    try:
        fig.savefig(tmp, dpi=120)
        tmp.replace(path)  # atomic: a reader never sees half a PNG
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return str(path)


def run_part(run, seed, log, root=None, clock="wall", plot_path=None):
    """Train on Tiny Shakespeare; return ``(validation loss, seconds, metrics)``."""
    cfg = CONFIGS[run]
    text = load_text(root)
    tokenizer, train_data, val_data = split(text)
    log(f"Tiny Shakespeare: {len(text):,} characters (sha256 verified), vocabulary {tokenizer.vocab_size}, "
        f"{len(train_data):,} train / {len(val_data):,} validation")
    manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=cfg["block_size"], n_layer=cfg["n_layer"],
                          n_head=cfg["n_head"], n_embd=cfg["n_embd"]))
    rng = np.random.default_rng(seed)
    val_rng = np.random.default_rng(seed + 1)
    val = [windows(val_data, cfg["block_size"], cfg["batch_size"], val_rng) for _ in range(cfg["final_eval_batches"])]
    log(f"  GPT {cfg['n_layer']} layers x {cfg['n_head']} heads x {cfg['n_embd']} wide, context {cfg['block_size']}, "
        f"batch {cfg['batch_size']}, up to {cfg['steps']} steps within {cfg['time_limit']:.0f} s ({clock} clock)")
    fit = train(model, lambda step: windows(train_data, cfg["block_size"], cfg["batch_size"], rng),
                steps=cfg["steps"], lr=cfg["lr"], warmup=min(100, cfg["steps"] // 5), time_limit=cfg["time_limit"],
                clock=clock, eval_every=cfg["eval_every"], evaluate=lambda: mean_loss(model, val[:cfg["eval_batches"]]),
                log=log)
    start = time.perf_counter()
    loss = mean_loss(model, val)
    log(f"  validation loss {loss:.4f} over {len(val) * cfg['batch_size'] * cfg['block_size']:,} characters "
        f"({time.perf_counter() - start:.1f} s to evaluate); training took {fit['seconds']:.1f} s ({clock})")
    prompt = Tensor(np.array([tokenizer.encode("\n")]))
    sample = model.generate(prompt, 300, temperature=0.8, top_k=20, generator=Generator().manual_seed(seed))
    log("  300 generated characters (temperature 0.8, top-k 20):\n" + tokenizer.decode(sample.data[0, 1:].tolist()))
    log(f"  loss curve (train, per step): {sparkline(fit['losses'])}")
    log("  validation: " + ", ".join(f"step {s}: {v:.3f}" for s, _, v in fit["evals"]))
    png = plot_curve(fit["evals"], fit["losses"], plot_path) if plot_path else None
    if png:
        log(f"  loss curve written to {png}")
    metrics = insight(model, "shakespeare", cfg["batch_size"], cfg["block_size"], fit, 16 * cfg["block_size"])
    metrics.update(shakespeare_val_loss=loss, shakespeare_clock=clock,
                   shakespeare_evals=[[s, t, round(v, 4)] for s, t, v in fit["evals"]], shakespeare_plot=png)
    return loss, fit["seconds"], metrics, model
