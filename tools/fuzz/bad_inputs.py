"""The differential bad-input suite: what a careless user passes, run on TinyTorch and torch.

Each probe is ``fn(L)`` for a library ``L`` (``sides.OURS`` / ``sides.THEIRS``; ``L.t(data,
dtype)`` makes that library's tensor). :func:`outcome` runs a probe and reduces it to what is
compared: the result's shape, dtype and values, or the exception's class. TinyTorch must give the
same result, or raise the same class as torch (or a subclass of it).

Probes cover, for every public function of modules 01-04: wrong shapes, out-of-range dims,
dtypes (ints, bools, mixed), empty tensors, NaN and inf, non-contiguous views, and Python
scalars, lists and ndarrays where tensors are expected.
"""

import warnings

import numpy as np

from sides import OURS, THEIRS, dtype_name, to_numpy

PROBES = {}


def probe(name, fn):
    if name in PROBES:
        raise ValueError(f"duplicate probe {name}")
    PROBES[name] = fn


def A(L, shape=(2, 3), dtype="float32", offset=0.0):
    """A deterministic tensor of ``shape`` with distinct values around zero."""
    n = int(np.prod(shape))
    return L.t((np.arange(n, dtype=np.float64) * 0.37 - n * 0.17 + offset).reshape(shape), dtype)


# ----- dims out of range ---------------------------------------------------------------------------
for _dim in (2, -3, 5):
    for _m in ("sum", "mean", "var", "amax", "amin", "argmax", "argmin"):
        probe(f"{_m}(dim={_dim})", lambda L, m=_m, d=_dim: getattr(A(L), m)(dim=d))
    for _m in ("max", "min"):
        probe(f"{_m}(dim={_dim})", lambda L, m=_m, d=_dim: getattr(A(L), m)(dim=d)[0])
    probe(f"sum(dim=(0, {_dim}))", lambda L, d=_dim: A(L).sum(dim=(0, d)))
    probe(f"softmax(dim={_dim})", lambda L, d=_dim: L.softmax(A(L), dim=d))
    probe(f"log_softmax(dim={_dim})", lambda L, d=_dim: L.log_softmax(A(L), dim=d))
    probe(f"squeeze({_dim})", lambda L, d=_dim: A(L, (1, 3)).squeeze(d))
    probe(f"transpose(0, {_dim})", lambda L, d=_dim: A(L).transpose(0, d))
    probe(f"size({_dim})", lambda L, d=_dim: A(L).size(d))
    probe(f"cat(dim={_dim})", lambda L, d=_dim: L.cat([A(L), A(L)], dim=d))
    probe(f"gather({_dim})", lambda L, d=_dim: A(L).gather(d, L.t([[0, 1, 0]])))
    probe(f"split(dim={_dim})", lambda L, d=_dim: A(L).split(1, dim=d)[0])
    probe(f"chunk(dim={_dim})", lambda L, d=_dim: A(L).chunk(2, dim=d)[0])
    probe(f"topk(dim={_dim})", lambda L, d=_dim: A(L).topk(1, dim=d)[0])
    probe(f"flatten({_dim})", lambda L, d=_dim: A(L).flatten(d))
for _dim in (3, -4, 7):
    probe(f"unsqueeze({_dim})", lambda L, d=_dim: A(L).unsqueeze(d))
    probe(f"stack(dim={_dim})", lambda L, d=_dim: L.stack([A(L), A(L)], dim=d))
probe("flatten(2, 3)", lambda L: A(L).flatten(2, 3))
probe("flatten(1, 0)", lambda L: A(L).flatten(1, 0))
probe("permute(0, 0)", lambda L: A(L).permute(0, 0))
probe("permute(0,)", lambda L: A(L).permute(0))
probe("permute(0, 2)", lambda L: A(L).permute(0, 2))
probe("sum(dim=())", lambda L: A(L).sum(dim=()))
probe("sum(dim=[])", lambda L: A(L).sum(dim=[]))
probe("mean(dim=())", lambda L: A(L).mean(dim=()))
probe("sum(dim=(0, 0))", lambda L: A(L).sum(dim=(0, 0)))
probe("sum(dim=1.0)", lambda L: A(L).sum(dim=1.0))
probe("0-d sum(dim=0)", lambda L: A(L, ()).sum(dim=0))
probe("0-d softmax(dim=0)", lambda L: L.softmax(A(L, ()), dim=0))
probe("0-d squeeze(0)", lambda L: A(L, ()).squeeze(0))
probe("0-d transpose(0, 0)", lambda L: A(L, ()).transpose(0, 0))
probe("0-d split", lambda L: A(L, ()).split(1))

