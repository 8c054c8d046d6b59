"""Comparisons and logical tests: bool results outside the graph, numbers on either side,
broadcasting, and Tensor `==` being elementwise while hashing stays by identity."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor

PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)

COMPARISONS = {
    "eq": (operator.eq, np.equal),
    "ne": (operator.ne, np.not_equal),
    "lt": (operator.lt, np.less),
    "le": (operator.le, np.less_equal),
    "gt": (operator.gt, np.greater),
    "ge": (operator.ge, np.greater_equal),
}


def small_ints(seed, shape):
    """Few distinct values, so equal pairs are common."""
    return np.random.default_rng(seed).integers(-2, 3, size=shape).astype(np.float64)


@pytest.mark.parametrize("name", sorted(COMPARISONS))
@settings(max_examples=25, deadline=None)
@given(shapes=PAIRS, seed=SEEDS)
def test_comparisons_broadcast_like_numpy(name, shapes, seed):
    symbol, reference = COMPARISONS[name]
    a = small_ints(seed, shapes.input_shapes[0])
    b = small_ints(seed ^ 3, shapes.input_shapes[1])
    x, y = Tensor(a, requires_grad=True), Tensor(b)
    expected = reference(a, b)
    for out in (getattr(autograd, name)(x, y), symbol(x, y), getattr(x, name)(y)):
        assert isinstance(out, Tensor)
        assert out.dtype == np.bool_
        assert out.shape == shapes.result_shape
        np.testing.assert_array_equal(out.data, expected)
        assert not out.requires_grad and out.is_leaf


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_numbers_on_either_side(name):
    symbol, reference = COMPARISONS[name]
    values = np.array([-1.0, 0.0, 1.0])
    x = Tensor(values)
    np.testing.assert_array_equal(symbol(x, 0).data, reference(values, 0))
    np.testing.assert_array_equal(symbol(0, x).data, reference(0, values))
    np.testing.assert_array_equal(getattr(autograd, name)(0, x).data, reference(0, values))


def test_float32_compares_with_a_number_in_float32():
    x = Tensor(np.array([0.1], dtype=np.float32))
    assert bool(x == 0.1)  # 0.1 rounded to float32, as in PyTorch
    assert not bool(x > 0.1)


def test_numbers_are_not_squeezed_into_a_bool_or_int_dtype():
    mask = Tensor(np.array([True, False]))
    np.testing.assert_array_equal((mask == 2).data, [False, False])
    np.testing.assert_array_equal((mask == 1).data, [True, False])
    counts = Tensor(np.array([2, 3]))
    np.testing.assert_array_equal((counts == 2.5).data, [False, False])
    np.testing.assert_array_equal((counts < 2.5).data, [True, False])


def test_tensor_against_list_and_array():
    x = Tensor([1.0, 2.0])
    np.testing.assert_array_equal((x == [1.0, 3.0]).data, [True, False])
    np.testing.assert_array_equal(autograd.lt(x, np.array([2.0, 2.0])).data, [True, False])


def test_comparison_of_grad_requiring_tensors_has_no_graph():
    x = Tensor([1.0, -1.0], requires_grad=True)
    out = x > 0
    assert not out.requires_grad and out.op is None


def test_comparison_mask_in_a_differentiable_expression():
    x = Tensor([-1.0, 2.0, 3.0], requires_grad=True)
    (x * (x > 0)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])


def test_comparison_on_plain_arrays_returns_arrays():
    out = autograd.gt(np.array([1.0, -1.0]), 0)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [True, False])


def test_against_none_and_strings_like_python():
    x = Tensor([1.0, 2.0])
    assert (x == None) is False  # noqa: E711  (the operator is what is being tested)
    assert (x != None) is True  # noqa: E711
    assert (x == "a") is False
    with pytest.raises(TypeError, match="'<' not supported"):
        x < None  # noqa: B015
    assert autograd.eq(x, None) is NotImplemented


def test_bad_broadcast_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"lt: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        Tensor(np.zeros((2, 3))) < Tensor(np.zeros(2))


def test_hashing_stays_by_identity():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2
    assert hash(a) != hash(b)


def test_zero_d_comparison_is_usable_as_a_condition():
    x = Tensor(3.0)
    assert x > 2
    assert not (x < 2)


# ---- any, all ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["any", "all"])
@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_any_all_over_dims(name, shape, seed, data):
    values = np.random.default_rng(seed).integers(0, 2, size=shape).astype(np.float32)
    ndim = len(shape)
    dim = data.draw(st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1) if ndim else st.none(),
        st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple)
        if ndim else st.none()))
    keepdim = data.draw(st.booleans())
    x = Tensor(values, requires_grad=True)
    out = getattr(autograd, name)(x, dim=dim, keepdim=keepdim)
    axis = tuple(range(ndim)) if dim is None else dim
    expected = getattr(np, name)(values, axis=axis, keepdims=keepdim)
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.data, expected)
    np.testing.assert_array_equal(getattr(x, name)(dim, keepdim).data, expected)


def test_any_all_of_empty():
    empty = Tensor(np.zeros((0, 2)))
    assert not bool(empty.any()) and bool(empty.all())
    np.testing.assert_array_equal(empty.any(dim=0).data, [False, False])


def test_any_bad_dim_names_op():
    with pytest.raises(IndexError, match="any: dim 2 is out of range for a tensor with 2 "
                                         "dimensions"):
        Tensor(np.zeros((2, 2))).any(dim=2)


# ---- isfinite, isnan, logical_not -----------------------------------------------------

SPECIAL = np.array([[0.0, -1.5, np.inf], [-np.inf, np.nan, 2.0]])


@pytest.mark.parametrize("name,reference", [("isfinite", np.isfinite), ("isnan", np.isnan),
                                            ("logical_not", np.logical_not)])
def test_unary_tests_match_numpy(name, reference):
    x = Tensor(SPECIAL, requires_grad=True)
    out = getattr(autograd, name)(x)
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.data, reference(SPECIAL))


def test_logical_not_of_bool_and_int():
    np.testing.assert_array_equal(autograd.logical_not(Tensor([True, False])).data,
                                  [False, True])
    np.testing.assert_array_equal(autograd.logical_not(Tensor([0, 3])).data, [True, False])


def test_isfinite_of_ints_is_true():
    assert bool(autograd.isfinite(Tensor([1, 2])).all())
