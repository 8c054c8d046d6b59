"""Joining and cutting: cat, stack, split, chunk and pad, against numpy (and torch where
installed), with first and second order gradients in float64 and the error messages."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SETTINGS = settings(max_examples=25, deadline=None)


def leaf(shape, seed=0, dtype=np.float64):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype),
                  requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


@st.composite
def shapes_to_join(draw, min_dims=1):
    """2 or 3 shapes equal except along one dim (which may be empty), and that dim."""
    base = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=3))
    dim = draw(st.integers(-len(base), len(base) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=2, max_size=3))
    shapes = []
    for size in sizes:
        shape = list(base)
        shape[dim] = size
        shapes.append(tuple(shape))
    return shapes, dim


# ---- cat -----------------------------------------------------------------------------------
@SETTINGS
@given(case=shapes_to_join())
def test_cat_matches_numpy_concatenate(case):
    shapes, dim = case
    xs = [leaf(shape, seed=i) for i, shape in enumerate(shapes)]
    out = autograd.cat(xs, dim)
    assert np.array_equal(out.data, np.concatenate([x.data for x in xs], axis=dim))
    check_both_orders(lambda *ts: autograd.cat(list(ts), dim), *xs)
    check_both_orders(lambda *ts: autograd.cat(list(ts), dim) ** 2, *xs)


def test_cat_gradient_is_the_slices_of_g():
    a, b = leaf((2, 1)), leaf((2, 3))
    g = np.arange(8.0).reshape(2, 4)
    autograd.cat([a, b], dim=-1).backward(g)
    assert np.array_equal(a.grad.data, g[:, :1]) and np.array_equal(b.grad.data, g[:, 1:])


def test_cat_gives_no_gradient_to_constants_and_promotes_dtypes():
    a = leaf((2,), dtype=np.float32)
    constant = Tensor(np.array([1.0, 2.0]))  # float64, does not require grad
    out = autograd.cat([a, constant, np.array([7])])
    assert out.dtype == np.float64 and out.shape == (5,)
    out.sum().backward()
    assert a.grad.dtype == np.float32 and np.array_equal(a.grad.data, [1, 1])
    assert constant.grad is None
    assert autograd.cat([Tensor([1, 2]), Tensor([True])]).dtype == np.int64
    assert autograd.cat([leaf((1,), dtype=np.float32), Tensor([3])]).dtype == \
        np.result_type(np.float32, np.int64)


def test_cat_errors_name_the_shapes():
    a, b = leaf((2, 3)), leaf((2, 4))
    with pytest.raises(RuntimeError, match=r"cat: tensors 0 and 1 have shapes \(2, 3\) and "
                                           r"\(2, 4\), which differ outside dim 0"):
        autograd.cat([a, b])
    with pytest.raises(RuntimeError, match=r"cat: tensors 0 and 1 have shapes \(2, 3\) and "
                                           r"\(3,\), with different numbers of dimensions"):
        autograd.cat([a, leaf((3,))])
    with pytest.raises(RuntimeError, match="cat: tensor 1 is 0-dimensional"):
        autograd.cat([leaf((1,)), Tensor(1.0)])
    with pytest.raises(RuntimeError, match="cat: expected a non-empty list"):
        autograd.cat([])
    with pytest.raises(TypeError, match="cat: expected a list or tuple of tensors, got Tensor"):
        autograd.cat(a)
    with pytest.raises(IndexError, match="cat: dim 2 is out of range"):
        autograd.cat([a, a], dim=2)


# ---- stack ---------------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), data=st.data())
def test_stack_matches_numpy(shape, data):
    count = data.draw(st.integers(1, 3))
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    xs = [leaf(shape, seed=i) for i in range(count)]
    out = autograd.stack(xs, dim)
    assert np.array_equal(out.data, np.stack([x.data for x in xs], axis=dim))
    check_both_orders(lambda *ts: autograd.stack(list(ts), dim), *xs)


def test_stack_of_scalars_and_errors():
    a, b = Tensor(np.float64(1.0), requires_grad=True), Tensor(np.float64(2.0), requires_grad=True)
    out = autograd.stack([a, b, a])
    assert out.shape == (3,) and out.tolist() == [1.0, 2.0, 1.0]
    (out * Tensor(np.array([1.0, 10.0, 100.0]))).sum().backward()
    assert a.grad.item() == 101.0 and b.grad.item() == 10.0
    with pytest.raises(RuntimeError, match=r"stack: tensors 0 and 1 have shapes \(2,\) and "
                                           r"\(3,\); stack needs equal shapes"):
        autograd.stack([leaf((2,)), leaf((3,))])
    with pytest.raises(IndexError, match=r"stack: dim 2 is out of range .* \[-2, 1\]"):
        autograd.stack([leaf((2,))], dim=2)
    with pytest.raises(RuntimeError, match="stack: expected a non-empty list"):
        autograd.stack(())


# ---- split / chunk -------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), data=st.data())
def test_split_matches_numpy(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    if data.draw(st.booleans()):
        size = data.draw(st.integers(1, 6)) if n else 0
        arg, cuts = size, list(range(size, n, size)) if size else []
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
        arg = list(np.diff([0] + cuts + [n]))
    x = leaf(shape)
    pieces = x.split(arg, dim)
    expected = np.split(x.data, cuts, axis=dim)
    assert isinstance(pieces, tuple) and len(pieces) == len(expected)
    for piece, reference in zip(pieces, expected):
        assert np.array_equal(piece.data, reference)
    weights = [np.full(p.shape, i + 1.0) for i, p in enumerate(pieces)]
    autograd.backward(list(pieces), weights)
    assert np.array_equal(x.grad.data, np.concatenate(weights, axis=dim))
    check_both_orders(lambda t: tuple(p * p for p in autograd.split(t, arg, dim)), x)


def test_split_pieces_are_separate_graph_nodes():
    x = leaf((5,))
    first, second = x.split([2, 3])
    assert first.parents == (x,) and second.parents == (x,) and first is not second
    (first.sum() * 2).backward()
    assert np.array_equal(x.grad.data, [2, 2, 0, 0, 0])


def test_split_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(14.0).reshape(2, 7)
    for arg, dim in [(3, 1), (2, 0), (7, -1), (10, 1), ([1, 6], 1), ([0, 7, 0], 1)]:
        ours = Tensor(x).split(arg, dim)
        theirs = torch.tensor(x).split(arg, dim)
        assert [p.data.tolist() for p in ours] == [p.tolist() for p in theirs]
    assert len(Tensor(np.zeros((0, 2))).split(2)) == len(torch.zeros(0, 2).split(2)) == 1


def test_split_errors():
    x = leaf((2, 3))
    with pytest.raises(RuntimeError, match=r"split: sections \[1, 1\] must be non-negative "
                                           r"and add up to 3, the size of dim 1"):
        x.split([1, 1], 1)
    with pytest.raises(RuntimeError, match="split: split_size must be positive"):
        x.split(0)
    with pytest.raises(RuntimeError, match="split: split_size must be positive"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="split: expected a tensor with at least 1 dim"):
        Tensor(1.0).split(1)
    with pytest.raises(IndexError, match="split: dim -3 is out of range"):
        x.split(1, -3)


@pytest.mark.parametrize("n, chunks, sizes", [
    (5, 3, [2, 2, 1]), (6, 4, [2, 2, 2]), (6, 3, [2, 2, 2]), (2, 5, [1, 1]), (7, 1, [7]),
    (0, 3, [0, 0, 0]),
])
def test_chunk_sizes_follow_pytorch(n, chunks, sizes):
    x = leaf((2, n))
    pieces = x.chunk(chunks, dim=-1)
    assert [p.shape[1] for p in pieces] == sizes
    assert np.array_equal(np.concatenate([p.data for p in pieces], axis=1), x.data)
    torch = pytest.importorskip("torch")
    assert [p.shape[1] for p in torch.zeros(2, n).chunk(chunks, dim=-1)] == sizes


def test_chunk_gradients_and_errors():
    x = leaf((7, 2))
    check_both_orders(lambda t: autograd.chunk(t, 3), x)
    with pytest.raises(RuntimeError, match="chunk: chunks must be a positive integer, got 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="chunk: expected a tensor with at least 1 dim"):
        Tensor(1.0).chunk(2)


# ---- pad -----------------------------------------------------------------------------------
@st.composite
def pad_cases(draw, low=-2, high=3, min_side=0, max_dims=3):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=min_side,
                                  max_side=4))
    count = draw(st.integers(0 if min_side == 0 else 1, len(shape)))
    pad = []
    for d in range(count):
        n = shape[len(shape) - 1 - d]
        before = draw(st.integers(max(low, -n), high))
        after = draw(st.integers(max(low, -(n + min(before, 0))), high))
        pad += [before, after]
    return shape, tuple(pad)


def reference_constant_pad(a, pad, value):
    """Crop (negative amounts) and then np.pad (positive ones), dim by dim from the end."""
    for d in range(len(pad) // 2):
        axis = a.ndim - 1 - d
        before, after = pad[2 * d], pad[2 * d + 1]
        n = a.shape[axis]
        a = np.take(a, np.arange(max(-before, 0), n - max(-after, 0)), axis=axis)
        widths = [(0, 0)] * a.ndim
        widths[axis] = (max(before, 0), max(after, 0))
        a = np.pad(a, widths, constant_values=value)
    return a


@SETTINGS
@given(case=pad_cases(), value=st.sampled_from([0.0, -1.5]))
def test_constant_pad_matches_numpy(case, value):
    shape, pad = case
    x = leaf(shape)
    out = autograd.pad(x, pad, value=value)
    assert np.array_equal(out.data, reference_constant_pad(x.data, pad, value))
    check_both_orders(lambda t: autograd.pad(t, pad, value=value), x)
    check_both_orders(lambda t: autograd.pad(t, pad, value=value) ** 2, x)


def test_constant_pad_by_hand():
    x = Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    out = autograd.pad(x, (1, -1, 1, 0), value=9.0)
    assert out.tolist() == [[9, 9, 9], [9, 1, 2]]
    out.backward(np.arange(6.0).reshape(2, 3))
    assert x.grad.tolist() == [[4.0, 5.0, 0.0]]  # the cropped 3 gets no gradient
    assert autograd.pad(x, (0, 0)) is x


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    a = np.random.default_rng(4).standard_normal((2, 3, 4, 5))
    for pad in [(1, 2), (2, 0, 1, 1), (-1, 2, 1, -1), (0, 3, 2, 2, 1, 0), (-2, 1)]:
        if mode != "constant" and len(pad) == 6:
            continue
        # outside constant mode PyTorch wants 1 or 2 leading dims before the padded ones
        data = a[(0,) * (2 - len(pad) // 2)] if mode != "constant" else a
        x = Tensor(data, requires_grad=True)
        out = autograd.pad(x, pad, mode=mode)
        t = torch.tensor(data, requires_grad=True)
        reference = F.pad(t, pad, mode=mode)
        assert np.allclose(out.data, reference.detach().numpy())
        weights = np.random.default_rng(5).standard_normal(out.shape)
        out.backward(weights)
        reference.backward(torch.tensor(weights))
        assert np.allclose(x.grad.data, t.grad.numpy())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@settings(max_examples=15, deadline=None)
@given(case=pad_cases(low=-1, high=2, min_side=4, max_dims=2))
def test_copying_pad_modes_gradcheck(mode, case):
    shape, pad = case  # at least 3 entries are kept, so reflect's pads are small enough
    x = leaf(shape)
    check_both_orders(lambda t: autograd.pad(t, pad, mode=mode) ** 2, x)


def test_copying_modes_by_hand():
    x = Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    assert autograd.pad(x, (2, 1), mode="reflect").tolist() == [[3, 2, 1, 2, 3, 2]]
    assert autograd.pad(x, (2, 1), mode="replicate").tolist() == [[1, 1, 1, 2, 3, 3]]
    assert autograd.pad(x, (2, 1), mode="circular").tolist() == [[2, 3, 1, 2, 3, 1]]
    autograd.pad(x, (2, 1), mode="replicate").sum().backward()
    assert x.grad.tolist() == [[3.0, 1.0, 2.0]]  # copies accumulate


def test_pad_errors():
    x = leaf((2, 3))
    with pytest.raises(RuntimeError, match=r"pad: the pad tuple \(1, 2, 3\) must have an even"):
        autograd.pad(x, (1, 2, 3))
    with pytest.raises(RuntimeError, match=r"pad: the pad tuple .* pads 3 dimensions, but the "
                                           r"input of shape \(2, 3\) has only 2"):
        autograd.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(RuntimeError, match=r"pad: cropping \(-2, -2\) removes more than the 3 "
                                           r"entries of dim 1"):
        autograd.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="pad: mode must be one of"):
        autograd.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="pad: mode 'reflect' takes no fill value"):
        autograd.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(RuntimeError, match=r"pad: reflect padding \(3, 0\) must be smaller "
                                           r"than the 3 entries of dim 1"):
        autograd.pad(x, (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="pad: circular padding .* wrap around more than once"):
        autograd.pad(x, (0, 4), mode="circular")
    with pytest.raises(RuntimeError, match="pad: replicate padding needs a non-empty dim 1"):
        autograd.pad(leaf((2, 0)), (1, 0), mode="replicate")
