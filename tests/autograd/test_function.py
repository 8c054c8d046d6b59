"""User-defined ops with `autograd.Function`: forward/backward round trips, the context
object, several outputs, non-Value arguments, error messages and higher order."""
import math

import numpy as np
import pytest

from autograd import Function, Value, gradcheck, gradgradcheck, grad, is_grad_enabled, no_grad


class Square(Function):
    """x**2;  dx = 2 x g.  Records what forward saw, for the tests."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        Square.seen.append((ctx, x.requires_grad, is_grad_enabled()))
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


class ScaledExp(Function):
    """c * e**x with a plain number c;  dx = g * out (the output is saved), dc: none."""

    @staticmethod
    def forward(ctx, x, c):
        out = c * x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out, None


class Power(Function):
    """x**n for a plain integer n;  dx = n x**(n-1) g, and None for n."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return x ** n

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * ctx.n * x ** (ctx.n - 1), None


class WeightedSum(Function):
    """a x + b y: records ctx.needs_input_grad, skips gradients that are not needed."""

    flags = []

    @staticmethod
    def forward(ctx, x, y, a, b):
        WeightedSum.flags.append(ctx.needs_input_grad)
        ctx.a, ctx.b = a, b
        return a * x + b * y

    @staticmethod
    def backward(ctx, grad_output):
        need_x, need_y = ctx.needs_input_grad[:2]
        return (grad_output * ctx.a if need_x else None,
                grad_output * ctx.b if need_y else None, None, None)


class SinCos(Function):
    """Two outputs (sin x, cos x);  dx = g_sin cos x - g_cos sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, grad_sin, grad_cos):
        (x,) = ctx.saved_tensors
        return grad_sin * x.cos() - grad_cos * x.sin()


class WrongSquare(Function):
    """x**2 with the classic slip: backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return x * grad_output


# ---- round trips --------------------------------------------------------------------------

def test_square_matches_hand_gradient_and_gradcheck():
    x = Value(-1.7)
    y = Square.apply(x)
    assert y.data == pytest.approx(1.7 ** 2)
    y.backward()
    assert x.grad == pytest.approx(2 * -1.7)
    assert gradcheck(Square.apply, (Value(0.4),))


def test_forward_sees_detached_inputs_and_records_nothing():
    Square.seen.clear()
    x = Value(2.0)
    y = Square.apply(x)
    ((ctx, input_requires_grad, mode),) = Square.seen
    assert not input_requires_grad and not mode
    assert y.requires_grad and y.parents == (x,) and y.op == "Square"
    assert is_grad_enabled()
    assert y._ctx is ctx


def test_backward_records_a_graph_only_with_create_graph():
    modes = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad_output):
            modes.append(is_grad_enabled())
            return grad_output * 3

    x = Value(1.0)
    Spy.apply(x).backward()
    grad(Spy.apply(x), x, create_graph=True)
    assert modes == [False, True]


def test_function_inside_a_bigger_graph():
    # f = Square(sin x) * x:  df/dx = 2 sin x cos x * x + sin(x)**2
    x = Value(0.8)
    f = Square.apply(x.sin()) * x
    f.backward()
    assert x.grad == pytest.approx(2 * math.sin(0.8) * math.cos(0.8) * 0.8 + math.sin(0.8) ** 2)
    assert gradcheck(lambda x: Square.apply(x.sin()) * x, (Value(0.8),))


def test_saved_output_and_plain_number_argument():
    x = Value(0.5)
    y = ScaledExp.apply(x, 3.0)
    y.backward()
    assert y.data == pytest.approx(3 * math.exp(0.5))
    assert x.grad == pytest.approx(3 * math.exp(0.5))
    assert gradcheck(lambda x: ScaledExp.apply(x, 3.0), (Value(0.5),))