# ----- shapes ----------------------------------------------------------------------------------------
probe("add broadcast mismatch", lambda L: A(L, (2, 3)) + A(L, (4,)))
probe("mul broadcast mismatch", lambda L: A(L, (2, 3)) * A(L, (3, 2)))
probe("matmul inner mismatch", lambda L: A(L, (2, 3)) @ A(L, (4, 2)))
probe("matmul 0-d", lambda L: A(L, ()) @ A(L, (2,)))
probe("matmul batch mismatch", lambda L: A(L, (2, 2, 3)) @ A(L, (3, 3, 2)))
probe("matmul vector mismatch", lambda L: A(L, (3,)) @ A(L, (4,)))
probe("reshape wrong numel", lambda L: A(L).reshape(4, 2))
probe("reshape two -1", lambda L: A(L).reshape(-1, -1))
probe("reshape -1 indivisible", lambda L: A(L).reshape(-1, 4))
probe("view wrong numel", lambda L: A(L).view(7))
probe("cat shape mismatch", lambda L: L.cat([A(L, (2, 3)), A(L, (2, 2))], dim=0))
probe("cat ndim mismatch", lambda L: L.cat([A(L, (2, 3)), A(L, (3,))]))
probe("cat empty list", lambda L: L.cat([]))
probe("stack shape mismatch", lambda L: L.stack([A(L, (2, 3)), A(L, (3, 2))]))
probe("stack empty list", lambda L: L.stack([]))
probe("gather index ndim", lambda L: A(L).gather(0, L.t([0, 1])))
probe("gather index too large", lambda L: A(L).gather(1, L.t([[0, 5, 1]])))
probe("gather negative index", lambda L: A(L).gather(1, L.t([[0, -1, 1]])))
probe("gather float index", lambda L: A(L).gather(1, L.t([[0.0, 1.0]])))
probe("masked_fill mask not broadcastable", lambda L: A(L).masked_fill(L.t([True, False]), 0.0))
probe("masked_fill float mask", lambda L: A(L).masked_fill(L.t([1.0, 0.0, 1.0]), 0.0))
probe("where cond not bool", lambda L: L.where(L.t([1.0, 0.0, 1.0]), A(L, (3,)), A(L, (3,))))
probe("where mismatch", lambda L: L.where(L.t([True, False]), A(L, (3,)), A(L, (3,))))
probe("expand bad size", lambda L: A(L, (2, 3)).expand(2, 4))
probe("expand fewer dims", lambda L: A(L, (2, 3)).expand(3))
probe("expand -1 new dim", lambda L: A(L, (1, 3)).expand(-1, 2, 3))
probe("repeat fewer dims", lambda L: A(L, (2, 3)).repeat(2))
probe("repeat negative", lambda L: A(L, (2, 3)).repeat(2, -1))
probe("split sizes do not sum", lambda L: A(L).split([1, 1], dim=1)[0])
probe("split size 0", lambda L: A(L).split(0, dim=1)[0])
probe("chunk 0", lambda L: A(L).chunk(0)[0])
probe("topk k too large", lambda L: A(L).topk(4)[0])
probe("topk k negative", lambda L: A(L).topk(-1)[0])
probe("tril 1-d", lambda L: A(L, (3,)).tril())
probe("triu 1-d", lambda L: L.triu(A(L, (3,))))
probe("T on 3-d", lambda L: A(L, (2, 3, 4)).T)
probe("index out of range", lambda L: A(L)[2])
probe("index too many", lambda L: A(L)[0, 0, 0])
probe("index negative out of range", lambda L: A(L)[-3])
probe("index list out of range", lambda L: A(L)[[0, 2]])
probe("index bool mask shape", lambda L: A(L)[L.t([True, False, True])])
probe("index float", lambda L: A(L)[L.t([0.0])])
probe("slice negative step", lambda L: A(L)[::-1])
probe("linear in_features mismatch", lambda L: L.linear(A(L, (2, 3)), A(L, (4, 2))))
probe("linear bias mismatch", lambda L: L.linear(A(L, (2, 3)), A(L, (4, 3)), A(L, (3,))))
probe("linear 0-d input", lambda L: L.linear(A(L, ()), A(L, (4, 1))))
probe("linear 1-d weight", lambda L: L.linear(A(L, (2, 3)), A(L, (3,))))
probe("layer_norm wrong shape", lambda L: L.layer_norm(A(L, (2, 3)), (2,)))
probe("layer_norm weight mismatch", lambda L: L.layer_norm(A(L, (2, 3)), (3,), A(L, (2,)), A(L, (3,))))
probe("mse_loss shape mismatch", lambda L: L.mse_loss(A(L, (2, 3)), A(L, (3, 2))))
probe("mse_loss broadcastable", lambda L: L.mse_loss(A(L, (2, 3)), A(L, (3,))))
probe("l1_loss shape mismatch", lambda L: L.l1_loss(A(L, (2, 3)), A(L, (3, 2))))
probe("cross_entropy target out of range", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, 3])))
probe("cross_entropy negative target", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, -1])))
probe("cross_entropy target shape", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, 1, 2])))
probe("cross_entropy float target wrong shape", lambda L: L.cross_entropy(A(L, (2, 3)), A(L, (2,))))
probe("cross_entropy 0-d input", lambda L: L.cross_entropy(A(L, ()), L.t(0)))
probe("cross_entropy all ignored", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([-100, -100])))
probe("cross_entropy bad reduction", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, 1]), reduction="avg"))
probe("cross_entropy label_smoothing > 1", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, 1]), label_smoothing=1.5))
probe("nll_loss target out of range", lambda L: L.nll_loss(A(L, (2, 3)), L.t([0, 3])))
probe("nll_loss all ignored", lambda L: L.nll_loss(A(L, (2, 3)), L.t([-100, -100])))
probe("bce target shape", lambda L: L.binary_cross_entropy(L.sigmoid(A(L, (4,))), A(L, (4, 1))))
probe("bce weight broadcasts larger", lambda L: L.binary_cross_entropy(
    L.sigmoid(A(L, (4,))), L.sigmoid(A(L, (4,))), A(L, (4, 1))))
