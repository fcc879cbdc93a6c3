"""``torch.Tensor`` of the facade: TinyTorch's Tensor class with PyTorch's legacy constructor.

Programs use ``torch.Tensor`` two ways: as the type (``isinstance(x, torch.Tensor)``, annotations,
``torch.Tensor.add``) and as a constructor (``torch.Tensor(2, 3)``, ``torch.Tensor([1, 2])``, always
the default float dtype). Module 01's ``Tensor(data, dtype=None, requires_grad=False)`` is what
learners write and keeps the ``torch.tensor`` dtype rule, so the two constructors cannot be one
signature. The facade's ``Tensor`` is therefore a separate class whose metaclass answers type
questions with module 01's class, and whose construction builds a module 01 tensor the way
``torch.Tensor(...)`` does.
"""

import numpy as np

from tinytorch.tensor import Size, Tensor as _Tensor, device, tensor as _tensor

__all__ = ["Tensor"]


class _TensorType(type):
    """``isinstance``/``issubclass`` and class attributes answer as module 01's ``Tensor``."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _Tensor)

    def __subclasscheck__(cls, sub):
        return sub is cls or issubclass(sub, _Tensor)

    def __getattr__(cls, name):  # only called for names the facade class itself lacks
        return getattr(_Tensor, name)


class Tensor(metaclass=_TensorType):
    r"""``torch.Tensor(*sizes)``, ``torch.Tensor(data)`` or ``torch.Tensor()``: a float32 tensor.

    Sizes give a tensor of that shape filled with zeros (PyTorch leaves the memory
    uninitialised, so any values are correct there; zeros make runs repeatable). Data (a sequence
    or ndarray) is converted to float32, whatever its own dtype; a Tensor is returned sharing its
    data. No argument gives an empty ``(0,)`` tensor.

    Args:
        *args: int sizes, one ``Size``, or one sequence, ndarray or Tensor.
        device: only the CPU (``None``, ``"cpu"`` or a ``device``).

    Example:
        >>> Tensor(2, 3).shape
        (2, 3)
        >>> Tensor([1, 2])
        tensor([1., 2.])
        >>> from tinytorch.tensor import zeros
        >>> isinstance(zeros(2), Tensor)
        True
    """

    def __new__(cls, *args, device=None):
        _check_device(device)
        if not args:
            return _Tensor(np.empty(0, dtype=np.float32))
        if len(args) == 1 and isinstance(args[0], Size):
            args = tuple(args[0])
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            negative = [int(a) for a in args if a < 0]
            if negative:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension {negative[0]}: "
                    f"{[int(a) for a in args]}")
            return _Tensor(np.zeros(tuple(int(a) for a in args), dtype=np.float32))
        if len(args) > 1:
            raise TypeError(
                f"Tensor(*sizes) takes int sizes only, got {args!r}; for data pass one sequence")
        (data,) = args
        if isinstance(data, _Tensor):
            return data.detach()
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(
                f"Tensor(data): data must be a sequence, ndarray or Tensor (got "
                f"{type(data).__name__}); for a scalar write torch.tensor({data!r})")
        return _tensor(data, dtype=np.float32)

    def __init_subclass__(cls, **kwargs):
        raise TypeError(
            "subclassing the facade's torch.Tensor is not supported; subclass "
            "tinytorch.tensor.Tensor (module 01), as tinytorch.layers.Parameter does")


def _check_device(where):
    if where is not None:
        device(where)  # raises for anything but the CPU
