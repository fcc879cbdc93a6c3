"""``Module`` and ``Parameter``: the tree that every model in TinyTorch is built from.

A model is a tree of modules. Each module owns some parameters (the tensors an optimizer updates),
some buffers (state that is saved but not trained, such as BatchNorm's running statistics) and some
child modules. Assigning an attribute registers it, exactly as in ``torch.nn.Module``, so that
``parameters()``, ``state_dict()`` and ``train()/eval()`` can walk the whole tree without the model
author listing anything by hand.
"""

from collections import OrderedDict, namedtuple

import numpy as np

from tinytorch.tensor import Tensor

from .hooks import ForwardHooks

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    r"""A Tensor that a :class:`Module` registers as one of its trainable parameters.

    Assigning a ``Parameter`` to a module attribute adds it to ``module.parameters()``; a plain
    ``Tensor`` assigned the same way is just an attribute. A Parameter shares the data of the
    Tensor or ndarray it is made from (no copy when the dtype already matches).

    Args:
        data: a Tensor, ndarray or nested sequence of floats. Default: an empty float32 tensor.
        requires_grad: whether autograd should fill ``.grad`` for it. Default: ``True``.

    Example:
        >>> p = Parameter([1.0, 2.0])
        >>> p
        Parameter containing:
        tensor([1., 2.], requires_grad=True)
        >>> (p * 2).requires_grad
        True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return f"Parameter containing:\n{super().__repr__()}"


def _check_name(name, kind):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a str, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{kind} name {name!r} must be a non-empty string without '.'")


def _device_type(device):
    """``"cpu"`` for ``"cpu"``, ``"cpu:0"`` or a device object whose ``type`` is ``"cpu"``."""
    name = getattr(device, "type", device)
    if not isinstance(name, str):
        raise TypeError(f"expected a device (str or device object), got {type(device).__name__}")
    return name.split(":", 1)[0]


def _check_device(device):
    kind = _device_type(device)
    if kind != "cpu":
        raise RuntimeError(
            f"TinyTorch runs on the CPU only: cannot move a module to device {str(device)!r} "
            "(use 'cpu')"
        )


def _is_device(value):
    if hasattr(value, "type") and isinstance(getattr(value, "type"), str):
        return True
    if not isinstance(value, str):
        return False
    try:
        np.dtype(value)
    except TypeError:
        return True
    return False


def _parse_to(args, kwargs):
    """(device, dtype) from the argument forms of ``Module.to``."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "memory_format", "copy"}
    if unknown:
        raise TypeError(f"to() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    if len(args) > 2:
        raise TypeError(f"to() takes at most 2 positional arguments, got {len(args)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif arg is None:
            continue
        elif _is_device(arg):
            device = arg
        else:
            dtype = arg
    return device, dtype


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module(ForwardHooks):
    r"""Base class for every layer and model (``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, then assign parameters and sub-modules as
    attributes; both are registered automatically, in assignment order, and found again by
    :meth:`parameters`, :meth:`named_modules`, :meth:`state_dict` and :meth:`train`.
    ``module(x)`` calls :meth:`forward`.

    Unlike PyTorch, :meth:`state_dict` returns NumPy array copies rather than tensors, and
    containers (:class:`Sequential`, :class:`ModuleList`) also accept plain callables such as
    ``tinytorch.activations.ReLU()`` as children.

    Example:
        >>> from tinytorch.layers import Linear
        >>> class TwoLayer(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = Linear(2, 4)
        ...         self.out = Linear(4, 1)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).clip(min=0.0))
        >>> net = TwoLayer()
        >>> [name for name, _ in net.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> net(Tensor([[1.0, 2.0]])).shape
        (1, 1)
    """

    def __init__(self):
        # object.__setattr__ because our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        for hooks in ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
                      "_forward_hooks_with_kwargs", "_forward_hooks_always_called"):
            object.__setattr__(self, hooks, OrderedDict())

    def forward(self, *args, **kwargs):
        """The computation; every subclass overrides it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ----- registration -------------------------------------------------------------------------
    def __setattr__(self, name, value):
        # BEGIN SOLUTION
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            if name not in params:  # a replaced parameter keeps its place, as in PyTorch
                self._forget(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} "
                    "(tinytorch.layers.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            modules = self.__dict__.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            if name not in modules:  # a replaced child keeps its place: Sequential order holds
                self._forget(name)
            modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} "
                    "(Module or None expected)"
                )
            self._modules[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} "
                    "(Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)
        # END SOLUTION

    def _forget(self, name):
        """Remove ``name`` from every registry and the instance dict before re-registering it."""
        self.__dict__.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails, i.e. for registered parameters, buffers, modules.
        for registry in ("_parameters", "_buffers", "_modules"):
            items = self.__dict__.get(registry)
            if items is not None and name in items:
                return items[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, ()):
                del self.__dict__[registry][name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Add ``param`` (a :class:`Parameter` or None) under ``name``."""
        _check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign {type(param).__name__} as parameter {name!r} "
                "(tinytorch.layers.Parameter or None expected)"
            )
        if name in self.__dict__ and name not in self._parameters:
            raise KeyError(f"attribute {name!r} already exists")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a non-trainable tensor (or None) that moves with the module and, when
        ``persistent``, is saved in :meth:`state_dict` (e.g. BatchNorm's running mean)."""
        _check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign {type(tensor).__name__} as buffer {name!r} (Tensor or None expected)"
            )
        if isinstance(tensor, Parameter):
            raise TypeError(f"buffer {name!r} is a Parameter; use register_parameter")
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"attribute {name!r} already exists")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Add a child ``module`` (a Module or None) under ``name``."""
        _check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if name in self.__dict__ and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    # ----- walking the tree ---------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(qualified_name, module)`` for this module and every descendant, depth first.

        Children that are plain callables rather than Modules (activation objects in a
        :class:`Sequential`) are yielded too; they have no children of their own.
        """
        # BEGIN SOLUTION
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is None:
                continue
            child_prefix = f"{prefix}.{name}" if prefix else name
            if isinstance(child, Module):
                yield from child.named_modules(memo, child_prefix, remove_duplicate)
            elif not remove_duplicate or id(child) not in memo:
                memo.add(id(child))
                yield child_prefix, child
        # END SOLUTION

    def modules(self):
        """Every module in the tree, this one first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield ``(name, child)`` for the direct children (no duplicates)."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        # BEGIN SOLUTION
        seen = set()
        if recurse:
            tree = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            tree = [(prefix, self)]
        for module_prefix, module in tree:
            if not isinstance(module, Module):
                continue
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value
        # END SOLUTION

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(qualified_name, parameter)``, e.g. ``("0.weight", p)``; a parameter shared by
        two modules appears once (under its first name)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every parameter in the tree, each once, in registration order (feed it to an optimizer)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn):
        """Call ``fn(module)`` on every child Module (recursively), then on ``self``; returns self."""
        for child in self.children():
            if isinstance(child, Module):
                child.apply(fn)
        fn(self)
        return self

    # ----- modes and gradients ------------------------------------------------------------------
    def train(self, mode=True):
        """Put this module and all descendants in training mode (``mode=False``: evaluation).

        Only layers such as :class:`Dropout` and BatchNorm behave differently. Returns self.
        """
        # BEGIN SOLUTION
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be a bool, got {mode!r}")
        self.training = mode
        for child in self.children():
            if isinstance(child, Module):
                child.train(mode)
            elif hasattr(child, "training"):
                child.training = mode
        return self
        # END SOLUTION

    def eval(self):
        """Same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking of every parameter on or off (e.g. to freeze a sub-network)."""
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to ``None`` (default) or to zeros in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.data[...] = 0

    def to(self, *args, **kwargs):
        """Move and/or cast every parameter and buffer in place; returns self.

        Accepts what ``torch.nn.Module.to`` does: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)`` (its dtype) and the keywords ``device``, ``dtype``,
        ``non_blocking``. Only floating point tensors are cast. The Parameter objects stay the
        same, so optimizer references stay valid. TinyTorch runs on the CPU only: ``"cpu"`` (or
        ``"cpu:0"``, or a device object whose ``type`` is ``"cpu"``) is accepted as a no-op, any
        other device raises ``RuntimeError``.

        Example:
            >>> from tinytorch.layers import Linear
            >>> m = Linear(2, 2).to("cpu", dtype="float64")
            >>> str(m.weight.dtype)
            'float64'
        """
        device, dtype = _parse_to(args, kwargs)
        if device is not None:
            _check_device(device)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(
                f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
            )
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype, copy=False)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype, copy=False)
        return self

    def cpu(self):
        """A no-op that returns self: everything already lives on the CPU."""
        return self

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    # ----- saving and loading -------------------------------------------------------------------
    def state_dict(self):
        """An ``OrderedDict`` mapping qualified names (``"0.weight"``) to copies of every parameter
        and persistent buffer as ``numpy.ndarray`` (PyTorch returns tensors).

        Example:
            >>> from tinytorch.layers import Linear
            >>> {k: v.shape for k, v in Linear(3, 2).state_dict().items()}
            {'weight': (2, 3), 'bias': (2,)}
        """
        return OrderedDict((key, t.data.copy()) for key, t in self._state_tensors().items())

    def _state_tensors(self):
        """Map every key of :meth:`state_dict` to the live Tensor behind it, in tree order."""
        # BEGIN SOLUTION
        tensors = OrderedDict()
        for prefix, module in self.named_modules(remove_duplicate=False):
            if not isinstance(module, Module):
                continue
            dot = f"{prefix}." if prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    tensors[dot + name] = param
            for name, buf in module._buffers.items():
                if buf is not None and name not in module._non_persistent_buffers:
                    tensors[dot + name] = buf
        return tensors
        # END SOLUTION

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into the existing parameters and buffers, in place.

        Values may be ndarrays or Tensors. Nothing is modified unless every check passes.

        Args:
            state_dict: mapping from qualified names to arrays, e.g. from :meth:`state_dict`.
            strict: raise if a key is missing from ``state_dict`` or unexpected in it.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: listing missing and unexpected keys (when ``strict``) and naming every
                key whose shape differs, with both shapes (always).
        """
        # BEGIN SOLUTION
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"expected a mapping for state_dict, got {type(state_dict).__name__}")
        targets = self._state_tensors()
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if strict and unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + "."
            )
        values = {}
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            if value.shape != target.data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.data.shape}."
                )
            elif not np.can_cast(value.dtype, target.data.dtype, casting="same_kind"):
                errors.append(
                    f"dtype mismatch for {key}: cannot copy {value.dtype} into {target.data.dtype}."
                )
            else:
                values[key] = value
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        for key, value in values.items():
            # In place, so that optimizers holding these arrays keep seeing the live values.
            np.copyto(targets[key].data, value, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)
        # END SOLUTION

    # ----- printing -----------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses in ``repr``; layers override it."""
        return ""

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines.extend(extra.split("\n"))
        for name, child in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(child), 2))
        main = type(self).__name__ + "("
        if len(lines) == 1 and not self._modules:
            return main + lines[0] + ")"
        if lines:
            main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
