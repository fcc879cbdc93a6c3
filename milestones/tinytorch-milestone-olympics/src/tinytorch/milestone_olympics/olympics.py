"""Milestone 2018: the optimization olympics.

MLPerf (2018) turned "my model is fast" into a measured, rule-bound race. This milestone runs
three events on the learner's own modules: profile before optimising (module 14), shrink the
MNIST CNN with pruning (16) and int8 weights (15), rank the results on the olympics leaderboard
(19, with a fused entry from 18), and speed up GPT generation with the KV cache and batching
(17), every figure measured on the real object in this run.

Claims (exit status 0 only when every claim holds):

- the profiler's FLOPs of the CNN and of the GPT equal the hand counts;
- the saved int8 + pruned CNN file is >= 8x smaller than the float32 file, and the model loaded
  back from it is within 1 point of the float model's MNIST test accuracy (``--quick``: 2 points
  on a 4,000 / 2,000 image subset);
- the KV cache generates >= 5x the tokens/s of recomputation at batch 1, and KV cache + batching
  >= 12x (``--quick``: >= 2x and >= 4x with fewer tokens); greedy tokens are identical to
  recomputation.

The CNN entries (float, int8 + pruned, fused) are also ranked on module 19's olympics harness
(accuracy, latency, size, accuracy per MB under its constraints), winners printed per category.

Run: ``python -m tinytorch.milestone_olympics [--quick] [--seed N] [--root DIR] [--only PART ...]``.
"""

from threadpoolctl import threadpool_limits

from tinytorch.results import positive_int

from .models import build_cnn, cnn_flops
from .parts import compress_cnn, generation_race, leaderboard, profile_models

DESCRIPTION = "2018: the optimization olympics: profile, compress and accelerate real models."
PARTS = ("profile", "compress", "generate")


def _fraction(text):
    value = float(text)
    if not 0.0 < value < 1.0:
        raise ValueError(f"expected a fraction in (0, 1), got {text}")
    return value


def add_arguments(parser):
    parser.add_argument("--root", default=None, help="data root (default: $TINYTORCH_DATA_DIR or ~/.cache/tinytorch)")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="run only these parts")
    parser.add_argument("--sparsity", type=_fraction, default=0.8, help="fraction of CNN weights pruned (default 0.8)")
    parser.add_argument("--batch", type=positive_int, default=16, help="sequences generated together (default 16)")
    parser.add_argument("--new-tokens", type=positive_int, default=None,
                        help="tokens generated per sequence (default 256; 96 with --quick)")
    parser.add_argument("--threads", type=positive_int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--leaderboard", default=None,
                        help="keep the CNN entries in this leaderboard file (default: a temporary one)")


def run(args, console):
    """Run the chosen parts; return ``(claims, metrics)`` for :func:`tinytorch.results.milestone_main`."""
    claims, metrics = [], {"parameters": sum(p.data.size for p in build_cnn().parameters()),
                           "flops_per_sample": cnn_flops(1)}
    new_tokens = args.new_tokens or (96 if args.quick else 256)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        if "profile" in args.only:
            console.rule("1. Profile: where do time, FLOPs and memory go?")
            c, m = profile_models(args.quick, console.print)
            claims += c
            metrics["profile"] = m
        if "compress" in args.only:
            console.rule("2. Compress: int8 + pruning of the MNIST CNN")
            c, m, entries, test_loader = compress_cnn(args.root, args.quick, args.seed, args.sparsity, console.print)
            claims += c
            metrics["compress"] = m
            metrics["leaderboard"] = leaderboard(entries, test_loader, args.leaderboard, console.print)
        if "generate" in args.only:
            console.rule("3. Generate: KV cache + batching against recomputation")
            c, m = generation_race(args.quick, args.batch, new_tokens, console.print)
            claims += c
            metrics["generate"] = m
    return claims, metrics
