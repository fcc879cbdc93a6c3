"""Hand-checkable unit tests: lookups, scatter-add gradients, padding, positions, bad input."""

import math

import numpy as np
import pytest

from tinytorch.embeddings import Embedding, LearnedPositionalEmbedding, embedding, sinusoidal_positions
from tinytorch.layers import Module
from tinytorch.tensor import Tensor, manual_seed


def _table():
    return Tensor(np.arange(12, dtype=np.float32).reshape(4, 3), requires_grad=True)


def test_lookup_picks_rows():
    out = embedding(Tensor([[3, 0], [1, 3]]), _table())
    assert out.shape == (2, 2, 3)
    assert out.tolist() == [[[9, 10, 11], [0, 1, 2]], [[3, 4, 5], [9, 10, 11]]]
    assert out.dtype == np.float32


def test_repeated_ids_accumulate():
    w = _table()
    out = embedding(Tensor([1, 1, 2, 1]), w)
    out.backward(Tensor(np.arange(12, dtype=np.float32).reshape(4, 3)))
    # rows 0, 1 and 3 of the upstream gradient go to id 1, row 2 to id 2
    assert w.grad.tolist() == [[0, 0, 0], [0 + 3 + 9, 1 + 4 + 10, 2 + 5 + 11], [6, 7, 8], [0, 0, 0]]


def test_second_backward_accumulates_into_grad():
    w = _table()
    embedding(Tensor([2, 2]), w).sum().backward()
    embedding(Tensor([2]), w).sum().backward()
    assert w.grad.tolist()[2] == [3, 3, 3]


def test_padding_row_gets_zero_gradient_but_is_looked_up():
    w = _table()
    out = embedding(Tensor([0, 2, 0]), w, padding_idx=0)
    assert out.tolist()[0] == [0, 1, 2]  # functional form does not zero the row
    out.sum().backward()
    assert w.grad.tolist() == [[0, 0, 0], [0, 0, 0], [1, 1, 1], [0, 0, 0]]


def test_negative_padding_idx_counts_from_the_end():
    emb = Embedding(5, 2, padding_idx=-1)
    assert emb.padding_idx == 4
    assert emb.weight.data[4].tolist() == [0, 0]
    emb(Tensor([4, 4, 1])).sum().backward()
    assert emb.weight.grad.data[4].tolist() == [0, 0]
    assert emb.weight.grad.data[1].tolist() == [1, 1]


def test_module_init_and_state():
    manual_seed(0)
    emb = Embedding(1000, 64, padding_idx=3)
    w = emb.weight.data
    assert w.shape == (1000, 64) and w.dtype == np.float32
    assert (w[3] == 0).all()
    others = np.delete(w, 3, axis=0)
    assert abs(others.mean()) < 0.01 and abs(others.std() - 1) < 0.01  # N(0, 1)
    assert list(emb.state_dict()) == ["weight"]
    assert [n for n, _ in emb.named_parameters()] == ["weight"]
    assert repr(emb) == "Embedding(1000, 64, padding_idx=3)"
    assert Embedding(3, 2, dtype="float64").weight.dtype == np.float64


def test_module_in_a_model():
    class Tiny(Module):
        def __init__(self):
            super().__init__()
            self.tok = Embedding(10, 4)
            self.pos = LearnedPositionalEmbedding(8, 4)

        def forward(self, idx):
            return self.tok(idx) + self.pos(idx.shape[1])

    m = Tiny()
    x = m(Tensor([[1, 2, 3], [4, 5, 6]]))
    assert x.shape == (2, 3, 4)
    x.sum().backward()
    assert m.pos.weight.grad.data[:3].tolist() == [[2.0] * 4] * 3  # each position used by 2 rows
    assert (m.pos.weight.grad.data[3:] == 0).all()
    assert sorted(m.state_dict()) == ["pos.weight", "tok.weight"]


def test_learned_positions_offset_and_ids():
    wpe = LearnedPositionalEmbedding(6, 2)
    assert wpe.num_positions == 6
    np.testing.assert_array_equal(wpe(2, offset=3).data, wpe.weight.data[3:5])
    np.testing.assert_array_equal(wpe(Tensor([[5, 0]])).data, wpe.weight.data[[[5, 0]]])
    assert wpe(0).shape == (0, 2)
    with pytest.raises(IndexError, match=r"positions 4\.\.6 .* 6 positions"):
        wpe(3, offset=4)
    with pytest.raises(ValueError, match="offset"):
        wpe(Tensor([1]), offset=2)
    with pytest.raises(ValueError, match="sequence length"):
        wpe(-1)


def test_from_pretrained():
    emb = Embedding.from_pretrained(np.eye(3), freeze=False, padding_idx=1)
    assert emb.weight.dtype == np.float64 and emb.weight.requires_grad
    assert emb.weight.data[1].tolist() == [0, 1, 0]  # the given row is kept
    assert not Embedding.from_pretrained(Tensor([[1.0]])).weight.requires_grad
    with pytest.raises(ValueError, match="2-d"):
        Embedding.from_pretrained(np.ones(3))


def test_empty_input_gives_empty_output_and_zero_gradient():
    w = _table()
    out = embedding(Tensor(np.zeros((2, 0), dtype=np.int64)), w)
    assert out.shape == (2, 0, 3)
    out.sum().backward()
    assert (w.grad.data == 0).all()


def test_int32_and_uint8_ids():
    w = _table()
    for dtype in (np.int32, np.uint8, np.uint64):
        assert embedding(Tensor(np.array([3, 1], dtype=dtype)), w).tolist() == [[9, 10, 11], [3, 4, 5]]