probe("bce input out of [0, 1]", lambda L: L.binary_cross_entropy(A(L, (4,)), L.sigmoid(A(L, (4,)))))
probe("bce target out of [0, 1]", lambda L: L.binary_cross_entropy(L.sigmoid(A(L, (4,))), A(L, (4,))))
probe("bce_with_logits target shape", lambda L: L.binary_cross_entropy_with_logits(A(L, (4,)), A(L, (4, 1))))
probe("bce_with_logits weight broadcasts larger", lambda L: L.binary_cross_entropy_with_logits(
    A(L, (4,)), L.sigmoid(A(L, (4,))), A(L, (4, 1))))

# ----- dtypes -----------------------------------------------------------------------------------------
_INT, _BOOL = "int64", "bool"
for _op in ("exp", "log", "sqrt", "tanh", "sin", "cos", "abs"):
    probe(f"int {_op}", lambda L, o=_op: getattr(A(L, (3,), _INT), o)())
    probe(f"bool {_op}", lambda L, o=_op: getattr(L.t([True, False]), o)())
for _m in ("sum", "mean", "var", "amax", "max", "argmax"):
    probe(f"int {_m}", lambda L, m=_m: getattr(A(L, (3,), _INT), m)())
    probe(f"bool {_m}", lambda L, m=_m: getattr(L.t([True, False, True]), m)())
    probe(f"uint8 {_m}", lambda L, m=_m: getattr(L.t([1, 2, 250], "uint8"), m)())
