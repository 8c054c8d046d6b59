"""Gradient clipping: returned norms and clipped values worked out by hand, p-norms and
the inf norm, the non-finite error, Value parameters, and PyTorch's results."""
import math

import numpy as np
import pytest

from autograd import Tensor, Value
from optim import clip_grad_norm_, clip_grad_value_


def params_with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        p = Tensor(np.zeros(np.shape(g), dtype=dtype), requires_grad=True)
        p.grad = Tensor(np.array(g, dtype=dtype))
        params.append(p)
    return params


def test_norm_over_all_parameters_and_clipped_values_by_hand():
    a, b = params_with_grads([3.0, 0.0], [[0.0], [4.0]])     # together: norm 5
    array_a = a.grad.data
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert isinstance(total, Tensor) and total.item() == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_array_equal(a.grad.data, [3.0 * coef, 0.0])
    np.testing.assert_array_equal(b.grad.data, [[0.0], [4.0 * coef]])
    assert a.grad.data is array_a                              # in place
    assert math.hypot(3.0 * coef, 4.0 * coef) < 1.0            # just below max_norm


def test_small_gradients_are_not_scaled_up():
    (a,) = params_with_grads([0.3, 0.4])
    total = clip_grad_norm_([a], max_norm=10.0)
    assert total.item() == pytest.approx(0.5, rel=1e-15)
    np.testing.assert_array_equal(a.grad.data, [0.3, 0.4])


def test_all_zero_gradients_stay_zero():
    (a,) = params_with_grads([0.0, 0.0])
    assert clip_grad_norm_([a], max_norm=1.0).item() == 0.0
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.0])


def test_inf_norm_is_the_largest_entry():
    a, b = params_with_grads([1.0, -6.0], [2.0])
    total = clip_grad_norm_([a, b], max_norm=3.0, norm_type=math.inf)
    assert total.item() == 6.0
    coef = 3.0 / (6.0 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [coef, -6.0 * coef], rtol=1e-15)
    np.testing.assert_allclose(b.grad.data, [2.0 * coef], rtol=1e-15)


def test_one_norm_and_string_inf():
    a, b = params_with_grads([1.0, -2.0], [3.0])
    assert clip_grad_norm_([a, b], max_norm=100.0, norm_type=1).item() == 6.0
    assert clip_grad_norm_([a, b], max_norm=100.0, norm_type="inf").item() == 3.0


def test_parameters_without_grad_are_skipped_and_a_single_tensor_is_accepted():
    (a,) = params_with_grads([6.0, 8.0])
    no_grad = Tensor(np.zeros(3), requires_grad=True)
    assert clip_grad_norm_([a, no_grad], max_norm=5.0).item() == 10.0
    assert no_grad.grad is None
    np.testing.assert_allclose(a.grad.data, [6.0 * 5 / (10 + 1e-6), 8.0 * 5 / (10 + 1e-6)])
    (b,) = params_with_grads([0.0, 2.0])
    assert clip_grad_norm_(b, max_norm=1.0).item() == 2.0


def test_non_finite_norm_raises_only_when_asked():
    a, b = params_with_grads([1.0, np.inf], [1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([a, b], max_norm=1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(b.grad.data, [1.0])         # nothing changed
    total = clip_grad_norm_([a, b], max_norm=1.0)              # as PyTorch: scale by 1/inf
    assert math.isinf(total.item())
    np.testing.assert_array_equal(b.grad.data, [0.0])
    (c,) = params_with_grads([np.nan])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([c], max_norm=1.0, error_if_nonfinite=True)


def test_float32_gradients_give_a_float32_norm():
    (a,) = params_with_grads([3.0, 4.0], dtype=np.float32)
    total = clip_grad_norm_([a], max_norm=1.0)
    assert total.dtype == np.float32 and a.grad.data.dtype == np.float32


def test_value_parameters_return_a_float():
    x, y = Value(1.0), Value(2.0)
    x.grad, y.grad = 3.0, -4.0
    total = clip_grad_norm_([x, y], max_norm=2.5)
    assert isinstance(total, float) and total == 5.0
    assert x.grad == pytest.approx(3.0 * 2.5 / (5.0 + 1e-6), rel=1e-15)
    assert y.grad == pytest.approx(-4.0 * 2.5 / (5.0 + 1e-6), rel=1e-15)


def test_clip_grad_value_clamps_each_entry():
    a, b = params_with_grads([-3.0, 0.5, 2.0], [0.1])
    v = Value(0.0)
    v.grad = -7.0
    clip_grad_value_([a, b, v], clip_value=1.0)
    np.testing.assert_array_equal(a.grad.data, [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.1])
    assert v.grad == -1.0
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_([a], clip_value=-1.0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    ours = params_with_grads(*grads)
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(theirs, grads):
        p.grad = torch.tensor(g)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    reference = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(reference.item(), rel=1e-13)
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.data, their.grad.numpy(), rtol=1e-13)


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(1).normal(size=(4, 3))
    (ours,) = params_with_grads(g)
    theirs = torch.zeros(4, 3, dtype=torch.float64, requires_grad=True)
    theirs.grad = torch.tensor(g)
    clip_grad_value_([ours], 0.5)
    torch.nn.utils.clip_grad_value_([theirs], 0.5)
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())
