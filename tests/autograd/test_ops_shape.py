"""Shape ops: reshape/view, flatten, squeeze, unsqueeze, expand/expand_as, permute and
transpose: forward against numpy (and torch where installed), first and second order
gradients in float64, PyTorch's dim conventions and the error messages."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SETTINGS = settings(max_examples=25, deadline=None)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3)


def leaf(shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


# ---- view / reshape -----------------------------------------------------------------------
@SETTINGS
@given(shape=shapes, data=st.data())
def test_view_matches_numpy_reshape(shape, data):
    x = leaf(shape)
    target = data.draw(st.permutations(shape)).copy() if shape else []
    if target and data.draw(st.booleans()) and 0 not in shape:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    out = x.view(*target)
    expected = x.data.reshape(target)
    assert out.shape == expected.shape and np.array_equal(out.data, expected)
    check_both_orders(lambda t: autograd.view(t, tuple(target)), x)


def test_view_accepts_the_same_spellings_as_reshape():
    x = leaf((2, 3))
    assert x.view(3, 2).shape == x.view((3, 2)).shape == autograd.view(x, shape=(3, 2)).shape
    assert x.view(-1).shape == (6,)
    gradient = np.arange(6.0).reshape(3, 2)
    x.view(3, 2).backward(gradient)
    assert np.array_equal(x.grad.data, gradient.reshape(2, 3))


def test_view_of_a_transposed_tensor_works_unlike_pytorch():
    # PyTorch would ask for .contiguous() here; there is no contiguity in this engine
    x = leaf((2, 3))
    assert np.array_equal(x.T.view(6).data, x.data.T.reshape(6))


@pytest.mark.parametrize("shape", [(4,), (2, 3)])
def test_reshape_errors_name_the_shapes(shape):
    with pytest.raises(RuntimeError, match=r"reshape: cannot view a tensor of shape"):
        leaf(shape).view(5)
    with pytest.raises(RuntimeError, match="reshape"):
        leaf(shape).view(-1, -1)


# ---- flatten -------------------------------------------------------------------------------
@SETTINGS
@given(shape=shapes, data=st.data())
def test_flatten_matches_numpy(shape, data):
    ndim = max(len(shape), 1)
    start = data.draw(st.integers(-ndim, ndim - 1))
    end = data.draw(st.integers(start % ndim, ndim - 1)) - data.draw(st.sampled_from([0, ndim]))
    x = leaf(shape)
    out = autograd.flatten(x, start, end)
    s, e = start % ndim, end % ndim
    merged = int(np.prod(shape[s:e + 1]))
    expected = x.data.reshape(shape[:s] + (merged,) + shape[e + 1:]) if shape else \
        x.data.reshape(1)
    assert out.shape == expected.shape and np.array_equal(out.data, expected)
    check_both_orders(lambda t: autograd.flatten(t, start, end), x)


def test_flatten_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5))
    for start, end in [(0, -1), (1, 2), (-3, -2), (2, 2), (0, 0), (-1, -1)]:
        expected = torch.flatten(torch.tensor(x), start, end).numpy()
        assert np.array_equal(Tensor(x).flatten(start, end).data, expected)


def test_flatten_of_a_scalar_has_one_element():
    x = Tensor(np.float64(2.5), requires_grad=True)
    assert x.flatten().shape == (1,)
    x.flatten().sum().backward()
    assert x.grad.shape == () and x.grad.item() == 1.0


def test_flatten_errors():
    x = leaf((2, 3, 4))
    with pytest.raises(RuntimeError, match="flatten: start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)
    with pytest.raises(IndexError, match=r"flatten: dim 3 is out of range .* \[-3, 2\]"):
        x.flatten(3)
    with pytest.raises(TypeError, match="flatten: dim must be an integer"):
        x.flatten(0.5)


# ---- squeeze / unsqueeze -------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=2), data=st.data())
def test_squeeze_matches_numpy(shape, data):
    x = leaf(shape)
    ndim = max(len(shape), 1)
    kind = data.draw(st.sampled_from(["all", "int", "tuple"]))
    if kind == "all":
        dim, dims = None, range(len(shape))
    elif kind == "int":
        dim = data.draw(st.integers(-ndim, ndim - 1))
        dims = [dim % ndim] if shape else []
    else:
        picked = data.draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
        dim = tuple(d - ndim if data.draw(st.booleans()) else d for d in picked)
        dims = picked if shape else []
    out = x.squeeze() if dim is None else x.squeeze(dim)
    # non-1 dims are kept (PyTorch); numpy would raise for them, so pass only the 1s
    expected = np.squeeze(x.data, axis=tuple(d for d in dims if shape[d] == 1))
    assert out.shape == expected.shape and np.array_equal(out.data, expected)
    check_both_orders(lambda t: autograd.squeeze(t, dim), x)


@SETTINGS
@given(shape=shapes, data=st.data())
def test_unsqueeze_matches_numpy_expand_dims(shape, data):
    x = leaf(shape)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    out = x.unsqueeze(dim)
    expected = np.expand_dims(x.data, dim)
    assert out.shape == expected.shape and np.array_equal(out.data, expected)
    check_both_orders(lambda t: autograd.unsqueeze(t, dim), x)


def test_squeeze_and_unsqueeze_match_torch():
    torch = pytest.importorskip("torch")
    x = np.zeros((1, 3, 1, 2))
    for dim in [None, 0, 1, -2, (0, 2), (1, -1), (-4, 3)]:
        reference = torch.tensor(x).squeeze() if dim is None else torch.tensor(x).squeeze(dim)
        assert autograd.squeeze(Tensor(x), dim).shape == tuple(reference.shape)
    for dim in range(-5, 5):
        assert Tensor(x).unsqueeze(dim).shape == tuple(torch.tensor(x).unsqueeze(dim).shape)


def test_scalar_squeeze_and_unsqueeze():
    x = Tensor(np.float64(3.0), requires_grad=True)
    assert x.squeeze().shape == x.squeeze(0).shape == x.squeeze(-1).shape == ()
    assert x.unsqueeze(0).shape == x.unsqueeze(-1).shape == (1,)
    x.unsqueeze(0).unsqueeze(-1).squeeze().backward()
    assert x.grad.item() == 1.0


def test_squeeze_keeps_a_dim_that_is_not_one():
    assert leaf((2, 1, 3)).squeeze(0).shape == (2, 1, 3)
    assert leaf((2, 1, 3)).squeeze((0, 1)).shape == (2, 3)


def test_squeeze_and_unsqueeze_errors():
    x = leaf((2, 1, 3))
    with pytest.raises(IndexError, match=r"squeeze: dim 3 is out of range .* \[-3, 2\]"):
        x.squeeze(3)
    with pytest.raises(RuntimeError, match="squeeze: dim -2 appears more than once"):
        x.squeeze((1, -2))
    with pytest.raises(IndexError, match=r"unsqueeze: dim 4 is out of range .* \[-4, 3\]"):
        x.unsqueeze(4)
    with pytest.raises(IndexError, match=r"unsqueeze: dim -5"):
        x.unsqueeze(-5)
    with pytest.raises(IndexError, match=r"squeeze: dim 1 .* \[-1, 0\]"):
        Tensor(1.0).squeeze(1)


# ---- expand / expand_as --------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_expand_as_matches_numpy_broadcast_to(data):
    target, small = _broadcast_pair(data)
    x = leaf(small)
    other = Tensor(np.zeros(target))
    out = x.expand_as(other)
    assert out.shape == target and np.array_equal(out.data, np.broadcast_to(x.data, target))
    check_both_orders(lambda t: autograd.expand_as(t, other), x)


def _broadcast_pair(data):
    target = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    kept = data.draw(st.integers(0, len(target)))
    small = tuple(1 if data.draw(st.booleans()) else n for n in target[len(target) - kept:])
    return target, small


def test_expand_gradient_sums_over_the_expanded_dims():
    x = leaf((3, 1))
    x.expand(2, 3, 4).backward(np.ones((2, 3, 4)))
    assert np.array_equal(x.grad.data, np.full((3, 1), 8.0))
    assert x.expand(-1, 5).shape == (3, 5)


def test_expand_errors():
    with pytest.raises(RuntimeError, match=r"expand: cannot expand shape \(3, 2\) to \(3, 4\)"):
        leaf((3, 2)).expand_as(Tensor(np.zeros((3, 4))))
    with pytest.raises(RuntimeError, match="expand: cannot expand shape"):
        leaf((3, 1)).expand(3)


# ---- permute / transpose -------------------------------------------------------------------
@SETTINGS
@given(shape=shapes, data=st.data())
def test_permute_and_transpose_match_numpy(shape, data):
    x = leaf(shape)
    ndim = len(shape)
    dims = data.draw(st.permutations(range(ndim)))
    negative = tuple(d - ndim if data.draw(st.booleans()) else d for d in dims)
    assert np.array_equal(x.permute(*negative).data, np.transpose(x.data, dims))
    check_both_orders(lambda t: autograd.permute(t, negative), x)
    if ndim:
        d0, d1 = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
        assert np.array_equal(x.transpose(d0, d1).data, np.swapaxes(x.data, d0, d1))
        check_both_orders(lambda t: autograd.transpose(t, d0, d1), x)


def test_permute_and_transpose_errors():
    x = leaf((2, 3))
    with pytest.raises(RuntimeError, match="permute: dims .* not a permutation"):
        x.permute(0, 0)
    with pytest.raises(IndexError, match="permute: dim 2 is out of range"):
        x.permute(2, 1)
    with pytest.raises(RuntimeError, match=r"permute: dims \(0,\) do not match the 2"):
        x.permute(0)
    with pytest.raises(IndexError, match="transpose: dim 2 is out of range"):
        x.transpose(0, 2)
    assert Tensor(1.0).transpose(0, -1).shape == ()


def test_composed_shape_ops_chain_to_second_order():
    x = leaf((2, 3, 1))
    check_both_orders(
        lambda t: (t.squeeze(-1).unsqueeze(0).flatten() * t.view(6)).view(3, 2).transpose(0, 1),
        x)
