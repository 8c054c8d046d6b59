"""Elementwise ops: sqrt, abs, sign, sin, cos, square, maximum, minimum, where, clamp/clip,
and the arithmetic operators (including reflected and power forms)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
TRIPLES = hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=20, deadline=None)


def uniform(seed, shape, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from_zero(array, margin=0.1):
    """Values with |v| >= margin, so finite differences never straddle a kink at 0."""
    return np.where(array >= 0, array + margin, array - margin)


def leaf(array, dtype=np.float64):
    return Tensor(np.asarray(array, dtype=dtype), requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


# ---- unary ops: values against numpy, first and second derivatives -------------------

UNARY = {
    # name: (function, numpy reference, input transform keeping away from kinks/domain edges)
    "sqrt": (autograd.sqrt, np.sqrt, lambda v: np.abs(v) + 0.5),
    "abs": (autograd.abs, np.abs, away_from_zero),
    "sign": (autograd.sign, np.sign, away_from_zero),
    "sin": (autograd.sin, np.sin, lambda v: v),
    "cos": (autograd.cos, np.cos, lambda v: v),
    "square": (autograd.square, np.square, lambda v: v),
    "exp": (autograd.exp, np.exp, lambda v: v),
    "log": (autograd.log, np.log, lambda v: np.abs(v) + 0.5),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_unary_values_and_gradients(name, shape, seed):
    function, reference, prepare = UNARY[name]
    x = leaf(prepare(uniform(seed, shape)))
    out = function(x)
    assert out.shape == shape
    np.testing.assert_allclose(out.data, reference(x.data), rtol=1e-12, atol=0)
    check_both_orders(function, x)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_methods_match_functions(name):
    function = UNARY[name][0]
    x = leaf([0.7, 1.5])
    method = getattr(x, name, None)
    if method is None:
        pytest.skip(f"{name} is not a Tensor method")
    np.testing.assert_array_equal(method().data, function(x).data)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_keeps_float32(name):
    function, _, prepare = UNARY[name]
    x = leaf(prepare(np.array([0.3, -1.2, 2.0])), dtype=np.float32)
    out = function(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_unary_on_empty_tensor():
    x = leaf(np.zeros((0, 3)))
    out = autograd.sin(x).sum()
    out.backward()
    assert x.grad.shape == (0, 3)


def test_abs_gradient_is_zero_at_zero():
    x = leaf([-2.0, 0.0, 3.0])
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


def test_sign_is_flat_and_keeps_grad_like_pytorch():
    x = leaf([-2.0, 0.0, 3.0])
    out = x.sign()
    np.testing.assert_array_equal(out.data, [-1.0, 0.0, 1.0])
    assert out.requires_grad  # as torch.sign: differentiable with a zero gradient
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])


def test_sqrt_at_zero_is_infinite_slope_without_warnings():
    x = leaf([0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        autograd.sqrt(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [np.inf, 0.25])


def test_sqrt_of_negative_is_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = autograd.sqrt(Tensor([-1.0]))
    assert np.isnan(out.data).all()


# ---- maximum and minimum --------------------------------------------------------------

def untied_pair(seed, shapes):
    a = uniform(seed, shapes[0])
    b = uniform(seed + 1, shapes[1])
    a_wide, b_wide = np.broadcast_arrays(a, b)
    if np.any(np.abs(a_wide - b_wide) < 0.05):  # keep finite differences off the kink
        b = b + 10.0
    return a, b


@pytest.mark.parametrize("name,reference", [("maximum", np.maximum), ("minimum", np.minimum)])
@FAST
@given(shapes=PAIRS, seed=st.integers(0, 2**31))
def test_maximum_minimum_broadcast_values_and_gradients(name, reference, shapes, seed):
    function = getattr(autograd, name)
    a, b = untied_pair(seed, shapes.input_shapes)
    x, y = leaf(a), leaf(b)
    out = function(x, y)
    assert out.shape == shapes.result_shape
    np.testing.assert_array_equal(out.data, reference(a, b))
    check_both_orders(function, x, y)


def test_maximum_ties_split_gradient_evenly():
    a = leaf([1.0, 2.0, 3.0, 4.0])
    b = leaf([1.0, 0.0, 5.0, 4.0])
    autograd.maximum(a, b).backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(a.grad.data, [0.5, 2.0, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0, 3.0, 2.0])


def test_minimum_ties_split_gradient_evenly():
    a = leaf([1.0, 2.0, 3.0])
    b = leaf([1.0, 0.0, 5.0])
    autograd.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


def test_maximum_of_a_tensor_with_itself_passes_the_whole_gradient():
    x = leaf([1.0, -2.0])
    autograd.maximum(x, x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_maximum_ties_with_broadcast_number():
    x = leaf([[0.0, 1.0], [-1.0, 0.0]])
    autograd.maximum(x, 0).sum().backward()  # a number on the right, like relu
    np.testing.assert_array_equal(x.grad.data, [[0.5, 1.0], [0.0, 0.5]])
    y = leaf([0.0, 2.0])
    autograd.minimum(1, y).sum().backward()  # and on the left
    np.testing.assert_array_equal(y.grad.data, [1.0, 0.0])


def test_maximum_ties_match_torch():
    torch = pytest.importorskip("torch")
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
    x, y = leaf(a), leaf(b)
    autograd.maximum(x, y).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    ty = torch.tensor(b, requires_grad=True)
    torch.maximum(tx, ty).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    np.testing.assert_array_equal(y.grad.data, ty.grad.numpy())


def test_maximum_keeps_float32():
    x, y = leaf([1.0, 2.0], np.float32), leaf([2.0, 2.0], np.float32)
    out = autograd.maximum(x, y)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float32


def test_maximum_bad_broadcast_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"maximum: shapes \(2, 3\) and \(4,\) cannot be "
                                           r"broadcast"):
        autograd.maximum(Tensor(np.zeros((2, 3))), Tensor(np.zeros(4)))


# ---- where ----------------------------------------------------------------------------

@FAST
@given(shapes=TRIPLES, seed=SEEDS)
def test_where_broadcast_values_and_gradients(shapes, seed):
    condition_shape, a_shape, b_shape = shapes.input_shapes
    condition = np.random.default_rng(seed).random(condition_shape) > 0.5
    a, b = leaf(uniform(seed, a_shape)), leaf(uniform(seed ^ 1, b_shape))
    out = autograd.where(Tensor(condition), a, b)
    np.testing.assert_array_equal(out.data, np.where(condition, a.data, b.data))
    check_both_orders(lambda p, q: autograd.where(Tensor(condition), p, q), a, b)


def test_where_masks_gradients():
    condition = np.array([True, False, True])
    a, b = leaf([1.0, 2.0, 3.0]), leaf([10.0, 20.0, 30.0])
    autograd.where(condition, a, b).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, 2.0, 0.0])


def test_where_with_numbers_and_comparison_condition():
    x = leaf([-1.0, 0.5, 2.0])
    out = autograd.where(x > 0, x, 0)
    np.testing.assert_array_equal(out.data, [0.0, 0.5, 2.0])
    assert out.dtype == np.float64
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])


def test_where_keeps_int_numbers_as_numbers_next_to_a_bool_condition():
    out = autograd.where(Tensor([True, False]), 2, Tensor([5, 6]))
    np.testing.assert_array_equal(out.data, [2, 6])


def test_where_needs_a_bool_condition():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got dtype "
                                        "float32"):
        autograd.where(Tensor([1.0, 0.0]), Tensor([1.0, 2.0]), 0.0)


def test_where_bad_broadcast_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"where: shapes \(2,\) and \(3,\) and \(\) "):
        autograd.where(np.array([True, False]), Tensor([1.0, 2.0, 3.0]), 0.0)


def test_where_keeps_float32():
    x = leaf([1.0, -2.0], np.float32)
    out = autograd.where(x > 0, x, 0.5)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


# ---- clamp / clip ---------------------------------------------------------------------

BOUNDS = st.sampled_from([(-0.5, 0.7), (None, 0.3), (-0.2, None), (1.0, 1.5)])


@FAST
@given(shape=SHAPES, seed=SEEDS, bounds=BOUNDS)
def test_clamp_values_and_gradients(shape, seed, bounds):
    low, high = bounds
    values = uniform(seed, shape)
    for bound in (low, high):  # off the corners, where the slope jumps
        if bound is not None:
            values = np.where(np.abs(values - bound) < 0.01, values + 0.05, values)
    x = leaf(values)
    out = autograd.clamp(x, min=low, max=high)
    np.testing.assert_array_equal(out.data, np.clip(values, low, high))
    check_both_orders(lambda t: autograd.clamp(t, min=low, max=high), x)


def test_clamp_gradient_passes_on_the_boundary_like_pytorch():
    x = leaf([-1.0, 0.0, 0.5, 1.0, 2.0])
    x.clamp(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clamp_with_one_bound():
    x = leaf([-1.0, 0.0, 2.0])
    out = autograd.clamp(x, min=0)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])
    y = leaf([-1.0, 0.0, 2.0])
    autograd.clamp(y, max=0).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [1.0, 1.0, 0.0])


def test_clamp_with_min_above_max_gives_max_and_no_gradient():
    x = leaf([-1.0, 0.5, 3.0])
    out = autograd.clamp(x, min=2.0, max=1.0)
    np.testing.assert_array_equal(out.data, [1.0, 1.0, 1.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])


def test_clamp_matches_torch_on_boundaries():
    torch = pytest.importorskip("torch")
    values = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    x = leaf(values)
    x.clamp(min=0.0, max=1.0).sum().backward()
    t = torch.tensor(values, requires_grad=True)
    t.clamp(min=0.0, max=1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_clip_is_clamp():
    x = leaf([-3.0, 0.2, 3.0])
    np.testing.assert_array_equal(x.clip(-1, 1).data, autograd.clamp(x, -1, 1).data)
    np.testing.assert_array_equal(autograd.clip(x, max=0).data, [-3.0, 0.0, 0.0])


def test_clamp_keeps_float32():
    x = leaf([-3.0, 0.2, 3.0], np.float32)
    out = x.clamp(min=np.float64(-1.0), max=1)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        autograd.clamp(Tensor([1.0]))


def test_clamp_rejects_tensor_bounds():
    with pytest.raises(TypeError, match="clamp: min must be a number or None, got Tensor"):
        autograd.clamp(Tensor([1.0]), min=Tensor([0.0]))


# ---- operators and their reflected and power forms ------------------------------------

OPERATOR_FORMS = {
    "2 - x": (lambda x: 2 - x, lambda v: 2 - v),
    "2 / x": (lambda x: 2 / x, lambda v: 2 / v),
    "2 ** x": (lambda x: 2 ** x, lambda v: 2 ** v),
    "x ** 2": (lambda x: x ** 2, lambda v: v ** 2),
    "x ** 0.5": (lambda x: x ** 0.5, lambda v: v ** 0.5),
    "3 * x + 1": (lambda x: 3 * x + 1, lambda v: 3 * v + 1),
    "-x": (lambda x: -x, lambda v: -v),
    "abs(x)": (lambda x: abs(x), np.abs),
    "x.exp()": (lambda x: x.exp(), np.exp),
    "x.square()": (lambda x: x.square(), np.square),
}


@pytest.mark.parametrize("form", sorted(OPERATOR_FORMS))
@settings(max_examples=10, deadline=None)
@given(shape=SHAPES, seed=SEEDS)
def test_operator_forms(form, shape, seed):
    function, reference = OPERATOR_FORMS[form]
    x = leaf(uniform(seed, shape, 0.5, 2.0))
    np.testing.assert_allclose(function(x).data, reference(x.data), rtol=1e-12)
    check_both_orders(function, x)


@settings(max_examples=10, deadline=None)
@given(shapes=PAIRS, seed=SEEDS)
def test_tensor_power_tensor(shapes, seed):
    x = leaf(uniform(seed, shapes.input_shapes[0], 0.5, 2.0))
    y = leaf(uniform(seed ^ 7, shapes.input_shapes[1], -1.5, 1.5))
    np.testing.assert_allclose((x ** y).data, x.data ** y.data, rtol=1e-12)
    check_both_orders(lambda p, q: p ** q, x, y)


def test_reflected_operators_keep_float32():
    x = leaf([0.5, 1.5], np.float32)
    for out in (2 - x, 2 ** x, x ** 2, 2 / x, x.exp()):
        assert out.dtype == np.float32
    (2 ** x).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, np.log(2) * 2 ** x.data, rtol=1e-6)


def test_even_split_at_a_tie_agrees_with_central_differences():
    # (max(t + eps, t) - max(t - eps, t)) / (2 eps) = 1/2: the even split is the
    # symmetric derivative, so gradcheck holds even exactly at the tie
    x, y = leaf([2.0, -1.0]), leaf([2.0, -1.0])
    assert gradcheck(autograd.maximum, (x, y))
    assert gradcheck(autograd.minimum, (x, y))
