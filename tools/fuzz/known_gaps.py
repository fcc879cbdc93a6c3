"""Where TinyTorch and torch 2.13 still differ, each filed with its owner.

``PROBES``: bad-input probes (``bad_inputs.PROBES``) that differ; their tests are
``xfail(strict=True)``, so CI stays green, the gap stays visible, and a fix that makes one pass
fails the run until its entry is removed here.

``GRAPH``: op variants the random-graph fuzzer does not draw while they fail; each has an
``xfail(strict=True)`` reproducer in ``test_fuzz_known.py``.

``TORCH_IS_WRONG``: probes where torch's outcome is a bug, not a contract; TinyTorch may raise the
class given instead.
"""

TORCH_IS_WRONG = {
    # torch calls a method on the list and leaks an AttributeError; a TypeError is the right class.
    "softmax of list": (TypeError, "torch: AttributeError 'list' object has no attribute 'softmax'"),
    "mse_loss list target": (TypeError, "torch: AttributeError 'list' object has no attribute 'size'"),
    "bce list target": (TypeError, "torch: AttributeError 'list' object has no attribute 'size'"),
}

GRAPH = {
    "pow-tensor-exponent-0d": "tensor: 0-d x + x ** x crashes backward (TypeError: return arrays must be of ArrayType)",
    "std-zero": "tensor: std with a zero result has a NaN gradient (torch: 0)",
}

PROBES = {
    'mse_loss broadcastable': 'nn: ours raises ShapeError (mse_loss: target shape (3,) must equal input shape (2, 3)), torch returns () float32',
    'tensor + python complex': "tensor (deliberate, no complex dtypes): ours raises TypeError (unsupported operand type for add: 'Tensor' and 'complex' (expected a Tensor or a Python number)), torch returns (3,) complex64",
}
