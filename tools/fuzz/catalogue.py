"""The op catalogue of the random-graph fuzzer: every public differentiable op of modules 01-04.

Each entry is a function ``make(g, x)`` that, given the graph ``g`` and a node ``x`` (a
:class:`Pair` of a TinyTorch and a torch tensor holding the same float64 values), draws the op's
arguments and returns ``Call(fn, args, text)``, or None when the op does not apply to ``x``:
``fn(L, *args)`` runs the op with library ``L`` (``sides.OURS`` or ``sides.THEIRS``), ``args``
are Pairs (given to each side as that side's tensor) and plain values, and ``text`` is the
reproducer line with ``{0}``, ``{1}``, ... standing for the arguments' names.

Inputs are kept where the op is smooth: ``log`` and ``sqrt`` see ``|x| + 0.1``, divisors are
bounded away from zero, ``exp`` is not applied to large values. Ties (where max, abs, relu and
clip have a one-sided derivative) are not avoided: both libraries must make the same choice.
"""

from collections import namedtuple

import numpy as np

from known_gaps import GRAPH
from sides import MISSING, OURS

Call = namedtuple("Call", "fn args text")
OPS = {}


def op(name, needs=(), weight=1.0):
    """Register ``make`` under ``name``; left out when an OURS function in ``needs`` is missing."""
    def register(make):
        if all(getattr(OURS, n, None) is not None for n in needs if not n.startswith("Tensor.")) and not any(
            n in MISSING for n in needs
        ):
            OPS[name] = (make, weight)
        return make
    return register


def _shape(x):
    return tuple(x.ours.shape)


# ----- elementwise --------------------------------------------------------------------------------
for _name, _fn, _text in [
    ("neg", lambda L, a: -a, "-{0}"),
    ("abs", lambda L, a: a.abs(), "{0}.abs()"),
    ("tanh", lambda L, a: a.tanh(), "{0}.tanh()"),
    ("log", lambda L, a: (a.abs() + 0.1).log(), "({0}.abs() + 0.1).log()"),
    ("sqrt", lambda L, a: (a * a + 0.1).sqrt(), "({0} * {0} + 0.1).sqrt()"),
    ("square", lambda L, a: a ** 2, "{0} ** 2"),
    ("cube", lambda L, a: a ** 3, "{0} ** 3"),
    ("pow_frac", lambda L, a: (a.abs() + 0.5) ** 1.5, "({0}.abs() + 0.5) ** 1.5"),
    ("pow_neg", lambda L, a: (a * a + 0.5) ** -1, "({0} * {0} + 0.5) ** -1"),
    ("rpow", lambda L, a: 2.0 ** a.tanh(), "2.0 ** {0}.tanh()"),
    ("rsub", lambda L, a: 1.5 - a, "1.5 - {0}"),
    ("rdiv", lambda L, a: 2.0 / (a * a + 0.5), "2.0 / ({0} * {0} + 0.5)"),
    ("scalar_mul_add", lambda L, a: a * 0.5 + 2, "{0} * 0.5 + 2"),
    ("int_scalar", lambda L, a: 3 * a - 1, "3 * {0} - 1"),
    ("sigmoid", lambda L, a: L.sigmoid(a), "sigmoid({0})"),
    ("relu", lambda L, a: L.relu(a), "relu({0})"),
    ("tanh_fn", lambda L, a: L.tanh(a), "tanh({0})"),
    ("gelu", lambda L, a: L.gelu(a), "gelu({0})"),
    ("gelu_tanh", lambda L, a: L.gelu(a, approximate="tanh"), "gelu({0}, approximate='tanh')"),
]:
    op(_name)(lambda g, x, _fn=_fn, _text=_text: Call(_fn, [x], _text))

op("sin", needs=("Tensor.sin",))(lambda g, x: Call(lambda L, a: a.sin(), [x], "{0}.sin()"))
op("cos", needs=("Tensor.cos",))(lambda g, x: Call(lambda L, a: a.cos(), [x], "{0}.cos()"))


