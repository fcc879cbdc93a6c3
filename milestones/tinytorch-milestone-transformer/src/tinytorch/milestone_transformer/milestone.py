"""Milestone 2017: attention is all you need.

Vaswani et al. (2017) dropped recurrence: every position attends to every other in one matrix
product, so a whole sequence trains in parallel. This milestone reruns the idea on the learner's
own TinyTorch, modules 01-13: the tensor, GELU and softmax, Linear and LayerNorm, cross-entropy,
autograd, AdamW, gradient clipping, the data root, the character tokenizer, embeddings, attention
and the GPT of module 13.

Claims (exit status 0 only when every checked claim holds):

1. attention challenges: reverse, copy and sort 8-digit sequences, each >= 99% exact-sequence
   accuracy on 1,000 held-out sequences;
2. TinyTalks: held-out answer loss < 1.5 and >= 90% exact-match answers to questions phrased in a
   way never seen in training;
3. Tiny Shakespeare (character level): validation loss <= 1.85 within 10 minutes of training on
   a 2-core machine (``--clock cpu`` measures the process's CPU time instead of wall time, for a
   machine shared with other jobs; BLAS runs one thread, so that is one uncontended core's time).

``--quick`` runs every part reduced (seconds, smoke-test claims); ``--part`` runs some parts only.
"""

import time

from rich.markup import escape
from threadpoolctl import threadpool_limits

from tinytorch.data import data_root
from tinytorch.results import Claim, milestone_main

from . import shakespeare, tasks, tinytalks
from .common import insight_table

DESCRIPTION = "2017: attention is all you need — digit tasks, TinyTalks Q&A and Tiny Shakespeare on your own GPT"
PARTS = ("tasks", "tinytalks", "shakespeare")


def add_arguments(parser):
    """The options of this milestone besides ``--quick`` and ``--seed``."""
    parser.add_argument("--part", nargs="+", choices=PARTS, default=list(PARTS), help="run only these parts")
    parser.add_argument("--root", default=None, help="data root (default $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="clock of the Shakespeare time budget (default wall; cpu on a shared machine)")
    parser.add_argument("--plot", default="shakespeare_loss.png",
                        help="where to write the Shakespeare loss curve PNG (needs matplotlib; '' for none)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")


def _tasks(run, seed, console, metrics):
    claims = []
    cfg = tasks.CONFIGS[run]
    suffix = "" if run == "full" else "_quick"
    for task in tasks.TASKS:
        accuracy, m, model = tasks.run_task(task, run, seed, console.print)
        metrics.update(m)
        claims.append(Claim.check(f"{task}_exact_accuracy{suffix}", accuracy, ">=", tasks.TARGET[run],
                                  description=f"{task} {cfg['length']} digits, held-out exact-sequence accuracy"))
    console.print(insight_table(f"attention challenges: systems insight (each of the {len(tasks.TASKS)} models; "
                                f"time and speed of {tasks.TASKS[-1]})",
                                metrics, tasks.TASKS[-1], cfg["batch_size"], cfg["n_head"], cfg["n_layer"]))
    console.print("training time per task: " + ", ".join(
        f"{task} {metrics[f'{task}_train_cpu_seconds']:.1f} s CPU ({metrics[f'{task}_train_seconds']:.1f} s wall, "
        f"{metrics[f'{task}_steps']} steps)" for task in tasks.TASKS))
    return claims


def _tinytalks(run, seed, console, metrics):
    cfg = tinytalks.CONFIGS[run]
    target = tinytalks.TARGETS[run]
    suffix = "" if run == "full" else "_quick"
    loss, exact, m, _ = tinytalks.run_part(run, seed, console.print)
    metrics.update(m)
    console.print(insight_table("TinyTalks: systems insight", metrics, "tinytalks", cfg["batch_size"],
                                cfg["n_head"], cfg["n_layer"]))
    claims = [Claim.check(f"tinytalks_heldout_loss{suffix}", loss, "<", target["loss"],
                          description="mean cross-entropy of held-out answers (nats/char)")]
    if run == "full":
        claims.append(Claim.check("tinytalks_exact_match", exact, ">=", target["exact"],
                                  description="held-out questions answered exactly (greedy)"))
    else:  # 40 steps teach the characters of answers, not the facts: nothing to claim about them
        claims.append(Claim.skip("tinytalks_exact_match_quick", ">=", tinytalks.TARGETS["full"]["exact"],
                                 f"the quick model is too small and short-trained to answer (measured "
                                 f"{100 * exact:.1f}%); the full run checks this claim"))
    return claims


def _shakespeare(run, seed, console, metrics, root, clock, plot):
    cfg = shakespeare.CONFIGS[run]
    suffix = "" if run == "full" else "_quick"
    name = f"shakespeare_val_loss{suffix}"
    try:
        loss, seconds, m, _ = shakespeare.run_part(run, seed, console.print, root, clock, plot or None)
    except shakespeare.ShakespeareDataError as exc:
        console.print(f"[bold red]Tiny Shakespeare unavailable[/bold red]: {escape(str(exc))}")
        return [Claim.check(name, None, "<=", shakespeare.TARGETS[run], reason=str(exc))]
    metrics.update(m)
    console.print(insight_table("Tiny Shakespeare: systems insight", metrics, "shakespeare", cfg["batch_size"],
                                cfg["n_head"], cfg["n_layer"]))
    return [Claim.check(name, loss, "<=", shakespeare.TARGETS[run],
                        description=f"character-level validation loss within the {cfg['time_limit']:.0f} s budget"),
            Claim.check(f"shakespeare_train_seconds{suffix}", seconds, "<=", cfg["time_limit"],
                        description=f"training time ({clock} clock)")]


def run(args, console):
    """Run the chosen parts; return ``(claims, metrics)`` for :func:`tinytorch.results.milestone_main`."""
    quick = "quick" if args.quick else "full"
    console.print(f"[bold]2017 transformer milestone[/bold] ({quick} run, parts {', '.join(args.part)}, "
                  f"data root {escape(str(data_root(args.root)))})")
    claims, metrics = [], {}
    with threadpool_limits(limits=args.threads):
        for part in PARTS:
            if part not in args.part:
                continue
            start = time.perf_counter()
            if part == "tasks":
                claims += _tasks(quick, args.seed, console, metrics)
            elif part == "tinytalks":
                claims += _tinytalks(quick, args.seed, console, metrics)
            else:
                claims += _shakespeare(quick, args.seed, console, metrics, args.root, args.clock, args.plot)
            metrics[f"{part}_wall_seconds"] = round(time.perf_counter() - start, 2)
    first = next((k[:-len("_parameters")] for k in metrics if k.endswith("_parameters")), None)
    if first is not None:
        metrics["parameters"] = metrics[f"{first}_parameters"]
    return claims, metrics


def main(argv=None):
    """Run the milestone; return the exit status (0 only when it passed)."""
    return milestone_main("transformer", run, argv, description=DESCRIPTION, add_arguments=add_arguments)
