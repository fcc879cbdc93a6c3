"""Run each PyTorch program here unmodified under real torch and through ``python -m tinytorch.compat``.

For every program the same command line runs twice in this invocation, once as
``python PROGRAM ARGS`` (PyTorch) and once as ``python -m tinytorch.compat PROGRAM ARGS``
(TinyTorch), each with one BLAS/OpenMP thread. Each program ends with one ``RESULT {json}`` line;
the table shows its metrics and wall time for both, and the run fails (exit 1) when a program
crashes, prints no result, or TinyTorch's headline metric is further from PyTorch's than the
program's tolerance (initialisations differ, so the numbers are close, not equal).

    python tools/realprograms/run.py --quick            # seconds per program, as in the tests
    python tools/realprograms/run.py --only char_gpt    # the full-length run of one program
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name: (script, quick args, full args, headline metric, tolerance, "abs" or "rel")
PROGRAMS = {
    "mnist_cnn": ("mnist_cnn.py",
                  ["--epochs", "1", "--train-samples", "4000", "--test-samples", "1000", "--log-interval", "100"],
                  ["--epochs", "1", "--train-samples", "20000", "--test-samples", "10000"],
                  "accuracy", 0.06, "abs"),
    "char_gpt": ("char_gpt.py",
                 ["--iters", "30", "--eval-interval", "30", "--eval-iters", "4", "--n-layer", "2",
                  "--n-embd", "64", "--sample-tokens", "40"],
                 ["--iters", "200", "--eval-interval", "100", "--eval-iters", "10"],
                 "val_loss", 0.08, "rel"),
    "vae": ("vae.py", ["--epochs", "1", "--train-samples", "2000", "--test-samples", "500"],
            ["--epochs", "2", "--train-samples", "20000", "--test-samples", "5000"],
            "test_loss", 0.08, "rel"),
    "signal_conv1d": ("signal_conv1d.py", ["--epochs", "2", "--train-samples", "2000", "--test-samples", "1000"],
                      ["--epochs", "6", "--train-samples", "6000", "--test-samples", "2000"],
                      "balanced_accuracy", 0.06, "abs"),
    "makemore_mlp": ("makemore_mlp.py", ["{names}", "--steps", "500", "--samples", "3"],
                     ["{names}", "--steps", "5000", "--samples", "5"],
                     "dev_loss", 0.06, "rel"),
}


def run_one(command, env, timeout):
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}, time.perf_counter() - start
    seconds = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}, seconds
    return json.loads(lines[-1][len("RESULT "):]), seconds


def within(ours, theirs, tolerance, mode):
    if mode == "abs":
        return abs(ours - theirs) <= tolerance
    return abs(ours - theirs) <= tolerance * abs(theirs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (seconds each)")
    parser.add_argument("--only", nargs="*", choices=sorted(PROGRAMS), help="run only these programs")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    args = parser.parse_args(argv)

    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.setdefault("TINYTORCH_DATA_DIR", str(HERE.parents[2] / "shared" / "datasets"))
    workdir = Path(tempfile.mkdtemp(prefix="realprograms-"))
    names = workdir / "names.txt"
    subprocess.run([sys.executable, str(HERE / "names.py"), str(names), "8000"], check=True)

    failures = []
    rows = []
    for name in args.only or sorted(PROGRAMS):
        script, quick, full, metric, tolerance, mode = PROGRAMS[name]
        program_args = [a.format(names=names) for a in (quick if args.quick else full)]
        path = str(HERE / script)
        results = {}
        for side, command in (("torch", [sys.executable, path, *program_args]),
                              ("tinytorch", [sys.executable, "-m", "tinytorch.compat", path, *program_args])):
            results[side] = run_one(command, dict(env, PWD=str(workdir)), args.timeout)
            print(f"{name:>13} {side:>9}: {results[side][0]} ({results[side][1]:.1f} s)", flush=True)
        (theirs, t_torch), (ours, t_ours) = results["torch"], results["tinytorch"]
        if "error" in theirs or "error" in ours:
            failures.append(f"{name}: " + (theirs.get("error") or ours.get("error")))
            continue
        ok = within(ours[metric], theirs[metric], tolerance, mode)
        if not ok:
            failures.append(f"{name}: {metric} {ours[metric]:.4f} vs torch {theirs[metric]:.4f} "
                            f"(tolerance {tolerance} {mode})")
        for key in theirs:
            rows.append((name, key, theirs[key], ours.get(key), "ok" if ok or key != metric else "FAIL"))
        rows.append((name, "wall seconds", t_torch, t_ours, f"{t_ours / t_torch:.2f}x"))

    print(f"\n{'program':<13} {'metric':<14} {'torch':>10} {'tinytorch':>10}  check")
    for name, key, a, b, check in rows:
        fmt = (lambda v: f"{v:10.4f}" if isinstance(v, float) else f"{v!s:>10}")
        print(f"{name:<13} {key:<14} {fmt(a)} {fmt(b)}  {check if key in (PROGRAMS[name][3], 'wall seconds') else ''}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nall programs ran unmodified under torch and tinytorch.compat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