@op("exp")
def _exp(g, x):
    if np.abs(x.ours.data).max(initial=0) > 10:
        return None
    return Call(lambda L, a: a.exp(), [x], "{0}.exp()")


@op("clip")
def _clip(g, x):
    lo = None if g.rng.random() < 0.3 else round(float(g.rng.uniform(-1, 0)), 2)
    hi = None if lo is not None and g.rng.random() < 0.4 else round(float(g.rng.uniform(0, 1)), 2)
    return Call(lambda L, a: a.clip(lo, hi), [x], f"{{0}}.clip({lo}, {hi})")


for _name, _fn, _sym in [
    ("add", lambda L, a, b: a + b, "+"), ("sub", lambda L, a, b: a - b, "-"),
    ("mul", lambda L, a, b: a * b, "*"),
    ("div", lambda L, a, b: a / (b * b + 0.5), "/"),
]:
    def _binary(g, x, _fn=_fn, _sym=_sym):
        y = g.partner(_shape(x))
        a, b = (x, y) if g.rng.random() < 0.5 else (y, x)
        text = "{0} / ({1} * {1} + 0.5)" if _sym == "/" else f"{{0}} {_sym} {{1}}"
        return Call(_fn, [a, b], text)
    op(_name, weight=2.0)(_binary)


@op("pow_tensor")
def _pow_tensor(g, x):
    y = g.partner(_shape(x))
    if "pow-tensor-exponent-0d" in GRAPH and (x.ours.ndim == 0 or y.ours.ndim == 0):
        return None
    return Call(lambda L, a, b: (a.abs() + 0.5) ** b.tanh(), [x, y], "({0}.abs() + 0.5) ** {1}.tanh()")


@op("where")
def _where(g, x):
    y = g.partner(_shape(x))
    cond = g.const(g.rng.random(np.broadcast_shapes(_shape(x), _shape(y))) < 0.5)
    return Call(lambda L, c, a, b: L.where(c, a, b), [cond, x, y], "where({0}, {1}, {2})")


@op("masked_fill")
def _masked_fill(g, x):
    shape = _shape(x)
    mask_shape = tuple(1 if g.rng.random() < 0.3 else n for n in shape)
    mask = g.const(g.rng.random(mask_shape) < 0.4)
    value = float(g.rng.choice([0.0, -1.5, 2.0]))
    return Call(lambda L, a, m: a.masked_fill(m, value), [x, mask], f"{{0}}.masked_fill({{1}}, {value})")


# ----- reductions ---------------------------------------------------------------------------------
def _reduce_dims(g, ndim, allow_tuple=True):
    """None, an int (possibly negative) or a tuple of distinct dims."""
    r = g.rng.random()
    if ndim == 0 or r < 0.25:
        return None
    if r < 0.75 or not allow_tuple or ndim < 2:
        return int(g.rng.integers(-ndim, ndim))
    k = int(g.rng.integers(1, ndim + 1))
    return tuple(int(d) for d in g.rng.choice(ndim, size=k, replace=False))


for _name in ("sum", "mean", "amax", "amin"):
    def _reduction(g, x, _name=_name):
        dim = _reduce_dims(g, x.ours.ndim)
        keepdim = bool(g.rng.random() < 0.5)
        if dim is None:
            if _name in ("amax", "amin") and x.ours.data.size == 0:
                return None
            return Call(lambda L, a: getattr(a, _name)(), [x], f"{{0}}.{_name}()")
        return Call(lambda L, a: getattr(a, _name)(dim=dim, keepdim=keepdim), [x],
                    f"{{0}}.{_name}(dim={dim}, keepdim={keepdim})")
    op(_name, needs=() if _name in ("sum", "mean") else (f"Tensor.{_name}",))(_reduction)


