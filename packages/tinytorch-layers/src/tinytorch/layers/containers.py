"""Containers that hold other modules: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``Identity``.

Unlike PyTorch's, these containers also accept plain callables (the activation objects of module
02, which predate ``Module``) as children, so ``Sequential(Linear(2, 4), ReLU(), Linear(4, 1))``
works; such children have no parameters and are skipped by parameter and state walks.
"""

import operator
from collections import OrderedDict

from .module import Module


def _check_child(child, where):
    if not callable(child):
        raise TypeError(f"{where} expects Modules or callables, got {type(child).__name__}: {child!r}")
    return child


def _index(idx, length, where):
    idx = operator.index(idx)
    if not -length <= idx < length:
        raise IndexError(f"{where} index {idx} is out of range for length {length}")
    return idx % length


class Identity(Module):
    r"""Returns its input unchanged; fills a slot where an architecture expects a module.

    Args:
        *args, **kwargs: accepted and ignored (as in PyTorch), so it can stand in for any layer.

    Shape:
        - Input: :math:`(*)`.  Output: :math:`(*)`, the same object.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> x = Tensor([1.0, 2.0])
        >>> Identity(54, unused="argument")(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Sequential(Module):
    r"""Chains children: ``forward(x)`` feeds ``x`` through each in order and returns the last output.

    Children are named ``"0"``, ``"1"``, ... or by the keys of an ``OrderedDict``. Indexing with an
    int returns a child, with a slice a new ``Sequential`` sharing the children.

    Args:
        *args: Modules or callables, or a single ``OrderedDict`` mapping names to them.

    Shape:
        - Input: whatever the first child takes. Output: whatever the last child returns.

    Example:
        >>> from tinytorch.layers import Linear
        >>> from tinytorch.tensor import Tensor, manual_seed
        >>> _ = manual_seed(0)
        >>> model = Sequential(Linear(2, 4), Linear(4, 1))
        >>> model
        Sequential(
          (0): Linear(in_features=2, out_features=4, bias=True)
          (1): Linear(in_features=4, out_features=1, bias=True)
        )
        >>> model(Tensor([[1.0, 2.0], [3.0, 4.0]])).shape
        (2, 1)
        >>> sum(p.numel() for p in model.parameters())
        17
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, child in args[0].items():
                self._add(str(name), child)
        else:
            for idx, child in enumerate(args):
                self._add(str(idx), child)

    def _add(self, name, child):
        if not name or "." in name:
            raise KeyError(f"Sequential child name {name!r} must be a non-empty string without '.'")
        self._modules[name] = _check_child(child, "Sequential")

    def forward(self, input):
        # BEGIN SOLUTION
        for child in self._modules.values():
            input = child(input)
        return input
        # END SOLUTION

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self._add(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        return self._modules[key]

    def __setitem__(self, idx, module):
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        self._modules[key] = _check_child(module, "Sequential")

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            keys = list(self._modules)[idx]
        else:
            keys = [list(self._modules)[_index(idx, len(self), "Sequential")]]
        for key in keys:
            del self._modules[key]
        # Renumber integer names so that indexing and appending stay consistent (as PyTorch does).
        if all(key.isdigit() for key in self._modules):
            children = list(self._modules.values())
            self._modules.clear()
            for i, child in enumerate(children):
                self._modules[str(i)] = child


class ModuleList(Module):
    r"""Holds children in a list so that their parameters are registered (``torch.nn.ModuleList``).

    A plain Python list of layers is invisible to :meth:`Module.parameters`; a ``ModuleList`` is
    not. It has no ``forward``: the owner decides how to call the children (e.g. transformer blocks
    in a loop).

    Args:
        modules: an iterable of Modules or callables. Default: empty.

    Example:
        >>> from tinytorch.layers import Linear
        >>> blocks = ModuleList([Linear(4, 4) for _ in range(3)])
        >>> len(blocks), len(list(blocks.parameters()))
        (3, 6)
        >>> blocks.append(Linear(4, 2))[-1]
        Linear(in_features=4, out_features=2, bias=True)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self._modules[str(len(self))] = _check_child(module, "ModuleList")
        return self

    def extend(self, modules):
        if isinstance(modules, (Module, str)) or not hasattr(modules, "__iter__"):
            raise TypeError(
                f"ModuleList.extend expects an iterable of modules, got {type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index``."""
        children = list(self._modules.values())
        children.insert(index, _check_child(module, "ModuleList"))
        self._renumber(children)

    def _renumber(self, children):
        self._modules.clear()
        for i, child in enumerate(children):
            self._modules[str(i)] = child

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx, module):
        self._modules[str(_index(idx, len(self), "ModuleList"))] = _check_child(module, "ModuleList")

    def __delitem__(self, idx):
        children = list(self._modules.values())
        if isinstance(idx, slice):
            del children[idx]
        else:
            del children[_index(idx, len(self), "ModuleList")]
        self._renumber(children)

    def __iadd__(self, modules):
        return self.extend(modules)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward(); iterate over it and call its children")


class ModuleDict(Module):
    r"""Holds children in an ordered dict so that their parameters are registered
    (``torch.nn.ModuleDict``).

    Keys are strings (no ``"."``), kept in insertion order; ``update`` with a plain ``dict``
    keeps its order too. Like :class:`ModuleList` it has no ``forward``.

    Args:
        modules: a mapping or an iterable of ``(key, module)`` pairs. Default: empty.

    Example:
        >>> from tinytorch.layers import Linear
        >>> heads = ModuleDict({"cls": Linear(4, 3), "box": Linear(4, 2)})
        >>> list(heads.keys()), len(list(heads.parameters()))
        (['cls', 'box'], 4)
        >>> heads["cls"]
        Linear(in_features=4, out_features=3, bias=True)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        """Remove ``key`` and return its module."""
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        """Add every ``(key, module)`` of a mapping or an iterable of pairs, in order."""
        if isinstance(modules, Module) or isinstance(modules, (str, bytes)):
            raise TypeError(
                "ModuleDict.update should be called with an iterable of key/value pairs, but got "
                f"{type(modules).__name__}"
            )
        if hasattr(modules, "items"):
            pairs = list(modules.items())
        else:
            pairs = list(modules)
            for j, pair in enumerate(pairs):
                if not hasattr(pair, "__len__") or isinstance(pair, (str, bytes)):
                    raise TypeError(
                        f"ModuleDict update sequence element #{j} should be a (key, module) "
                        f"pair, got {type(pair).__name__}"
                    )
                if len(pair) != 2:
                    raise ValueError(
                        f"ModuleDict update sequence element #{j} has length {len(pair)}; 2 is "
                        "required"
                    )
        for key, module in pairs:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward(); look up a child and call it")
