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
    "cross_entropy-probabilities": "nn: cross_entropy with class-probability targets raises TypeError (torch supports them)",
    "cross_entropy-all-ignored": "nn: ignored targets of cross_entropy get a NaN gradient when the upstream gradient is NaN (torch: exactly 0)",
}

PROBES = {
    'mse_loss broadcastable': 'nn: ours raises ShapeError (mse_loss: target shape (3,) must equal input shape (2, 3)), torch returns () float32',
    'linear int input': 'nn: ours raises TypeError (linear expects a floating point tensor, got dtype int64), torch raises RuntimeError (expected m1 and m2 to have the same dtype,',
    'layer_norm int': 'nn: ours raises TypeError (layer_norm expects a floating point tensor, got dtype int64), torch raises NotImplementedError ("LayerNormKernelImpl" not imple',
    'tensor + python complex': "tensor (deliberate, no complex dtypes): ours raises TypeError (unsupported operand type for add: 'Tensor' and 'complex' (expected a Tensor or a Python number)), torch returns (3,) complex64",
}
