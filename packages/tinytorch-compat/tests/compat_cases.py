"""One call per exposed facade name, run on ``torch`` and on the facade by the differential tests.

Each case is ``(qualified name, kind, call)``: ``call(lib)`` receives ``torch`` or
``tinytorch.compat`` and must spell the call exactly as PyTorch code would. ``kind`` says how to
compare: ``"value"`` (same result: shapes, dtypes and values), ``"meta"`` (random or
freshly initialised results: same shapes and dtypes), ``"error"`` (the call must raise, and with
the same exception class). A name may have several cases.
"""

import numpy as np

F32 = [[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]]
IDX = [[0, 2], [1, 0]]


def t(lib, data, **kwargs):
    return lib.tensor(data, **kwargs)


def grad_of(lib, fn, data):
    x = lib.tensor(data, requires_grad=True)
    fn(lib, x).sum().backward()
    return x.grad


TOP = [
    ("torch.tensor", "value", lambda L: t(L, F32)),
    ("torch.tensor", "value", lambda L: t(L, [1, 2, 3])),
    ("torch.tensor", "value", lambda L: t(L, [True, False])),
    ("torch.tensor", "value", lambda L: t(L, [1, 2], dtype=L.float64)),
    ("torch.as_tensor", "value", lambda L: L.as_tensor(np.arange(4.0))),
    ("torch.from_numpy", "value", lambda L: L.from_numpy(np.arange(6, dtype=np.int32).reshape(2, 3))),
    ("torch.Tensor", "value", lambda L: L.Tensor([1.0, 2.0]) * 2),
    ("torch.Tensor", "meta", lambda L: L.Tensor(2, 3)),
    ("torch.Tensor", "meta", lambda L: L.Tensor(L.Size([4]))),
    ("torch.Tensor", "value", lambda L: (L.Tensor([1, 2]), L.Tensor(np.arange(3)), L.Tensor())),
    ("torch.Tensor", "meta", lambda L: L.Tensor(2, device="cpu")),
    ("torch.Tensor", "value", lambda L: L.Tensor(t(L, [1.0, 2.0])) + 1),
    ("torch.Tensor", "value", lambda L: (isinstance(L.zeros(1), L.Tensor),
                                         isinstance(L.nn.Parameter(L.zeros(1)), L.Tensor),
                                         issubclass(L.nn.Parameter, L.Tensor),
                                         isinstance(np.zeros(1), L.Tensor))),
    ("torch.Tensor", "value", lambda L: L.Tensor.add(t(L, [1.0]), t(L, [2.0]))),
    ("torch.Tensor", "error", lambda L: L.Tensor(-1)),
    ("torch.Tensor", "error", lambda L: L.Tensor(2.5)),
    ("torch.Tensor", "error", lambda L: L.Tensor("a")),
    ("torch.Tensor", "error", lambda L: L.Tensor(2, [3])),
    ("torch.is_tensor", "value", lambda L: (L.is_tensor(t(L, [1.0])), L.is_tensor([1.0]))),
    ("torch.numel", "value", lambda L: L.numel(L.zeros(3, 4))),
    ("torch.zeros", "value", lambda L: L.zeros(2, 3)),
    ("torch.zeros", "value", lambda L: L.zeros((2, 3), dtype=L.long)),
    ("torch.ones", "value", lambda L: L.ones(4)),
    ("torch.zeros", "value", lambda L: (L.zeros(size=(2, 3)), L.ones(size=[2]), L.empty(size=(1,)).shape)),
    ("torch.zeros", "error", lambda L: L.zeros(2, size=(2,))),
    ("torch.randn", "meta", lambda L: (L.randn(size=(2, 3)), L.rand(size=(4,)))),
    ("torch.empty", "meta", lambda L: L.empty(2, 5)),
    ("torch.full", "value", lambda L: L.full((2, 2), 7.0)),
    ("torch.arange", "value", lambda L: L.arange(5)),
    ("torch.arange", "value", lambda L: L.arange(0, 1, 0.25)),
    ("torch.linspace", "value", lambda L: L.linspace(0, 1, 5)),
    ("torch.zeros_like", "value", lambda L: L.zeros_like(t(L, F32))),
    ("torch.ones_like", "value", lambda L: L.ones_like(t(L, [1, 2]))),
    ("torch.empty_like", "meta", lambda L: L.empty_like(t(L, F32))),
    ("torch.full_like", "value", lambda L: L.full_like(t(L, F32), 2.5)),
    ("torch.rand", "meta", lambda L: L.rand(3, 2)),
    ("torch.randn", "meta", lambda L: L.randn(4)),
    ("torch.randint", "meta", lambda L: L.randint(0, 10, (3, 3))),
    ("torch.randint", "meta", lambda L: L.randint(5, (4,))),
    ("torch.randperm", "meta", lambda L: L.randperm(6)),
    ("torch.multinomial", "meta", lambda L: L.multinomial(t(L, [0.2, 0.3, 0.5]), 4, replacement=True)),
    ("torch.rand_like", "meta", lambda L: L.rand_like(t(L, F32))),
    ("torch.randn_like", "meta", lambda L: L.randn_like(t(L, F32))),
    ("torch.manual_seed", "meta", lambda L: (L.manual_seed(3), L.rand(2))[1]),
    ("torch.seed", "meta", lambda L: type(L.seed()).__name__),
    ("torch.initial_seed", "meta", lambda L: type(L.initial_seed()).__name__),
    ("torch.Generator", "meta", lambda L: L.rand(3, generator=L.Generator().manual_seed(1))),
    ("torch.default_generator", "meta", lambda L: type(L.default_generator.initial_seed()).__name__),
    ("torch.get_rng_state", "meta", lambda L: L.set_rng_state(L.get_rng_state())),
    ("torch.set_rng_state", "meta", lambda L: L.set_rng_state(L.get_rng_state())),
    ("torch.matmul", "value", lambda L: L.matmul(t(L, F32), t(L, F32).T)),
    ("torch.matmul", "error", lambda L: L.matmul(t(L, F32), t(L, F32))),
    ("torch.cat", "value", lambda L: L.cat([t(L, F32), t(L, F32)], dim=1)),
    ("torch.concat", "value", lambda L: L.concat([t(L, F32), t(L, F32)])),
    ("torch.concatenate", "value", lambda L: L.concatenate([t(L, F32), t(L, F32)], 0)),
    ("torch.cat", "error", lambda L: L.cat([t(L, F32), t(L, F32)], dim=2)),
    ("torch.stack", "value", lambda L: L.stack([t(L, F32), t(L, F32)])),
    ("torch.where", "value", lambda L: L.where(t(L, F32) > 0, t(L, F32), L.zeros(2, 3))),
    ("torch.tril", "value", lambda L: L.tril(L.ones(3, 3))),
    ("torch.triu", "value", lambda L: L.triu(L.ones(3, 3), diagonal=1)),
    ("torch.exp", "value", lambda L: L.exp(t(L, F32))),
    ("torch.log", "value", lambda L: L.log(t(L, [1.0, 2.0, 0.5]))),
    ("torch.log10", "value", lambda L: L.log10(t(L, [1.0, 100.0]))),
    ("torch.log1p", "value", lambda L: L.log1p(t(L, [0.0, 1e-8, 3.0]))),
    ("torch.sqrt", "value", lambda L: L.sqrt(t(L, [4.0, 2.0]))),
    ("torch.tanh", "value", lambda L: L.tanh(t(L, F32))),
    ("torch.sin", "value", lambda L: L.sin(t(L, F32))),
    ("torch.cos", "value", lambda L: L.cos(t(L, F32))),
    ("torch.abs", "value", lambda L: L.abs(t(L, F32))),
    ("torch.neg", "value", lambda L: L.neg(t(L, F32))),
    ("torch.clamp", "value", lambda L: L.clamp(t(L, F32), min=-1.0, max=1.0)),
    ("torch.clip", "value", lambda L: L.clip(t(L, F32), -0.5)),
    ("torch.add", "value", lambda L: L.add(t(L, F32), 1)),
    ("torch.sub", "value", lambda L: L.sub(t(L, F32), t(L, [1.0, 1.0, 1.0]))),
    ("torch.mul", "value", lambda L: L.mul(t(L, F32), 2.0)),
    ("torch.div", "value", lambda L: L.div(t(L, [1, 2, 3]), 2)),
    ("torch.pow", "value", lambda L: L.pow(t(L, F32), 2)),
    ("torch.masked_fill", "value", lambda L: L.masked_fill(t(L, F32), t(L, F32) < 0, 0.0)),
    ("torch.relu", "value", lambda L: L.relu(t(L, F32))),
    ("torch.log_softmax", "value", lambda L: L.log_softmax(t(L, F32), 1)),
    ("torch.logsumexp", "value", lambda L: grad_of(L, lambda L, x: L.logsumexp(x, dim=1), F32)),
    ("torch.logsumexp", "value", lambda L: L.logsumexp(t(L, [[1000.0, 1000.0], [-1.0, 2.0]]), 1, keepdim=True)),
    ("torch.sort", "value", lambda L: grad_of(L, lambda L, x: L.sort(x, dim=1, descending=True)[0] * x, F32)),
    ("torch.sort", "value", lambda L: tuple(L.sort(t(L, [3.0, float("nan"), 1.0, 3.0])))),
    ("torch.sort", "value", lambda L: tuple(t(L, [[2, 1, 2], [0, 5, 5]]).sort(descending=True, stable=True))),
    ("torch.argsort", "value", lambda L: L.argsort(t(L, F32), dim=0)),
    ("torch.argsort", "value", lambda L: t(L, [True, False, True]).argsort(descending=True, stable=True)),
    ("torch.isnan", "value", lambda L: L.isnan(t(L, [1.0, float("nan"), float("inf")]))),
    ("torch.isinf", "value", lambda L: L.isinf(t(L, [1.0, float("nan"), float("-inf")]))),
    ("torch.isfinite", "value", lambda L: (L.isfinite(t(L, [1.0, float("nan")])), t(L, [1, 2]).isfinite())),
    ("torch.any", "value", lambda L: (L.any(t(L, F32) > 2), (t(L, F32) > 0).any(dim=1), L.any(t(L, F32) > 0, 0, True))),
    ("torch.all", "value", lambda L: (L.all(t(L, F32) > -3), (t(L, F32) > 0).all(dim=0))),
    ("torch.count_nonzero", "value", lambda L: (L.count_nonzero(t(L, F32)), L.count_nonzero(t(L, [[0, 1], [2, 0]]), dim=1))),
    ("torch.allclose", "value", lambda L: (L.allclose(t(L, F32), t(L, F32) + 1e-7), t(L, [1.0]).allclose(t(L, [1.1])))),
    ("torch.allclose", "error", lambda L: L.allclose(t(L, [1.0]), t(L, [1.0], dtype=L.float64))),
    ("torch.equal", "value", lambda L: (L.equal(t(L, F32), t(L, F32)), L.equal(t(L, [1, 2]), t(L, [1])))),
    ("torch.mm", "value", lambda L: grad_of(L, lambda L, x: L.mm(x, x.t()), F32)),
    ("torch.mm", "error", lambda L: L.mm(t(L, [1.0, 2.0]), t(L, [[1.0], [2.0]]))),
    ("torch.bmm", "value", lambda L: grad_of(L, lambda L, x: L.bmm(x[None], x.t()[None]), F32)),
    ("torch.bmm", "error", lambda L: L.bmm(L.zeros(2, 2, 3), L.zeros(3, 3, 2))),
    ("torch.t", "value", lambda L: (L.t(t(L, F32)), t(L, [1.0, 2.0]).t())),
    ("torch.t", "error", lambda L: L.t(L.zeros(2, 2, 2))),
    ("torch.eye", "value", lambda L: (L.eye(3), L.eye(2, 4, dtype=L.long))),
    ("torch.norm", "value", lambda L: grad_of(L, lambda L, x: L.norm(x * t(L, [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]), dim=1), F32)),
    ("torch.norm", "value", lambda L: (L.norm(t(L, F32)), t(L, F32).norm(p=1, dim=0, keepdim=True))),
    ("torch.cumsum", "value", lambda L: grad_of(L, lambda L, x: L.cumsum(x, dim=1) * x, F32)),
    ("torch.cumsum", "value", lambda L: (t(L, [[1, 2], [3, 4]]).cumsum(0), L.cumsum(t(L, [True, True]), 0))),
    ("torch.diag", "value", lambda L: grad_of(L, lambda L, x: L.diag(x, 1) * 2, F32)),
    ("torch.diag", "value", lambda L: grad_of(L, lambda L, x: L.diag(x[0], -1), F32)),
    ("torch.diag", "value", lambda L: t(L, [1, 2]).diag()),
    ("torch.diag", "error", lambda L: L.diag(L.zeros(2, 2, 2))),
    ("torch.outer", "value", lambda L: grad_of(L, lambda L, x: L.outer(x[0], x[1]), F32)),
    ("torch.outer", "error", lambda L: L.outer(t(L, F32), t(L, [1.0]))),
    ("torch.square", "value", lambda L: grad_of(L, lambda L, x: L.square(x) + x.square(), F32)),
    ("torch.flip", "value", lambda L: grad_of(L, lambda L, x: L.flip(x, [0, 1]) * x, F32)),
    ("torch.flip", "value", lambda L: t(L, [[1, 2], [3, 4]]).flip(1)),
    ("torch.index_select", "value", lambda L: grad_of(
        L, lambda L, x: L.index_select(x, 1, t(L, [2, 0, 2])), F32)),
    ("torch.index_select", "error", lambda L: L.index_select(t(L, F32), 1, t(L, [3]))),
    ("torch.narrow", "value", lambda L: grad_of(L, lambda L, x: L.narrow(x, 1, 1, 2), F32)),
    ("torch.narrow", "value", lambda L: t(L, F32).narrow(-1, -2, 1)),
    ("torch.narrow", "error", lambda L: L.narrow(t(L, F32), 1, 2, 2)),
    ("torch.nonzero", "value", lambda L: (L.nonzero(t(L, F32) > 0), L.nonzero(t(L, [0, 3, 1]), as_tuple=True))),
    ("torch.where", "value", lambda L: L.where(t(L, F32) > 0)),
    ("torch.Tensor.new_zeros", "value", lambda L: (t(L, [1.0], dtype=L.float64).new_zeros(2, 3),
                                                   t(L, [1]).new_ones((2,)), t(L, [1.0]).new_full((2,), 3))),
    ("torch.Tensor.new_tensor", "value", lambda L: t(L, [1.0], dtype=L.float64).new_tensor([1, 2])),
    ("torch.Tensor.type", "value", lambda L: (t(L, [1.0]).type(), t(L, [1]).type(), t(L, [True]).type(),
                                              t(L, [1.0]).type(L.float64), t(L, [1.0]).type("torch.LongTensor"))),
    ("torch.log_softmax", "value", lambda L: grad_of(L, lambda L, x: L.log_softmax(x, dim=0), F32)),
    ("torch.Size", "value", lambda L: (L.Size([2, 3]).numel(), L.Size([2, 3]) == (2, 3), repr(L.Size([4])),
                                       L.zeros(2, 3).shape == L.Size([2, 3]), L.Size([2, 3])[1:])),
    ("torch.Size", "error", lambda L: L.Size([2, "a"])),
    ("torch.set_num_threads", "value", lambda L: (L.set_num_threads(1), L.get_num_threads())),
    ("torch.set_num_threads", "error", lambda L: L.set_num_threads(0)),
    ("torch.get_num_threads", "meta", lambda L: type(L.get_num_threads()).__name__),
    ("torch.Tensor.relu", "value", lambda L: grad_of(L, lambda L, x: x.relu(), F32)),
    ("torch.Tensor.sigmoid", "value", lambda L: grad_of(L, lambda L, x: x.sigmoid(), F32)),
    ("torch.Tensor.softmax", "value", lambda L: grad_of(L, lambda L, x: x.softmax(-1) * x, F32)),
    ("torch.Tensor.softmax", "error", lambda L: t(L, F32).softmax(2)),
    ("torch.Tensor.log_softmax", "value", lambda L: grad_of(L, lambda L, x: x.log_softmax(dim=1) * x, F32)),
    ("torch.Tensor", "value", lambda L: L.Tensor()),
    ("torch.autograd", "value", lambda L: L.autograd.grad.__name__),
    ("torch.autograd.grad", "value", lambda L: _autograd_grad(L)),
    ("torch.autograd.grad", "error", lambda L: L.autograd.grad(
        (t(L, [1.0], requires_grad=True) * 2).sum(), [t(L, [1.0], requires_grad=True)])),
    ("torch.autograd.no_grad", "value", lambda L: _grad_mode(L, L.autograd.no_grad())),
    ("torch.autograd.enable_grad", "value", lambda L: _grad_mode(L, L.autograd.enable_grad())),
    ("torch.autograd.inference_mode", "value", lambda L: _grad_mode(L, L.autograd.inference_mode())),
    ("torch.autograd.set_grad_enabled", "value", lambda L: _grad_mode(L, L.autograd.set_grad_enabled(False))),
    ("torch.sigmoid", "value", lambda L: L.sigmoid(t(L, F32))),
    ("torch.softmax", "value", lambda L: L.softmax(t(L, F32), dim=1)),
    ("torch.sum", "value", lambda L: L.sum(t(L, F32))),
    ("torch.sum", "value", lambda L: L.sum(t(L, F32), dim=1, keepdim=True)),
    ("torch.sum", "error", lambda L: L.sum(t(L, F32), dim=2)),
    ("torch.mean", "value", lambda L: L.mean(t(L, F32), 0)),
    ("torch.var", "value", lambda L: L.var(t(L, F32), dim=1)),
    ("torch.std", "value", lambda L: L.std(t(L, F32))),
    ("torch.max", "value", lambda L: L.max(t(L, F32))),
    ("torch.max", "value", lambda L: tuple(L.max(t(L, F32), dim=1))),
    ("torch.min", "value", lambda L: L.min(t(L, F32), dim=0).values),
    ("torch.amax", "value", lambda L: L.amax(t(L, F32), dim=1)),
    ("torch.amin", "value", lambda L: L.amin(t(L, F32), dim=0)),
    ("torch.argmax", "value", lambda L: L.argmax(t(L, F32), dim=1)),
    ("torch.argmin", "value", lambda L: L.argmin(t(L, F32))),
    ("torch.maximum", "value", lambda L: L.maximum(t(L, F32), L.zeros(2, 3))),
    ("torch.minimum", "value", lambda L: L.minimum(t(L, F32), L.zeros(3))),
    ("torch.gather", "value", lambda L: L.gather(t(L, F32), 1, t(L, IDX))),
    ("torch.topk", "value", lambda L: tuple(L.topk(t(L, F32), 2))),
    ("torch.reshape", "value", lambda L: L.reshape(t(L, F32), (3, 2))),
    ("torch.flatten", "value", lambda L: L.flatten(t(L, F32))),
    ("torch.unflatten", "value", lambda L: L.unflatten(L.arange(6), 0, (2, 3))),
    ("torch.permute", "value", lambda L: L.permute(t(L, F32), (1, 0))),
    ("torch.transpose", "value", lambda L: L.transpose(t(L, F32), 0, 1)),
    ("torch.transpose", "error", lambda L: L.transpose(t(L, F32), 0, 5)),
    ("torch.swapaxes", "value", lambda L: L.swapaxes(t(L, F32), 0, 1)),
    ("torch.squeeze", "value", lambda L: L.squeeze(L.zeros(1, 3, 1))),
    ("torch.squeeze", "error", lambda L: L.squeeze(L.zeros(1, 3), 2)),
    ("torch.unsqueeze", "value", lambda L: L.unsqueeze(t(L, F32), 0)),
    ("torch.split", "value", lambda L: L.split(L.arange(7), 3)),
    ("torch.chunk", "value", lambda L: L.chunk(L.arange(6), 3)),
    ("torch.unbind", "value", lambda L: L.unbind(t(L, F32))),
    ("torch.roll", "value", lambda L: L.roll(L.arange(5), 2)),
    ("torch.clone", "value", lambda L: L.clone(t(L, F32))),
    ("torch.promote_types", "value", lambda L: L.promote_types(L.int64, L.float32)),
    ("torch.result_type", "value", lambda L: L.result_type(t(L, [1, 2]), 1.0)),
    ("torch.no_grad", "value", lambda L: _no_grad(L)),
    ("torch.enable_grad", "value", lambda L: _enable_grad(L)),
    ("torch.inference_mode", "value", lambda L: _inference_mode(L)),
    ("torch.set_grad_enabled", "value", lambda L: _set_grad_enabled(L)),
    ("torch.is_grad_enabled", "value", lambda L: L.is_grad_enabled()),
    ("torch.device", "value", lambda L: (str(L.device("cpu")), L.device("cpu") == L.device("cpu"))),
    ("torch.dtype", "value", lambda L: isinstance(L.float32, L.dtype)),
    ("torch.Parameter", "value", lambda L: L.nn.Parameter(L.ones(2)).requires_grad),
    ("torch.save", "value", lambda L: _save_load(L)),
    ("torch.load", "value", lambda L: _save_load(L)),
    ("torch.load", "value", lambda L: _save_load(L, map_location="cpu", weights_only=True)),
    ("torch.load", "value", lambda L: _save_load(L, map_location=L.device("cpu"))),
]