def test_integer_argument_gets_none_gradient():
    x = Value(1.3)
    y = Power.apply(x, 3)
    assert y.parents == (x,)  # the 3 is not a graph input
    y.backward()
    assert x.grad == pytest.approx(3 * 1.3 ** 2)
    assert gradcheck(lambda x: Power.apply(x, 3), (Value(1.3),))


def test_needs_input_grad_tells_which_inputs_need_a_gradient():
    WeightedSum.flags.clear()
    x, y = Value(1.0), Value(2.0, requires_grad=False)
    out = WeightedSum.apply(x, y, 3.0, 4.0)
    assert WeightedSum.flags == [(True, False, False, False)]
    assert out.data == 3.0 * 1.0 + 4.0 * 2.0
    out.backward()
    assert x.grad == 3.0 and y.grad == 0.0
    assert gradcheck(lambda x, y: WeightedSum.apply(x, y, 3.0, 4.0), (Value(1.0), Value(2.0)))


def test_same_value_twice_accumulates():
    x = Value(1.5)
    WeightedSum.apply(x, x, 3.0, 4.0).backward()
    assert x.grad == 7.0


def test_apply_under_no_grad_gives_a_constant():
    with no_grad():
        y = Square.apply(Value(3.0))
    assert y.data == 9.0 and not y.requires_grad and y.parents == ()


def test_apply_on_constants_only_gives_a_constant():
    y = Square.apply(Value(3.0, requires_grad=False))
    assert y.data == 9.0 and not y.requires_grad


def test_apply_needs_a_value_argument():
    with pytest.raises(TypeError, match="at least one Value"):
        Square.apply(3.0)


def test_function_without_forward_or_backward_raises():
    class NoForward(Function):
        pass

    with pytest.raises(NotImplementedError, match="forward"):
        NoForward.apply(Value(1.0))

    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    y = NoBackward.apply(Value(1.0))
    with pytest.raises(NotImplementedError, match="backward"):
        y.backward()


# ---- gradcheck catches a wrong backward -------------------------------------------------------

def test_wrong_backward_is_caught_by_gradcheck():
    x = Value(1.5)
    WrongSquare.apply(x).backward()
    assert x.grad == 1.5  # the bug: half the true 3.0
    with pytest.raises(Exception, match="disagree"):
        gradcheck(WrongSquare.apply, (Value(1.5),))
    assert gradcheck(WrongSquare.apply, (Value(1.5),), raise_exception=False) is False


# ---- several outputs ----------------------------------------------------------------------------

def test_multi_output_with_one_output_used():
    x = Value(0.7)
    s, c = SinCos.apply(x)
    assert (s.data, c.data) == pytest.approx((math.sin(0.7), math.cos(0.7)))
    s.backward()
    assert x.grad == pytest.approx(math.cos(0.7))
    x = Value(0.7)
    SinCos.apply(x)[1].backward()
    assert x.grad == pytest.approx(-math.sin(0.7))


def test_multi_output_with_both_outputs_used():
    # d/dx (sin x cos x) = cos(x)**2 - sin(x)**2 = cos 2x
    x = Value(0.7)
    s, c = SinCos.apply(x)
    (s * c).backward()
    assert x.grad == pytest.approx(math.cos(1.4))
    assert s.op == "[0]" and c.op == "[1]"
    assert gradcheck(SinCos.apply, (Value(0.7),))
    assert gradcheck(lambda x: SinCos.apply(x)[0] * SinCos.apply(x)[1] + x, (Value(-0.3),))


def test_multi_output_separate_backwards_with_retain_graph():
    x = Value(0.2)
    s, c = SinCos.apply(x)
    s.backward(retain_graph=True)
    c.backward()
    assert x.grad == pytest.approx(math.cos(0.2) - math.sin(0.2))


def test_multi_output_second_order():
    assert gradgradcheck(SinCos.apply, (Value(0.7),))
    x = Value(0.7)
    s, c = SinCos.apply(x)
    (d1,) = grad(s * c, x, create_graph=True)
    (d2,) = grad(d1, x)
    assert d2 == pytest.approx(-2 * math.sin(1.4))  # d/dx cos 2x


