"""Tensors made like an existing one (``x.new_zeros(...)``, ``x.new_tensor(...)``) and
``x.type()``: PyTorch's methods that take their dtype from ``x`` unless told otherwise."""

import numpy as np

__all__ = ["LikeMethods"]

# dtype -> PyTorch's legacy tensor type name (what ``x.type()`` returns)
_TYPE_NAMES = {
    np.dtype(np.float32): "torch.FloatTensor", np.dtype(np.float64): "torch.DoubleTensor",
    np.dtype(np.float16): "torch.HalfTensor", np.dtype(np.int64): "torch.LongTensor",
    np.dtype(np.int32): "torch.IntTensor", np.dtype(np.int16): "torch.ShortTensor",
    np.dtype(np.int8): "torch.CharTensor", np.dtype(np.uint8): "torch.ByteTensor",
    np.dtype(np.bool_): "torch.BoolTensor",
}
_BY_NAME = {name: dtype for dtype, name in _TYPE_NAMES.items()}


class LikeMethods:
    """``new_zeros``, ``new_ones``, ``new_empty``, ``new_full``, ``new_tensor`` and ``type``."""

    __slots__ = ()

    def _like(self, make, size, dtype, device, requires_grad, *args):
        from . import creation  # creation builds on the Tensor class

        shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return getattr(creation, make)(tuple(shape), *args, dtype=self.dtype if dtype is None else dtype,
                                       device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size`` with this tensor's dtype (``torch.Tensor.new_zeros``)."""
        return self._like("zeros", size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._like("ones", size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._like("empty", size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        from . import creation

        return creation.full(tuple(size), fill_value, dtype=self.dtype if dtype is None else dtype,
                             device=device, requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A copy of ``data`` with this tensor's dtype (``torch.Tensor.new_tensor``)."""
        from . import creation

        return creation.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                               requires_grad=requires_grad)

    def type(self, dtype=None):
        """Without arguments, PyTorch's type name (``"torch.FloatTensor"``); with a dtype or such a
        name, ``self.to(dtype)``."""
        if dtype is None:
            return _TYPE_NAMES[self.dtype]
        if isinstance(dtype, str) and dtype in _BY_NAME:
            dtype = _BY_NAME[dtype]
        return self.to(dtype)