for _name in ["float16", "half", "float32", "float", "float64", "double", "int8", "int16", "short",
              "int32", "int", "int64", "long", "uint8", "bool"]:
    TOP.append((f"torch.{_name}", "value", lambda L, n=_name: L.zeros(2, dtype=getattr(L, n))))

SUBMODULES = [
    ("torch.nn", "value", lambda L: isinstance(L.nn.ReLU(), L.nn.Module)),
    ("torch.optim", "value", lambda L: L.optim.SGD.__name__),
    ("torch.utils", "value", lambda L: L.utils.data.DataLoader.__name__),
    ("torch.utils.data", "value", lambda L: L.utils.data.TensorDataset.__name__),
    ("torch.cuda", "value", lambda L: (L.cuda.is_available(), L.cuda.device_count())),
    ("torch.cuda.is_available", "value", lambda L: L.cuda.is_available()),
    ("torch.cuda.device_count", "value", lambda L: L.cuda.device_count()),
    ("torch.cuda.manual_seed", "value", lambda L: L.cuda.manual_seed(0)),
    ("torch.cuda.manual_seed_all", "value", lambda L: L.cuda.manual_seed_all(0)),
    ("torch.cuda.is_bf16_supported", "meta", lambda L: type(L.cuda.is_bf16_supported()).__name__),
    ("torch.backends", "value", lambda L: L.backends.mps.is_available()),
    ("torch.backends.mps", "value", lambda L: L.backends.mps.is_available()),
    ("torch.backends.mps.is_available", "value", lambda L: L.backends.mps.is_available()),
    ("torch.backends.mps.is_built", "meta", lambda L: type(L.backends.mps.is_built()).__name__),
    ("torch.backends.cudnn", "value", lambda L: L.backends.cudnn.is_available()),
    ("torch.backends.cudnn.is_available", "value", lambda L: L.backends.cudnn.is_available()),
    ("torch.backends.cudnn.enabled", "value", lambda L: L.backends.cudnn.enabled),
    ("torch.backends.cudnn.benchmark", "value", lambda L: L.backends.cudnn.benchmark),
    ("torch.backends.cudnn.deterministic", "value", lambda L: L.backends.cudnn.deterministic),
    ("torch.accelerator", "value", lambda L: L.accelerator.is_available()),
    ("torch.accelerator.is_available", "value", lambda L: L.accelerator.is_available()),
    ("torch.accelerator.device_count", "value", lambda L: L.accelerator.device_count()),
    ("torch.accelerator.current_accelerator", "value", lambda L: L.accelerator.current_accelerator()),
]


