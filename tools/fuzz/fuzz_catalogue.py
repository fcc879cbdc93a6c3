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

import ops_elementwise  # noqa: F401  (each module registers its ops on import)
import ops_nn  # noqa: F401
import ops_shapes  # noqa: F401
from fuzz_registry import OPS, Call, op  # noqa: F401
