"""save/load (torch.save/torch.load): safe, atomic round trips of tensors and plain containers."""

import io
import math
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.layers import Linear, Parameter, Sequential
from tinytorch.optim import Adam
from tinytorch.tensor import Tensor, manual_seed
from tinytorch.training import CheckpointError, load, save
from tinytorch.training import storage as storage_module


def _same(a, b):
    """Equal values, equal types, all the way down (NaN equals NaN)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.data, b.data)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_round_trip_keeps_every_type(tmp_path):
    obj = {
        "f32": Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "f64": Tensor(np.array([0.1, 0.2])),
        "i64": Tensor(np.array([1, 2, 3], dtype=np.int64)),
        "mask": Tensor(np.array([True, False])),
        "grad": Tensor(np.ones(2, np.float32), requires_grad=True),
        "param": Parameter(Tensor(np.zeros(3, np.float32))),
        "array": np.arange(4, dtype=np.int32), "empty": np.zeros((0, 3), np.float32),
        "scalar": np.float32(1.5), "zero_d": Tensor(np.array(2.0, np.float32)),
        3: "int key", 2.5: "float key", None: "none key", True: "bool key",
        "nested": [1, 2.0, "three", None, False, (4, [5, {"six": 6}])],
        "specials": [float("nan"), float("inf"), -float("inf"), 2 ** 70],
        "betas": (0.9, 0.999), "text": "héllo\n",
    }
    save(obj, tmp_path / "obj.pt")
    out = load(tmp_path / "obj.pt")
    _same(obj, out)
    assert isinstance(out["param"], Parameter)
    assert os.listdir(tmp_path) == ["obj.pt"]


def test_plain_values_at_the_top(tmp_path):
    for value in (None, 3, "x", [1, 2], (1,), Tensor([1.0, 2.0]), np.float64(2.5)):
        save(value, tmp_path / "v.pt")
        _same(value, load(tmp_path / "v.pt"))


def test_state_dicts_round_trip_into_modules_and_optimizers(tmp_path):
    manual_seed(0)
    model = Sequential(Linear(4, 3), Linear(3, 2))
    opt = Adam(model.parameters(), lr=0.01)
    out = model(Tensor(np.ones((2, 4), np.float32))).sum()
    out.backward()
    opt.step()
    save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "ckpt.pt")
    loaded = load(tmp_path / "ckpt.pt")
    model2 = Sequential(Linear(4, 3), Linear(3, 2))
    model2.load_state_dict(loaded["model"])
    opt2 = Adam(model2.parameters(), lr=0.5)
    opt2.load_state_dict(loaded["optimizer"])
    for p, q in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert opt2.param_groups[0]["lr"] == 0.01 and opt2.param_groups[0]["betas"] == opt.param_groups[0]["betas"]


def test_file_objects(tmp_path):
    buffer = io.BytesIO()
    save({"w": Tensor([1.0, 2.0])}, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(load(buffer)["w"].data, [1.0, 2.0])
    with open(tmp_path / "f.pt", "wb") as f:
        save([1, 2], f)
    with open(tmp_path / "f.pt", "rb") as f:
        assert load(f) == [1, 2]
    with pytest.raises(TypeError, match="got bytes"):
        load(buffer.getvalue())


@pytest.mark.parametrize("obj, where", [
    (Linear(2, 2), "obj is a Linear"),
    ({"fn": len}, r"obj\['fn'\] is a builtin_function_or_method"),
    ([{1, 2}], r"obj\[0\] is a set"),
    ({"a": np.array([None])}, "obj\\['a'\\] has dtype object"),
    ({(1, 2): 3}, "obj has a key of type tuple"),
    ({"s": np.array(["x"])}, "dtype <U1"),
])
def test_what_cannot_be_saved_without_pickle_is_refused_before_writing(tmp_path, obj, where):
    with pytest.raises(TypeError, match=where):
        save(obj, tmp_path / "x.pt")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    save({"v": 1}, tmp_path / "x.pt")

    def broken(file, **arrays):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save({"v": 2}, tmp_path / "x.pt")
    monkeypatch.undo()
    assert load(tmp_path / "x.pt") == {"v": 1} and os.listdir(tmp_path) == ["x.pt"]


def test_pytorch_files_get_a_clear_error(tmp_path):
    zipped = tmp_path / "torch.pt"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({}))
    with pytest.raises(CheckpointError, match="PyTorch file .a zip holding data.pkl.*numpy.savez"):
        load(zipped)
    legacy = tmp_path / "legacy.pt"
    legacy.write_bytes(pickle.dumps([1], protocol=4))
    with pytest.raises(CheckpointError, match="legacy pickle"):
        load(legacy)


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable .npz file"), (b"garbage", "not a readable .npz file"),
])
def test_corrupt_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)
    with pytest.raises(CheckpointError, match="no file at"):
        load(tmp_path / "missing.pt")


def test_a_checkpoint_is_not_a_save_file(tmp_path):
    from tinytorch.training import save_checkpoint
    save_checkpoint(tmp_path / "c.npz", Linear(2, 2))
    with pytest.raises(CheckpointError, match="is not a tinytorch-save file .format='tinytorch-checkpoint'."):
        load(tmp_path / "c.npz")


leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=True), st.text(max_size=5),
    st.builds(lambda v: np.array(v, np.float32), st.lists(st.floats(-1e3, 1e3, width=32), max_size=4)),
    st.builds(lambda v: Tensor(np.array(v, np.int64)), st.lists(st.integers(-5, 5), max_size=4)),
)
keys = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.none())
trees = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=3), st.tuples(children, children),
    st.dictionaries(keys, children, max_size=3)), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(trees)
def test_any_supported_tree_round_trips(tree):
    buffer = io.BytesIO()
    save(tree, buffer)
    buffer.seek(0)
    _same(tree, load(buffer))


class _Device:
    def __init__(self, type):
        self.type = type

    def __str__(self):
        return self.type


@pytest.mark.parametrize("map_location", [None, "cpu", "cpu:0", _Device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_map_location_to_the_cpu_is_accepted(tmp_path, map_location):
    save({"w": Tensor([1.0])}, tmp_path / "x.pt")
    for weights_only in (None, True, False):
        assert load(tmp_path / "x.pt", map_location, weights_only=weights_only)["w"].tolist() == [1.0]


@pytest.mark.parametrize("map_location", ["cuda", "cuda:0", _Device("mps"), {"cpu": "cuda:1"}])
def test_map_location_to_another_device_is_refused(tmp_path, map_location):
    save([1], tmp_path / "x.pt")
    with pytest.raises(RuntimeError, match="CPU only"):
        load(tmp_path / "x.pt", map_location=map_location)


def test_bad_map_location_and_weights_only_types(tmp_path):
    save([1], tmp_path / "x.pt")
    with pytest.raises(TypeError, match="map_location must be"):
        load(tmp_path / "x.pt", map_location=3)
    with pytest.raises(TypeError, match="weights_only must be None or a bool"):
        load(tmp_path / "x.pt", weights_only="yes")
