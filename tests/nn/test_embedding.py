"""nn.Embedding: N(0, 1) init, the padding row (zero, no gradient), accumulated
gradients and outputs against PyTorch, loading PyTorch's weight, from_pretrained,
reprs and errors."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.embedding import Embedding


def test_shape_init_and_repr():
    autograd.manual_seed(0)
    emb = Embedding(500, 40)
    assert emb.weight.shape == (500, 40) and emb.weight.dtype == np.float32
    assert abs(emb.weight.data.mean()) < 0.02
    assert emb.weight.data.std() == pytest.approx(1, rel=0.02)
    assert list(emb.state_dict()) == ["weight"]
    assert repr(emb) == "Embedding(500, 40)"
    assert repr(Embedding(5, 2, padding_idx=-1)) == "Embedding(5, 2, padding_idx=4)"


def test_repr_and_keys_equal_torch():
    torch = pytest.importorskip("torch")
    for kwargs in ({}, {"padding_idx": 0}, {"padding_idx": -2}):
        ours, theirs = Embedding(7, 3, **kwargs), torch.nn.Embedding(7, 3, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert ours.padding_idx == theirs.padding_idx


def test_padding_row_starts_at_zero_and_never_receives_gradient():
    autograd.manual_seed(1)
    emb = Embedding(4, 3, padding_idx=0)
    np.testing.assert_array_equal(emb.weight.data[0], 0)
    idx = np.array([[0, 1, 0], [2, 0, 1]])
    out = emb(Tensor(idx))
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.data[idx == 0], 0)
    out.backward(np.ones(out.shape, dtype=np.float32))
    np.testing.assert_array_equal(emb.weight.grad.data, [[0, 0, 0], [2, 2, 2], [1, 1, 1],
                                                         [0, 0, 0]])


def test_forward_and_gradients_match_torch_after_loading_its_weight():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 4, padding_idx=2).double()
    ours = Embedding(6, 4, padding_idx=2)
    ours.weight.data = ours.weight.data.astype(np.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[1, 2, 5, 1], [0, 0, 2, 3]])
    out, expected = ours(Tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    g = np.random.default_rng(0).normal(size=out.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-14)


def test_gradcheck():
    emb = Embedding(5, 2, dtype=np.float64)
    idx = np.array([4, 1, 4, 0])
    assert gradcheck(lambda w: emb(idx), (emb.weight,))


@pytest.mark.parametrize("bad", [5, -1])
def test_out_of_range_index_is_a_clear_index_error(bad):
    emb = Embedding(5, 2)
    with pytest.raises(IndexError, match=rf"index {bad} is out of range for an embedding table "
                                         r"of 5 rows .*\[0, 5\)"):
        emb(Tensor(np.array([0, bad])))


def test_float_indices_and_bad_arguments_are_rejected():
    with pytest.raises(TypeError, match="integer"):
        Embedding(5, 2)(Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="padding_idx 5 is out of range"):
        Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="num_embeddings must be a non-negative int"):
        Embedding(-1, 2)


def test_from_pretrained_copies_and_freezes():
    table = np.arange(6.0).reshape(3, 2)
    frozen = Embedding.from_pretrained(Tensor(table))
    assert not frozen.weight.requires_grad and frozen.weight.dtype == np.float64
    np.testing.assert_array_equal(frozen(np.array([2, 0])).data, [[4, 5], [0, 1]])
    table[0, 0] = 99.0
    assert frozen.weight.data[0, 0] == 0.0  # a copy
    trainable = Embedding.from_pretrained(table.astype(np.float32), freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    np.testing.assert_array_equal(trainable.weight.data[1], [2, 3])  # kept as given
