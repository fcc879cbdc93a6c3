from pathlib import Path

import pytest

import tinytorch.milestone_cnn.cnn as cnn
from tinytorch.milestone_cnn import build_model, count_parameters, layer_profile, measure_step
from tinytorch.milestone_cnn.__main__ import main
from tinytorch.results import PREFIX, parse_line
from tinytorch.tensor import zeros

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
needs_data = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"no shared datasets at {SHARED}")


def _result_line(out):
    """The validated result of the one result line, which must be the last line."""
    lines = [line for line in out.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, out
    assert out.rstrip().splitlines()[-1] == lines[0]
    result = parse_line(lines[0]).to_dict()
    result["claims"] = {c["name"]: c for c in result["claims"]}
    return result


@pytest.mark.parametrize("net,shape", [("tinydigits", (1, 8, 8)), ("lenet16", (1, 28, 28)),
                                       ("lenet32", (1, 28, 28)), ("cifar", (3, 32, 32))])
def test_networks_map_images_to_ten_logits(net, shape):
    assert build_model(net)(zeros(2, *shape)).shape == (2, 10)


def test_unknown_network_is_named():
    with pytest.raises(ValueError, match="'lenet7'"):
        build_model("lenet7")


def test_layer_profile_counts_by_hand():
    rows = layer_profile(build_model("lenet16"), (1, 28, 28))
    conv1, conv2 = rows[0], rows[4]
    assert conv1["shape"] == (16, 28, 28) and conv1["params"] == 16 * 25 + 16
    assert conv1["flops"] == 2 * 1 * 25 * 16 * 28 * 28 + 16 * 28 * 28
    assert conv2["shape"] == (32, 10, 10) and conv2["flops"] == 2 * 16 * 25 * 32 * 100 + 32 * 100
    assert conv1["bytes"] == 4 * 16 * 28 * 28
    assert rows[-1]["shape"] == (10,)
    assert sum(r["params"] for r in rows) == count_parameters(build_model("lenet16"))


def test_weight_sharing_keeps_conv_parameters_small():
    # The systems insight: conv1 of LeNet has 416 weights; a dense layer producing the same
    # 16x28x28 map from the 28x28 image would need 784 * 12544 + 12544 of them.
    conv1 = layer_profile(build_model("lenet16"), (1, 28, 28))[0]
    dense = 784 * 16 * 28 * 28 + 16 * 28 * 28
    assert dense / conv1["params"] > 20_000


def test_cifar_augmentation_and_network_train_on_synthetic_images():
    # CIFAR-10 cannot be downloaded here: exercise its transform and network on random images.
    import numpy as np

    from tinytorch.losses import cross_entropy
    from tinytorch.tensor import Tensor

    images = np.random.default_rng(0).random((4, 3, 32, 32)).astype(np.float32)
    x = cnn.train_transform("cifar10", seed=0)(images)
    assert x.shape == (4, 3, 32, 32) and x.dtype == np.float32
    from tinytorch.data import Normalize

    plain = Normalize(*cnn.NORMALIZE["cifar10"])(images)
    assert not np.allclose(x, plain)  # crops and flips moved the pixels
    model = build_model("cifar")
    loss = cross_entropy(model(Tensor(np.ascontiguousarray(x))), Tensor(np.arange(4)))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_measure_step_returns_seconds():
    assert 0 < measure_step("tinydigits", (1, 8, 8), batch_size=8, steps=2) < 10


@needs_data
@pytest.mark.slow
def test_quick_run_passes_and_prints_result_line(monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(SHARED))
    code = main(["--quick"])
    out = capsys.readouterr().out
    result = _result_line(out)
    assert code == 0 and result["passed"] is True
    assert result["milestone"] == "cnn" and result["quick"] is True
    claims = result["claims"]
    assert set(claims) == {"tinydigits_test_accuracy_quick", "mnist_test_accuracy_quick"}
    assert claims["tinydigits_test_accuracy_quick"]["value"] >= 0.95
    assert all(c["passed"] and c["value"] >= c["target"] for c in claims.values())
    assert result["metrics"]["mnist_parameters"] == count_parameters(build_model("lenet16"))
    assert "feature map" in out and "FLOPs/sample" in out


@needs_data
def test_unmet_claim_fails_and_says_by_how_much(monkeypatch, capsys):
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(SHARED))
    monkeypatch.setitem(cnn.CONFIGS, ("tinydigits", "quick"),
                        dict(net="tinydigits", epochs=1, batch_size=100, lr=1e-3, subset=None))
    monkeypatch.setitem(cnn.TARGETS, ("tinydigits", "quick"), 1.01)
    code = main(["--quick", "--only", "tinydigits"])
    out = capsys.readouterr().out
    result = _result_line(out)
    assert code == 1 and result["passed"] is False
    claim = result["claims"]["tinydigits_test_accuracy_quick"]
    assert claim["passed"] is False and claim["target"] == 1.01
    assert "claim failed: tinydigits_test_accuracy_quick" in out and "expected >= 1.0100" in out


