from pathlib import Path

import pytest

from tinytorch.milestone_olympics import GPT_CONFIG, build_cnn, build_gpt, cnn_flops, gpt_flops
from tinytorch.milestone_olympics.__main__ import main
from tinytorch.results import PREFIX, parse_line
from tinytorch.tensor import zeros

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"no shared datasets at {SHARED}")


def _result(out):
    lines = [line for line in out.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, out
    result = parse_line(lines[0]).to_dict()
    return result, {c["name"]: c for c in result["claims"]}


def test_cnn_and_hand_counts():
    assert build_cnn()(zeros(2, 1, 28, 28)).shape == (2, 10)
    assert sum(p.data.size for p in build_cnn().parameters()) == 208 + 3216 + 51328 + 1290
    assert cnn_flops(1) == 313_600 + 640_000 + 102_400 + 2_560
    # one token, one layer's worth by hand: 24 C^2 + attention 4 C, plus the head 2 C V
    c, v, n = GPT_CONFIG["n_embd"], GPT_CONFIG["vocab_size"], GPT_CONFIG["n_layer"]
    assert gpt_flops(1, 1) == n * (24 * c * c + 4 * c) + 2 * c * v
    logits, _ = build_gpt()(zeros(1, 3, dtype="int64"))
    assert logits.shape == (1, 3, v)


def test_bad_arguments_exit_with_status_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--sparsity", "1.5"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["--only", "swim"])


def test_generation_part_quick(capsys):
    status = main(["--quick", "--only", "generate", "--batch", "8", "--new-tokens", "40"])
    result, claims = _result(capsys.readouterr().out)
    assert claims["greedy_tokens_identical"]["passed"]
    assert claims["cache_batching_speedup_quick"]["value"] > 1.0
    assert result["metrics"]["generate"]["batch"] == 8
    assert status == (0 if result["passed"] else 1)


@needs_data
@pytest.mark.slow
def test_quick_run_checks_its_claims(capsys, monkeypatch):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(SHARED))
    status = main(["--quick", "--only", "compress"])
    result, claims = _result(capsys.readouterr().out)
    assert claims["saved_size_ratio"]["value"] >= 8.0
    assert claims["accuracy_drop_points_quick"]["passed"], claims
    assert result["metrics"]["leaderboard"]["winners"]["size"] == "int8+pruned"
    m = result["metrics"]["compress"]
    assert 0.79 < m["sparsity"] < 0.81 and m["compressed_file_bytes"] < m["float_file_bytes"] / 8
    assert status == 0


def test_profile_part_reports_flops_memory_latency(capsys):
    main(["--quick", "--only", "profile"])
    result, claims = _result(capsys.readouterr().out)
    assert set(claims) == {"cnn_flops_counted_over_hand_count", "gpt_flops_counted_over_hand_count"}
    cnn = result["metrics"]["profile"]["cnn"]
    assert cnn["parameters"] == 56_042 and cnn["top_ops"] and cnn["memory"]["parameters"] == 4 * 56_042
    assert cnn["latency_ms_batch1"] > 0