def _no_grad(L):
    x = t(L, [1.0], requires_grad=True)
    with L.no_grad():
        y = x * 2

    @L.no_grad()
    def doubled(v):
        return v * 2

    return y.requires_grad, doubled(x).requires_grad


def _enable_grad(L):
    x = t(L, [1.0], requires_grad=True)
    with L.no_grad():
        with L.enable_grad():
            y = x * 2
    return y.requires_grad


def _inference_mode(L):
    x = t(L, [1.0], requires_grad=True)
    with L.inference_mode():
        y = x * 2
    return y.requires_grad, L.is_grad_enabled()


def _set_grad_enabled(L):
    x = t(L, [1.0], requires_grad=True)
    with L.set_grad_enabled(False):
        y = x * 2
    return y.requires_grad, L.is_grad_enabled()


def _save_load(L, **load_kwargs):
    import os
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "obj.pt")
    L.save({"w": t(L, F32), "step": 3, "names": ["a", "b"]}, path)
    out = L.load(path, **load_kwargs)
    return out["w"], out["step"], out["names"]


def _autograd_grad(L):
    x = t(L, [[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    w = t(L, [[0.3, 0.1], [-0.2, 0.4]], requires_grad=True)
    h = x @ w
    gh, gw = L.autograd.grad((h.tanh() * h).sum(), [h, w], grad_outputs=None)
    return gh, gw, x.grad, w.grad


def _grad_mode(L, context):
    x = t(L, [1.0], requires_grad=True)
    with context:
        y = x * 2
    return y.requires_grad


CLASSES = [[0.2, 1.5, -0.3, 0.8], [1.0, -1.0, 0.5, 0.0], [0.3, 0.3, 2.0, -0.5]]
CLASS_WEIGHT = [0.5, 2.0, 1.0, 3.0]


def _weighted(L, fn, target, **kwargs):
    x = t(L, CLASSES, requires_grad=True)
    loss = fn(x, t(L, target), weight=t(L, CLASS_WEIGHT), **kwargs)
    loss.sum().backward()
    return loss, x.grad


def _concat(L):
    a = L.utils.data.TensorDataset(L.tensor(_X[:4]), L.tensor(_Y[:4]))
    b = L.utils.data.TensorDataset(L.tensor(_X[4:]), L.tensor(_Y[4:]))
    ds = L.utils.data.ConcatDataset([a, b])
    return len(ds), ds.cumulative_sizes, ds[5], ds[-1], [tuple(x) for x in L.utils.data.DataLoader(ds, batch_size=3)]


def fixed(L, module):
    """``module`` with every float parameter and buffer set from a seeded NumPy draw per key."""
    values = {}
    for key, value in module.state_dict().items():
        if "float" in str(value.dtype):
            seed = sum(map(ord, key))
            array = np.random.default_rng(seed).standard_normal(tuple(value.shape)) * 0.3
            if key.endswith("running_var"):
                array = np.abs(array) + 0.5
            values[key] = L.tensor(array.astype(np.float32))
        else:
            values[key] = value if hasattr(value, "shape") else L.tensor(value)
    module.load_state_dict(values)
    return module


def run(L, make, data, train=False, backward=True):
    """Output of a fixed-weight module on ``data`` and the gradient of its sum w.r.t. the input."""
    module = fixed(L, make(L))
    module.train(train)
    x = L.tensor(np.asarray(data, np.float32), requires_grad=backward)
    out = module(x)
    if backward:
        out.sum().backward()
        return out, x.grad
    return out


IMAGES = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
ROWS = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
SEQ = np.random.default_rng(2).standard_normal((2, 4, 6)).astype(np.float32)
LOGITS = [[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]]
PROBS = [[0.9, 0.2], [0.4, 0.7]]
TARGET01 = [[1.0, 0.0], [0.0, 1.0]]

NN = [
    ("torch.nn.Module", "value", lambda L: [k for k, _ in fixed(L, L.nn.Sequential(
        L.nn.Linear(2, 3), L.nn.ReLU(), L.nn.Linear(3, 1))).named_parameters()]),
    ("torch.nn.Parameter", "value", lambda L: (L.nn.Parameter(L.zeros(2)).requires_grad,
                                               isinstance(L.nn.Parameter(L.zeros(1)), L.Tensor))),
    ("torch.nn.Sequential", "value", lambda L: run(L, lambda L: L.nn.Sequential(
        L.nn.Linear(5, 3), L.nn.Tanh(), L.nn.Linear(3, 2)), ROWS)),
    ("torch.nn.ModuleList", "value", lambda L: len(list(L.nn.ModuleList(
        [L.nn.Linear(2, 2), L.nn.ReLU()]).parameters()))),
    ("torch.nn.ModuleDict", "value", lambda L: list(L.nn.ModuleDict(
        {"b": L.nn.Linear(2, 2), "a": L.nn.Linear(2, 1)}).state_dict().keys())),
    ("torch.nn.Identity", "value", lambda L: run(L, lambda L: L.nn.Identity(), ROWS)),
    ("torch.nn.Linear", "value", lambda L: run(L, lambda L: L.nn.Linear(5, 4), ROWS)),
    ("torch.nn.Linear", "meta", lambda L: L.nn.Linear(5, 4).weight),
    ("torch.nn.Linear", "error", lambda L: L.nn.Linear(4, 2)(L.zeros(3, 5))),
    ("torch.nn.Dropout", "value", lambda L: run(L, lambda L: L.nn.Dropout(0.3), ROWS)),
    ("torch.nn.Dropout", "meta", lambda L: L.nn.Dropout(0.3)(L.tensor(ROWS))),
    ("torch.nn.Dropout2d", "value", lambda L: run(L, lambda L: L.nn.Dropout2d(0.3), IMAGES)),
    ("torch.nn.LayerNorm", "value", lambda L: run(L, lambda L: L.nn.LayerNorm(5), ROWS)),
    ("torch.nn.Embedding", "value", lambda L: fixed(L, L.nn.Embedding(10, 3))(t(L, [[1, 2], [9, 0]]))),
    ("torch.nn.Embedding", "error", lambda L: L.nn.Embedding(10, 3)(t(L, [10]))),
    ("torch.nn.MultiheadAttention", "value", lambda L: fixed(L, L.nn.MultiheadAttention(
        6, 2, batch_first=True))(L.tensor(SEQ), L.tensor(SEQ), L.tensor(SEQ))[0]),
    ("torch.nn.Conv1d", "value", lambda L: run(L, lambda L: L.nn.Conv1d(4, 3, 3, padding=1), SEQ)),
    ("torch.nn.Conv1d", "value", lambda L: run(L, lambda L: L.nn.Conv1d(4, 2, 2, stride=2, bias=False), SEQ)),
    ("torch.nn.Conv1d", "value", lambda L: run(L, lambda L: L.nn.Conv1d(4, 2, 4, padding="same"), SEQ)),
    ("torch.nn.Conv1d", "meta", lambda L: L.nn.Conv1d(4, 3, 5).weight),
    ("torch.nn.Conv1d", "error", lambda L: L.nn.Conv1d(3, 2, 3)(L.tensor(SEQ))),
    ("torch.nn.Upsample", "value", lambda L: run(L, lambda L: L.nn.Upsample(scale_factor=2), IMAGES)),
    ("torch.nn.MaxPool1d", "value", lambda L: run(L, lambda L: L.nn.MaxPool1d(2), SEQ)),
    ("torch.nn.MaxPool1d", "value", lambda L: run(L, lambda L: L.nn.MaxPool1d(3, stride=1, padding=1), SEQ)),
    ("torch.nn.AvgPool1d", "value", lambda L: run(L, lambda L: L.nn.AvgPool1d(3, 2, padding=1), SEQ)),
    ("torch.nn.AdaptiveAvgPool1d", "value", lambda L: run(L, lambda L: L.nn.AdaptiveAvgPool1d(1), SEQ)),
    ("torch.nn.AdaptiveAvgPool1d", "error", lambda L: L.nn.AdaptiveAvgPool1d(2)(L.tensor(IMAGES))),
    ("torch.nn.Upsample", "value", lambda L: run(L, lambda L: L.nn.Upsample(size=(4, 9), mode="bilinear"), IMAGES)),
    ("torch.nn.Conv2d", "value", lambda L: run(L, lambda L: L.nn.Conv2d(3, 4, 3, padding=1), IMAGES)),
    ("torch.nn.Conv2d", "value", lambda L: run(L, lambda L: L.nn.Conv2d(3, 2, 3, stride=2), IMAGES)),
    ("torch.nn.Conv2d", "error", lambda L: L.nn.Conv2d(4, 2, 3)(L.tensor(IMAGES))),
    ("torch.nn.MaxPool2d", "value", lambda L: run(L, lambda L: L.nn.MaxPool2d(2), IMAGES)),
    ("torch.nn.AdaptiveAvgPool2d", "value", lambda L: run(L, lambda L: L.nn.AdaptiveAvgPool2d((4, 3)), IMAGES)),
    ("torch.nn.AdaptiveAvgPool2d", "value", lambda L: run(L, lambda L: L.nn.AdaptiveAvgPool2d(1), IMAGES)),
    ("torch.nn.AvgPool2d", "value", lambda L: run(L, lambda L: L.nn.AvgPool2d(3, stride=2), IMAGES)),
    ("torch.nn.BatchNorm1d", "value", lambda L: run(L, lambda L: L.nn.BatchNorm1d(5), ROWS, train=True)),
    ("torch.nn.BatchNorm1d", "value", lambda L: run(L, lambda L: L.nn.BatchNorm1d(5), ROWS)),
    ("torch.nn.BatchNorm2d", "value", lambda L: run(L, lambda L: L.nn.BatchNorm2d(3), IMAGES, train=True)),
    ("torch.nn.BatchNorm2d", "value", lambda L: run(L, lambda L: L.nn.BatchNorm2d(3), IMAGES)),
    ("torch.nn.Flatten", "value", lambda L: run(L, lambda L: L.nn.Flatten(), IMAGES)),
    ("torch.nn.ReLU", "value", lambda L: run(L, lambda L: L.nn.ReLU(), ROWS)),
    ("torch.nn.Sigmoid", "value", lambda L: run(L, lambda L: L.nn.Sigmoid(), ROWS)),
    ("torch.nn.Tanh", "value", lambda L: run(L, lambda L: L.nn.Tanh(), ROWS)),
    ("torch.nn.GELU", "value", lambda L: run(L, lambda L: L.nn.GELU(), ROWS)),
    ("torch.nn.GELU", "value", lambda L: run(L, lambda L: L.nn.GELU(approximate="tanh"), ROWS)),
    ("torch.nn.Softmax", "value", lambda L: run(L, lambda L: L.nn.Softmax(dim=1), ROWS)),
    ("torch.nn.LogSoftmax", "value", lambda L: run(L, lambda L: L.nn.LogSoftmax(dim=-1), ROWS)),
    ("torch.nn.LeakyReLU", "value", lambda L: run(L, lambda L: L.nn.LeakyReLU(0.2), ROWS)),
    ("torch.nn.LeakyReLU", "value", lambda L: repr(L.nn.LeakyReLU())),
    ("torch.nn.SiLU", "value", lambda L: run(L, lambda L: L.nn.SiLU(), ROWS)),
    ("torch.nn.MSELoss", "value", lambda L: L.nn.MSELoss()(t(L, F32), L.zeros(2, 3))),
    ("torch.nn.L1Loss", "value", lambda L: L.nn.L1Loss(reduction="sum")(t(L, F32), L.ones(2, 3))),
    ("torch.nn.SmoothL1Loss", "value", lambda L: L.nn.SmoothL1Loss(beta=0.5)(t(L, F32), L.ones(2, 3))),
    ("torch.nn.CrossEntropyLoss", "value", lambda L: L.nn.CrossEntropyLoss()(t(L, LOGITS), t(L, [0, 2]))),
    ("torch.nn.CrossEntropyLoss", "value", lambda L: L.nn.CrossEntropyLoss(
        label_smoothing=0.1, ignore_index=1)(t(L, LOGITS), t(L, [0, 1]))),
    ("torch.nn.CrossEntropyLoss", "error", lambda L: L.nn.CrossEntropyLoss()(t(L, LOGITS), t(L, [0, 3]))),
    ("torch.nn.NLLLoss", "value", lambda L: L.nn.NLLLoss()(
        L.nn.functional.log_softmax(t(L, LOGITS), 1), t(L, [1, 1]))),
    ("torch.nn.BCELoss", "value", lambda L: L.nn.BCELoss()(t(L, PROBS), t(L, TARGET01))),
    ("torch.nn.BCEWithLogitsLoss", "value", lambda L: L.nn.BCEWithLogitsLoss(
        pos_weight=t(L, [2.0, 1.0]))(t(L, LOGITS)[:, :2], t(L, TARGET01))),
    ("torch.nn.functional", "value", lambda L: L.nn.functional.relu(t(L, F32))),
    ("torch.nn.init", "value", lambda L: L.nn.init.calculate_gain("relu")),
    ("torch.nn.utils", "value", lambda L: _clip(L)),
    ("torch.nn.utils.clip_grad_norm_", "value", lambda L: _clip(L)),
]


def _clip(L):
    p = L.nn.Parameter(L.zeros(4))
    p.grad = t(L, [3.0, 4.0, 0.0, 0.0])
    total = L.nn.utils.clip_grad_norm_([p], max_norm=1.0)
    return total, p.grad


FUNCTIONAL = [
    ("torch.nn.functional.relu", "value", lambda L: grad_of(L, lambda L, x: L.nn.functional.relu(x), F32)),
    ("torch.nn.functional.sigmoid", "value", lambda L: L.nn.functional.sigmoid(t(L, F32))),
    ("torch.nn.functional.leaky_relu", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.leaky_relu(x, 0.1), [[-1.0, 0.0, 2.0]])),
    ("torch.nn.functional.leaky_relu", "error", lambda L: L.nn.functional.leaky_relu(t(L, [True]))),
    ("torch.nn.functional.silu", "value", lambda L: grad_of(L, lambda L, x: L.nn.functional.silu(x), F32)),
    ("torch.nn.functional.tanh", "value", lambda L: L.nn.functional.tanh(t(L, F32))),
    ("torch.nn.functional.gelu", "value", lambda L: grad_of(L, lambda L, x: L.nn.functional.gelu(x), F32)),
    ("torch.nn.functional.softmax", "value", lambda L: L.nn.functional.softmax(t(L, F32), dim=-1)),
    ("torch.nn.functional.softmax", "value", lambda L: L.nn.functional.softmax(L.zeros(2, 0), dim=1)),
    ("torch.nn.functional.log_softmax", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.log_softmax(x, dim=1) * t(L, [1.0, 2.0, 3.0]), F32)),
    ("torch.nn.functional.linear", "value", lambda L: L.nn.functional.linear(
        t(L, F32), t(L, [[1.0, 0.0, 2.0]]), t(L, [0.5]))),
    ("torch.nn.functional.linear", "error", lambda L: L.nn.functional.linear(t(L, F32), [[1.0, 2.0, 3.0]])),
    ("torch.nn.functional.dropout", "value", lambda L: L.nn.functional.dropout(t(L, F32), 0.5, training=False)),
    ("torch.nn.functional.dropout", "error", lambda L: L.nn.functional.dropout(t(L, F32), 1.5)),
    ("torch.nn.functional.dropout2d", "value", lambda L: L.nn.functional.dropout2d(
        L.tensor(IMAGES), 0.5, training=False)),
    ("torch.nn.functional.layer_norm", "value", lambda L: L.nn.functional.layer_norm(t(L, F32), (3,))),
    ("torch.nn.functional.embedding", "value", lambda L: L.nn.functional.embedding(
        t(L, [[0, 1]]), t(L, [[1.0, 2.0], [3.0, 4.0]]))),
    ("torch.nn.functional.scaled_dot_product_attention", "value", lambda L: L.nn.functional.
        scaled_dot_product_attention(L.tensor(SEQ), L.tensor(SEQ), L.tensor(SEQ), is_causal=True)),
    ("torch.nn.functional.conv2d", "value", lambda L: L.nn.functional.conv2d(
        L.tensor(IMAGES), L.tensor(IMAGES[:2, :, :3, :3]), padding=1)),
    ("torch.nn.functional.max_pool2d", "value", lambda L: L.nn.functional.max_pool2d(L.tensor(IMAGES), 2)),
    ("torch.nn.functional.avg_pool2d", "value", lambda L: L.nn.functional.avg_pool2d(
        L.tensor(IMAGES), 2, stride=1)),
    ("torch.nn.functional.adaptive_avg_pool2d", "value", lambda L: L.nn.functional.adaptive_avg_pool2d(
        L.tensor(IMAGES), (5, None))),
    ("torch.nn.functional.pad", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.pad(x, (1, 2, 0, 1), value=0.5), F32)),
    ("torch.nn.functional.conv1d", "value", lambda L: L.nn.functional.conv1d(
        L.tensor(SEQ), L.tensor(SEQ[:1, :, :3]), stride=2, padding=1, dilation=1)),
    ("torch.nn.functional.conv1d", "error", lambda L: L.nn.functional.conv1d(L.tensor(SEQ[0, 0]), L.tensor(SEQ))),
    ("torch.nn.functional.interpolate", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.interpolate(x[None, None], scale_factor=2), F32)),
    ("torch.nn.functional.interpolate", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.interpolate(x[None, None], size=(3, 5), mode="bilinear"), F32)),
    ("torch.nn.functional.interpolate", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.interpolate(x[None], scale_factor=1.5, mode="linear",
                                                   align_corners=True), F32)),
    ("torch.nn.functional.interpolate", "error", lambda L: L.nn.functional.interpolate(
        L.tensor(IMAGES), scale_factor=2, align_corners=True)),
    ("torch.nn.functional.interpolate", "error", lambda L: L.nn.functional.interpolate(
        L.tensor(IMAGES), size=2, scale_factor=2)),
    ("torch.nn.functional.one_hot", "value", lambda L: L.nn.functional.one_hot(t(L, [[0, 3], [2, 1]]))),
    ("torch.nn.functional.max_pool1d", "value", lambda L: L.nn.functional.max_pool1d(L.tensor(SEQ), 2)),
    ("torch.nn.functional.avg_pool1d", "value", lambda L: L.nn.functional.avg_pool1d(L.tensor(SEQ), 3, 1)),
    ("torch.nn.functional.adaptive_avg_pool1d", "value", lambda L: L.nn.functional.adaptive_avg_pool1d(
        L.tensor(SEQ), 4)),
    ("torch.nn.functional.one_hot", "value", lambda L: L.nn.functional.one_hot(t(L, [1]), num_classes=4)),
    ("torch.nn.functional.one_hot", "error", lambda L: L.nn.functional.one_hot(t(L, [1.0]))),
    ("torch.nn.functional.one_hot", "error", lambda L: L.nn.functional.one_hot(t(L, [3]), 3)),
    ("torch.nn.functional.cross_entropy", "value", lambda L: _weighted(L, L.nn.functional.cross_entropy, [1, 3, -100])),
    ("torch.nn.functional.cross_entropy", "value", lambda L: _weighted(
        L, L.nn.functional.cross_entropy, [1, 3, 2], reduction="none", label_smoothing=0.2)),
    ("torch.nn.functional.nll_loss", "value", lambda L: _weighted(L, L.nn.functional.nll_loss, [0, 3, 2])),
    ("torch.nn.functional.nll_loss", "value", lambda L: _weighted(
        L, L.nn.functional.nll_loss, [0, -100, 2], reduction="sum")),
    ("torch.nn.functional.cross_entropy", "error", lambda L: L.nn.functional.cross_entropy(
        t(L, CLASSES), t(L, [0, 1, 2]), weight=t(L, [1.0, 2.0]))),
    ("torch.nn.CrossEntropyLoss", "value", lambda L: L.nn.CrossEntropyLoss(weight=t(L, CLASS_WEIGHT))(
        t(L, CLASSES), t(L, [3, 0, 1]))),
    ("torch.nn.CrossEntropyLoss", "value", lambda L: L.nn.CrossEntropyLoss(weight=t(L, CLASS_WEIGHT)).to(
        L.device("cpu")).eval()(t(L, CLASSES), t(L, [3, 0, 1]))),
    ("torch.nn.CrossEntropyLoss", "value", lambda L: L.nn.CrossEntropyLoss(weight=t(L, CLASS_WEIGHT)).to(
        L.float64).weight.dtype),
    ("torch.nn.functional.kl_div", "value", lambda L: grad_of(L, lambda L, x: L.nn.functional.kl_div(
        L.log_softmax(x, 1), L.softmax(t(L, LOGITS), 1), reduction="batchmean"), LOGITS)),
    ("torch.nn.functional.kl_div", "value", lambda L: L.nn.functional.kl_div(
        L.log_softmax(t(L, LOGITS), 1), L.log_softmax(t(L, LOGITS) * 2, 1), reduction="none", log_target=True)),
    ("torch.nn.functional.kl_div", "error", lambda L: L.nn.functional.kl_div(t(L, LOGITS), t(L, LOGITS), reduction="x")),
    ("torch.nn.KLDivLoss", "value", lambda L: L.nn.KLDivLoss(reduction="sum")(
        L.log_softmax(t(L, LOGITS), 1), L.softmax(t(L, LOGITS) * 3, 1))),
    ("torch.nn.NLLLoss", "value", lambda L: L.nn.NLLLoss(t(L, CLASS_WEIGHT), ignore_index=0)(
        t(L, CLASSES), t(L, [3, 0, 1]))),
    ("torch.nn.functional.pad", "error", lambda L: L.nn.functional.pad(t(L, F32), (1, 2, 3))),
    ("torch.nn.functional.batch_norm", "value", lambda L: L.nn.functional.batch_norm(
        L.tensor(IMAGES), L.zeros(3), L.ones(3), training=True)),
    ("torch.nn.functional.mse_loss", "value", lambda L: L.nn.functional.mse_loss(t(L, F32), L.zeros(2, 3))),
    ("torch.nn.functional.mse_loss", "value", lambda L: L.nn.functional.mse_loss(t(L, [1.0, 2.0]), t(L, [1, 0]))),
    ("torch.nn.functional.l1_loss", "value", lambda L: L.nn.functional.l1_loss(t(L, F32), L.zeros(2, 3))),
    ("torch.nn.functional.smooth_l1_loss", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.smooth_l1_loss(x, L.zeros(2, 3), reduction="none"), F32)),
    ("torch.nn.functional.cross_entropy", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.cross_entropy(x, t(L, [2, 0])), LOGITS)),
    ("torch.nn.functional.cross_entropy", "value", lambda L: grad_of(
        L, lambda L, x: L.nn.functional.cross_entropy(x, t(L, [-100, -100])) * 0, LOGITS)),
    ("torch.nn.functional.cross_entropy", "error", lambda L: L.nn.functional.cross_entropy(
        t(L, LOGITS), t(L, [0, 1, 2]))),
    ("torch.nn.functional.nll_loss", "value", lambda L: L.nn.functional.nll_loss(t(L, LOGITS), t(L, [0, 1]))),
    ("torch.nn.functional.binary_cross_entropy", "value", lambda L: L.nn.functional.binary_cross_entropy(
        t(L, PROBS), t(L, TARGET01))),
    ("torch.nn.functional.binary_cross_entropy", "error", lambda L: L.nn.functional.binary_cross_entropy(
        t(L, PROBS), t(L, [[2.0, 0.0], [0.0, 1.0]]))),
    ("torch.nn.functional.binary_cross_entropy_with_logits", "value", lambda L: L.nn.functional.
        binary_cross_entropy_with_logits(t(L, [float("inf"), 0.5]), t(L, [0.0, 1.0]), reduction="none")),
]

