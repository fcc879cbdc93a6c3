"""Graph-fuzzer ops: shapes, views, indexing, joins and splits, and the rest of module 01
(aliases, functional forms, in-place ops)."""

import numpy as np

from fuzz_registry import Call, _reduce_dims, _shape, op


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
    if count <= correction or x.ours.data.size == 0:
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