probe("int / int", lambda L: A(L, (3,), _INT) / L.t([2, 2, 2]))
probe("int + float scalar", lambda L: A(L, (3,), _INT) + 0.5)
probe("int * bool", lambda L: A(L, (3,), _INT) * L.t([True, False, True]))
probe("bool + bool", lambda L: L.t([True, False]) + L.t([True, True]))
probe("float32 + float64", lambda L: A(L, (3,)) + A(L, (3,), "float64"))
probe("float32 + int64", lambda L: A(L, (3,)) + A(L, (3,), _INT))
probe("float64 tensor + float32 0-d", lambda L: A(L, (3,), "float64") + A(L, (), "float32"))
probe("int ** -1", lambda L: L.t([1, 2]) ** -1)
probe("int ** 2", lambda L: L.t([1, 2]) ** 2)
probe("int ** 0.5", lambda L: L.t([1, 4]) ** 0.5)
probe("2 ** int", lambda L: 2 ** L.t([1, 4]))
probe("clip int by float", lambda L: A(L, (3,), _INT).clip(0.5))
probe("clip min > max", lambda L: A(L, (3,)).clip(1.0, -1.0))
probe("cat float32 int64", lambda L: L.cat([A(L, (3,)), A(L, (3,), _INT)]))
probe("cat float32 float64", lambda L: L.cat([A(L, (3,)), A(L, (3,), "float64")]))
probe("stack int bool", lambda L: L.stack([A(L, (2,), _INT), L.t([True, False])]))
probe("where int float", lambda L: L.where(L.t([True, False]), A(L, (2,), _INT), A(L, (2,))))
probe("matmul int float", lambda L: A(L, (2, 2), _INT) @ A(L, (2, 2)))
probe("matmul int int", lambda L: A(L, (2, 2), _INT) @ A(L, (2, 2), _INT))
probe("matmul float32 float64", lambda L: A(L, (2, 2)) @ A(L, (2, 2), "float64"))
probe("masked_fill int with float", lambda L: A(L, (3,), _INT).masked_fill(L.t([True, False, True]), 0.5))
probe("masked_fill float with inf", lambda L: A(L, (3,)).masked_fill(L.t([True, False, True]), float("-inf")))
for _f in ("relu", "sigmoid", "tanh", "gelu"):
    probe(f"{_f} int", lambda L, f=_f: getattr(L, f)(A(L, (3,), _INT)))
    probe(f"{_f} bool", lambda L, f=_f: getattr(L, f)(L.t([True, False])))
probe("softmax int", lambda L: L.softmax(A(L, (3,), _INT), dim=0))
probe("log_softmax bool", lambda L: L.log_softmax(L.t([True, False]), dim=0))
probe("linear int input", lambda L: L.linear(A(L, (2, 3), _INT), A(L, (4, 3))))
probe("linear float64 input float32 weight", lambda L: L.linear(A(L, (2, 3), "float64"), A(L, (4, 3))))
probe("layer_norm int", lambda L: L.layer_norm(A(L, (2, 3), _INT), (3,)))
probe("mse_loss int target", lambda L: L.mse_loss(A(L, (3,)), A(L, (3,), _INT)))
probe("mse_loss float64 target", lambda L: L.mse_loss(A(L, (3,)), A(L, (3,), "float64")))
probe("mse_loss int input", lambda L: L.mse_loss(A(L, (3,), _INT), A(L, (3,), _INT)))
probe("cross_entropy int32 target", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([0, 1], "int32")))
probe("cross_entropy bool target", lambda L: L.cross_entropy(A(L, (2, 3)), L.t([True, False])))
probe("cross_entropy int input", lambda L: L.cross_entropy(A(L, (2, 3), _INT), L.t([0, 1])))
probe("nll_loss float target", lambda L: L.nll_loss(A(L, (2, 3)), L.t([0.0, 1.0])))
probe("bce int target", lambda L: L.binary_cross_entropy(L.sigmoid(A(L, (3,))), L.t([0, 1, 1])))
probe("bce_with_logits int target", lambda L: L.binary_cross_entropy_with_logits(A(L, (3,)), L.t([0, 1, 1])))
probe("requires_grad int", lambda L: L.t([1, 2], requires_grad=True))
probe("requires_grad bool", lambda L: L.t([True], requires_grad=True))

