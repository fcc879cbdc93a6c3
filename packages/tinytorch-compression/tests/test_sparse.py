"""Sparse storage: exact round trips, the byte counts by hand, atomic files, bad files."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.compression import BitmaskArray, CSRMatrix, load_sparse, save_sparse


def _sparse(rng, shape, density, dtype=np.float32):
    a = rng.standard_normal(shape).astype(dtype)
    a[rng.random(shape) >= density] = 0
    return a


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.floats(0.0, 1.0), st.integers(0, 1000))
def test_round_trips_are_exact(rows, cols, density, seed):
    a = _sparse(np.random.default_rng(seed), (rows, cols), density)
    csr, bits = CSRMatrix.from_dense(a), BitmaskArray.from_dense(a)
    np.testing.assert_array_equal(csr.to_dense(), a)
    np.testing.assert_array_equal(bits.to_dense(), a)
    x = np.arange(cols, dtype=np.float32)
    np.testing.assert_allclose(csr.matvec(x), a @ x, rtol=1e-5, atol=1e-5)


def test_bytes_by_hand():
    a = np.zeros((100, 80), np.int8)
    a[::2, ::2] = 3  # 25% dense: 2000 nonzeros
    assert BitmaskArray.from_dense(a).nbytes == 1000 + 2000
    assert CSRMatrix.from_dense(a).nbytes == 4 * 101 + 4 * 2000 + 2000
    assert BitmaskArray.from_dense(np.zeros((3, 0))).to_dense().shape == (3, 0)


@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support is in beta")
def test_matches_torch_csr_layout():
    torch = pytest.importorskip("torch")
    a = _sparse(np.random.default_rng(0), (6, 7), 0.3)
    ours, theirs = CSRMatrix.from_dense(a), torch.from_numpy(a).to_sparse_csr()
    np.testing.assert_array_equal(ours.crow_indices, theirs.crow_indices().numpy())
    np.testing.assert_array_equal(ours.col_indices, theirs.col_indices().numpy())
    np.testing.assert_array_equal(ours.values, theirs.values().numpy())


def test_save_and_load_a_state_dict(tmp_path):
    rng = np.random.default_rng(1)
    state = {"0.weight": _sparse(rng, (64, 64), 0.25).astype(np.float32),
             "0.bias": rng.standard_normal(64).astype(np.float32),
             "q.weight": (_sparse(rng, (32, 32), 0.2) * 40).astype(np.int8)}
    path = tmp_path / "model.npz"
    size = save_sparse(state, path)
    assert size == os.path.getsize(path)
    dense_bytes = sum(v.nbytes for v in state.values())
    assert size < 0.5 * dense_bytes
    # bitmask + values for the two sparse weights, dense bias, plus a small header and zip directory
    expected = sum(BitmaskArray.from_dense(state[k]).nbytes for k in ("0.weight", "q.weight")) + 256
    assert expected < size < expected + 1024
    back = load_sparse(path)
    assert set(back) == set(state)
    for k in state:
        assert back[k].dtype == state[k].dtype
        np.testing.assert_array_equal(back[k], state[k])
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temp file left


def test_bad_files_and_keys(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a sparse state file"):
        load_sparse(bad)
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="members"):
        load_sparse(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="2-d"):
        CSRMatrix.from_dense(np.zeros(3))
    corrupt = BitmaskArray(np.packbits([1, 1, 0]), np.array([1.0]), (3,))
    with pytest.raises(ValueError, match="corrupt"):
        corrupt.to_dense()


def test_careless_sparse_inputs(tmp_path):
    with pytest.raises(ValueError, match="column index 5"):
        CSRMatrix(np.array([0, 1]), np.array([5]), np.array([1.0]), (1, 3))
    with pytest.raises(ValueError, match="crow_indices"):
        CSRMatrix(np.array([0, 2]), np.array([1]), np.array([1.0]), (1, 3))
    m = CSRMatrix.from_dense(np.array([[0.0, 2.0], [1.0, 0.0]]))
    np.testing.assert_array_equal(m @ np.array([1.0, 3.0]), [6.0, 1.0])
    with pytest.raises(ValueError, match="1-d x of length 2"):
        m @ np.ones((2, 2))
    with pytest.raises(TypeError, match="state_dict"):
        save_sparse(3, tmp_path / "x.npz")
    with pytest.raises(FileNotFoundError, match="nonexistent"):
        load_sparse(tmp_path / "nonexistent.npz")