# ---- errors -----------------------------------------------------------------------------------

def test_wrong_number_of_gradients_is_a_clear_error():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, n):
            return x * n

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2  # forgot the None for n

    y = TooFew.apply(Value(1.0), 2)
    with pytest.raises(RuntimeError, match=r"TooFew.backward returned 1 gradients.*2 arguments"):
        y.backward()


def test_gradient_of_the_wrong_shape_is_a_clear_error():
    class Wide(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return np.ones(3)

    with pytest.raises(RuntimeError, match=r"shape \(3,\).*shape \(\)"):
        Wide.apply(Value(1.0)).backward()


def test_saved_tensors_after_a_consumed_backward_raises():
    Square.seen.clear()
    x = Value(2.0)
    y = Square.apply(x)
    ((ctx, _, _),) = Square.seen
    assert ctx.saved_tensors[0].data == 2.0
    y.backward()
    with pytest.raises(RuntimeError, match="released.*retain_graph"):
        ctx.saved_tensors
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_saved_tensors_survive_retain_graph():
    x = Value(2.0)
    y = Square.apply(x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 8.0


# ---- higher order ---------------------------------------------------------------------------

@pytest.mark.parametrize("function, inputs", [
    (Square.apply, (Value(0.9),)),
    (lambda x: ScaledExp.apply(x, 2.0), (Value(-0.4),)),
    (lambda x: Power.apply(x, 4), (Value(1.2),)),
    (lambda x, y: Square.apply(x * y) + SinCos.apply(y)[1], (Value(0.5), Value(-1.1))),
])
def test_gradgradcheck_through_custom_functions(function, inputs):
    assert gradgradcheck(function, inputs)


def test_third_derivative_through_a_custom_function():
    # x**4: 4x**3, 12x**2, 24x at x = 1.2
    x = Value(1.2)
    (d1,) = grad(Power.apply(x, 4), x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x)
    assert (d1.data, d2.data, d3) == pytest.approx((4 * 1.2 ** 3, 12 * 1.2 ** 2, 24 * 1.2))


def test_backward_that_leaves_the_graph_is_caught_by_gradgradcheck():
    class FloatSquare(Function):
        """x**2 with a backward right to first order, written with x.data (a float): with
        create_graph the gradient no longer depends on x, so d2/dx2 comes out 0, not 2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x.data * grad_output

    assert gradcheck(FloatSquare.apply, (Value(1.5),))
    assert gradgradcheck(FloatSquare.apply, (Value(1.5),), raise_exception=False) is False


class SquareAndCube(Function):
    """(x**2, x**3); the backward writes d(x**2)/dx = 2x as 2 cube / x**2, using the saved
    cube output, so its second derivative depends on the cube staying in the graph."""

    @staticmethod
    def forward(ctx, x):
        cube = x ** 3
        ctx.save_for_backward(x, cube)
        return x ** 2, cube

    @staticmethod
    def backward(ctx, grad_square, grad_cube):
        x, cube = ctx.saved_tensors
        return grad_square * 2 * cube / (x * x) + grad_cube * 3 * x * x


def test_second_derivative_through_a_saved_output_that_the_caller_keeps():
    x = Value(1.5)
    square, cube = SquareAndCube.apply(x)
    (d1,) = grad(square, x, create_graph=True)
    (d2,) = grad(d1, x)
    assert (d1.data, d2) == pytest.approx((3.0, 2.0))


def test_second_derivative_through_a_saved_output_that_the_caller_drops():
    # d2/dx2 x**2 = 2, whether or not the caller kept the cube output
    x = Value(1.5)
    square = SquareAndCube.apply(x)[0]
    (d1,) = grad(square, x, create_graph=True)
    (d2,) = grad(d1, x)
    assert (d1.data, d2) == pytest.approx((3.0, 2.0))