# ----- empty tensors ---------------------------------------------------------------------------------
for _shape in ((0,), (2, 0), (0, 3)):
    _s = "x".join(map(str, _shape))
    for _m in ("sum", "mean", "exp", "abs", "argmax", "max", "amax", "var"):
        probe(f"empty {_s} {_m}()", lambda L, m=_m, s=_shape: getattr(A(L, s), m)())
    probe(f"empty {_s} sum(dim=-1)", lambda L, s=_shape: A(L, s).sum(dim=-1))
    probe(f"empty {_s} mean(dim=0)", lambda L, s=_shape: A(L, s).mean(dim=0))
    probe(f"empty {_s} amax(dim=-1)", lambda L, s=_shape: A(L, s).amax(dim=-1))
    probe(f"empty {_s} max(dim=0)", lambda L, s=_shape: A(L, s).max(dim=0)[0])
    probe(f"empty {_s} argmax(dim=0)", lambda L, s=_shape: A(L, s).argmax(dim=0))
    probe(f"empty {_s} softmax(-1)", lambda L, s=_shape: L.softmax(A(L, s), dim=-1))
    probe(f"empty {_s} log_softmax(0)", lambda L, s=_shape: L.log_softmax(A(L, s), dim=0))
    probe(f"empty {_s} relu", lambda L, s=_shape: L.relu(A(L, s)))
    probe(f"empty {_s} gelu", lambda L, s=_shape: L.gelu(A(L, s)))
    probe(f"empty {_s} reshape(-1)", lambda L, s=_shape: A(L, s).reshape(-1))
    probe(f"empty {_s} topk(0)", lambda L, s=_shape: A(L, s).topk(0)[0])
    probe(f"empty {_s} layer_norm", lambda L, s=_shape: L.layer_norm(A(L, s), s[-1:]))
    probe(f"empty {_s} mse_loss", lambda L, s=_shape: L.mse_loss(A(L, s), A(L, s)))
probe("empty reshape(0, -1)", lambda L: A(L, (0, 3)).reshape(0, -1))
probe("empty matmul (0,3)@(3,2)", lambda L: A(L, (0, 3)) @ A(L, (3, 2)))
probe("empty matmul (2,0)@(0,3)", lambda L: A(L, (2, 0)) @ A(L, (0, 3)))
probe("empty linear", lambda L: L.linear(A(L, (0, 3)), A(L, (4, 3)), A(L, (4,))))
probe("empty cat", lambda L: L.cat([A(L, (0, 3)), A(L, (2, 3))]))
probe("empty cross_entropy mean", lambda L: L.cross_entropy(A(L, (0, 3)), L.t(np.zeros(0, np.int64))))
probe("empty cross_entropy sum", lambda L: L.cross_entropy(A(L, (0, 3)), L.t(np.zeros(0, np.int64)), reduction="sum"))
probe("empty nll_loss", lambda L: L.nll_loss(A(L, (0, 3)), L.t(np.zeros(0, np.int64))))
probe("empty bce", lambda L: L.binary_cross_entropy(A(L, (0,)), A(L, (0,))))
probe("empty bce_with_logits", lambda L: L.binary_cross_entropy_with_logits(A(L, (0,)), A(L, (0,))))
probe("empty index", lambda L: A(L)[L.t(np.zeros(0, np.int64))])
probe("empty gather", lambda L: A(L).gather(1, L.t(np.zeros((2, 0), np.int64))))

# ----- NaN and inf -----------------------------------------------------------------------------------
_SPECIAL = [0.0, float("nan"), float("inf"), float("-inf"), -1.0, 1e30]
for _op in ("exp", "log", "sqrt", "tanh", "abs"):
    probe(f"{_op} nan/inf", lambda L, o=_op: getattr(L.t(_SPECIAL, "float32"), o)())
for _f in ("relu", "sigmoid", "gelu", "tanh"):
    probe(f"{_f}() nan/inf", lambda L, f=_f: getattr(L, f)(L.t(_SPECIAL, "float32")))
probe("gelu tanh nan/inf", lambda L: L.gelu(L.t(_SPECIAL, "float32"), approximate="tanh"))
for _m in ("max", "min", "amax", "sum", "mean", "argmax", "var"):
    probe(f"{_m} with nan", lambda L, m=_m: getattr(L.t([1.0, float("nan"), 3.0]), m)())
