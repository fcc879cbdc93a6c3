"""Graph-fuzzer ops: matmul, module 03's layers and module 04's losses."""

import numpy as np

from fuzz_registry import Call, _shape, op
from sides import OURS


# ----- matmul and layers --------------------------------------------------------------------------
@op("matmul", weight=2.0)
def _matmul(g, x):
    shape = _shape(x)
    if not shape:
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
    if not shape:
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
    if g.rng.random() < 0.2:  # class probabilities instead of indices
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
