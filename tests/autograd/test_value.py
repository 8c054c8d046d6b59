"""Every `Value` op, one by one: its forward against numpy, its gradient against the
derivative worked out by hand, and both against `gradcheck` (first order) and
`gradgradcheck` (second order), at ordinary points drawn by hypothesis and at the hard
points where naive code overflows, divides by zero or sits on a kink."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, grad, gradcheck, gradgradcheck, no_grad, numerical_grad

ORDINARY = settings(max_examples=20, deadline=None)


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def away_from_zero(bound, gap=1e-2):
    """Floats in [-bound, -gap] or [gap, bound]: clear of a kink at 0."""
    return st.one_of(floats(-bound, -gap), floats(gap, bound))


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name: (the op on Values, numpy forward, derivative worked out by hand, ordinary points)
UNARY = {
    "neg": (lambda a: -a, lambda x: -x, lambda x: -1.0, floats(-10, 10)),
    "exp": (Value.exp, np.exp, np.exp, floats(-20, 20)),
    "log": (Value.log, np.log, lambda x: 1.0 / x, floats(0.05, 50)),
    "sqrt": (Value.sqrt, np.sqrt, lambda x: 0.5 / np.sqrt(x), floats(0.05, 50)),
    "abs": (Value.abs, np.abs, np.sign, away_from_zero(10)),
    "tanh": (Value.tanh, np.tanh, lambda x: 1.0 / np.cosh(x) ** 2, floats(-5, 5)),
    "sigmoid": (Value.sigmoid, np_sigmoid, lambda x: np.exp(-x) / (1.0 + np.exp(-x)) ** 2,
                floats(-20, 20)),
    "relu": (Value.relu, lambda x: np.maximum(x, 0.0), lambda x: 1.0 if x > 0 else 0.0,
             away_from_zero(10)),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), lambda x: np.where(x > 0, x, 0.1 * x),
                   lambda x: 1.0 if x > 0 else 0.1, away_from_zero(10)),
    "softplus": (Value.softplus, lambda x: np.logaddexp(0.0, x), np_sigmoid, floats(-20, 20)),
    "sin": (Value.sin, np.sin, np.cos, floats(-10, 10)),
    "cos": (Value.cos, np.cos, lambda x: -np.sin(x), floats(-10, 10)),
    "pow 3": (lambda a: a ** 3, lambda x: x ** 3, lambda x: 3 * x ** 2, floats(-5, 5)),
    "pow 2.5": (lambda a: a ** 2.5, lambda x: x ** 2.5, lambda x: 2.5 * x ** 1.5,
                floats(0.05, 5)),
    "pow -2": (lambda a: a ** -2, lambda x: x ** -2.0, lambda x: -2 * x ** -3.0,
               away_from_zero(5, gap=0.2)),
    "pow 0.5": (lambda a: a ** 0.5, np.sqrt, lambda x: 0.5 / np.sqrt(x), floats(0.05, 50)),
}

# name: (the op, numpy forward, (d/da, d/db) by hand, points for a, points for b)
BINARY = {
    "add": (lambda a, b: a + b, lambda x, y: x + y, lambda x, y: (1.0, 1.0),
            floats(-10, 10), floats(-10, 10)),
    "sub": (lambda a, b: a - b, lambda x, y: x - y, lambda x, y: (1.0, -1.0),
            floats(-10, 10), floats(-10, 10)),
    "mul": (lambda a, b: a * b, lambda x, y: x * y, lambda x, y: (y, x),
            floats(-10, 10), floats(-10, 10)),
    "div": (lambda a, b: a / b, lambda x, y: x / y, lambda x, y: (1 / y, -x / y ** 2),
            floats(-10, 10), away_from_zero(10, gap=0.2)),
    "pow": (lambda a, b: a ** b, lambda x, y: x ** y,
            lambda x, y: (y * x ** (y - 1), x ** y * np.log(x)),
            floats(0.2, 5), floats(-3, 3)),
}


def derivative(op, x):
    out_x = Value(x)
    op(out_x).backward()
    return out_x.grad


# ---- ordinary points ------------------------------------------------------------------

@pytest.mark.parametrize("name", UNARY)
@ORDINARY
@given(data=st.data())
def test_unary_forward_matches_numpy(name, data):
    op, reference, _, points = UNARY[name]
    x = data.draw(points)
    assert op(Value(x)).data == pytest.approx(float(reference(np.float64(x))), rel=1e-12,
                                              abs=1e-14)


@pytest.mark.parametrize("name", UNARY)
@ORDINARY
@given(data=st.data())
def test_unary_gradient_matches_hand_derivative(name, data):
    op, _, hand, points = UNARY[name]
    x = data.draw(points)
    assert derivative(op, x) == pytest.approx(float(hand(np.float64(x))), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", UNARY)
@ORDINARY
@given(data=st.data())
def test_unary_gradcheck(name, data):
    op, _, _, points = UNARY[name]
    assert gradcheck(op, (Value(data.draw(points)),))


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_unary_gradgradcheck(name, data):
    op, _, _, points = UNARY[name]
    assert gradgradcheck(op, (Value(data.draw(points)),))


@pytest.mark.parametrize("name", BINARY)
@ORDINARY
@given(data=st.data())
def test_binary_forward_and_gradients_match_hand_derivatives(name, data):
    op, reference, hand, points_a, points_b = BINARY[name]
    x, y = data.draw(points_a), data.draw(points_b)
    a, b = Value(x), Value(y)
    out = op(a, b)
    out.backward()
    assert out.data == pytest.approx(float(reference(np.float64(x), np.float64(y))), rel=1e-12)
    da, db = hand(np.float64(x), np.float64(y))
    assert (a.grad, b.grad) == pytest.approx((float(da), float(db)), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", BINARY)
@ORDINARY
@given(data=st.data())
def test_binary_gradcheck(name, data):
    op, _, _, points_a, points_b = BINARY[name]
    assert gradcheck(op, (Value(data.draw(points_a)), Value(data.draw(points_b))))


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_binary_gradgradcheck(name, data):
    op, _, _, points_a, points_b = BINARY[name]
    assert gradgradcheck(op, (Value(data.draw(points_a)), Value(data.draw(points_b))))


@ORDINARY
@given(x=away_from_zero(5, gap=0.2), c=floats(0.2, 5))
def test_plain_number_on_the_left(x, c):
    """c + a, c - a, c * a, c / a and c ** a for a plain number c."""
    cases = [
        (lambda a: c + a, c + x, 1.0),
        (lambda a: c - a, c - x, -1.0),
        (lambda a: c * a, c * x, c),
        (lambda a: c / a, c / x, -c / x ** 2),
        (lambda a: c ** a, c ** x, c ** x * math.log(c)),
    ]
    for op, value, slope in cases:
        a = Value(x)
        out = op(a)
        out.backward()
        assert out.data == pytest.approx(value, rel=1e-12)
        assert a.grad == pytest.approx(slope, rel=1e-9, abs=1e-12)
        assert gradcheck(op, (Value(x),))


@ORDINARY
@given(xs=st.lists(floats(-10, 10), min_size=1, max_size=6))
def test_sum_matches_python_sum_and_passes_each_gradient_through(xs):
    values = [Value(x) for x in xs]
    total = Value.sum(values)
    assert total.data == pytest.approx(math.fsum(xs), abs=1e-9)
    total.backward()
    assert [v.grad for v in values] == [1.0] * len(xs)
    assert gradcheck(lambda *vs: Value.sum(vs), tuple(Value(x) for x in xs))


def test_sum_counts_a_repeated_term_and_lifts_numbers():
    a, b = Value(2.0), Value(3.0)
    total = Value.sum([a, a, b, 4, 0.5])
    assert total.data == 2 + 2 + 3 + 4 + 0.5
    total.backward()
    assert (a.grad, b.grad) == (2.0, 1.0)
    assert gradgradcheck(lambda a, b: Value.sum([a * a, a * b, b.exp()]), (Value(0.3), Value(-1.2)))


def test_sum_rejects_a_non_number():
    with pytest.raises(TypeError, match="Value.sum"):
        Value.sum([Value(1.0), "2"])


# ---- large magnitudes: stable, no OverflowError -----------------------------------------

def test_exp_overflows_to_inf_and_underflows_to_zero():
    assert Value(1000.0).exp().data == math.inf
    assert Value(-1000.0).exp().data == 0.0
    x = Value(1000.0)
    x.exp().backward()
    assert x.grad == math.inf


@pytest.mark.parametrize("x", [1000.0, -1000.0, 50.0, -50.0])
def test_sigmoid_at_large_magnitude(x):
    out = Value(x).sigmoid()
    if x == 1000.0:
        assert out.data == 1.0
    elif x == -1000.0:
        assert 0.0 <= out.data < 1e-300
    else:
        assert out.data == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("x, expected", [
    (1000.0, 1000.0),
    (50.0, 50.0 + math.log1p(math.exp(-50.0))),
    (-50.0, math.log1p(math.exp(-50.0))),
])
def test_softplus_at_large_magnitude(x, expected):
    assert Value(x).softplus().data == pytest.approx(expected, rel=1e-15)


def test_softplus_of_minus_1000_is_zero_not_nan():
    out = Value(-1000.0).softplus().data
    assert 0.0 <= out < 1e-300


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_tanh_saturates(x):
    a = Value(x)
    out = a.tanh()
    assert out.data == math.copysign(1.0, x)
    out.backward()
    assert a.grad == 0.0


@pytest.mark.parametrize("x", [50.0, -50.0, 1000.0, -1000.0])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus"])
def test_saturating_ops_gradcheck_at_large_magnitude(name, x):
    assert gradcheck(UNARY[name][0], (Value(x),))


@pytest.mark.parametrize("x", [50.0, -50.0, -1000.0])
def test_exp_gradcheck_at_large_magnitude(x):
    assert gradcheck(Value.exp, (Value(x),))


@pytest.mark.parametrize("x, slope", [(1000.0, 1.0), (-1000.0, 0.0)])
def test_sigmoid_and_softplus_derivatives_saturate_exactly(x, slope):
    """sigmoid'(z) = s(1 - s) and softplus'(z) = s are 0 or 1 in the limit, never nan."""
    assert derivative(Value.softplus, x) == slope
    assert derivative(Value.sigmoid, x) == 0.0


# ---- kinks: relu, abs and leaky_relu at 0 -------------------------------------------------

def test_relu_at_zero_uses_subgradient_zero_which_gradcheck_flags():
    # PyTorch's convention: d relu / dx at 0 is 0. The central difference straddles the
    # kink: (relu(eps) - relu(-eps)) / (2 eps) = 0.5, so gradcheck reports a mismatch.
    assert derivative(Value.relu, 0.0) == 0.0
    (numerical,) = numerical_grad(Value.relu, (Value(0.0),))
    assert numerical == pytest.approx(0.5)
    assert gradcheck(Value.relu, (Value(0.0),), raise_exception=False) is False


def test_abs_at_zero_uses_subgradient_zero_which_the_central_difference_agrees_with():
    # (|eps| - |-eps|) / (2 eps) = 0, the same as sign(0) = 0: no mismatch at this kink
    assert derivative(Value.abs, 0.0) == 0.0
    (numerical,) = numerical_grad(Value.abs, (Value(0.0),))
    assert numerical == 0.0
    assert gradcheck(Value.abs, (Value(0.0),))


def test_leaky_relu_at_zero_uses_the_slope_which_gradcheck_flags():
    # left derivative 0.1 is used; the central difference gives (1 + 0.1) / 2 = 0.55
    op = UNARY["leaky_relu"][0]
    assert derivative(op, 0.0) == pytest.approx(0.1)
    (numerical,) = numerical_grad(op, (Value(0.0),))
    assert numerical == pytest.approx(0.55)
    assert gradcheck(op, (Value(0.0),), raise_exception=False) is False


@pytest.mark.parametrize("x", [1e-3, -1e-3])
@pytest.mark.parametrize("name", ["relu", "abs", "leaky_relu"])
def test_kinked_ops_pass_gradcheck_just_beside_the_kink(name, x):
    assert gradcheck(UNARY[name][0], (Value(x),))


def test_leaky_relu_default_slope_is_one_hundredth():
    a = Value(-2.0)
    out = a.leaky_relu()
    out.backward()
    assert (out.data, a.grad) == (pytest.approx(-0.02), pytest.approx(0.01))


# ---- domain edges: IEEE results, never a Python exception -------------------------------

@pytest.mark.parametrize("make, expected", [
    (lambda: Value(0.0).log(), -math.inf),
    (lambda: Value(-1.0).log(), math.nan),
    (lambda: Value(-1.0).sqrt(), math.nan),
    (lambda: 1 / Value(0.0), math.inf),
    (lambda: -1 / Value(0.0), -math.inf),
    (lambda: 1 / Value(-0.0), -math.inf),
    (lambda: Value(0.0) / Value(0.0), math.nan),
    (lambda: Value(-8.0) ** (1 / 3), math.nan),
    (lambda: (-8.0) ** Value(1 / 3), math.nan),
    (lambda: Value(0.0) ** -1, math.inf),
    (lambda: Value(-0.0) ** -1, -math.inf),
    (lambda: Value(0.0) ** -2, math.inf),
    (lambda: Value(10.0) ** 400, math.inf),
    (lambda: Value(-10.0) ** 401, -math.inf),
    (lambda: Value(1e308) * 10, math.inf),
    (lambda: Value(math.inf) - Value(math.inf), math.nan),
    (lambda: Value(math.inf).sin(), math.nan),
    (lambda: Value(math.nan).relu(), math.nan),
    (lambda: Value(math.nan).sigmoid(), math.nan),
    (lambda: Value(math.nan).softplus(), math.nan),
])
def test_domain_edges_follow_ieee(make, expected):
    out = make().data
    if math.isnan(expected):
        assert math.isnan(out)
    else:
        assert out == pytest.approx(expected)


@pytest.mark.parametrize("op, x, expected", [
    (Value.log, 0.0, math.inf),           # 1 / 0
    (Value.sqrt, 0.0, math.inf),          # 1 / (2 sqrt 0)
    (lambda a: a ** 0.5, 0.0, math.inf),
    (lambda a: 1 / a, 0.0, -math.inf),    # -1 / 0**2
])
def test_backward_at_domain_edges_gives_inf_without_raising(op, x, expected):
    assert derivative(op, x) == expected


def test_power_zero_has_zero_gradient_even_at_zero():
    # a**0 = 1 for every a, so its derivative is 0; the formula 0 * a**-1 would be nan at 0
    assert derivative(lambda a: a ** 0, 0.0) == 0.0
    assert derivative(lambda a: a ** 0, 3.0) == 0.0


def test_zero_to_a_value_power_has_zero_exponent_gradient():
    # 0**b = 0 for every b > 0, so d/db is 0; out * log(0) would be 0 * -inf = nan
    b = Value(2.0)
    (g,) = grad(0.0 ** b, b)
    assert g == 0.0
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)  # d/da = 2 * 0**1 = 0


def test_value_to_the_power_zero_value_at_zero():
    # PyTorch's convention at 0**0: both partial derivatives are 0, not nan
    a, b = Value(0.0), Value(0.0)
    out = a ** b
    out.backward()
    assert out.data == 1.0
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_power_with_value_exponent_keeps_second_order_terms_at_exponent_zero():
    # d/da (a**b) = b a**(b-1); its derivative in b at b = 0 is a**-1 (+ 0): not lost
    a, b = Value(2.0), Value(0.0)
    (da, _) = grad(a ** b, (a, b), create_graph=True)
    (d2,) = grad(da, b)
    assert d2 == pytest.approx(1 / 2.0)


def test_power_of_negative_base_with_integer_value_exponent():
    # (-2)**b at b = 2 is 4 and d/da = 2 * (-2) = -4; d/db = 4 * log(-2) is nan (as in numpy)
    a, b = Value(-2.0), Value(2.0)
    out = a ** b
    out.backward()
    assert out.data == 4.0
    assert a.grad == -4.0
    assert math.isnan(b.grad)


# ---- the Value object itself --------------------------------------------------------------

@pytest.mark.parametrize("bad", ["1.0", b"1", None, [1.0], 1 + 2j])
def test_value_rejects_non_real_data(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_value_rejects_a_value_as_data():
    with pytest.raises(TypeError):
        Value(Value(1.0))


def test_value_stores_a_python_float():
    for data in (3, np.float32(0.5), np.int64(-2), True):
        assert type(Value(data).data) is float
    assert Value(np.float32(0.5)).data == 0.5


def test_comparisons_compare_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b
    assert Value(3.0) > Value(2.0)
    assert a != b and a == a
    assert len({a, b}) == 2


def test_unsupported_operand_raises_type_error():
    with pytest.raises(TypeError):
        Value(1.0) + "x"
    with pytest.raises(TypeError):
        Value(1.0) * [1]


def test_detach_item_float_and_pos():
    a = Value(2.5, label="a")
    d = a.detach()
    assert d is not a and d.data == 2.5 and not d.requires_grad and d.label == "a"
    assert a.item() == 2.5 and float(a) == 2.5
    assert +a is a


def test_repr_shows_label_data_and_grad():
    a = Value(2.0, label="w")
    (a * 3).backward()
    assert repr(a) == "Value(label='w', data=2, grad=3)"


def test_op_names_for_diagrams():
    a, b = Value(2.0), Value(3.0)
    ops = {
        "+": a + b, "-": a - b, "*": a * b, "/": a / b, "neg": -a, "**": a ** b,
        "**3": a ** 3, "**0.5": a ** 0.5, "exp": a.exp(), "log": a.log(), "sqrt": a.sqrt(),
        "abs": abs(a), "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu(),
        "leaky_relu(0.2)": a.leaky_relu(0.2), "softplus": a.softplus(), "sin": a.sin(),
        "cos": a.cos(), "sum": Value.sum([a, b]),
    }
    assert {name: out.op for name, out in ops.items()} == {name: name for name in ops}
    assert a.op is None and a.is_leaf and not (a + b).is_leaf


def test_a_value_from_constants_only_is_a_constant():
    c = Value(2.0, requires_grad=False)
    out = (c * 3).exp()
    assert not out.requires_grad and out.parents == () and out.op is None
    with no_grad():
        assert (Value(1.0) + 1).parents == ()
