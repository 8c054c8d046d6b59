"""Reductions: sum, mean, var, std, max/min (and their (values, indices) form), amax/amin,
argmax/argmin and logsumexp."""
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=20, deadline=None)


def uniform(seed, shape, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def distinct(seed, shape):
    """Values at least 0.1 apart, so a max or min never ties within finite differences."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.1 + rng.uniform(0, 0.01, size)).reshape(shape)


def leaf(array, dtype=np.float64):
    return Tensor(np.asarray(array, dtype=dtype), requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


def dims_for(ndim):
    """None, one dim (negative allowed) or a tuple of distinct dims (mixed signs)."""
    if ndim == 0:
        return st.sampled_from([None, 0, -1, ()])
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(one, min_size=1, max_size=ndim,
                       unique_by=lambda d: d % ndim).map(tuple)
    return st.one_of(st.none(), one, several)


def numpy_axis(dim, ndim):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else dim
    return tuple(d % ndim for d in dims) if ndim else None


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- sum, mean, var, std --------------------------------------------------------------

def var_reference(values, axis, keepdim, correction):
    return np.var(values, axis=axis, keepdims=keepdim, ddof=correction)


SMOOTH = {
    # name: (call(x, dim, keepdim), numpy reference(values, axis, keepdim))
    "sum": (lambda x, d, k: autograd.sum(x, d, k),
            lambda v, a, k: np.sum(v, axis=a, keepdims=k)),
    "mean": (lambda x, d, k: autograd.mean(x, d, k),
             lambda v, a, k: np.mean(v, axis=a, keepdims=k)),
    "var": (lambda x, d, k: autograd.var(x, d, keepdim=k),
            lambda v, a, k: var_reference(v, a, k, 1)),
    "var(correction=0)": (lambda x, d, k: autograd.var(x, d, keepdim=k, correction=0),
                          lambda v, a, k: var_reference(v, a, k, 0)),
    "std(unbiased=False)": (lambda x, d, k: autograd.std(x, d, unbiased=False, keepdim=k),
                            lambda v, a, k: np.std(v, axis=a, keepdims=k)),
    "logsumexp": (lambda x, d, k: autograd.logsumexp(x, d, keepdim=k),
                  lambda v, a, k: np.log(np.sum(np.exp(v), axis=a, keepdims=k))),
}


@pytest.mark.parametrize("name", sorted(SMOOTH))
@FAST
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_smooth_reductions_values_and_gradients(name, shape, seed, data):
    function, reference = SMOOTH[name]
    dim = data.draw(dims_for(len(shape)))
    keepdim = data.draw(st.booleans())
    axis = numpy_axis(dim, len(shape))
    count = int(np.prod([shape[a] for a in (axis if axis is not None else range(len(shape)))]))
    # the variance of one element is 0/0 (correction 1) or a constant 0: nothing to check
    assume(count >= 2 or not name.startswith(("var", "std")))
    values = uniform(seed, shape)
    x = leaf(values)
    out = function(x, dim, keepdim)
    np.testing.assert_allclose(out.data, reference(values, axis, keepdim), rtol=1e-12,
                               atol=1e-13)
    check_both_orders(lambda t: function(t, dim, keepdim), x)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "logsumexp", "amax", "amin"])
def test_reductions_keep_float32(name):
    x = leaf(uniform(0, (2, 3)), np.float32)
    out = getattr(autograd, name)(x, 1)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "amin", "max", "min"])
def test_methods_reduce_everything_by_default(name):
    values = uniform(1, (2, 3))
    out = getattr(Tensor(values), name)()
    assert out.shape == ()
    reference = {"var": lambda v: np.var(v, ddof=1), "std": lambda v: np.std(v, ddof=1),
                 "amax": np.max, "amin": np.min}.get(name, getattr(np, name))
    np.testing.assert_allclose(out.data, reference(values), rtol=1e-12)


def test_sum_over_an_empty_dim_is_zero():
    x = leaf(np.zeros((0, 3)))
    out = x.sum(0)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 0.0])
    out.sum().backward()
    assert x.grad.shape == (0, 3)


def test_mean_over_an_empty_dim_is_nan_without_warnings(no_warnings):
    out = Tensor(np.zeros((0, 3))).mean(0)
    assert out.shape == (3,) and np.isnan(out.data).all()
    assert np.isnan(Tensor(np.zeros(0)).mean().data)


def test_mean_needs_floating_point():
    with pytest.raises(TypeError, match="mean: the input is int64; mean needs a "
                                        "floating-point tensor"):
        Tensor([1, 2]).mean()
    with pytest.raises(TypeError, match="var: the input is int64"):
        Tensor([1, 2]).var()
    np.testing.assert_array_equal(autograd.mean(Tensor([1, 2]), dtype=np.float64).data, 1.5)


def test_mean_bad_dim_names_op():
    with pytest.raises(IndexError, match="mean: dim -3 is out of range for a tensor with 2 "
                                         "dimensions"):
        Tensor(np.zeros((2, 2))).mean(-3)


def test_var_spellings_agree():
    values = uniform(2, (3, 4))
    x = Tensor(values)
    population = np.var(values, axis=1)
    for out in (x.var(1, unbiased=False), x.var(1, False), x.var(dim=1, correction=0)):
        np.testing.assert_allclose(out.data, population, rtol=1e-12)
    np.testing.assert_allclose(x.var(False).data, np.var(values), rtol=1e-12)
    np.testing.assert_allclose(x.var(correction=2).data, np.var(values, ddof=2), rtol=1e-12)
    with pytest.raises(TypeError, match="var: pass either unbiased or correction"):
        x.var(unbiased=True, correction=1)


def test_var_of_one_element_is_nan_like_pytorch(no_warnings):
    assert np.isnan(Tensor([3.0]).var().data)
    assert Tensor([3.0]).var(correction=0).data == 0.0


def test_var_and_std_match_torch():
    torch = pytest.importorskip("torch")
    values = uniform(5, (3, 4))
    for name in ("var", "std"):
        x = leaf(values)
        getattr(x, name)(0, unbiased=False).sum().backward()
        t = torch.tensor(values, requires_grad=True)
        getattr(t, name)(0, unbiased=False).sum().backward()
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10)


# ---- max, min, amax, amin ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["amax", "amin"])
@FAST
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_amax_amin_values_and_gradients(name, shape, seed, data):
    dim = data.draw(dims_for(len(shape)))
    keepdim = data.draw(st.booleans())
    values = distinct(seed, shape)
    x = leaf(values)
    function = getattr(autograd, name)
    reference = np.max if name == "amax" else np.min
    np.testing.assert_array_equal(function(x, dim, keepdim).data,
                                  reference(values, axis=numpy_axis(dim, len(shape)),
                                            keepdims=keepdim))
    check_both_orders(lambda t: function(t, dim, keepdim), x)


@pytest.mark.parametrize("name", ["max", "min"])
@FAST
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_max_min_with_dim_values_indices_and_gradients(name, shape, seed, data):
    ndim = len(shape)
    dim = data.draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
    keepdim = data.draw(st.booleans())
    values = distinct(seed, shape)
    x = leaf(values)
    result = getattr(x, name)(dim, keepdim)
    values_out, indices = result
    axis = dim % ndim if ndim else None
    reduce = np.max if name == "max" else np.min
    arg = np.argmax if name == "max" else np.argmin
    np.testing.assert_array_equal(values_out.data, reduce(values, axis=axis, keepdims=keepdim))
    np.testing.assert_array_equal(indices.data, arg(values, axis=axis, keepdims=keepdim))
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert result.values is values_out and result.indices is indices
    check_both_orders(lambda t: getattr(autograd, name)(t, dim, keepdim).values, x)


def test_max_with_dim_gradient_lands_on_the_returned_indices():
    values = np.array([[0.5, 3.0, -1.0], [7.0, 2.0, 4.0]])
    x = leaf(values)
    result = autograd.max(x, dim=1)
    np.testing.assert_array_equal(result.indices.data, [1, 0])
    result.values.backward(np.array([10.0, 20.0]))
    expected = np.zeros_like(values)
    expected[np.arange(2), result.indices.data] = [10.0, 20.0]
    np.testing.assert_array_equal(x.grad.data, expected)


def test_max_result_is_a_named_tuple_like_torch():
    result = Tensor([[1.0, 5.0], [6.0, 2.0]]).max(dim=0, keepdim=True)
    assert type(result).__name__ == "max" and result._fields == ("values", "indices")
    values, indices = result
    assert values.shape == (1, 2) and indices.shape == (1, 2)
    assert type(Tensor([1.0]).min(0)).__name__ == "min"


def test_full_max_is_a_zero_d_tensor():
    x = Tensor([[1.0, 5.0], [6.0, 2.0]])
    out = x.max()
    assert isinstance(out, Tensor) and out.shape == () and out.item() == 6.0
    assert x.min().item() == 1.0


def test_max_and_min_with_a_tensor_are_elementwise():
    a, b = Tensor([1.0, 5.0]), Tensor([3.0, 2.0])
    np.testing.assert_array_equal(autograd.max(a, b).data, [3.0, 5.0])
    np.testing.assert_array_equal(a.min(b).data, [1.0, 2.0])


def test_full_max_ties_share_the_gradient_evenly():
    x = leaf([1.0, 3.0, 3.0, 2.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])


def test_max_with_dim_ties_share_the_gradient_evenly():
    # PyTorch would send each row's gradient to the returned index only; we split it
    x = leaf([[3.0, 1.0, 3.0], [2.0, 2.0, 0.0], [1.0, 1.0, 1.0]])
    result = x.max(dim=1)
    np.testing.assert_array_equal(result.indices.data, [0, 0, 0])  # the first maximum
    result.values.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [[0.5, 0.0, 0.5], [1.0, 1.0, 0.0],
                                                [1.0, 1.0, 1.0]])


def test_min_ties_share_the_gradient_evenly():
    x = leaf([[0.0, 4.0], [0.0, 1.0]])
    x.min().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.5, 0.0], [0.5, 0.0]])
    y = leaf([[0.0, 0.0, 1.0], [2.0, -1.0, 5.0]])
    y.min(-1, keepdim=True).values.sum().backward()
    np.testing.assert_array_equal(y.grad.data, [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])


def test_amax_over_several_dims_shares_among_all_ties():
    x = leaf([[[2.0, 0.0], [2.0, 1.0]], [[2.0, -1.0], [0.0, 0.0]]])
    out = autograd.amax(x, dim=(0, -1))
    np.testing.assert_array_equal(out.data, [2.0, 2.0])
    out.backward(np.array([3.0, 6.0]))
    # slice [:, 0, :] holds 2.0 twice (x[0,0,0], x[1,0,0]): 3 / 2 each;
    # slice [:, 1, :] holds 2.0 once (x[0,1,0]): all 6 there
    np.testing.assert_array_equal(x.grad.data, [[[1.5, 0.0], [6.0, 0.0]],
                                                [[1.5, 0.0], [0.0, 0.0]]])


def test_full_max_ties_match_torch():
    torch = pytest.importorskip("torch")
    values = np.array([[1.0, 4.0, 4.0], [4.0, 0.0, 2.0]])
    x = leaf(values)
    x.max().backward()
    t = torch.tensor(values, requires_grad=True)
    t.max().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
    y = leaf(values)
    autograd.amax(y, dim=1).sum().backward()
    u = torch.tensor(values, requires_grad=True)
    torch.amax(u, dim=1).sum().backward()
    np.testing.assert_array_equal(y.grad.data, u.grad.numpy())


def test_max_second_order_with_ties():
    x = leaf([1.0, 3.0, 3.0])
    (g,) = autograd.grad(x.max() ** 2, x, create_graph=True)
    np.testing.assert_array_equal(g.data, [0.0, 3.0, 3.0])  # 2 * 3 * 1/2
    g.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])  # d(max)/dx = [0, .5, .5]


def test_max_of_zero_d():
    x = leaf(4.0)
    values, indices = x.max(0)
    assert values.item() == 4.0 and indices.item() == 0
    values.backward()
    assert x.grad.item() == 1.0


def test_max_with_nan_propagates_like_numpy():
    out = Tensor([1.0, np.nan, 3.0]).max(0)
    assert np.isnan(out.values.item()) and out.indices.item() == 1


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "argmax", "argmin"])
def test_empty_reduction_raises_naming_op_and_shape(name):
    empty = Tensor(np.zeros((0, 3)))
    with pytest.raises(RuntimeError, match=rf"{name}: the input has shape \(0, 3\) and no "
                                           "elements"):
        getattr(autograd, name)(empty)
    with pytest.raises(RuntimeError, match=rf"{name}: cannot reduce over dim 0, which has "
                                           r"size 0 in the input of shape \(0, 3\)"):
        getattr(autograd, name)(empty, 0)


def test_max_over_a_nonempty_dim_of_an_empty_tensor():
    values, indices = Tensor(np.zeros((0, 3))).max(1)
    assert values.shape == (0,) and indices.shape == (0,)


def test_max_dim_must_be_one_int():
    with pytest.raises(TypeError, match=r"max: dim must be one int, got \(0, 1\) \(for "
                                        "several dims use amax\\)"):
        Tensor(np.zeros((2, 2))).max((0, 1))


def test_max_bad_dim_names_op():
    with pytest.raises(IndexError, match="max: dim 2 is out of range"):
        Tensor(np.zeros((2, 2))).max(2)


def test_max_min_keep_float32():
    x = leaf([[1.0, 3.0], [2.0, 0.0]], np.float32)
    out = x.max(1).values.sum() + x.min()
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32


# ---- argmax, argmin --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@FAST
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_argmax_argmin_match_numpy(name, shape, seed, data):
    ndim = len(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-max(ndim, 1), max(ndim, 1) - 1)))
    keepdim = data.draw(st.booleans())
    values = np.random.default_rng(seed).integers(0, 3, size=shape).astype(np.float64)
    x = Tensor(values, requires_grad=True)
    out = getattr(x, name)(dim, keepdim)
    axis = None if dim is None or ndim == 0 else dim % ndim
    expected = getattr(np, name)(values, axis=axis, keepdims=keepdim)
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.data, expected)


# ---- logsumexp -------------------------------------------------------------------------

def test_logsumexp_gradient_is_softmax():
    values = uniform(9, (3, 4))
    x = leaf(values)
    autograd.logsumexp(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.data, autograd.softmax(Tensor(values), 1).data,
                               rtol=1e-12)


def test_logsumexp_of_huge_logits_is_exact(no_warnings):
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        x = leaf([1000.0, 0.0, -1000.0])
        out = autograd.logsumexp(x, 0)
        assert out.item() == 1000.0
        out.backward()
        np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 0.0])
        y = leaf([[1000.0, 1000.0], [-1000.0, -1000.0]], np.float32)
        out = y.logsumexp(1)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.data, [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-7)


def test_logsumexp_with_infinities_and_empty_dims(no_warnings):
    assert autograd.logsumexp(Tensor([-np.inf, -np.inf]), 0).item() == -np.inf
    assert autograd.logsumexp(Tensor([np.inf, 0.0]), 0).item() == np.inf
    np.testing.assert_array_equal(autograd.logsumexp(Tensor([-np.inf, 0.0]), 0).data, 0.0)
    out = autograd.logsumexp(Tensor(np.zeros((0, 2))), 0)
    np.testing.assert_array_equal(out.data, [-np.inf, -np.inf])


def test_logsumexp_keepdim_and_int_input():
    out = autograd.logsumexp(Tensor([[0, 0], [1, 1]]), dim=-1, keepdim=True)
    assert out.shape == (2, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, [[np.log(2)], [1 + np.log(2)]], rtol=1e-6)


def test_logsumexp_needs_dim():
    with pytest.raises(TypeError):
        autograd.logsumexp(Tensor([1.0]))
