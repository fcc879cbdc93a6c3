"""Accuracy of int8 models on the real MNIST test set: within 1 point of the float model."""

import numpy as np
import pytest

from tinytorch.data import MNIST
from tinytorch.quant import model_bytes, quantize_dynamic, quantize_static

from quant_models import accuracy, mnist_cnn, mnist_mlp, train


@pytest.fixture(scope="module")
def mnist():
    try:
        train_set, test_set = MNIST(train=True), MNIST(train=False)
    except FileNotFoundError as exc:
        pytest.skip(f"MNIST is not in the data folder: {exc}")
    x = train_set.data[:, None].astype(np.float32) / 255
    return x, train_set.targets, test_set.data[:, None].astype(np.float32) / 255, test_set.targets


@pytest.mark.slow
@pytest.mark.parametrize("build, n_train", [(mnist_mlp, 20_000), (mnist_cnn, 6_000)], ids=["mlp", "cnn"])
def test_int8_accuracy_within_one_point(mnist, build, n_train):
    xtr, ytr, xte, yte = mnist
    model = train(build(), xtr[:n_train], ytr[:n_train])
    float_acc = accuracy(model, xte, yte)
    assert float_acc > 90.0  # a trained model, or the comparison means nothing
    q = quantize_dynamic(model)
    static = quantize_static(model, [xtr[i:i + 64] for i in range(0, 640, 64)])
    assert float_acc - accuracy(q, xte, yte) <= 1.0
    assert float_acc - accuracy(static, xte, yte) <= 1.0
    assert model_bytes(model) / model_bytes(q) >= 3.9