def test_non_contiguous_ids_and_upstream():
    w = _table()
    ids = Tensor(np.array([[0, 1, 2], [3, 2, 1]]).T)  # a transposed (non-contiguous) view
    out = embedding(ids, w)
    np.testing.assert_array_equal(out.data, w.data[ids.data])
    out.backward(Tensor(np.ones((2, 3, 3), np.float32).transpose(1, 0, 2) * 2))
    assert w.grad.tolist() == [[2] * 3, [4] * 3, [4] * 3, [2] * 3]


@pytest.mark.parametrize("bad", [4, 100, -1, -5])
def test_out_of_range_ids_name_the_id_and_table_size(bad):
    with pytest.raises(IndexError, match=rf"id {bad} is out of range for a table of 4 rows"):
        embedding(Tensor([0, bad, 1]), _table())


def test_non_integer_ids_are_refused():
    with pytest.raises(RuntimeError, match=r"integer tensor .* float32 \(e\.g\. 1\.5\)"):
        embedding(Tensor([0.0, 1.5]), _table())
    with pytest.raises(RuntimeError, match="float32"):
        embedding(Tensor([0.0, 1.0]), _table())  # whole floats too: torch refuses them
    with pytest.raises(RuntimeError, match="bool"):
        embedding(Tensor([True, False]), _table())


def test_non_tensor_input_and_weight_are_refused():
    with pytest.raises(TypeError, match="list"):
        embedding([0, 1], _table())
    with pytest.raises(TypeError, match="ndarray"):
        embedding(np.array([0, 1]), _table())
    with pytest.raises(TypeError, match="weight"):
        embedding(Tensor([0]), np.ones((2, 2)))
    with pytest.raises(RuntimeError, match=r"2-d .* shape \(3,\)"):
        embedding(Tensor([0]), Tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="int64"):
        embedding(Tensor([0]), Tensor([[1, 2]]))


@pytest.mark.parametrize("padding_idx", [4, -5, 10])
def test_padding_idx_out_of_range(padding_idx):
    with pytest.raises(ValueError, match=rf"got {padding_idx} for a table of 4 rows"):
        Embedding(4, 2, padding_idx=padding_idx)
    with pytest.raises(ValueError, match="padding_idx"):
        embedding(Tensor([0]), _table(), padding_idx=padding_idx)


@pytest.mark.parametrize("args", [(-1, 2), (2, -1), (2.0, 2), (True, 2)])
def test_bad_sizes(args):
    with pytest.raises(ValueError, match="non-negative int"):
        Embedding(*args)


def test_bad_dtype_and_padding_type():
    with pytest.raises(TypeError, match="floating point"):
        Embedding(3, 2, dtype="int64")
    with pytest.raises(TypeError, match="padding_idx"):
        Embedding(3, 2, padding_idx=1.0)


def test_sinusoidal_values_by_hand():
    pe = sinusoidal_positions(3, 4).data
    assert pe.dtype == np.float32
    for p in range(3):
        expected = [math.sin(p), math.cos(p), math.sin(p / 100), math.cos(p / 100)]
        np.testing.assert_allclose(pe[p], expected, rtol=1e-6, atol=1e-7)


def test_sinusoidal_odd_dim_base_and_dtype():
    pe = sinusoidal_positions(5, 3, base=100.0, dtype="float64").data
    assert pe.shape == (5, 3) and pe.dtype == np.float64
    np.testing.assert_allclose(pe[2], [math.sin(2), math.cos(2), math.sin(2 / 100 ** (2 / 3))])
    assert sinusoidal_positions(0, 4).shape == (0, 4)
    assert not sinusoidal_positions(2, 2).requires_grad


def test_sinusoidal_bad_arguments():
    with pytest.raises(ValueError, match="num_positions"):
        sinusoidal_positions(-1, 4)
    with pytest.raises(ValueError, match="embedding_dim"):
        sinusoidal_positions(4, 2.5)
    with pytest.raises(ValueError, match="base"):
        sinusoidal_positions(4, 4, base=0)
    with pytest.raises(TypeError, match="floating point"):
        sinusoidal_positions(4, 4, dtype="int32")


def test_torch_signature_defaults_are_accepted():
    emb = Embedding(10, 4, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                    sparse=False, device="cpu", dtype="float32")
    assert emb.weight.shape == (10, 4)
    assert embedding(Tensor([1]), emb.weight, None, None, 2.0, False, False).shape == (1, 4)
    table = np.arange(8, dtype=np.float32).reshape(4, 2)
    frozen = Embedding(4, 2, _weight=table, _freeze=True)
    assert frozen.weight.data.tolist() == table.tolist() and not frozen.weight.requires_grad
    with pytest.raises(ValueError, match=r"_weight has shape \(4, 2\), expected \(3, 2\)"):
        Embedding(3, 2, _weight=table)


@pytest.mark.parametrize("option", [{"max_norm": 1.0}, {"sparse": True}, {"scale_grad_by_freq": True}])
def test_unsupported_torch_options_are_refused_by_name(option):
    name = next(iter(option))
    with pytest.raises(NotImplementedError, match=name):
        Embedding(10, 4, **option)
    with pytest.raises(NotImplementedError, match=name):
        embedding(Tensor([1]), _table(), **option)
    with pytest.raises(NotImplementedError, match=name):
        Embedding.from_pretrained(np.eye(3), **option)


def test_only_the_cpu_device():
    with pytest.raises(RuntimeError, match="cuda"):
        Embedding(10, 4, device="cuda")