INIT = [
    (f"torch.nn.init.{name}", "meta", lambda L, n=name, a=args: getattr(L.nn.init, n)(L.empty(8, 4, 3, 3), *a))
    for name, args in [("uniform_", (-1.0, 1.0)), ("normal_", (0.0, 0.1)), ("trunc_normal_", ()),
                       ("xavier_uniform_", ()), ("xavier_normal_", ()), ("kaiming_uniform_", ()),
                       ("kaiming_normal_", ())]
] + [
    ("torch.nn.init.constant_", "value", lambda L: L.nn.init.constant_(L.empty(2, 2), 0.3)),
    ("torch.nn.init.ones_", "value", lambda L: L.nn.init.ones_(L.empty(3))),
    ("torch.nn.init.zeros_", "value", lambda L: L.nn.init.zeros_(L.empty(3))),
    ("torch.nn.init.calculate_gain", "value", lambda L: L.nn.init.calculate_gain("leaky_relu", 0.2)),
    ("torch.nn.init.xavier_uniform_", "error", lambda L: L.nn.init.xavier_uniform_(L.empty(3))),
]


def _trajectory(L, make_optimizer, steps=5, schedule=None):
    w = L.nn.Parameter(t(L, [1.0, -2.0, 3.0]))
    opt = make_optimizer(L, [w])
    scheduler = schedule(L, opt) if schedule else None
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        ((w * w).sum() + w.sum()).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
            lrs.append(round(opt.param_groups[0]["lr"], 10))
    return w.detach(), lrs


