"""The registry of the graph fuzzer's op catalogue (see :mod:`fuzz_catalogue`)."""

from collections import namedtuple

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


def _reduce_dims(g, ndim, allow_tuple=True):
    """None, an int (possibly negative) or a tuple of distinct dims."""
    r = g.rng.random()
    if ndim == 0 or r < 0.25:
        return None
    if r < 0.75 or not allow_tuple or ndim < 2:
        return int(g.rng.integers(-ndim, ndim))
    k = int(g.rng.integers(1, ndim + 1))
    return tuple(int(d) for d in g.rng.choice(ndim, size=k, replace=False))