probe("max(dim) with nan", lambda L: L.t([[1.0, float("nan")], [3.0, 2.0]]).max(dim=1)[0])
probe("softmax with inf", lambda L: L.softmax(L.t([[0.0, float("inf")], [1.0, 2.0]]), dim=1))
probe("softmax all -inf row", lambda L: L.softmax(L.t([[float("-inf")] * 2, [1.0, 2.0]]), dim=1))
probe("log_softmax with -inf", lambda L: L.log_softmax(L.t([float("-inf"), 0.0, 1.0]), dim=0))
probe("softmax huge", lambda L: L.softmax(L.t([1e30, 0.0, -1e30]), dim=0))
probe("clip nan", lambda L: L.t([float("nan"), 5.0]).clip(-1.0, 1.0))
probe("division by zero", lambda L: L.t([1.0, -1.0, 0.0]) / L.t([0.0, 0.0, 0.0]))
probe("int division by zero", lambda L: L.t([1, 2]) / L.t([0, 0]))
probe("pow 0 ** -1", lambda L: L.t([0.0]) ** -1)
probe("pow negative ** 0.5", lambda L: L.t([-4.0]) ** 0.5)
probe("cross_entropy inf logits", lambda L: L.cross_entropy(L.t([[float("inf"), 0.0], [0.0, 1.0]]), L.t([0, 1])))
probe("cross_entropy -inf at target", lambda L: L.cross_entropy(L.t([[float("-inf"), 0.0]]), L.t([0])))
probe("cross_entropy nan", lambda L: L.cross_entropy(L.t([[float("nan"), 0.0]]), L.t([1])))
probe("mse_loss inf", lambda L: L.mse_loss(L.t([float("inf"), 1.0]), L.t([float("inf"), 0.0])))
probe("bce_with_logits inf", lambda L: L.binary_cross_entropy_with_logits(L.t([float("inf")]), L.t([0.0])))
probe("bce_with_logits -inf", lambda L: L.binary_cross_entropy_with_logits(L.t([float("-inf")]), L.t([1.0])))
probe("bce_with_logits huge", lambda L: L.binary_cross_entropy_with_logits(L.t([1e4, -1e4]), L.t([0.0, 1.0])))
probe("bce at 0 and 1", lambda L: L.binary_cross_entropy(L.t([0.0, 1.0]), L.t([1.0, 0.0])))
probe("layer_norm constant row", lambda L: L.layer_norm(L.t([[2.0, 2.0, 2.0]]), (3,)))
probe("layer_norm inf", lambda L: L.layer_norm(L.t([[float("inf"), 0.0, 1.0]]), (3,)))

# ----- non-contiguous views -----------------------------------------------------------------------------
probe("view of transpose", lambda L: A(L, (2, 3)).T.view(6))
probe("view of transpose ok", lambda L: A(L, (2, 3)).T.view(3, 2))
probe("reshape of transpose", lambda L: A(L, (2, 3)).T.reshape(6))
probe("flatten of transpose", lambda L: A(L, (2, 3)).T.flatten())
probe("strided slice sum", lambda L: A(L, (4, 6))[:, ::2].sum(dim=0))
probe("strided slice softmax", lambda L: L.softmax(A(L, (4, 6))[::2, 1::2], dim=0))
probe("transpose matmul", lambda L: A(L, (3, 2)).T @ A(L, (3, 4)))
probe("expand + add", lambda L: A(L, (1, 3)).expand(4, 3) + A(L, (4, 3)))
probe("permuted linear", lambda L: L.linear(A(L, (3, 2, 4)).permute(1, 0, 2), A(L, (5, 4))))
probe("permuted layer_norm", lambda L: L.layer_norm(A(L, (3, 4, 2)).transpose(1, 2), (4,)))
probe("transposed cross_entropy", lambda L: L.cross_entropy(A(L, (3, 4)).T, L.t([0, 1, 2, 0])))
probe("transposed gather", lambda L: A(L, (3, 4)).T.gather(1, L.t([[0], [2], [1], [0]])))
probe("contiguous of transpose view", lambda L: A(L, (2, 3)).T.contiguous().view(6))

