"""GPT training step and generation speed: tinytorch vs the same pre-norm GPT in PyTorch.

The model of the Speed section of Act IV: vocabulary 65, context 128, 4 layers, 4 heads, width 128
(tied head, biases, GELU MLP), batch 16, AdamW (lr 1e-3). Two columns, same initial weights, same
batches, same process:

- ``tinytorch``: ``tinytorch.transformer.GPT``, ``loss.backward()``, ``tinytorch.optim.AdamW``;
- ``torch``: the same model written in PyTorch 2.13 with attention spelled out (matmul,
  ``masked_fill``, ``softmax``, matmul; no fused kernel), ``torch.optim.AdamW``, one thread.

BLAS and torch run single-threaded (set before NumPy loads), so this compares frameworks, not
thread counts. After an untimed warm-up, the columns take turns for ``--repeat`` steps each; the
medians are reported (wall and CPU time). Generation: greedy decoding of ``--new-tokens`` tokens
from a one-token prompt for a batch of 1, recomputing the context each step (no KV cache) in
both frameworks; tokens per second. ``--profile`` adds where our step's time goes, per kernel and
phase, from the tensor module's op observer. Last, the attention core alone (two matmuls and the
weights, forward and backward) at the benchmark's shape: the fused mask-and-softmax kernel against
the composite ``masked_fill`` + ``softmax`` it replaces; and exact GELU alone at the MLP's shape,
forward and backward (the backward as forward + backward minus forward), ours against torch's.

Run from the repo root: ``python tools/bench/bench_gpt.py [--repeat 10] [--profile] [--markdown]``.
Never used as a CI gate.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402

import numpy as np  # noqa: E402

import tinytorch.autograd  # noqa: E402,F401  (the engine that loss.backward() runs)
from tinytorch.activations import gelu  # noqa: E402
from tinytorch.attention import attention, attention_composite  # noqa: E402
from tinytorch.optim import AdamW  # noqa: E402
from tinytorch.tensor import Tensor, manual_seed, no_grad, register_op_observer  # noqa: E402
from tinytorch.transformer import GPT, GPTConfig  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

CONFIG = dict(vocab_size=65, block_size=128, n_layer=4, n_head=4, n_embd=128)
BATCH, LR = 16, 1e-3


def make_batches(n, seed=0):
    rng = np.random.default_rng(seed)
    V, T = CONFIG["vocab_size"], CONFIG["block_size"]
    return [(rng.integers(0, V, (BATCH, T)), rng.integers(0, V, (BATCH, T))) for _ in range(n)]


if torch is not None:
    nn = torch.nn

    class TorchBlock(nn.Module):
        def __init__(self, C, H):
            super().__init__()
            self.H = H
            self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
            self.c_attn, self.attn_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
            self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

        def forward(self, x, causal):
            B, T, C = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.H))
            att = att.masked_fill(~causal[:T, :T], float("-inf")).softmax(dim=-1)
            y = (att @ v).transpose(1, 2).reshape(B, T, C)
            x = x + self.attn_proj(y)
            return x + self.mlp_proj(nn.functional.gelu(self.c_fc(self.ln_2(x))))

    class TorchGPT(nn.Module):
        def __init__(self, V, T, L, H, C):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
            self.h = nn.ModuleList([TorchBlock(C, H) for _ in range(L)])
            self.ln_f = nn.LayerNorm(C)
            self.lm_head = nn.Linear(C, V, bias=False)
            self.lm_head.weight = self.wte.weight
            self.register_buffer("causal", torch.ones(T, T, dtype=torch.bool).tril())

        def forward(self, idx, targets=None):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for block in self.h:
                x = block(x, self.causal)
            logits = self.lm_head(self.ln_f(x))
            if targets is None:
                return logits, None
            return logits, nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())


def _torch_name(name):
    return name.replace("attn.c_attn", "c_attn").replace("attn.c_proj", "attn_proj") \
        .replace("mlp.c_fc", "c_fc").replace("mlp.c_proj", "mlp_proj")


def build(seed=0):
    manual_seed(seed)
    ours = GPT(GPTConfig(**CONFIG))
    theirs = None
    if torch is not None:
        c = CONFIG
        theirs = TorchGPT(c["vocab_size"], c["block_size"], c["n_layer"], c["n_head"], c["n_embd"])
        state = {_torch_name(k): torch.tensor(v) for k, v in ours.state_dict().items()}
        state["causal"] = theirs.causal
        theirs.load_state_dict(state)
    return ours, theirs


def step_ours(model, opt, x, y):
    _, loss = model(Tensor(x), targets=Tensor(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def step_torch(model, opt, x, y):
    _, loss = model(torch.from_numpy(x), torch.from_numpy(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def _timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_training(repeat, warmup):
    ours, theirs = build()
    opt = AdamW(ours.parameters(), lr=LR)
    topt = torch.optim.AdamW(theirs.parameters(), lr=LR) if theirs is not None else None
    batches = make_batches(warmup + repeat)
    first = (step_ours(ours, opt, *batches[0]), step_torch(theirs, topt, *batches[0]) if theirs else None)
    for x, y in batches[1:warmup]:
        step_ours(ours, opt, x, y)
        if theirs is not None:
            step_torch(theirs, topt, x, y)
    times = {"tinytorch": [], "torch": []}
    for x, y in batches[warmup:]:
        times["tinytorch"].append(_timed(step_ours, ours, opt, x, y))
        if theirs is not None:
            times["torch"].append(_timed(step_torch, theirs, topt, x, y))
    return {k: (float(np.median([t[0] for t in v])), float(np.median([t[1] for t in v])))
            for k, v in times.items() if v}, first


def bench_generation(new_tokens):
    ours, theirs = build()
    ours.eval()
    prompt = np.zeros((1, 1), np.int64)
    start = time.perf_counter()
    out = ours.generate(Tensor(prompt), new_tokens, top_k=1).data
    result = {"tinytorch": new_tokens / (time.perf_counter() - start)}
    if theirs is not None:
        theirs.eval()
        ids = torch.from_numpy(prompt)
        start = time.perf_counter()
        with torch.no_grad():
            for _ in range(new_tokens):
                logits, _ = theirs(ids[:, -CONFIG["block_size"]:])
                ids = torch.cat([ids, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        result["torch"] = new_tokens / (time.perf_counter() - start)
        result["same_tokens"] = bool(np.array_equal(out, ids.numpy()))
    return result


def bench_attention(repeat):
    """CPU ms of forward + backward of the attention core at the benchmark's shape, fused vs composite."""
    rng = np.random.default_rng(0)
    B, H, T = BATCH, CONFIG["n_head"], CONFIG["block_size"]
    D = CONFIG["n_embd"] // H
    arrays = [rng.standard_normal((B, H, T, D)).astype(np.float32) for _ in range(3)]
    mask = np.tri(T, T, dtype=bool)
    grad = Tensor(np.ones((B, H, T, D), np.float32))

    def run(fn):
        q, k, v = (Tensor(a, requires_grad=True) for a in arrays)
        out, _ = fn(q, k, v, mask)
        out.backward(grad)

    times = {attention: [], attention_composite: []}
    for fn in times:
        run(fn)
    for _ in range(repeat):
        for fn in times:
            times[fn].append(_timed(run, fn)[1])
    return {fn.__name__: float(np.median(t)) for fn, t in times.items()}


