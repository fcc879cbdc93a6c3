"""Tokenizer speed: BPE training time, and encoding throughput of tiktoken vs the Python loop.

1. Train a byte-level BPE vocabulary of ``--vocab-size`` ids (default 1024) on the first
   ``--train-bytes`` (default 1 MB) of Tiny Shakespeare with our trainer (incremental pair
   counts; ``tinytorch.tokenization.train_bpe``). Median of ``--repeat`` runs.
   ``--naive`` also times the textbook trainer that recounts every pair before each merge.
2. Encode Tiny Shakespeare with that vocabulary and with GPT-2's (``get_encoding("gpt2")``),
   through the tiktoken backend (a ``tiktoken.Encoding`` built from the same ranks) and through
   the pure-Python merge loop (``bpe_merge``); the two give identical ids (checked here), and the
   ratio is the point. The character tokenizer is timed alongside. Medians of ``--repeat`` runs,
   each backend taking turns so both see the same machine load.

Needs ``TINYTORCH_DATA_DIR`` (or ``--data``) with ``tinyshakespeare/input.txt`` and, for the
GPT-2 rows, ``gpt2-bpe/r50k_base.tiktoken``. Run from the repo root:
``python tools/bench/bench_tokenizer.py`` (``--markdown`` for docs/performance.md). There is no
PyTorch tokenizer to compare with. Never used as a CI gate.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from tinytorch.tokenization import BPETokenizer, CharTokenizer, get_encoding
from tinytorch.tokenization.train import count_pieces, train_bpe, train_bpe_naive


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def turns(fns, repeat):
    """Median seconds of each ``fns[key]()``, the functions taking turns within each round."""
    times = {key: [] for key in fns}
    for _ in range(repeat):
        for key, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(t) for key, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("TINYTORCH_DATA_DIR", str(Path.home() / ".cache" / "tinytorch")))
    parser.add_argument("--vocab-size", type=int, default=1024)
    parser.add_argument("--train-bytes", type=int, default=1_000_000)
    parser.add_argument("--python-bytes", type=int, default=200_000,
                        help="text encoded by the (slow) Python loop; the tiktoken path encodes all of it too")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive", action="store_true",
                        help="also time train_bpe_naive (a full recount per merge: minutes) once")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    path = Path(args.data) / "tinyshakespeare" / "input.txt"
    if not path.is_file():
        print(f"Tiny Shakespeare not found at {path}: pass --data or set TINYTORCH_DATA_DIR", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8")
    train_text = text.encode("utf-8")[: args.train_bytes].decode("utf-8", errors="ignore")
    print(f"# {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
          f"Tiny Shakespeare {len(text.encode()):,} bytes")

    pieces_s = median_seconds(lambda: count_pieces(train_text), args.repeat)
    pieces = count_pieces(train_text)
    train_s = median_seconds(lambda: train_bpe(pieces, args.vocab_size), args.repeat)
    tok = BPETokenizer.train(train_text, args.vocab_size)
    print(f"train: {len(train_text.encode()):,} bytes ({len(pieces):,} distinct pieces) to vocab "
          f"{tok.vocab_size}: pre-tokenise {pieces_s:.2f} s + merges {train_s:.2f} s = {pieces_s + train_s:.2f} s "
          f"(median of {args.repeat})")

    if args.naive:
        start = time.perf_counter()
        naive = train_bpe_naive(pieces, args.vocab_size)
        naive_s = time.perf_counter() - start
        print(f"train: the same merges recounting every pair per merge (train_bpe_naive): {naive_s:.1f} s, "
              f"identical tokens: {naive == train_bpe(pieces, args.vocab_size)}")

    sample = text.encode("utf-8")[: args.python_bytes].decode("utf-8", errors="ignore")
    tokenizers = [(f"BPE {tok.vocab_size} (ours)", tok)]
    if (Path(args.data) / "gpt2-bpe" / "r50k_base.tiktoken").is_file():
        tokenizers.append(("GPT-2 BPE 50257", get_encoding("gpt2", root=args.data)))
    rows = []
    for label, fast in tokenizers:
        slow = BPETokenizer(fast.ranks, fast.pattern, list(fast.special_tokens), backend="python")
        assert fast.encode(sample) == slow.encode(sample), "backends disagree"
        t = turns({"tiktoken": lambda: fast.encode(sample), "python": lambda: slow.encode(sample)}, args.repeat)
        n_tokens = len(fast.encode(sample))
        full = median_seconds(lambda: fast.encode(text), args.repeat)
        rows.append((label, len(sample.encode()), n_tokens, t["tiktoken"], t["python"], len(text.encode()) / full))
    char = CharTokenizer.from_text(text)
    char_s = median_seconds(lambda: char.encode(text), args.repeat)

    mb = 1e6
    header = "| tokenizer | bytes/token | tiktoken MB/s | Python loop MB/s | ratio | tiktoken on all of it, MB/s |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|")
    for label, nbytes, n_tokens, fast_s, slow_s, full_rate in rows:
        print(f"| {label} | {nbytes / n_tokens:.2f} | {nbytes / fast_s / mb:.2f} | {nbytes / slow_s / mb:.3f} | "
              f"{slow_s / fast_s:.0f}x | {full_rate / mb:.2f} |")
    print(f"| characters (65) | 1.00 | — | — | — | {len(text.encode()) / char_s / mb:.2f} (NumPy code points) |")
    if not args.markdown:
        print(f"# encode throughput measured on the first {args.python_bytes:,} bytes; medians of {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
