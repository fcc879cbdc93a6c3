"""The facade's ``torch.Tensor``: module 01's class for type questions, PyTorch's legacy constructor."""

import numpy as np
import pytest

import tinytorch.compat as torch
from tinytorch.layers import Parameter
from tinytorch.tensor import Tensor as ModuleTensor, tensor


def test_sizes_give_zeros_of_that_shape_in_float32():
    x = torch.Tensor(2, 3)
    assert type(x) is ModuleTensor
    assert x.shape == (2, 3) and x.dtype == np.float32
    assert not x.data.any()


def test_data_is_converted_to_float32_and_a_tensor_shares_its_data():
    assert torch.Tensor([1, 2]).dtype == np.float32
    assert torch.Tensor(np.arange(3, dtype=np.int64)).dtype == np.float32
    src = tensor([1.0, 2.0], requires_grad=True)
    out = torch.Tensor(src)
    assert np.shares_memory(out.data, src.data) and not out.requires_grad


def test_type_questions_answer_as_module_01s_class():
    assert isinstance(tensor([1.0]), torch.Tensor)
    assert isinstance(Parameter(np.zeros(1, np.float32)), torch.Tensor)
    assert issubclass(Parameter, torch.Tensor) and issubclass(ModuleTensor, torch.Tensor)
    assert not isinstance(np.zeros(1), torch.Tensor)
    assert torch.Tensor.backward is ModuleTensor.backward


def test_subclassing_names_the_class_to_subclass():
    with pytest.raises(TypeError, match="tinytorch.tensor.Tensor"):
        type("Sub", (torch.Tensor,), {})


def test_a_device_other_than_the_cpu_is_refused():
    with pytest.raises(RuntimeError, match="CPU only"):
        torch.Tensor(2, device="cuda")