@needs_data
def test_absent_cifar_is_skipped_not_passed_and_says_how_to_get_it(monkeypatch, tmp_path, capsys):
    # TinyDigits from the shared folder, CIFAR-10 from an empty root: its claim is skipped.
    monkeypatch.setenv("TINYTORCH_OFFLINE", "1")
    monkeypatch.setitem(cnn.CONFIGS, ("tinydigits", "full"),
                        dict(net="tinydigits", epochs=2, batch_size=32, lr=3e-3, subset=None))
    monkeypatch.setitem(cnn.TARGETS, ("tinydigits", "full"), 0.5)
    monkeypatch.setattr(cnn, "measure_step", lambda *a, **k: 0.1)
    (tmp_path / "digits8x8").symlink_to(SHARED / "digits8x8")
    code = main(["--root", str(tmp_path), "--only", "tinydigits", "cifar10"])
    out = capsys.readouterr().out
    result = _result_line(out)
    cifar = result["claims"]["cifar10_test_accuracy"]
    assert cifar["skipped"] is True and cifar["passed"] is False and cifar["value"] is None
    assert "tito data fetch cifar10" in out and "cifar-10-python.tar.gz" in out
    assert "cifar-10-python.tar.gz" in cifar["reason"] and "claim skipped: cifar10_test_accuracy" in out
    assert result["claims"]["tinydigits_test_accuracy"]["passed"] is True
    assert code == 0 and result["passed"] is True  # the checked claims hold
    assert result["metrics"]["cifar10_full_run_minutes_estimate"] == round(0.1 * 782 * 15 / 60, 1)


def test_absent_fashion_fails_with_the_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TINYTORCH_OFFLINE", "1")
    monkeypatch.setattr(cnn, "measure_step", lambda *a, **k: 0.1)
    code = main(["--root", str(tmp_path), "--only", "fashion"])
    out = capsys.readouterr().out
    result = _result_line(out)
    fashion = result["claims"]["fashion_test_accuracy"]
    assert code == 1 and result["status"] == "failed"
    assert fashion["skipped"] is False and fashion["passed"] is False and fashion["value"] is None
    assert "dataset-fashion-mnist" in fashion["reason"] and "claim failed: fashion_test_accuracy" in out


def test_only_cifar_absent_is_not_achieved(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TINYTORCH_OFFLINE", "1")
    monkeypatch.setattr(cnn, "measure_step", lambda *a, **k: 0.1)
    code = main(["--root", str(tmp_path), "--only", "cifar10"])
    result = _result_line(capsys.readouterr().out)
    assert code == 1 and result["status"] == "skipped" and result["passed"] is False


def test_only_with_nothing_to_run_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--quick", "--only", "cifar10"])
    assert info.value.code == 2 and "none of these run in a quick run" in capsys.readouterr().err
