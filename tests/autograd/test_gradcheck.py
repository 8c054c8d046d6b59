"""`gradcheck`, `gradgradcheck` and `numerical_grad` as tools: what they report when a
backward is wrong, and that the numbers they compare are the right ones."""
import math

import pytest

from autograd import (Function, GradcheckError, Value, gradcheck, gradgradcheck,
                      numerical_grad)


class ProductWrongInB(Function):
    """a * b whose backward gets d/db wrong: it returns 2 a g instead of a g."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * 2 * a


class SumWrongByIndex(Function):
    """x0 + ... + xn whose backward returns (i + 2) g for input i (the truth is g), so
    input i is off by i + 1."""

    @staticmethod
    def forward(ctx, *xs):
        return Value.sum(xs)

    @staticmethod
    def backward(ctx, grad_output):
        return tuple(grad_output * (i + 2) for i in range(len(ctx.needs_input_grad)))


def table_rows(message):
    """The rows of the mismatch table: every line after the header, split on spaces."""
    lines = message.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["input", "element"])
    assert lines[header].split() == ["input", "element", "output", "numerical", "analytical",
                                     "abs", "error", "rel", "error"]
    return [line.split() for line in lines[header + 1:]]


def test_failure_message_names_the_wrong_input_and_shows_both_values():
    # f = a b at (1.5, -2):  df/da = b = -2 (right), df/db = a = 1.5 (backward says 3)
    with pytest.raises(GradcheckError) as failure:
        gradcheck(ProductWrongInB.apply, (Value(1.5), Value(-2.0)))
    message = str(failure.value)
    assert "disagree at 1 entries" in message
    assert "eps=1e-06" in message and "atol=1e-05" in message and "rtol=0.001" in message
    rows = table_rows(message)
    assert len(rows) == 1
    index, element, output, numerical, analytical, abs_error, rel_error = rows[0]
    assert (index, element, output) == ("1", "()", "()")
    assert float(numerical) == pytest.approx(1.5, rel=1e-6)
    assert float(analytical) == 3.0
    assert float(abs_error) == pytest.approx(1.5, rel=1e-3)
    assert float(rel_error) == pytest.approx(1.0, rel=1e-3)


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_raise_exception_false_returns_false():
    assert gradcheck(ProductWrongInB.apply, (Value(1.5), Value(-2.0)),
                     raise_exception=False) is False


def test_input_not_requiring_grad_is_not_checked():
    # with b a constant only d/da is compared, and that one is right
    assert gradcheck(ProductWrongInB.apply, (Value(1.5), Value(-2.0, requires_grad=False)))


def test_nothing_to_check_is_an_error():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda a: a * 2, (Value(1.0, requires_grad=False),))


def test_long_failure_tables_are_cut_and_sorted_by_error():
    xs = tuple(Value(float(i)) for i in range(12))
    with pytest.raises(GradcheckError) as failure:
        gradcheck(SumWrongByIndex.apply, xs)
    message = str(failure.value)
    assert "disagree at 12 entries" in message
    assert message.splitlines()[-1] == "... and 2 more mismatched entries"
    rows = table_rows(message)[:-1]
    # worst first: input 11 (off by 12) down to input 2 (off by 3); 1 and 0 are cut
    assert [row[0] for row in rows] == [str(i) for i in range(11, 1, -1)]
    assert [float(row[5]) for row in rows] == pytest.approx([i + 1.0 for i in range(11, 1, -1)],
                                                            rel=1e-6)


def test_mismatch_in_the_second_of_two_outputs_is_labelled():
    # outputs (a + b, a b) with the wrong product second: output column reads "1:()"
    def two_outputs(a, b):
        return a + b, ProductWrongInB.apply(a, b)

    with pytest.raises(GradcheckError) as failure:
        gradcheck(two_outputs, (Value(0.5), Value(4.0)))
    ((index, element, output, numerical, analytical, *_),) = table_rows(str(failure.value))
    assert (index, output) == ("1", "1:()")
    assert (float(numerical), float(analytical)) == (pytest.approx(0.5), 1.0)


def test_tolerances_decide_a_near_miss():
    class SlightlyOff(Function):
        """3 x whose backward says 3.0003 (relative error 1e-4)."""

        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 3.0003

    assert gradcheck(SlightlyOff.apply, (Value(1.0),))
    assert gradcheck(SlightlyOff.apply, (Value(1.0),), atol=0.0, rtol=1e-6,
                     raise_exception=False) is False


def test_gradcheck_leaves_inputs_as_they_were():
    a, b = Value(0.3), Value(-0.7)
    gradcheck(lambda a, b: (a * b).exp(), (a, b))
    gradcheck(ProductWrongInB.apply, (a, b), raise_exception=False)
    assert (a.data, b.data) == (0.3, -0.7)


def test_gradcheck_returns_true_for_a_correct_composite():
    assert gradcheck(lambda x, y, z: (x * y + z.exp()).tanh() / (1 + y * y),
                     (Value(0.2), Value(-0.5), Value(0.1)))


# ---- numerical_grad -------------------------------------------------------------------------

def test_numerical_grad_matches_hand_derivatives():
    # f = x**2 y + sin y:  df/dx = 2 x y,  df/dy = x**2 + cos y
    x, y = Value(1.3), Value(-0.4)
    gx, gy = numerical_grad(lambda x, y: x ** 2 * y + y.sin(), (x, y))
    assert gx == pytest.approx(2 * 1.3 * -0.4, rel=1e-7)
    assert gy == pytest.approx(1.3 ** 2 + math.cos(-0.4), rel=1e-7)
    assert (x.data, y.data) == (1.3, -0.4)
    assert x.grad == 0.0 and y.grad == 0.0  # nothing was backpropagated


def test_numerical_grad_of_a_single_input_and_a_custom_eps():
    (g,) = numerical_grad(Value.exp, Value(0.0), eps=1e-4)
    assert g == pytest.approx(1.0, rel=1e-8)  # (e**h - e**-h) / 2h = 1 + h**2 / 6
    assert g != 1.0


def test_numerical_grad_of_a_non_differentiable_function_can_be_anything():
    (g,) = numerical_grad(lambda x: x.relu(), Value(0.0))
    assert g == pytest.approx(0.5)


def test_numerical_grad_needs_one_scalar_output():
    with pytest.raises(ValueError, match="one scalar"):
        numerical_grad(lambda x: (x, x * 2), (Value(1.0),))


# ---- gradgradcheck -------------------------------------------------------------------------

def test_gradgradcheck_with_given_output_gradients():
    assert gradgradcheck(lambda x, y: x * x * y, (Value(0.5), Value(2.0)),
                         grad_outputs=(Value(0.7),))


def test_gradgradcheck_with_several_outputs():
    assert gradgradcheck(lambda x: (x.sin(), x * x.exp()), (Value(0.3),))


def test_gradgradcheck_failure_names_the_derivative():
    class SquareFloatBackward(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 2 * x.data  # leaves the graph: no second derivative

    with pytest.raises(GradcheckError) as failure:
        gradgradcheck(SquareFloatBackward.apply, (Value(1.5),), grad_outputs=(Value(1.0),))
    ((index, *_, numerical, analytical, _, _),) = table_rows(str(failure.value))
    # d/dx (2 x v) = 2 v = 2 is what the numbers say; the graph says 0
    assert index == "0"
    assert (float(numerical), float(analytical)) == (pytest.approx(2.0), 0.0)