@op("var", needs=("Tensor.var",))
def _var(g, x):
    dim = _reduce_dims(g, x.ours.ndim)
    keepdim = bool(g.rng.random() < 0.5)
    correction = int(g.rng.integers(0, 2))
    dims = range(x.ours.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    if int(np.prod([_shape(x)[d] for d in dims])) <= correction:
        return None
    return Call(lambda L, a: a.var(dim=dim, keepdim=keepdim, correction=correction), [x],
                f"{{0}}.var(dim={dim}, keepdim={keepdim}, correction={correction})")


for _name in ("max", "min"):
    def _select(g, x, _name=_name):
        if x.ours.ndim == 0 or g.rng.random() < 0.3:
            return Call(lambda L, a: getattr(a, _name)(), [x], f"{{0}}.{_name}()")
        dim = int(g.rng.integers(-x.ours.ndim, x.ours.ndim))
        keepdim = bool(g.rng.random() < 0.5)
        return Call(lambda L, a: getattr(a, _name)(dim=dim, keepdim=keepdim)[0], [x],
                    f"{{0}}.{_name}(dim={dim}, keepdim={keepdim})[0]")
    op(_name)(_select)


@op("softmax")
def _softmax(g, x):
    if x.ours.ndim == 0:
        return None
    d = int(g.rng.integers(-x.ours.ndim, x.ours.ndim))
    fn = "softmax" if g.rng.random() < 0.5 else "log_softmax"
    return Call(lambda L, a: getattr(L, fn)(a, dim=d), [x], f"{fn}({{0}}, dim={d})")


# ----- shapes, views, indexing --------------------------------------------------------------------
@op("reshape")
def _reshape(g, x):
    n = x.ours.data.size
    shape = []
    rest = n
    while rest > 1 and len(shape) < 3:
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = int(g.rng.choice(divisors))
        shape.append(d)
        rest //= d
    if rest != 1 or not shape:
        shape.append(rest)
    if g.rng.random() < 0.4:
        shape[int(g.rng.integers(len(shape)))] = -1
    g.rng.shuffle(shape)
    shape = tuple(int(s) for s in shape)
    method = "view" if g.rng.random() < 0.3 else "reshape"
    if method == "view":  # a view of a non-contiguous tensor is an error in torch; use reshape there
        return Call(lambda L, a: a.contiguous().view(*shape), [x], f"{{0}}.contiguous().view{shape}")
    return Call(lambda L, a: a.reshape(shape), [x], f"{{0}}.reshape({shape})")


@op("flatten")
def _flatten(g, x):
    if x.ours.data.size == 0 and "flatten-empty" in GRAPH:
        return None
    nd = max(x.ours.ndim, 1)
    start = int(g.rng.integers(-nd, nd))
    end_choices = [d for d in range(-nd, nd) if d % nd >= start % nd]
    end = int(g.rng.choice(end_choices))
    return Call(lambda L, a: a.flatten(start, end), [x], f"{{0}}.flatten({start}, {end})")


@op("permute")
def _permute(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    dims = tuple(int(d) - (nd if g.rng.random() < 0.3 else 0) for d in g.rng.permutation(nd))
    return Call(lambda L, a: a.permute(*dims), [x], f"{{0}}.permute{dims}")


@op("transpose")
def _transpose(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d0, d1 = (int(v) for v in g.rng.integers(-nd, nd, size=2))
    if nd == 2 and g.rng.random() < 0.3:
        return Call(lambda L, a: a.T, [x], "{0}.T")
    return Call(lambda L, a: a.transpose(d0, d1), [x], f"{{0}}.transpose({d0}, {d1})")


@op("squeeze")
def _squeeze(g, x):
    nd = x.ours.ndim
    if nd == 0 or g.rng.random() < 0.3:
        return Call(lambda L, a: a.squeeze(), [x], "{0}.squeeze()")
    d = int(g.rng.integers(-nd, nd))
    return Call(lambda L, a: a.squeeze(d), [x], f"{{0}}.squeeze({d})")


@op("unsqueeze")
def _unsqueeze(g, x):
    nd = x.ours.ndim
    d = int(g.rng.integers(-nd - 1, nd + 1))
    return Call(lambda L, a: a.unsqueeze(d), [x], f"{{0}}.unsqueeze({d})")


@op("expand", needs=("Tensor.expand",))
def _expand(g, x):
    shape = _shape(x)
    if not shape:
        return None
    sizes = [int(g.rng.integers(2, 4)) if n == 1 and g.rng.random() < 0.6 else (-1 if g.rng.random() < 0.3 else n)
             for n in shape]
    if g.rng.random() < 0.3:
        sizes.insert(0, 2)
    sizes = tuple(sizes)
    return Call(lambda L, a: a.expand(*sizes), [x], f"{{0}}.expand{sizes}")


@op("repeat", needs=("Tensor.repeat",))
def _repeat(g, x):
    reps = tuple(int(r) for r in g.rng.integers(1, 3, size=x.ours.ndim + int(g.rng.integers(0, 2))))
    if not reps:
        reps = (2,)
    return Call(lambda L, a: a.repeat(*reps), [x], f"{{0}}.repeat{reps}")


@op("getitem_basic", weight=1.5)
def _getitem_basic(g, x):
    index = []
    for n in _shape(x):
        r = g.rng.random()
        if r < 0.25 and n > 0:
            index.append(int(g.rng.integers(-n, n)))
        elif r < 0.7:
            start = int(g.rng.integers(0, n + 1))
            stop = int(g.rng.integers(start, n + 1))
            step = int(g.rng.integers(1, 3))
            index.append(slice(start, stop, step))
        else:
            index.append(slice(None))
    if g.rng.random() < 0.2:
        index.insert(int(g.rng.integers(0, len(index) + 1)), None)
    if index and g.rng.random() < 0.2:
        index = [Ellipsis] + index[1:]
    index = tuple(index)
    return Call(lambda L, a: a[index], [x], f"{{0}}[{_index_text(index)}]")


def _index_text(index):
    def one(i):
        if isinstance(i, slice):
            return f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}" + (
                f":{i.step}" if i.step not in (None, 1) else "")
        return "..." if i is Ellipsis else repr(i)
    return ", ".join(one(i) for i in index) if index else "()"


@op("getitem_array")
def _getitem_array(g, x):
    if x.ours.ndim == 0 or _shape(x)[0] == 0:
        return None
    n = _shape(x)[0]
    ids = g.rng.integers(-n, n, size=int(g.rng.integers(1, 5)))  # repeats and negatives
    if g.rng.random() < 0.5:
        return Call(lambda L, a: a[ids.tolist()], [x], f"{{0}}[{ids.tolist()}]")
    index = g.const(ids)
    return Call(lambda L, a, i: a[i], [x, index], "{0}[{1}]")


@op("getitem_mask")
def _getitem_mask(g, x):
    if x.ours.ndim == 0:
        return None
    mask = g.const(g.rng.random(_shape(x)) < 0.5)
    return Call(lambda L, a, m: a[m], [x, mask], "{0}[{1}]")


@op("gather")
def _gather(g, x):
    nd = x.ours.ndim
    if nd == 0 or 0 in _shape(x):
        return None
    d = int(g.rng.integers(-nd, nd))
    shape = list(_shape(x))
    idx_shape = [int(g.rng.integers(1, n + 1)) for n in shape]
    idx_shape[d] = int(g.rng.integers(1, 4))
    index = g.const(g.rng.integers(0, shape[d], size=idx_shape))
    return Call(lambda L, a, i: a.gather(d, i), [x, index], f"{{0}}.gather({d}, {{1}})")


for _name in ("tril", "triu"):
    def _tri(g, x, _name=_name):
        if x.ours.ndim < 2:
            return None
        k = int(g.rng.integers(-1, 2))
        if g.rng.random() < 0.5:
            return Call(lambda L, a: getattr(L, _name)(a, k), [x], f"{_name}({{0}}, {k})")
        return Call(lambda L, a: getattr(a, _name)(k), [x], f"{{0}}.{_name}({k})")
    op(_name, needs=(_name, f"Tensor.{_name}"))(_tri)


@op("split", needs=("Tensor.split",))
def _split(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    n = _shape(x)[d]
    if g.rng.random() < 0.5 or n == 0:
        size = int(g.rng.integers(1, max(n, 1) + 1))
        pieces = -(-n // size) if n else 1
        sizes_text = str(size)
    else:
        cut = sorted(int(c) for c in g.rng.integers(0, n + 1, size=2))
        size = [cut[0], cut[1] - cut[0], n - cut[1]]
        pieces, sizes_text = 3, str(size)
    k = int(g.rng.integers(0, pieces))
    return Call(lambda L, a: a.split(size, d)[k], [x], f"{{0}}.split({sizes_text}, {d})[{k}]")


@op("chunk", needs=("Tensor.chunk",))
def _chunk(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    chunks = int(g.rng.integers(1, 4))
    count = len(x.theirs.chunk(chunks, d))
    k = int(g.rng.integers(0, count))
    return Call(lambda L, a: a.chunk(chunks, d)[k], [x], f"{{0}}.chunk({chunks}, {d})[{k}]")


@op("topk", needs=("Tensor.topk",))
def _topk(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    k = int(g.rng.integers(0, _shape(x)[d] + 1))
    largest = bool(g.rng.random() < 0.6)
    return Call(lambda L, a: a.topk(k, dim=d, largest=largest)[0], [x],
                f"{{0}}.topk({k}, dim={d}, largest={largest})[0]")


@op("cat")
def _cat(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    shape = list(_shape(x))
    shape[d] = int(g.rng.integers(0, 3))
    y = g.partner_exact(tuple(shape))
    a, b = (x, y) if g.rng.random() < 0.5 else (y, x)
    return Call(lambda L, a, b: L.cat([a, b], dim=d), [a, b], f"cat([{{0}}, {{1}}], dim={d})")


@op("stack")
def _stack(g, x):
    d = int(g.rng.integers(-x.ours.ndim - 1, x.ours.ndim + 1))
    y = g.partner_exact(_shape(x))
    return Call(lambda L, a, b: L.stack([a, b, a], dim=d), [x, y], f"stack([{{0}}, {{1}}, {{0}}], dim={d})")


@op("contiguous")
def _contiguous(g, x):
    return Call(lambda L, a: a.transpose(0, -1).contiguous() if a.ndim else a.contiguous(), [x],
                "{0}.transpose(0, -1).contiguous()")


# ----- matmul and layers --------------------------------------------------------------------------
@op("matmul", weight=2.0)
def _matmul(g, x):
    shape = _shape(x)
    if not shape or (shape[-1] == 0 and "matmul-empty-inner" in GRAPH):
        return None
    k = shape[-1]
    r = g.rng.random()
    if len(shape) == 1:
        other = (k,) if r < 0.3 else ((k, 3) if r < 0.7 else (2, k, 2))
    else:
        other = (k,) if r < 0.15 else ((k, int(g.rng.integers(1, 4))) if r < 0.6 else shape[:-2][-1:] + (k, 2))
    y = g.partner_exact(other)
    if g.rng.random() < 0.5:
        return Call(lambda L, a, b: a @ b, [x, y], "{0} @ {1}")
    return Call(lambda L, a, b: L.matmul(a, b), [x, y], "matmul({0}, {1})")


@op("linear")
def _linear(g, x):
    shape = _shape(x)
    if not shape or (shape[-1] == 0 and "matmul-empty-inner" in GRAPH):
        return None
    out_features = int(g.rng.integers(1, 4))
    w = g.leaf((out_features, shape[-1]))
    if g.rng.random() < 0.5:
        return Call(lambda L, a, w: L.linear(a, w), [x, w], "linear({0}, {1})")
    b = g.leaf((out_features,))
    return Call(lambda L, a, w, b: L.linear(a, w, b), [x, w, b], "linear({0}, {1}, {2})")


@op("layer_norm")
def _layer_norm(g, x):
    shape = _shape(x)
    if not shape:
        return None
    normalized = shape[-int(g.rng.integers(1, len(shape) + 1)):]
    if int(np.prod(normalized)) < 2:
        return None
    if g.rng.random() < 0.4:
        return Call(lambda L, a: L.layer_norm(a, normalized), [x], f"layer_norm({{0}}, {normalized})")
    w, b = g.leaf(normalized), g.leaf(normalized)
    return Call(lambda L, a, w, b: L.layer_norm(a, normalized, w, b), [x, w, b],
                f"layer_norm({{0}}, {normalized}, {{1}}, {{2}})")


@op("dropout_eval")
def _dropout(g, x):
    p = float(g.rng.choice([0.0, 0.5]))
    if p == 0.0 and g.rng.random() < 0.5:
        return Call(lambda L, a: L.dropout(a, p=0.0, training=True), [x], "dropout({0}, p=0.0, training=True)")
    return Call(lambda L, a: L.dropout(a, p=p, training=False), [x], f"dropout({{0}}, p={p}, training=False)")


# ----- losses -------------------------------------------------------------------------------------
_REDUCTIONS = ("mean", "sum", "none")


@op("regression_loss")
def _regression_loss(g, x):
    names = [n for n in ("mse_loss", "l1_loss", "smooth_l1_loss") if getattr(OURS, n) is not None]
    name = str(g.rng.choice(names))
    target = g.const(g.rng.standard_normal(_shape(x)))
    reduction = str(g.rng.choice(_REDUCTIONS))
    extra = {"beta": float(g.rng.choice([0.5, 1.0, 2.0]))} if name == "smooth_l1_loss" else {}
    text = f"{name}({{0}}, {{1}}, reduction={reduction!r}" + "".join(f", {k}={v}" for k, v in extra.items()) + ")"
    return Call(lambda L, a, t: getattr(L, name)(a, t, reduction=reduction, **extra), [x, target], text)


def _class_target(g, shape, classes, with_ignore):
    target = g.rng.integers(0, classes, size=shape)
    if with_ignore and target.size:
        target[g.rng.random(shape) < 0.25] = -100
        if "cross_entropy-all-ignored" in GRAPH and (target == -100).all():
            target.flat[0] = 0
    return g.const(target)


@op("cross_entropy", weight=1.5)
def _cross_entropy(g, x):
    shape = _shape(x)
    if not shape or 0 in shape:
        return None
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    reduction = str(g.rng.choice(_REDUCTIONS))
    smoothing = float(g.rng.choice([0.0, 0.0, 0.1]))
    if g.rng.random() < 0.2 and "cross_entropy-probabilities" not in GRAPH:  # probabilities, not indices
        probs = g.rng.random(shape)
        target = g.const(probs / probs.sum(axis=0 if len(shape) == 1 else 1, keepdims=True))
    else:
        target = _class_target(g, target_shape, classes, with_ignore=len(shape) > 1 and g.rng.random() < 0.5)
    return Call(lambda L, a, t: L.cross_entropy(a, t, reduction=reduction, label_smoothing=smoothing), [x, target],
                f"cross_entropy({{0}}, {{1}}, reduction={reduction!r}, label_smoothing={smoothing})")


@op("nll_loss")
def _nll_loss(g, x):
    shape = _shape(x)
    if len(shape) < 1 or 0 in shape:
        return None
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = _class_target(g, target_shape, classes, with_ignore=len(shape) > 1 and g.rng.random() < 0.5)
    reduction = str(g.rng.choice(_REDUCTIONS))
    return Call(lambda L, a, t: L.nll_loss(a, t, reduction=reduction), [x, target],
                f"nll_loss({{0}}, {{1}}, reduction={reduction!r})")


def _weight_for(g, shape):
    if not shape or g.rng.random() < 0.5:
        return None
    return g.const(g.rng.random(shape[-1:]) + 0.5)


@op("binary_cross_entropy")
def _bce(g, x):
    target = g.const(g.rng.random(_shape(x)))
    weight = _weight_for(g, _shape(x))
    reduction = str(g.rng.choice(_REDUCTIONS))
    args = [x, target] + ([weight] if weight is not None else [])
    text = "binary_cross_entropy(sigmoid({0}), {1}" + (", {2}" if weight is not None else "") + f", reduction={reduction!r})"
    return Call(lambda L, a, t, *w: L.binary_cross_entropy(L.sigmoid(a), t, *w, reduction=reduction), args, text)


@op("bce_with_logits")
def _bce_logits(g, x):
    target = g.const(g.rng.random(_shape(x)))
    weight = _weight_for(g, _shape(x))
    pos_weight = _weight_for(g, _shape(x))
    reduction = str(g.rng.choice(_REDUCTIONS))
    args = [x, target, weight, pos_weight]
    return Call(
        lambda L, a, t, w, pw: L.binary_cross_entropy_with_logits(a, t, w, reduction=reduction, pos_weight=pw),
        args,
        f"binary_cross_entropy_with_logits({{0}}, {{1}}, {{2}}, reduction={reduction!r}, pos_weight={{3}})",
    )


# ----- the rest of module 01's public surface: aliases, functional forms, in-place ops ------------
op("log10", needs=("Tensor.log10",))(lambda g, x: Call(lambda L, a: (a.abs() + 0.1).log10(), [x], "({0}.abs() + 0.1).log10()"))
op("log1p", needs=("Tensor.log1p",))(lambda g, x: Call(lambda L, a: a.abs().log1p(), [x], "{0}.abs().log1p()"))
op("exp_fn", needs=("exp_fn",))(lambda g, x: Call(lambda L, a: L.exp_fn(a.tanh()), [x], "exp({0}.tanh())"))
op("clone", needs=("Tensor.clone",))(lambda g, x: Call(lambda L, a: a.clone() * 2, [x], "{0}.clone() * 2"))


@op("clamp", needs=("Tensor.clamp", "clamp_fn"))
def _clamp(g, x):
    lo, hi = round(float(g.rng.uniform(-1, 0)), 2), round(float(g.rng.uniform(0, 1)), 2)
    if g.rng.random() < 0.5:
        return Call(lambda L, a: a.clamp(min=lo, max=hi), [x], f"{{0}}.clamp(min={lo}, max={hi})")
    return Call(lambda L, a: L.clamp_fn(a, lo), [x], f"clamp({{0}}, {lo})")


for _name in ("maximum", "minimum"):
    def _extremum(g, x, _name=_name):
        y = g.partner(_shape(x))
        return Call(lambda L, a, b: getattr(L, _name)(a, b), [x, y], f"{_name}({{0}}, {{1}})")
    op(_name, needs=(_name,))(_extremum)


@op("sum_fn", needs=("sum_fn",))
def _sum_fn(g, x):
    dim = _reduce_dims(g, x.ours.ndim)
    if dim is None:
        return Call(lambda L, a: L.sum_fn(a), [x], "sum({0})")
    return Call(lambda L, a: L.sum_fn(a, dim=dim, keepdim=True), [x], f"sum({{0}}, dim={dim}, keepdim=True)")


@op("std", needs=("Tensor.std",))
def _std(g, x):
    dim = _reduce_dims(g, x.ours.ndim)
    correction = int(g.rng.integers(0, 2))
    dims = range(x.ours.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    count = int(np.prod([_shape(x)[d] for d in dims]))
    if count <= correction or x.ours.data.size == 0 or (count == 1 and "std-zero" in GRAPH):
        return None
    return Call(lambda L, a: a.std(dim=dim, correction=correction), [x], f"{{0}}.std(dim={dim}, correction={correction})")


@op("unflatten", needs=("Tensor.unflatten",))
def _unflatten(g, x):
    if x.ours.ndim == 0:
        return None
    d = int(g.rng.integers(-x.ours.ndim, x.ours.ndim))
    n = _shape(x)[d]
    divisors = [k for k in range(1, n + 1) if n % k == 0] or [1]
    k = int(g.rng.choice(divisors))
    sizes = (k, -1) if n else (0, 1)
    return Call(lambda L, a: a.unflatten(d, sizes), [x], f"{{0}}.unflatten({d}, {sizes})")


@op("swapaxes", needs=("Tensor.swapaxes",))
def _swapaxes(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d0, d1 = (int(v) for v in g.rng.integers(-nd, nd, size=2))
    return Call(lambda L, a: a.swapaxes(d0, d1), [x], f"{{0}}.swapaxes({d0}, {d1})")


@op("mT", needs=("Tensor.mT",))
def _mT(g, x):
    if x.ours.ndim < 2:
        return None
    return Call(lambda L, a: a.mT, [x], "{0}.mT")


@op("unbind", needs=("Tensor.unbind",))
def _unbind(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    if _shape(x)[d] == 0:
        return None
    k = int(g.rng.integers(0, _shape(x)[d]))
    return Call(lambda L, a: a.unbind(d)[k], [x], f"{{0}}.unbind({d})[{k}]")


@op("roll", needs=("Tensor.roll",))
def _roll(g, x):
    nd = x.ours.ndim
    if nd == 0 or g.rng.random() < 0.3:
        shift = int(g.rng.integers(-3, 4))
        return Call(lambda L, a: a.roll(shift), [x], f"{{0}}.roll({shift})")
    d = int(g.rng.integers(-nd, nd))
    shift = int(g.rng.integers(-3, 4))
    return Call(lambda L, a: a.roll(shift, d), [x], f"{{0}}.roll({shift}, {d})")


@op("like", needs=("Tensor.expand_as", "Tensor.reshape_as", "Tensor.view_as"))
def _like(g, x):
    shape = _shape(x)
    r = g.rng.random()
    if r < 0.4 and shape:
        target = g.const(np.zeros((2,) + tuple(int(g.rng.integers(1, 3)) if n == 1 else n for n in shape)))
        return Call(lambda L, a, t: a.expand_as(t), [x, target], "{0}.expand_as({1})")
    target = g.const(np.zeros((x.ours.data.size,)))
    if r < 0.7:
        return Call(lambda L, a, t: a.reshape_as(t), [x, target], "{0}.reshape_as({1})")
    return Call(lambda L, a, t: a.contiguous().view_as(t), [x, target], "{0}.contiguous().view_as({1})")


@op("concat", needs=("concat",))
def _concat(g, x):
    nd = x.ours.ndim
    if nd == 0:
        return None
    d = int(g.rng.integers(-nd, nd))
    y = g.partner_exact(_shape(x))
    return Call(lambda L, a, b: L.concat((a, b), dim=d), [x, y], f"concat(({{0}}, {{1}}), dim={d})")


@op("tensor_linear", needs=("tensor_linear",))
def _tensor_linear(g, x):
    shape = _shape(x)
    if not shape:
        return None
    w, b = g.leaf((2, shape[-1])), g.leaf((2,))
    return Call(lambda L, a, w, b: L.tensor_linear(a, w, b), [x, w, b], "tinytorch.tensor.linear({0}, {1}, {2})")


@op("inplace", weight=2.0, needs=("Tensor.add_", "Tensor.mul_", "Tensor.sub_", "Tensor.div_", "Tensor.clamp_",
                                  "Tensor.masked_fill_"))
def _inplace(g, x):
    """An in-place op on a fresh non-leaf copy (``clone``): autograd must record it in place."""
    shape = _shape(x)
    kind = str(g.rng.choice(["add_", "sub_", "mul_", "div_", "clamp_", "masked_fill_", "setitem"]))
    if kind in ("add_", "sub_", "mul_"):
        y = g.partner(shape)
        if np.broadcast_shapes(_shape(y), shape) != shape:
            return None
        return Call(lambda L, a, b: getattr(a.clone(), kind)(b), [x, y], f"{{0}}.clone().{kind}({{1}})")
    if kind == "div_":
        return Call(lambda L, a: a.clone().div_(1.5), [x], "{0}.clone().div_(1.5)")
    if kind == "clamp_":
        return Call(lambda L, a: a.clone().clamp_(-0.5, 0.5), [x], "{0}.clone().clamp_(-0.5, 0.5)")
    if kind == "masked_fill_":
        mask = g.const(g.rng.random(shape) < 0.5)
        return Call(lambda L, a, m: a.clone().masked_fill_(m, 0.25), [x, mask], "{0}.clone().masked_fill_({1}, 0.25)")
    if not shape or shape[0] == 0:
        return None
    i = int(g.rng.integers(0, shape[0]))
    y = g.leaf(shape[1:])

    def setitem(L, a, b):
        c = a.clone()
        c[i] = b * 2
        return c
    return Call(setitem, [x, y], f"c = {{0}}.clone(); c[{i}] = {{1}} * 2; c")
