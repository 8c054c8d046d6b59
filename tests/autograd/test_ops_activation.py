"""Activations: tanh, sigmoid, relu, leaky_relu, softplus, softmax, log_softmax."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=20, deadline=None)


def uniform(seed, shape, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from(array, point, margin=0.05):
    """Values at least `margin` from `point`, so finite differences never straddle it."""
    return np.where(array >= point, np.maximum(array, point + margin),
                    np.minimum(array, point - margin))


def leaf(array, dtype=np.float64):
    return Tensor(np.asarray(array, dtype=dtype), requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


@pytest.fixture
def strict_numpy():
    """Overflow, division by zero or invalid values anywhere fail (underflow to 0 is
    harmless and allowed)."""
    with np.errstate(over="raise", divide="raise", invalid="raise"), \
            warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def softplus_reference(v, beta=1.0, threshold=20.0):
    with np.errstate(over="ignore"):
        return np.where(beta * v > threshold, v, np.log(1 + np.exp(beta * v)) / beta)


POINTWISE = {
    # name: (function, reference on moderate inputs, kink to keep away from or None)
    "tanh": (autograd.tanh, np.tanh, None),
    "sigmoid": (autograd.sigmoid, lambda v: 1 / (1 + np.exp(-v)), None),
    "relu": (autograd.relu, lambda v: v * (v > 0), 0.0),
    "leaky_relu": (autograd.leaky_relu, lambda v: np.where(v > 0, v, 0.01 * v), 0.0),
    "leaky_relu(0.2)": (lambda x: autograd.leaky_relu(x, negative_slope=0.2),
                        lambda v: np.where(v > 0, v, 0.2 * v), 0.0),
    "softplus": (autograd.softplus, softplus_reference, None),
    "softplus(beta=2, threshold=3)": (
        lambda x: autograd.softplus(x, beta=2, threshold=3),
        lambda v: softplus_reference(v, 2.0, 3.0), 1.5),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
@FAST
@given(shape=SHAPES, seed=SEEDS)
def test_pointwise_values_and_gradients(name, shape, seed):
    function, reference, kink = POINTWISE[name]
    values = uniform(seed, shape)
    if kink is not None:
        values = away_from(values, kink)
    x = leaf(values)
    np.testing.assert_allclose(function(x).data, reference(values), rtol=1e-12, atol=1e-15)
    check_both_orders(function, x)


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_keeps_float32(name):
    function = POINTWISE[name][0]
    x = leaf([-2.0, 0.5, 30.0], np.float32)
    out = function(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "leaky_relu", "softplus"])
def test_methods(name):
    x = leaf([-1.0, 0.5])
    np.testing.assert_array_equal(getattr(x, name)().data, getattr(autograd, name)(x).data)


def test_relu_gradient_at_zero_is_zero():
    x = leaf([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


def test_leaky_relu_gradient_at_zero_is_the_slope_like_pytorch():
    x = leaf([-1.0, 0.0, 2.0])
    autograd.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.1, 0.1, 1.0])


def test_sigmoid_and_tanh_at_extremes_are_exact(strict_numpy):
    x = leaf([-1000.0, 0.0, 1000.0])
    s = x.sigmoid()
    np.testing.assert_array_equal(s.data, [0.0, 0.5, 1.0])
    s.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.25, 0.0])
    np.testing.assert_array_equal(autograd.tanh(x).data, [-1.0, 0.0, 1.0])


def test_sigmoid_float32_extremes_do_not_overflow(strict_numpy):
    x = leaf([-1000.0, -90.0, 90.0, 1000.0], np.float32)
    out = x.sigmoid()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data[[0, 3]], [0.0, 1.0])
    assert np.isfinite(out.data).all()


def test_softplus_at_extremes_is_exact(strict_numpy):
    x = leaf([-1000.0, 0.0, 1000.0])
    out = autograd.softplus(x)
    np.testing.assert_array_equal(out.data, [0.0, np.log(2.0), 1000.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 1.0])


def test_softplus_is_stable_even_above_a_huge_threshold(strict_numpy):
    x = leaf([-1000.0, 1000.0])
    out = autograd.softplus(x, beta=1.0, threshold=1e9)  # the smooth formula everywhere
    np.testing.assert_array_equal(out.data, [0.0, 1000.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


def test_softplus_threshold_switch_is_linear_like_pytorch():
    x = leaf([2.9, 3.1])
    out = autograd.softplus(x, beta=1.0, threshold=3.0)
    assert out.data[1] == 3.1  # beta * x > threshold: exactly x
    assert out.data[0] == pytest.approx(np.log1p(np.exp(2.9)))
    out.sum().backward()
    assert x.grad.data[1] == 1.0
    assert x.grad.data[0] == pytest.approx(1 / (1 + np.exp(-2.9)))


def test_softplus_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.linspace(-30, 30, 61)
    for beta, threshold in [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0)]:
        x = leaf(values)
        out = autograd.softplus(x, beta=beta, threshold=threshold)
        out.sum().backward()
        t = torch.tensor(values, requires_grad=True)
        expected = torch.nn.functional.softplus(t, beta=beta, threshold=threshold)
        expected.sum().backward()
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


# ---- softmax and log_softmax ----------------------------------------------------------

def softmax_reference(values, dim):
    e = np.exp(values)
    return e / e.sum(axis=dim, keepdims=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@FAST
@given(shape=SHAPES, seed=SEEDS, data=st.data())
def test_softmax_values_and_gradients(name, shape, seed, data):
    ndim = len(shape)
    dim = data.draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
    values = uniform(seed, shape)
    x = leaf(values)
    function = getattr(autograd, name)
    out = function(x, dim)
    expected = softmax_reference(values, dim if ndim else None)
    if name == "log_softmax":
        expected = np.log(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(getattr(x, name)(dim).data, out.data)
    check_both_orders(lambda t: function(t, dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_huge_logits_is_exact(name, strict_numpy):
    x = leaf([1000.0, 0.0, -1000.0])
    out = getattr(autograd, name)(x, dim=0)
    expected = [1.0, 0.0, 0.0] if name == "softmax" else [0.0, -1000.0, -2000.0]
    np.testing.assert_array_equal(out.data, expected)
    out.backward(np.array([1.0, 2.0, 3.0]))
    assert np.isfinite(x.grad.data).all()


def test_log_softmax_gradient_at_huge_logits():
    x = leaf([1000.0, 0.0, -1000.0])
    autograd.log_softmax(x, 0).backward(np.array([0.0, 1.0, 0.0]))
    # d out_1 / d x = onehot(1) - softmax(x) = [-1, 1, 0]
    np.testing.assert_array_equal(x.grad.data, [-1.0, 1.0, 0.0])


def test_softmax_float32_huge_logits(strict_numpy):
    x = leaf([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]], np.float32)
    out = autograd.softmax(x, -1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    logs = autograd.log_softmax(x, -1)
    assert logs.dtype == np.float32
    (out.sum() + logs.sum()).backward()
    assert x.grad.dtype == np.float32


def test_log_softmax_with_masked_logits():
    x = leaf([-np.inf, 0.0, 0.0])
    out = autograd.log_softmax(x, 0)
    np.testing.assert_array_equal(out.data, [-np.inf, np.log(0.5), np.log(0.5)])
    out.backward(np.array([0.0, 1.0, 1.0]))  # d(out_1 + out_2): g - softmax * sum(g)
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 0.0], atol=1e-15)


def test_softmax_rows_sum_to_one_and_gradients_sum_to_zero():
    x = leaf(uniform(3, (4, 5)))
    out = autograd.softmax(x, 1)
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0, rtol=1e-12)
    out.backward(uniform(4, (4, 5)))
    np.testing.assert_allclose(x.grad.data.sum(axis=1), 0.0, atol=1e-12)


def test_softmax_of_zero_d_and_empty():
    np.testing.assert_array_equal(autograd.softmax(Tensor(5.0), 0).data, 1.0)
    empty = autograd.log_softmax(Tensor(np.zeros((0, 3))), 1)
    assert empty.shape == (0, 3)


def test_softmax_dtype_argument():
    out = autograd.softmax(Tensor([1.0, 2.0]), 0, dtype=np.float64)
    assert out.dtype == np.float64


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dim_is_required(name):
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        getattr(autograd, name)(x)
    with pytest.raises(TypeError, match=f"{name}: dim is required"):
        getattr(autograd, name)(x, None)
    with pytest.raises(TypeError, match=f"{name}: dim must be one int"):
        getattr(autograd, name)(x, (0,))


def test_softmax_bad_dim_names_op():
    with pytest.raises(IndexError, match="softmax: dim 2 is out of range for a tensor with 2 "
                                         "dimensions"):
        autograd.softmax(Tensor(np.zeros((2, 2))), 2)


def test_softmax_matches_torch():
    torch = pytest.importorskip("torch")
    values = uniform(11, (3, 4))
    weights = uniform(12, (3, 4))
    for name in ("softmax", "log_softmax"):
        x = leaf(values)
        getattr(autograd, name)(x, 0).backward(weights)
        t = torch.tensor(values, requires_grad=True)
        getattr(torch, name)(t, 0).backward(torch.tensor(weights))
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)
