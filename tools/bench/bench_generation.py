"""Generation speed: KV cache and batching against recomputation, and PyTorch recomputing.

The 2017 milestone's Tiny Shakespeare model size (vocabulary 65, context 64, 4 layers, 4 heads,
width 128, 809,856 parameters; random weights: speed does not depend on training), greedy decoding
of ``--new-tokens`` (256) tokens from a one-token prompt. Columns, all in this process, BLAS on one thread:

- ``recompute B=1``: ``GPT.generate``, the whole window again every step (the baseline);
- ``recompute graph-free B=1``: ``generate(..., use_cache=False)``, recomputation through the same
  graph-free forward the cache uses (``tinytorch.memoization.decode``): is the baseline fair?
- ``cache B=1``: ``tinytorch.memoization.generate`` with the preallocated ``KVCache`` (graph-free);
- ``cache B=8``: the same for 8 sequences at once (tokens/s counts all 8 rows);
- ``cache+fused B=1`` / ``B=8``: the cache on ``tinytorch.acceleration.accelerate(model)`` (fused
  layer norms, GELU MLP and attention: fewer recorded ops per step); not a stock GPT, so it runs
  through ``model.forward`` and its Tensor ops — the cache without the graph-free path;
- ``torch recompute B=1``: the same GPT in PyTorch 2.13 (``tools/bench/bench_gpt.py``'s model
  class, same weights), recomputing, one thread; skipped without torch.

Context 64 < 1 + 256 tokens, so the cache's ``on_full="shift"`` policy re-encodes half a window
every 32 tokens; the check of identical tokens uses ``on_full="recompute"`` on the first
``block_size`` tokens, where the two must agree. Each column runs ``--repeat`` times, taking
turns; medians. Run from the repo root: ``python tools/bench/bench_generation.py``. Never a CI gate.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import bench_gpt  # noqa: E402  (same folder: the PyTorch twin of our GPT)
from tinytorch.acceleration import accelerate  # noqa: E402
from tinytorch.memoization import generate  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.transformer import GPT, GPTConfig  # noqa: E402

torch = bench_gpt.torch
CONFIG = dict(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128)


def build(seed=0):
    """Our GPT of the 2017 Shakespeare size and, with torch, its PyTorch twin with the same weights."""
    manual_seed(seed)
    ours = GPT(GPTConfig(**CONFIG))
    theirs = None
    if torch is not None:
        c = CONFIG
        theirs = bench_gpt.TorchGPT(c["vocab_size"], c["block_size"], c["n_layer"], c["n_head"], c["n_embd"])
        state = {bench_gpt._torch_name(k): torch.tensor(v) for k, v in ours.state_dict().items()}
        state["causal"] = theirs.causal
        theirs.load_state_dict(state)
    return ours, theirs


def _torch_recompute(model, new_tokens):
    ids = torch.zeros((1, 1), dtype=torch.int64)
    with torch.no_grad():
        for _ in range(new_tokens):
            logits, _ = model(ids[:, -CONFIG["block_size"]:])
            ids = torch.cat([ids, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    return ids


def measure(new_tokens=256, repeat=3):
    """Median tokens/s per column and whether cached greedy tokens equal recomputed ones."""
    ours, theirs = build()
    ours.eval()
    fused = accelerate(ours).eval()
    if theirs is not None:
        theirs.eval()
        torch.set_num_threads(1)
    one, eight = Tensor(np.zeros((1, 1), np.int64)), Tensor(np.arange(8).reshape(8, 1) % CONFIG["vocab_size"])
    columns = {
        "recompute B=1": (lambda: ours.generate(one, new_tokens, top_k=1), 1),
        "recompute graph-free B=1": (lambda: generate(ours, one, new_tokens, top_k=1, use_cache=False), 1),
        "cache B=1": (lambda: generate(ours, one, new_tokens, top_k=1), 1),
        "cache B=8": (lambda: generate(ours, eight, new_tokens, top_k=1), 8),
        "cache+fused B=1": (lambda: generate(fused, one, new_tokens, top_k=1), 1),
        "cache+fused B=8": (lambda: generate(fused, eight, new_tokens, top_k=1), 8),
    }
    if theirs is not None:
        columns["torch recompute B=1"] = (lambda: _torch_recompute(theirs, new_tokens), 1)
    times = {name: [] for name in columns}
    for _ in range(repeat):
        for name, (fn, _) in columns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    rates = {name: columns[name][1] * new_tokens / float(np.median(t)) for name, t in times.items()}
    n = CONFIG["block_size"] - 1
    reference = ours.generate(eight, n, top_k=1).data
    same = (np.array_equal(reference, generate(ours, eight, n, top_k=1, on_full="recompute").data)
            and np.array_equal(reference, generate(fused, eight, n, top_k=1, on_full="recompute").data))
    return rates, same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rates, same = measure(args.new_tokens, args.repeat)
    base = rates["recompute B=1"]
    print(f"GPT {CONFIG}, greedy, {args.new_tokens} new tokens, medians of {args.repeat}")
    print(f"{'column':<27}{'tokens/s':>12}{'vs recompute B=1':>20}")
    for name, rate in rates.items():
        print(f"{name:<27}{rate:>12.0f}{rate / base:>19.1f}x")
    print(f"cached tokens identical to recomputation (B=8, {CONFIG['block_size'] - 1} tokens): {same}")


if __name__ == "__main__":
    main()