OPTIM = [
    ("torch.optim.Optimizer", "value", lambda L: issubclass(L.optim.Adam, L.optim.Optimizer)),
    ("torch.optim.SGD", "value", lambda L: _trajectory(L, lambda L, p: L.optim.SGD(p, lr=0.1, momentum=0.9))),
    ("torch.optim.SGD", "error", lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(1))], lr=-1.0)),
    ("torch.optim.RMSprop", "value", lambda L: _trajectory(L, lambda L, p: L.optim.RMSprop(p, lr=0.01))),
    ("torch.optim.Adam", "value", lambda L: _trajectory(L, lambda L, p: L.optim.Adam(p, lr=0.1))),
    ("torch.optim.AdamW", "value", lambda L: _trajectory(L, lambda L, p: L.optim.AdamW(p, lr=0.1))),
    ("torch.optim.Adadelta", "value", lambda L: _trajectory(L, lambda L, p: L.optim.Adadelta(p, lr=1.0))),
    ("torch.optim.lr_scheduler", "value", lambda L: L.optim.lr_scheduler.StepLR.__name__),
    ("torch.optim.lr_scheduler.LRScheduler", "value", lambda L: issubclass(
        L.optim.lr_scheduler.StepLR, L.optim.lr_scheduler.LRScheduler)),
    ("torch.optim.lr_scheduler.StepLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.SGD(p, lr=0.1), 6, lambda L, o: L.optim.lr_scheduler.StepLR(o, 2, gamma=0.5))),
    ("torch.optim.lr_scheduler.CosineAnnealingLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.SGD(p, lr=0.1), 6, lambda L, o: L.optim.lr_scheduler.CosineAnnealingLR(o, 4))),
    ("torch.optim.lr_scheduler.LambdaLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.Adam(p, lr=0.1), 4,
        lambda L, o: L.optim.lr_scheduler.LambdaLR(o, lambda e: 0.9 ** e))),
    ("torch.optim.lr_scheduler.ExponentialLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.SGD(p, lr=0.1), 5, lambda L, o: L.optim.lr_scheduler.ExponentialLR(o, 0.8))),
    ("torch.optim.lr_scheduler.MultiStepLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.SGD(p, lr=0.1), 7,
        lambda L, o: L.optim.lr_scheduler.MultiStepLR(o, [4, 2, 4], gamma=0.5))),
    ("torch.optim.lr_scheduler.LinearLR", "value", lambda L: _trajectory(
        L, lambda L, p: L.optim.SGD(p, lr=0.1), 5,
        lambda L, o: L.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3))),
]

