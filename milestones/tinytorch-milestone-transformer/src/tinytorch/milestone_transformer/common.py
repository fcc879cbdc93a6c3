"""What every part of the 2017 milestone shares: the training loop, evaluation and the systems insight.

Each part trains a :class:`~tinytorch.transformer.GPT` on ``(x, y)`` batches of token ids with AdamW,
a linear warm-up then cosine decay of the learning rate, and gradient clipping at norm 1, as
nanoGPT does; then reports parameters, FLOPs per token, measured tokens per second and the memory
the attention matrices take.
"""

import math
import time

import numpy as np
from rich.table import Table

import tinytorch.autograd  # noqa: F401  (the engine that loss.backward() runs: module 05)
from tinytorch.optim import AdamW
from tinytorch.optim.lr_scheduler import LambdaLR
from tinytorch.tensor import Tensor, no_grad
from tinytorch.training import clip_grad_norm_

SPARK = "▁▂▃▄▅▆▇█"


def warmup_cosine(warmup, total, floor=0.1):
    """``lr_lambda`` for LambdaLR: linear warm-up over ``warmup`` steps, then cosine decay to
    ``floor`` times the base rate at step ``total``."""
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
    return factor


def train(model, next_batch, *, steps, lr, warmup=50, weight_decay=0.1, time_limit=None, clock="wall",
          eval_every=None, evaluate=None, until=None, log=None):
    """Train ``model`` for ``steps`` AdamW steps (or until ``time_limit`` seconds of training, or until
    ``until`` says the training batches are learned).

    Args:
        model: a GPT in training mode.
        next_batch: ``next_batch(step) -> (x, y)`` int arrays ``(B, T)`` (y = -100 where no loss).
        steps: planned number of steps (sets the schedule).
        lr: peak learning rate.
        time_limit: stop early once training alone has taken this many seconds.
        clock: ``"wall"`` (elapsed time) or ``"cpu"`` (this process's CPU time: on a machine shared
            with other jobs, what one uncontended core would need, since BLAS runs one thread).
        eval_every, evaluate: every ``eval_every`` steps (and at the end) record ``evaluate()``.
        until: ``until(logits, y) -> bool``, called with each training batch's logits ``(B, T, V)``
            (an ndarray, computed before that batch's update) and targets; training stops at the first
            batch where it returns True, without updating on that batch, so the weights it verified
            are the ones returned. It sees training batches only, never held-out data.
        log: ``log(str)`` for progress lines.

    Returns:
        dict with ``steps`` (updates done), ``seconds`` (training time on ``clock``, evaluation excluded),
        ``wall_seconds``, ``cpu_seconds``, ``tokens``, ``stopped_early`` (``until`` fired),
        ``losses`` (training loss per step) and ``evals`` (list of ``(step, seconds, value)``).
    """
    opt = AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), weight_decay=weight_decay)
    schedule = LambdaLR(opt, warmup_cosine(warmup, steps))
    losses, evals = [], []
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock must be 'wall' or 'cpu', got {clock!r}")
    wall = cpu = 0.0
    tokens, done, learned = 0, 0, False
    for step in range(steps):
        x, y = next_batch(step)
        start, start_cpu = time.perf_counter(), time.process_time()
        logits, loss = model(Tensor(x), targets=Tensor(y))
        learned = until is not None and until(logits.data, y)
        if learned:  # keep the weights the check has just verified: no update from this batch
            wall += time.perf_counter() - start
            cpu += time.process_time() - start_cpu
            break
        opt.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        seconds = wall if clock == "wall" else cpu
        tokens += x.size
        done = step + 1
        losses.append(loss.item())
        out_of_time = time_limit is not None and seconds >= time_limit
        if evaluate is not None and eval_every and (done % eval_every == 0 or done == steps or out_of_time):
            value = evaluate()
            evals.append((done, round(seconds, 2), value))
            if log:
                log(f"  step {done}/{steps}: train loss {np.mean(losses[-eval_every:]):.4f}, "
                    f"eval {value:.4f}, {seconds:.0f} s ({clock})")
        if out_of_time:
            if log:
                log(f"  time limit of {time_limit:.0f} s ({clock}) reached after {done} steps")
            break
    return {"steps": done, "seconds": wall if clock == "wall" else cpu, "wall_seconds": wall, "cpu_seconds": cpu,
            "clock": clock, "tokens": tokens, "stopped_early": learned, "losses": losses, "evals": evals}


def mean_loss(model, batches):
    """Mean cross-entropy of ``model`` over ``(x, y)`` batches, in eval mode, without a graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            return float(np.mean([model(Tensor(x), targets=Tensor(y))[1].item() for x, y in batches]))
    finally:
        model.train(was_training)


def sparkline(values, width=60):
    """A one-line text plot of ``values`` (resampled to at most ``width`` points)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return ""
    if values.size > width:
        values = np.array([chunk.mean() for chunk in np.array_split(values, width)])
    low, high = values.min(), values.max()
    levels = np.zeros(values.size, int) if high == low else np.round((values - low) / (high - low) * 7).astype(int)
    return "".join(SPARK[i] for i in levels)


def insight(model, name, batch_size, seq_len, fit, long_seq_len):
    """The systems numbers of one trained model (a dict of metrics)."""
    counts = model.parameter_counts()
    return {
        f"{name}_parameters": int(counts["total"]),
        f"{name}_parameters_by_component": {k: int(v) for k, v in counts.items() if k != "total"},
        f"{name}_train_flops_per_token": int(model.flops_per_token(seq_len, training=True)),
        f"{name}_tokens_per_second": round(fit["tokens"] / fit["wall_seconds"], 1) if fit["wall_seconds"] else None,
        f"{name}_tokens_per_cpu_second": round(fit["tokens"] / fit["cpu_seconds"], 1) if fit["cpu_seconds"] else None,
        f"{name}_train_seconds": round(fit["wall_seconds"], 2),
        f"{name}_train_cpu_seconds": round(fit["cpu_seconds"], 2),
        f"{name}_steps": fit["steps"],
        f"{name}_attention_bytes": {str(seq_len): model.attention_matrix_bytes(batch_size, seq_len),
                                    str(long_seq_len): model.attention_matrix_bytes(batch_size, long_seq_len)},
    }


def _bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024


def insight_table(title, metrics, name, batch_size, n_head, n_layer):
    """A rich table of the systems insight of one part (from the metrics :func:`insight` made)."""
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    by = metrics[f"{name}_parameters_by_component"]
    table.add_row("parameters", f"{metrics[f'{name}_parameters']:,} ("
                  + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in by.items() if v) + ")")
    table.add_row("training FLOPs per token", f"{metrics[f'{name}_train_flops_per_token']:,}")
    tps = metrics[f"{name}_tokens_per_second"]
    cps = metrics[f"{name}_tokens_per_cpu_second"]
    table.add_row("training tokens/s (measured)", "-" if tps is None else
                  f"{tps:,.0f} per wall second, {cps:,.0f} per CPU second")
    table.add_row("training time", f"{metrics[f'{name}_train_seconds']:.1f} s wall, "
                  f"{metrics[f'{name}_train_cpu_seconds']:.1f} s CPU, {metrics[f'{name}_steps']} steps")
    for T, b in metrics[f"{name}_attention_bytes"].items():
        table.add_row(f"attention matrices at T = {T}", f"{_bytes(b)} (B {batch_size} x {n_head} heads x "
                      f"{T}^2 x {n_layer} layers x 4 bytes)")
    return table