# ----- Python scalars, lists and ndarrays where tensors are expected -----------------------------------
_LIST, _ARR = [1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0], dtype=np.float32)
probe("tensor + list", lambda L: A(L, (3,)) + _LIST)
probe("list + tensor", lambda L: _LIST + A(L, (3,)))
probe("tensor + ndarray", lambda L: A(L, (3,)) + _ARR)
probe("tensor * python bool", lambda L: A(L, (3,)) * True)
probe("tensor + python complex", lambda L: A(L, (3,)) + 1j)
probe("tensor + None", lambda L: A(L, (3,)) + None)
probe("tensor + str", lambda L: A(L, (3,)) + "a")
probe("tensor @ list", lambda L: A(L, (2, 3)) @ _LIST)
probe("matmul ndarray", lambda L: L.matmul(A(L, (2, 3)), _ARR))
probe("cat with a list", lambda L: L.cat([A(L, (3,)), _LIST]))
probe("cat of a tensor", lambda L: L.cat(A(L, (2, 3))))
probe("stack with ndarray", lambda L: L.stack([A(L, (3,)), _ARR]))
probe("where with scalars", lambda L: L.where(L.t([True, False]), 1.0, 0.0))
probe("where with scalar other", lambda L: L.where(L.t([True, False]), A(L, (2,)), 0.0))
probe("where list cond", lambda L: L.where([True, False], A(L, (2,)), A(L, (2,))))
probe("softmax of list", lambda L: L.softmax(_LIST, dim=0))
probe("relu of list", lambda L: L.relu(_LIST))
probe("sigmoid of ndarray", lambda L: L.sigmoid(_ARR))
probe("relu of float", lambda L: L.relu(1.5))
probe("linear list weight", lambda L: L.linear(A(L, (2, 3)), [[1.0, 2.0, 3.0]]))
probe("linear ndarray input", lambda L: L.linear(np.ones((2, 3), np.float32), A(L, (4, 3))))
probe("layer_norm int normalized_shape", lambda L: L.layer_norm(A(L, (2, 3)), 3))
probe("layer_norm list input", lambda L: L.layer_norm([[1.0, 2.0]], (2,)))
probe("mse_loss list target", lambda L: L.mse_loss(A(L, (3,)), _LIST))
probe("mse_loss ndarray input", lambda L: L.mse_loss(_ARR, A(L, (3,))))
probe("cross_entropy list target", lambda L: L.cross_entropy(A(L, (2, 3)), [0, 1]))
probe("cross_entropy int target", lambda L: L.cross_entropy(A(L, (2, 3)), 1))
probe("bce list target", lambda L: L.binary_cross_entropy(L.sigmoid(A(L, (3,))), [0.0, 1.0, 1.0]))
probe("masked_fill list mask", lambda L: A(L, (3,)).masked_fill([True, False, True], 0.0))
probe("masked_fill tensor value", lambda L: A(L, (3,)).masked_fill(L.t([True, False, True]), L.t(2.0)))
probe("masked_fill 1-d tensor value", lambda L: A(L, (3,)).masked_fill(L.t([True, False, True]), L.t([2.0])))
probe("gather list index", lambda L: A(L).gather(1, [[0, 1]]))
probe("reshape with list", lambda L: A(L).reshape([3, 2]))
probe("reshape with float", lambda L: A(L).reshape(3.0, 2))
probe("reshape with tensor size", lambda L: A(L).reshape(L.t(6)))
probe("transpose float dims", lambda L: A(L).transpose(0.0, 1))
probe("permute list", lambda L: A(L).permute([1, 0]))
probe("unsqueeze float", lambda L: A(L).unsqueeze(1.0))
probe("expand list", lambda L: A(L, (1, 3)).expand([2, 3]))
probe("repeat list", lambda L: A(L, (1, 3)).repeat([2, 1]))
probe("topk float k", lambda L: A(L).topk(1.0)[0])
probe("split float size", lambda L: A(L).split(1.5, dim=1)[0])
probe("index with tensor 0-d", lambda L: A(L)[L.t(1)])
probe("index with bool scalar", lambda L: A(L)[True])
probe("item of 2 elements", lambda L: A(L, (2,)).item())
probe("item of empty", lambda L: A(L, (0,)).item())
probe("bool of 2 elements", lambda L: bool(A(L, (2,))))
probe("len of 0-d", lambda L: len(A(L, ())))
probe("iterate 0-d", lambda L: list(A(L, ())))
probe("float of tensor", lambda L: float(A(L, (1,))))
probe("int of 2 elements", lambda L: int(A(L, (2,))))
probe("tensor from ragged list", lambda L: L.tensor([[1.0], [1.0, 2.0]]))
probe("tensor from str", lambda L: L.tensor("abc"))
probe("tensor from None", lambda L: L.tensor(None))
probe("tensor from empty list", lambda L: L.tensor([]))
probe("tensor from mixed int float", lambda L: L.tensor([1, 2.5]))
probe("tensor from mixed bool int", lambda L: L.tensor([True, 2]))
probe("tensor from float64 ndarray", lambda L: L.tensor(np.array([1.0, 2.0])))
probe("tensor from int32 ndarray", lambda L: L.tensor(np.array([1, 2], dtype=np.int32)))
probe("tensor from nested tensors", lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]))
probe("tensor from python float", lambda L: L.tensor(3.5))


