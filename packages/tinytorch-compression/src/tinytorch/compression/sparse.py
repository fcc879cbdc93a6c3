"""Sparse storage: what unstructured pruning buys on disk.

A pruned weight matrix still holds its zeros. Two formats store only the survivors:

- **CSR** (compressed sparse row, as ``torch.Tensor.to_sparse_csr``) for 2-d arrays:
  ``crow_indices`` (rows + 1), ``col_indices`` and ``values`` (one per nonzero). With int32
  indices it costs ``4 (rows + 1) + (4 + itemsize) * nnz`` bytes: it wins only at high sparsity.
- **bitmask + values** for any shape: one bit per entry (``np.packbits``) and the nonzero values in
  order, ``ceil(size / 8) + itemsize * nnz`` bytes. At 75% sparsity an int8 weight costs 0.375 bytes
  per entry instead of float32's 4.

:func:`save_sparse` writes a whole ``state_dict`` in the bitmask format (arrays where it is smaller,
dense otherwise) to one ``.npz`` atomically, and :func:`load_sparse` reads it back without pickle.
"""

import os
import tempfile
import zipfile

import numpy as np

__all__ = ["CSRMatrix", "BitmaskArray", "save_sparse", "load_sparse"]


class CSRMatrix:
    """A 2-d array in compressed sparse row form (``torch.Tensor.to_sparse_csr`` layout).

    Example:
        >>> m = CSRMatrix.from_dense(np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]], np.float32))
        >>> m.crow_indices.tolist(), m.col_indices.tolist(), m.values.tolist()
        ([0, 1, 3], [1, 0, 2], [2.0, 1.0, 3.0])
        >>> m.nbytes  # 3 row pointers + 3 columns (int32) + 3 float32 values
        36
    """

    def __init__(self, crow_indices, col_indices, values, shape):
        self.crow_indices = crow_indices
        self.col_indices = col_indices
        self.values = values
        self.shape = tuple(shape)

    @classmethod
    def from_dense(cls, array):
        array = np.asarray(array)
        if array.ndim != 2:
            raise ValueError(f"CSR needs a 2-d array, got shape {array.shape}")
        # BEGIN SOLUTION
        rows, cols = np.nonzero(array)  # row-major order, as CSR stores it
        counts = np.bincount(rows, minlength=array.shape[0])
        crow = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        return cls(crow, cols.astype(np.int32), array[rows, cols], array.shape)
        # END SOLUTION

    def to_dense(self):
        out = np.zeros(self.shape, dtype=self.values.dtype)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.crow_indices))
        out[rows, self.col_indices] = self.values
        return out

    @property
    def nnz(self):
        return int(self.values.size)

    @property
    def nbytes(self):
        return self.crow_indices.nbytes + self.col_indices.nbytes + self.values.nbytes

    def matvec(self, x):
        """``dense @ x`` for a 1-d ``x`` using only the stored entries (one ``np.add.reduceat``)."""
        products = self.values * np.asarray(x)[self.col_indices]
        out = np.zeros(self.shape[0], dtype=np.result_type(self.values, x))
        nonempty = np.flatnonzero(np.diff(self.crow_indices))
        if nonempty.size:
            out[nonempty] = np.add.reduceat(products, self.crow_indices[nonempty])
        return out


class BitmaskArray:
    """An array of any shape as a packed bit per entry (nonzero or not) and the nonzero values.

    Example:
        >>> b = BitmaskArray.from_dense(np.array([0, 5, 0, 0, -3, 0, 0, 0, 7], np.int8))
        >>> b.values.tolist(), b.nbytes  # 2 bytes of bits + 3 int8 values
        ([5, -3, 7], 5)
        >>> b.to_dense().tolist()
        [0, 5, 0, 0, -3, 0, 0, 0, 7]
    """

    def __init__(self, bits, values, shape):
        self.bits = bits
        self.values = values
        self.shape = tuple(shape)

    @classmethod
    def from_dense(cls, array):
        array = np.asarray(array)
        # BEGIN SOLUTION
        nonzero = array.reshape(-1) != 0
        return cls(np.packbits(nonzero), array.reshape(-1)[nonzero], array.shape)
        # END SOLUTION

    def to_dense(self):
        size = int(np.prod(self.shape, dtype=np.int64))
        nonzero = np.unpackbits(self.bits, count=size).astype(bool)
        if np.count_nonzero(nonzero) != self.values.size:
            raise ValueError(
                f"corrupt bitmask array: {np.count_nonzero(nonzero)} bits set but {self.values.size} values"
            )
        out = np.zeros(size, dtype=self.values.dtype)
        out[nonzero] = self.values
        return out.reshape(self.shape)

    @property
    def nbytes(self):
        return self.bits.nbytes + self.values.nbytes


def save_sparse(state_dict, path):
    """Write ``state_dict`` (name -> ndarray) to the ``.npz`` file ``path``, each array as bitmask
    + values when that is smaller, else dense; atomic (temp file + ``os.replace``).

    Returns:
        the file's size in bytes.
    """
    arrays = {}
    for name, value in state_dict.items():
        value = np.asarray(getattr(value, "data", value))
        if "/" in name:
            raise ValueError(f"state_dict key {name!r} may not contain '/'")
        sparse = BitmaskArray.from_dense(value)
        if sparse.nbytes < value.nbytes:
            arrays[f"bits/{name}"] = sparse.bits
            arrays[f"values/{name}"] = sparse.values
            arrays[f"shape/{name}"] = np.asarray(value.shape, dtype=np.int64)
        else:
            arrays[f"dense/{name}"] = value
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # uncompressed: the bytes are the format's own
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return os.path.getsize(path)


def load_sparse(path):
    """Read a file written by :func:`save_sparse` back into a dict of dense ndarrays (no pickle);
    raises ``ValueError`` on a malformed file before returning anything."""
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a sparse state file: not an .npz archive")
    out = {}
    try:
        with np.load(path, allow_pickle=False) as data:
            names = list(data.files)
            for key in names:
                kind, _, name = key.partition("/")
                if kind == "dense":
                    out[name] = data[key]
                elif kind == "bits":
                    out[name] = BitmaskArray(data[key], data[f"values/{name}"], tuple(data[f"shape/{name}"])).to_dense()
                elif kind not in ("values", "shape"):
                    raise ValueError(f"unexpected entry {key!r}")
    except (KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path} is not a sparse state file: {exc}") from exc
    return out
