"""The Value losses against their closed forms (computed with numpy here), their
gradients against the textbook derivatives, and their behaviour at extreme logits."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, gradcheck, grad
from autograd.value_losses import (binary_cross_entropy_with_logits, hinge_loss, softmax,
                                   softmax_cross_entropy, squared_error)

ORDINARY = settings(max_examples=25, deadline=None)


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


# ---- squared error -----------------------------------------------------------------------

@ORDINARY
@given(p=floats(-10, 10), t=floats(-10, 10))
def test_squared_error_value_and_gradients(p, t):
    prediction, target = Value(p), Value(t)
    loss = squared_error(prediction, target)
    loss.backward()
    assert loss.data == pytest.approx((p - t) ** 2, rel=1e-12, abs=1e-12)
    assert prediction.grad == pytest.approx(2 * (p - t), rel=1e-12, abs=1e-12)
    assert target.grad == pytest.approx(-2 * (p - t), rel=1e-12, abs=1e-12)


def test_squared_error_with_a_plain_number_target():
    prediction = Value(3.0)
    loss = squared_error(prediction, 5)
    loss.backward()
    assert (loss.data, prediction.grad) == (4.0, -4.0)


# ---- binary cross-entropy with logits ---------------------------------------------------

@ORDINARY
@given(z=floats(-15, 15), y=st.sampled_from([0.0, 1.0, 0.3]))
def test_bce_with_logits_matches_the_textbook_formula(z, y):
    # -[y log s + (1 - y) log(1 - s)], s = sigmoid(z); fine in float64 for |z| <= 15
    logit = Value(z)
    loss = binary_cross_entropy_with_logits(logit, y)
    s = np_sigmoid(np.float64(z))
    expected = -(y * np.log(s) + (1 - y) * np.log1p(-s))
    assert loss.data == pytest.approx(float(expected), rel=1e-9, abs=1e-12)
    loss.backward()
    assert logit.grad == pytest.approx(float(s - y), rel=1e-9, abs=1e-12)


def test_bce_with_logits_gradient_in_the_target():
    # d/dy [softplus(z) - y z] = -z
    logit, target = Value(0.8), Value(0.25)
    binary_cross_entropy_with_logits(logit, target).backward()
    assert target.grad == -0.8
    assert gradcheck(binary_cross_entropy_with_logits, (Value(0.8), Value(0.25)))


@pytest.mark.parametrize("z, y, loss, slope", [
    (1000.0, 1.0, 0.0, 0.0),       # confidently right
    (1000.0, 0.0, 1000.0, 1.0),    # confidently wrong: loss ~ z, slope sigmoid(z) - 0 = 1
    (-1000.0, 0.0, 0.0, 0.0),
    (-1000.0, 1.0, 1000.0, -1.0),  # slope sigmoid(-1000) - 1 = -1
])
def test_bce_with_logits_is_exact_at_extreme_logits(z, y, loss, slope):
    logit = Value(z)
    out = binary_cross_entropy_with_logits(logit, y)
    assert math.isfinite(out.data)
    assert out.data == pytest.approx(loss, abs=1e-300)
    out.backward()
    assert logit.grad == slope


def test_bce_with_logits_gradcheck_at_extreme_logits():
    for z in (-1000.0, -40.0, 40.0, 1000.0):
        assert gradcheck(lambda logit: binary_cross_entropy_with_logits(logit, 1.0), (Value(z),))


# ---- hinge loss ----------------------------------------------------------------------------

@pytest.mark.parametrize("score, label, loss, slope", [
    (0.3, 1, 0.7, -1.0),     # inside the margin: 1 - 0.3
    (2.0, 1, 0.0, 0.0),      # beyond the margin
    (0.3, -1, 1.3, 1.0),     # wrong side: 1 + 0.3
    (-2.5, -1, 0.0, 0.0),
])
def test_hinge_loss(score, label, loss, slope):
    s = Value(score)
    out = hinge_loss(s, label)
    out.backward()
    assert out.data == pytest.approx(loss)
    assert s.grad == slope


@ORDINARY
@given(score=floats(-5, 5), label=st.sampled_from([-1, 1]))
def test_hinge_loss_against_its_closed_form(score, label):
    s = Value(score)
    out = hinge_loss(s, label)
    out.backward()
    margin = 1 - label * score
    assert out.data == pytest.approx(max(0.0, margin), abs=1e-12)
    assert s.grad == (-label if margin > 0 else 0.0)


# ---- softmax and softmax cross-entropy ------------------------------------------------------

@ORDINARY
@given(z=st.lists(floats(-30, 30), min_size=1, max_size=5), data=st.data())
def test_softmax_cross_entropy_matches_numpy_logsumexp(z, data):
    target = data.draw(st.integers(0, len(z) - 1))
    logits = [Value(v) for v in z]
    loss = softmax_cross_entropy(logits, target)
    expected = np.logaddexp.reduce(np.array(z)) - z[target]
    assert loss.data == pytest.approx(float(expected), rel=1e-9, abs=1e-9)
    loss.backward()
    onehot = np.eye(len(z))[target]
    assert [v.grad for v in logits] == pytest.approx(list(np_softmax(z) - onehot), abs=1e-12)


def test_softmax_cross_entropy_by_hand():
    # logits (0, ln 3): softmax (1/4, 3/4); target 0: loss = log 4, grads (1/4 - 1, 3/4)
    logits = [Value(0.0), Value(math.log(3.0))]
    loss = softmax_cross_entropy(logits, 0)
    loss.backward()
    assert loss.data == pytest.approx(math.log(4.0))
    assert [v.grad for v in logits] == pytest.approx([-0.75, 0.75])


@pytest.mark.parametrize("target, loss", [(0, 0.0), (1, 1000.0), (2, 2000.0)])
def test_softmax_cross_entropy_is_stable_at_extreme_logits(target, loss):
    logits = [Value(1000.0), Value(0.0), Value(-1000.0)]
    out = softmax_cross_entropy(logits, target)
    assert math.isfinite(out.data)
    assert out.data == pytest.approx(loss, abs=1e-12)
    out.backward()
    expected = [1.0, 0.0, 0.0]
    expected[target] -= 1.0
    assert [v.grad for v in logits] == pytest.approx(expected, abs=1e-300)
    assert gradcheck(lambda *zs: softmax_cross_entropy(zs, target),
                     tuple(Value(v) for v in (1000.0, 0.0, -1000.0)))


@pytest.mark.parametrize("target", [3, -1, 10])
def test_softmax_cross_entropy_rejects_a_bad_target(target):
    with pytest.raises(IndexError, match=rf"target class {target} is outside 0\.\.2 for 3 logits"):
        softmax_cross_entropy([Value(0.0), Value(1.0), Value(2.0)], target)


def test_softmax_cross_entropy_accepts_plain_numbers_among_the_logits():
    z = Value(0.5)
    loss = softmax_cross_entropy([z, 2.0, -1.0], 1)
    assert loss.data == pytest.approx(float(np.logaddexp.reduce([0.5, 2.0, -1.0]) - 2.0))
    loss.backward()
    assert z.grad == pytest.approx(float(np_softmax([0.5, 2.0, -1.0])[0]))


@ORDINARY
@given(z=st.lists(floats(-30, 30), min_size=1, max_size=5))
def test_softmax_matches_numpy(z):
    probabilities = softmax([Value(v) for v in z])
    assert [p.data for p in probabilities] == pytest.approx(list(np_softmax(z)), abs=1e-12)
    assert math.fsum(p.data for p in probabilities) == pytest.approx(1.0)


def test_softmax_jacobian_is_diag_p_minus_p_p_transpose():
    z = [0.2, -1.0, 0.7]
    logits = [Value(v) for v in z]
    probabilities = softmax(logits)
    p = np_softmax(z)
    expected = np.diag(p) - np.outer(p, p)
    for k, out in enumerate(probabilities):
        row = grad(out, logits, retain_graph=True)
        assert list(row) == pytest.approx(list(expected[k]), abs=1e-12)


def test_softmax_is_stable_at_extreme_logits():
    probabilities = softmax([Value(1000.0), Value(0.0), Value(-1000.0)])
    assert [p.data for p in probabilities] == [1.0, 0.0, 0.0]
    assert gradcheck(lambda *zs: softmax(zs)[0], tuple(Value(v) for v in (1000.0, 0.0, -1000.0)))
    assert gradcheck(lambda *zs: tuple(softmax(zs)), tuple(Value(v) for v in (0.3, -0.2, 1.1)))
