"""Graph-fuzzer ops: elementwise arithmetic, activations, reductions, softmax."""

import numpy as np

from fuzz_registry import Call, _reduce_dims, _shape, op


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
