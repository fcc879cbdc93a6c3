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
    'cat empty list': 'tensor: ours raises RuntimeError (cat(): expected a non-empty list of Tensors), torch raises ValueError (torch.cat(): expected a non-empty list of Tensors)',
    'linear 1-d weight': 'nn: ours raises ShapeError (linear: weight must be 2-D (out_features, in_features), got shape (3,)), torch returns (2,) float32',
    'layer_norm wrong shape': 'nn: ours raises ValueError (layer_norm: expected input with trailing shape (2,), got input of shape (2, 3)), torch raises RuntimeError (Given normalized_s',
    'layer_norm weight mismatch': 'nn: ours raises ValueError (layer_norm: weight of shape (2,) does not match (3,)), torch raises RuntimeError (Expected weight to be of same shape as norma',
    'mse_loss shape mismatch': 'nn: ours raises ValueError (mse_loss: target shape (3, 2) must equal input shape (2, 3)), torch raises RuntimeError (The size of tensor a (3) must match t',
    'mse_loss broadcastable': 'nn: ours raises ValueError (mse_loss: target shape (3,) must equal input shape (2, 3)), torch returns () float32',
    'l1_loss shape mismatch': 'nn: ours raises ValueError (l1_loss: target shape (3, 2) must equal input shape (2, 3)), torch raises RuntimeError (The size of tensor a (3) must match th',
    'cross_entropy float target wrong shape': 'nn: ours raises TypeError (cross_entropy: target must hold integer class indices (dtype int64), got dtype float32; class-probability targets are not suppo',
    'cross_entropy 0-d input': 'nn: ours raises ValueError (cross_entropy: input must have a class dim, got a 0-d tensor), torch raises RuntimeError (Expected floating point type for tar',
    'cross_entropy label_smoothing > 1': 'nn: ours raises ValueError (cross_entropy: label_smoothing must be in [0, 1], got 1.5), torch raises RuntimeError (label_smoothing must be between 0.0 and',
    'relu bool': 'nn: ours returns (2,) float32, torch raises RuntimeError (Boolean inputs not supported for relu)',
    'gelu int': 'nn: ours returns (3,) float32, torch raises NotImplementedError ("GeluKernelImpl" not implemented for \'Long\')',
    'gelu bool': 'nn: ours returns (2,) float32, torch raises NotImplementedError ("GeluKernelImpl" not implemented for \'Bool\')',
    'softmax int': 'nn: ours returns (3,) float32, torch raises NotImplementedError ("softmax_lastdim_kernel_impl" not implemented for \'Long\')',
    'log_softmax bool': 'nn: ours returns (2,) float32, torch raises NotImplementedError ("log_softmax_lastdim_kernel_impl" not implemented for \'Bool\')',
    'linear int input': 'nn: ours raises TypeError (linear expects a floating point tensor, got dtype int64), torch raises RuntimeError (expected m1 and m2 to have the same dtype,',
    'layer_norm int': 'nn: ours raises TypeError (layer_norm expects a floating point tensor, got dtype int64), torch raises NotImplementedError ("LayerNormKernelImpl" not imple',
    'mse_loss int input': 'nn: ours raises TypeError (mse_loss: input must be a floating point tensor, got dtype int64), torch raises NotImplementedError ("mse_cpu" not implemented ',
    'cross_entropy int32 target': 'nn: ours returns () float32, torch raises RuntimeError (expected target dtype to be Long or Byte, but got Int)',
    'cross_entropy bool target': 'nn: ours raises TypeError (cross_entropy: target must hold integer class indices (dtype int64), got dtype bool; class-probability targets are not supporte',
    'cross_entropy int input': 'nn: ours raises TypeError (cross_entropy: input must be a floating point tensor, got dtype int64), torch raises NotImplementedError ("log_softmax_lastdim_',
    'nll_loss float target': 'nn: ours raises TypeError (nll_loss: target must hold integer class indices (dtype int64), got dtype float64; class-probability targets are not supported)',
    'bce int target': 'nn: ours returns () float32, torch raises RuntimeError (Found dtype Long but expected Float)',
    'bce_with_logits int target': "nn: ours returns () float32, torch raises RuntimeError (result type Float can't be cast to the desired output type Long)",
    'empty 0 layer_norm': 'nn: ours raises ValueError (normalized_shape must be non-empty with positive sizes, got (0,)), torch returns (0,) float32',
    'empty 2x0 layer_norm': 'nn: ours raises ValueError (normalized_shape must be non-empty with positive sizes, got (0,)), torch returns (2, 0) float32',
    'tensor + python complex': "tensor: ours raises TypeError (unsupported operand type for add: 'Tensor' and 'complex' (expected a Tensor or a Python number)), torch returns (3,) complex64",
    'matmul ndarray': "tensor: ours returns (2,) float32, torch raises TypeError (matmul(): argument 'other' (position 2) must be Tensor, not numpy.ndarray)",
    'layer_norm int normalized_shape': "nn: ours returns (2, 3) float32, torch raises TypeError (layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int)",
    'gather list index': "tensor: ours raises RuntimeError (gather(): Expected dtype int64 for index, got list), torch raises TypeError (gather(): argument 'index' (position 2) must be",
}
