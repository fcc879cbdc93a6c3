"""Sparse storage: what unstructured pruning buys on disk.

A pruned weight matrix still holds its zeros. Two formats store only the survivors:

- **CSR** (compressed sparse row, as ``torch.Tensor.to_sparse_csr``) for 2-d arrays:
  ``crow_indices`` (rows + 1), ``col_indices`` and ``values`` (one per nonzero). With int32
  indices it costs ``4 (rows + 1) + (4 + itemsize) * nnz`` bytes: it wins only at high sparsity.
- **bitmask + values** for any shape: one bit per entry (``np.packbits``) and the nonzero values in
  order, ``ceil(size / 8) + itemsize * nnz`` bytes. At 75% sparsity an int8 weight costs 0.375 bytes
  per entry instead of float32's 4.

:func:`save_sparse` writes a whole ``state_dict`` in the bitmask format (arrays where it is smaller,
dense otherwise) to one ``.npz`` atomically, and :func:`load_sparse` reads it back without pickle
and checks every entry before returning.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

__all__ = ["CSRMatrix", "BitmaskArray", "save_sparse", "load_sparse", "FORMAT"]

FORMAT = "tinytorch-sparse-state/1"


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
        crow, cols, values = np.asarray(crow_indices), np.asarray(col_indices), np.asarray(values)
        shape = tuple(int(n) for n in shape)
        if len(shape) != 2 or min(shape) < 0:
            raise ValueError(f"CSRMatrix: shape must be 2 non-negative sizes, got {shape}")
        if crow.shape != (shape[0] + 1,) or crow[0] != 0 or np.any(np.diff(crow) < 0) \
                or crow[-1] != cols.size or cols.shape != values.shape or cols.ndim != 1:
            raise ValueError(f"CSRMatrix: crow_indices must rise from 0 to nnz={cols.size} over "
                             f"{shape[0] + 1} entries and col_indices match values' {values.shape}, "
                             f"got crow_indices {crow.tolist()} and col_indices of shape {cols.shape}")
        bad = cols[(cols < 0) | (cols >= shape[1])]
        if bad.size:
            raise ValueError(f"CSRMatrix: column index {int(bad[0])} is out of range for shape {shape}")
        self.crow_indices = crow
        self.col_indices = cols
        self.values = values
        self.shape = shape

    def __matmul__(self, other):
        """``self @ x`` for a 1-d ``x`` (:meth:`matvec`); a 2-d ``x`` column by column is not supported."""
        x = np.asarray(other)
        if x.ndim != 1 or x.shape[0] != self.shape[1]:
            raise ValueError(f"CSRMatrix @ x needs a 1-d x of length {self.shape[1]}, got shape {x.shape} "
                             f"(use to_dense() @ x for matrices)")
        return self.matvec(x)

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


def _entry(array):
    """How one array is stored: bitmask + values when that is smaller, else dense bytes."""
    sparse = BitmaskArray.from_dense(array)
    if sparse.nbytes < array.nbytes:
        return "bitmask", [sparse.bits, sparse.values]
    return "dense", [np.ascontiguousarray(array)]


def save_sparse(state_dict, path):
    """Write ``state_dict`` (name -> ndarray) to ``path``, each array as bitmask + values when
    that is smaller, else dense; atomic (temp file + ``os.replace``).

    The file is an uncompressed ``.npz`` with two members: a JSON header (kind, dtype, shape and
    byte offsets of every array) and one ``uint8`` blob holding all the bytes back to back, so
    its size is the arrays' own bytes plus well under a kilobyte, whatever the number of layers.

    Returns:
        the file's size in bytes.
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save_sparse expects a state_dict (dict of name -> array/Tensor), "
                        f"got {type(state_dict).__name__}")
    entries, chunks, offset = {}, [], 0
    for name, value in state_dict.items():
        value = np.asarray(getattr(value, "data", value))
        kind, parts = _entry(value)
        spans = []
        for part in parts:
            raw = np.ascontiguousarray(part).reshape(-1).view(np.uint8)
            spans.append([offset, offset + raw.size])
            chunks.append(raw)
            offset += raw.size
        entries[name] = {"kind": kind, "dtype": value.dtype.str, "shape": list(value.shape), "spans": spans}
    header = json.dumps({"format": FORMAT, "arrays": entries}, separators=(",", ":")).encode()
    arrays = {"header": np.frombuffer(header, dtype=np.uint8),
              "blob": np.concatenate(chunks) if chunks else np.zeros(0, np.uint8)}
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
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
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_sparse: no such file: {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a sparse state file: not an .npz archive")
    with np.load(path, allow_pickle=False) as data:
        if sorted(data.files) != ["blob", "header"]:
            raise ValueError(f"{path} is not a sparse state file: members {data.files}")
        try:
            header = json.loads(data["header"].tobytes().decode())
        except ValueError as exc:
            raise ValueError(f"{path} is not a sparse state file: bad header ({exc})") from None
        blob = data["blob"]
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ValueError(f"{path}: format {found!r}, expected {FORMAT!r}")
    out = {}
    for name, e in header["arrays"].items():
        dtype = np.dtype(e["dtype"])
        if dtype.hasobject or any(not 0 <= a <= b <= blob.size for a, b in e["spans"]):
            raise ValueError(f"{path}: entry {name!r} is corrupt")
        parts = [blob[a:b] for a, b in e["spans"]]
        shape = tuple(e["shape"])
        if e["kind"] == "dense" and len(parts) == 1:
            out[name] = parts[0].view(dtype).reshape(shape).copy()
        elif e["kind"] == "bitmask" and len(parts) == 2:
            out[name] = BitmaskArray(parts[0].copy(), parts[1].view(dtype).copy(), shape).to_dense()
        else:
            raise ValueError(f"{path}: entry {name!r} has unknown kind {e['kind']!r}")
    return out
