"""Careless inputs to the profiling helpers: TypeErrors that name what was passed."""

import pytest

from tinytorch.profiling import activation_bytes, kernel_name, register_flop_formula


@pytest.mark.parametrize("kernel", [3, None, [len]])
def test_register_flop_formula_refuses_what_is_not_a_kernel(kernel):
    with pytest.raises(TypeError, match="expected a kernel function or its qualified name, got"):
        register_flop_formula(kernel)


def test_kernel_name_of_a_function_and_of_a_name():
    assert kernel_name(len) == "builtins.len"
    assert kernel_name("tinytorch.spatial.ops.conv2d") == "tinytorch.spatial.ops.conv2d"


@pytest.mark.parametrize("output", [3.0, "loss", [1.0, 2.0]])
def test_activation_bytes_refuses_what_is_not_a_tensor(output):
    with pytest.raises(TypeError, match="activation_bytes expects a Tensor or a sequence of Tensors"):
        activation_bytes(output)


def test_atomic_write_into_a_missing_folder_names_the_target(tmp_path):
    from tinytorch.profiling import atomic_write_text

    target = tmp_path / "no" / "such" / "profile.json"
    with pytest.raises(FileNotFoundError, match="profile.json"):
        atomic_write_text(target, "{}")
    assert not (tmp_path / "no").exists()
