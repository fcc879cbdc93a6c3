"""Property tests: matmul and conv FLOP formulas against brute-force multiply-add counts."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.profiling import count_flops
from tinytorch.spatial import Conv2d
from tinytorch.tensor import Tensor, manual_seed

dims = st.integers(1, 5)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), n=dims, k=dims, m=dims,
       broadcast_b=st.booleans())
def test_matmul_flops_is_two_per_multiply_add(batch, n, k, m, broadcast_b):
    a = Tensor(np.ones((*batch, n, k), np.float32))
    b = Tensor(np.ones((k, m) if broadcast_b else (*batch, k, m), np.float32))
    # each output element is a sum of k products: k multiply-adds, 2k FLOPs
    out_elements = int(np.prod(batch, dtype=np.int64)) * n * m
    assert count_flops(lambda x: x @ b, a) == 2 * k * out_elements


@settings(max_examples=25, deadline=None)
@given(c_in=st.integers(1, 3), c_out=st.integers(1, 3), k=st.integers(1, 3), size=st.integers(3, 8),
       stride=st.integers(1, 2), padding=st.integers(0, 1), dilation=st.integers(1, 2))
def test_conv_flops_equal_output_elements_times_window(c_in, c_out, k, size, stride, padding, dilation):
    if dilation * (k - 1) + 1 > size + 2 * padding:
        return
    manual_seed(0)
    conv = Conv2d(c_in, c_out, k, stride=stride, padding=padding, dilation=dilation)
    x = Tensor(np.zeros((2, c_in, size, size), np.float32))
    out = conv(x)
    assert count_flops(conv, x) == 2 * out.data.size * c_in * k * k