def bench_gelu(repeat):
    """CPU ms of exact GELU forward and backward at the MLP's shape, ours and torch's."""
    shape = (BATCH, CONFIG["block_size"], 4 * CONFIG["n_embd"])
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    x = Tensor(a, requires_grad=True)
    columns = {"tinytorch forward": lambda: gelu(x),
               "tinytorch backward": lambda: gelu(x).backward(Tensor(g))}
    if torch is not None:
        tx = torch.from_numpy(a).requires_grad_(True)
        tg = torch.from_numpy(g)
        columns["torch forward"] = lambda: torch.nn.functional.gelu(tx)
        columns["torch backward"] = lambda: torch.nn.functional.gelu(tx).backward(tg)
    times = {name: [] for name in columns}
    for _ in range(repeat):
        for name, fn in columns.items():
            times[name].append(_timed(fn)[1])
    med = {name: float(np.median(t)) for name, t in times.items()}
    # "backward" columns timed forward + backward; the backward alone is the difference
    for lib in ("tinytorch", "torch"):
        if f"{lib} backward" in med:
            med[f"{lib} backward"] -= med[f"{lib} forward"]
    return med


def profile_step(steps=3):
    """Seconds per kernel and phase over ``steps`` training steps, from the op observer."""
    ours, _ = build()
    opt = AdamW(ours.parameters(), lr=LR)
    batches = make_batches(steps + 1, seed=1)
    step_ours(ours, opt, *batches[0])
    totals = defaultdict(float)
    counts = defaultdict(int)

    def observe(event):
        totals[(event.name, event.phase)] += event.seconds
        counts[(event.name, event.phase)] += 1

    handle = register_op_observer(observe)
    try:
        wall = time.perf_counter()
        for x, y in batches[1:]:
            step_ours(ours, opt, x, y)
        wall = (time.perf_counter() - wall) / steps
    finally:
        handle.remove()
    rows = sorted(((k, v / steps, counts[k] // steps) for k, v in totals.items()), key=lambda r: -r[1])
    return wall, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed steps per column (median reported)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=100, help="generated tokens for tokens/s")
    parser.add_argument("--profile", action="store_true", help="print where our training step's time goes")
    parser.add_argument("--markdown", action="store_true", help="print the result as a markdown table")
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)
    print(f"GPT V={CONFIG['vocab_size']} T={CONFIG['block_size']} L={CONFIG['n_layer']} H={CONFIG['n_head']} "
          f"C={CONFIG['n_embd']}, batch {BATCH}, AdamW; python {platform.python_version()}, numpy "
          f"{np.__version__}, torch {torch.__version__ if torch else 'absent'}; 1 thread")
    train, first = bench_training(args.repeat, args.warmup)
    print(f"first-step loss: tinytorch {first[0]:.4f}, torch {first[1] if first[1] is None else round(first[1], 4)} "
          f"(ln 65 = {math.log(65):.4f})")
    gen = bench_generation(args.new_tokens)
    core = bench_attention(args.repeat)
    act = bench_gelu(max(args.repeat, 10))
    rows = [("training step (median wall)", f"{1e3 * train['tinytorch'][0]:.1f} ms",
             f"{1e3 * train['torch'][0]:.1f} ms" if "torch" in train else "-",
             f"{train['tinytorch'][0] / train['torch'][0]:.2f}x" if "torch" in train else "-"),
            ("training step (median CPU)", f"{1e3 * train['tinytorch'][1]:.1f} ms",
             f"{1e3 * train['torch'][1]:.1f} ms" if "torch" in train else "-",
             f"{train['tinytorch'][1] / train['torch'][1]:.2f}x" if "torch" in train else "-"),
            ("training tokens/s", f"{BATCH * CONFIG['block_size'] / train['tinytorch'][0]:,.0f}",
             f"{BATCH * CONFIG['block_size'] / train['torch'][0]:,.0f}" if "torch" in train else "-", ""),
            (f"generation tokens/s (greedy, {args.new_tokens} tokens, no cache)", f"{gen['tinytorch']:.0f}",
             f"{gen['torch']:.0f}" if "torch" in gen else "-",
             f"{gen['torch'] / gen['tinytorch']:.2f}x slower" if "torch" in gen else "")]
    for phase in ("forward", "backward"):
        ours, theirs = act[f"tinytorch {phase}"], act.get(f"torch {phase}")
        rows.append((f"exact GELU {phase}, (16, 128, 512) float32 (CPU)", f"{1e3 * ours:.1f} ms",
                     f"{1e3 * theirs:.1f} ms" if theirs else "-",
                     f"{ours / theirs:.2f}x" if theirs else ""))
    rows += [("attention core fwd+bwd, fused masked_softmax (CPU)", f"{1e3 * core['attention']:.1f} ms",
              "-", f"{core['attention'] / core['attention_composite']:.2f}x of composite"),
             ("attention core fwd+bwd, composite masked_fill+softmax (CPU)",
              f"{1e3 * core['attention_composite']:.1f} ms", "-", "")]
    if args.markdown:
        print("| measure | tinytorch | torch 2.13 | ratio |\n|---|---:|---:|---:|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        for r in rows:
            print(f"{r[0]:<62} {r[1]:>10} {r[2]:>10} {r[3]:>18}")
    if "same_tokens" in gen:
        print(f"greedy tokens identical in both frameworks: {gen['same_tokens']}")
    if args.profile:
        wall, prof = profile_step()
        total = sum(r[1] for r in prof)
        print(f"\nwhere the time goes: {1e3 * wall:.1f} ms per step with the observer on, "
              f"{1e3 * total:.1f} ms inside kernels and rules ({100 * total / wall:.0f}%), rest is framework")
        for (name, phase), seconds, calls in prof[:18]:
            print(f"  {name:<44} {phase:<9} {calls:>4} calls {1e3 * seconds:8.2f} ms {100 * seconds / wall:5.1f}%")


if __name__ == "__main__":
    main()
