"""The torchvision-shaped part: datasets over module 08's verified files, transforms on batches."""

import os

import numpy as np
import pytest

from tinytorch.compat.vision import datasets, transforms
from tinytorch.tensor import Tensor


def test_to_tensor_converts_uint8_images_and_passes_float_batches_through():
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)  # (H, W, C)
    out = transforms.ToTensor()(image)
    assert out.shape == (3, 2, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, image.transpose(2, 0, 1) / 255, rtol=1e-6)
    assert transforms.ToTensor()(np.zeros((5, 5), np.uint8)).shape == (1, 5, 5)
    batch = Tensor(np.random.default_rng(0).random((4, 1, 5, 5), dtype=np.float32))
    assert transforms.ToTensor()(batch) is batch
    with pytest.raises(TypeError, match=r"\(H, W\) or \(H, W, C\)"):
        transforms.ToTensor()(np.zeros((1, 2, 3, 4), np.uint8))


def test_lambda_applies_a_per_image_function_to_each_image_of_a_batch():
    batch = np.random.default_rng(1).random((3, 1, 2, 2), dtype=np.float32)
    flat = transforms.Lambda(lambda img: img.reshape(-1) * 2)
    np.testing.assert_allclose(flat(batch), batch.reshape(3, 4) * 2)
    assert isinstance(flat(Tensor(batch)), Tensor)
    with pytest.raises(TypeError, match="callable"):
        transforms.Lambda(3)


def test_compose_of_torchvision_style_pipeline():
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,)),
                                   transforms.RandomHorizontalFlip(p=0.0)])
    batch = np.full((2, 1, 3, 3), 0.75, np.float32)
    np.testing.assert_allclose(np.asarray(pipeline(batch)), 1.0)


needs_mnist = pytest.mark.skipif(
    not os.path.isdir(os.path.join(os.environ.get("TINYTORCH_DATA_DIR", ""), "mnist")),
    reason="MNIST is not in $TINYTORCH_DATA_DIR (see tito data fetch mnist)")


@needs_mnist
def test_mnist_with_torchvision_arguments_and_target_transform(tmp_path):
    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    # a root without module 08's layout falls back to the verified data root
    test = datasets.MNIST(str(tmp_path), train=False, download=False, transform=normalize,
                          target_transform=lambda y: y % 2)
    image, label = test[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label in (0, 1)
    raw = datasets.MNIST(os.environ["TINYTORCH_DATA_DIR"], train=False)
    np.testing.assert_allclose(image.data, (raw[0][0].data - 0.1307) / 0.3081, rtol=1e-5, atol=1e-5)
    x, y = test.__getitems__(np.arange(5))
    assert x.shape == (5, 1, 28, 28) and y.tolist() == [int(t) % 2 for t in raw.targets[:5]]
    assert len(test) == 10000


@needs_mnist
def test_mnist_reads_torchvisions_raw_folder(tmp_path, monkeypatch):
    import gzip
    import shutil

    shared = os.path.join(os.environ["TINYTORCH_DATA_DIR"], "mnist")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        os.symlink(os.path.join(shared, name), raw / name)
    with gzip.open(os.path.join(shared, "t10k-labels-idx1-ubyte.gz")) as src, \
            open(raw / "t10k-labels-idx1-ubyte", "wb") as dst:
        shutil.copyfileobj(src, dst)
    expected = datasets.MNIST(os.environ["TINYTORCH_DATA_DIR"], train=False).targets
    monkeypatch.setenv("TINYTORCH_DATA_DIR", str(tmp_path / "elsewhere"))  # only the raw folder has them
    test = datasets.MNIST(str(tmp_path), train=False)
    np.testing.assert_array_equal(test.targets, expected)
