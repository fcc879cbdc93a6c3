"""Where TinyTorch and torch 2.13 still differ, each filed with its owner.

``PROBES``: bad-input probes (``bad_inputs.PROBES``) that differ; their tests are
``xfail(strict=True)``, so CI stays green, the gap stays visible, and a fix that makes one pass
fails the run until its entry is removed here.

A problem the random-graph fuzzer finds gets a minimal reproducer in ``test_fuzz_known.py``
(``xfail(strict=True)`` while open, with its owner; a plain regression test once fixed); if it is
frequent, its op variant is left out of the draw by a condition in its ``ops_*.py`` maker until
the fix lands. None is open now.

``TORCH_IS_WRONG``: probes where torch's outcome is a bug, not a contract (an internal
``AttributeError`` leaking out, a result torch itself warns is likely wrong); TinyTorch raises the
class given instead.
"""

TORCH_IS_WRONG = {
    # torch calls a method on the list and leaks an AttributeError; a TypeError is the right class.
    "softmax of list": (TypeError, "torch: AttributeError 'list' object has no attribute 'softmax'"),
    "mse_loss list target": (TypeError, "torch: AttributeError 'list' object has no attribute 'size'"),
    "bce list target": (TypeError, "torch: AttributeError 'list' object has no attribute 'size'"),
    # torch broadcasts (3,) against (2, 3) and warns itself that this "will likely lead to incorrect
    # results"; TinyTorch refuses the mismatch (documented in mse_loss's docstring).
    "mse_loss broadcastable": (RuntimeError, "torch: a UserWarning that broadcasting likely gives a wrong loss"),
}

PROBES = {
    'tensor + python complex': "tensor (deliberate, no complex dtypes): ours raises TypeError (unsupported operand type for add: 'Tensor' and 'complex' (expected a Tensor or a Python number)), torch returns (3,) complex64",
}