_X = np.arange(20, dtype=np.float32).reshape(10, 2)
_Y = np.arange(10)


def _batches(L, **kwargs):
    ds = L.utils.data.TensorDataset(L.tensor(_X), L.tensor(_Y))
    return [tuple(b) for b in L.utils.data.DataLoader(ds, **kwargs)]


class _Squares:
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.float32(i) ** 2, i


DATA = [
    ("torch.utils.data.Dataset", "value", lambda L: issubclass(L.utils.data.TensorDataset, L.utils.data.Dataset)),
    ("torch.utils.data.TensorDataset", "value", lambda L: L.utils.data.TensorDataset(L.tensor(_X), L.tensor(_Y))[3]),
    ("torch.utils.data.ConcatDataset", "value", lambda L: _concat(L)),
    ("torch.utils.data.ConcatDataset", "value", lambda L: len(
        L.utils.data.TensorDataset(L.tensor(_X)) + L.utils.data.TensorDataset(L.tensor(_X)))),
    ("torch.utils.data.ConcatDataset", "error", lambda L: L.utils.data.ConcatDataset(
        [L.utils.data.TensorDataset(L.tensor(_X))])[-11]),
    ("torch.utils.data.Subset", "value", lambda L: L.utils.data.Subset(
        L.utils.data.TensorDataset(L.tensor(_X), L.tensor(_Y)), [7, 2])[1]),
    ("torch.utils.data.random_split", "value", lambda L: [len(s) for s in L.utils.data.random_split(
        L.utils.data.TensorDataset(L.tensor(_X)), [0.7, 0.3])]),
    ("torch.utils.data.random_split", "error", lambda L: L.utils.data.random_split(
        L.utils.data.TensorDataset(L.tensor(_X)), [3, 3])),
    ("torch.utils.data.DataLoader", "value", lambda L: _batches(L, batch_size=4)),
    ("torch.utils.data.DataLoader", "value", lambda L: _batches(L, batch_size=3, drop_last=True,
                                                                num_workers=2, pin_memory=True)),
    ("torch.utils.data.DataLoader", "value", lambda L: _batches(L, batch_size=4, sampler=[9, 1, 5, 0, 3])),
    ("torch.utils.data.DataLoader", "value", lambda L: [tuple(b) for b in L.utils.data.DataLoader(
        _Squares(), batch_size=2)]),
    ("torch.utils.data.DataLoader", "error", lambda L: _batches(L, shuffle=True, sampler=[0])),
    ("torch.utils.data.default_collate", "value", lambda L: L.utils.data.default_collate([(1, 2), (3, 4)])),
    ("torch.utils.data.Sampler", "value", lambda L: issubclass(L.utils.data.RandomSampler, L.utils.data.Sampler)),
    ("torch.utils.data.SequentialSampler", "value", lambda L: list(L.utils.data.SequentialSampler(range(4)))),
    ("torch.utils.data.RandomSampler", "value", lambda L: sorted(L.utils.data.RandomSampler(range(6)))),
    ("torch.utils.data.RandomSampler", "value", lambda L: len(L.utils.data.RandomSampler(
        range(6), replacement=True, num_samples=11))),
    ("torch.utils.data.SubsetRandomSampler", "value", lambda L: sorted(L.utils.data.SubsetRandomSampler([4, 2]))),
    ("torch.utils.data.BatchSampler", "value", lambda L: list(L.utils.data.BatchSampler(
        L.utils.data.SequentialSampler(range(5)), 2, False))),
]

CASES = TOP + SUBMODULES + NN + FUNCTIONAL + INIT + OPTIM + DATA