def outcome(fn, L):
    """What ``fn(L)`` gives: ``("value", shape, dtype, ndarray)`` or ``("error", class, message)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                result = fn(L)
            except Exception as e:  # noqa: BLE001 - the class is what is compared
                return ("error", type(e), str(e).splitlines()[0] if str(e) else "")
    if L.is_tensor(result):
        return ("value", tuple(result.shape), dtype_name(result), to_numpy(result))
    return ("value", type(result).__name__, None, np.asarray(result))


def differ(ours, theirs):
    """None when TinyTorch's outcome matches torch's, else a description of the difference."""
    if theirs[0] == "error":
        if ours[0] == "error":
            if issubclass(ours[1], theirs[1]):
                return None
            return f"ours raises {ours[1].__name__} ({ours[2]}), torch raises {theirs[1].__name__} ({theirs[2]})"
        return f"ours returns {ours[1]} {ours[2]}, torch raises {theirs[1].__name__} ({theirs[2]})"
    if ours[0] == "error":
        return f"ours raises {ours[1].__name__} ({ours[2]}), torch returns {theirs[1]} {theirs[2]}"
    if ours[1] != theirs[1] or ours[2] != theirs[2]:
        return f"ours returns {ours[1]} {ours[2]}, torch returns {theirs[1]} {theirs[2]}"
    a, b = ours[3], theirs[3]
    if a.dtype.kind not in "iufc" or b.dtype.kind not in "iufc":
        a, b = a.astype(object), b.astype(object)  # bools, strings: exact equality
        return None if a.shape == b.shape and (a == b).all() else f"values differ: ours {a.tolist()}, torch {b.tolist()}"
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True):
        return f"values differ: ours {a.tolist()}, torch {b.tolist()}"
    return None


def check_all():
    """Run every probe; returns {name: difference} for those that differ."""
    found = {}
    for name, fn in PROBES.items():
        diff = differ(outcome(fn, OURS), outcome(fn, THEIRS))
        if diff:
            found[name] = diff
    return found


_NN_WORDS = ("relu", "sigmoid", "gelu", "softmax", "tanh()", "linear", "layer_norm", "loss", "cross_entropy", "bce")


def owner(name):
    """The area that owns the function a probe exercises (for known_gaps.PROBES)."""
    return "nn" if any(w in name for w in _NN_WORDS) else "tensor"


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Run every bad-input probe on TinyTorch and torch.")
    parser.add_argument("--known", action="store_true", help="print the differences as known_gaps.PROBES entries")
    args = parser.parse_args(argv)
    from known_gaps import TORCH_IS_WRONG

    diffs = {k: v for k, v in check_all().items() if k not in TORCH_IS_WRONG}
    for name, diff in diffs.items():
        print(f"    {name!r}: {owner(name) + ': ' + diff[:150]!r}," if args.known else f"{name}: {diff}")
    print(f"# {len(PROBES)} probes, {len(diffs)} differ from torch")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
