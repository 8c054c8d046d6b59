"""`detect_anomaly()`: the first NaN or Inf an op makes, in forward or in backward, stops
the program with the op's name and the line of the user's code that created it."""
import inspect
import math
import os

import pytest

from autograd import AnomalyError, Function, Value, detect_anomaly, grad
from autograd.anomaly import is_enabled

HERE = os.path.basename(__file__)


def next_line():
    """The line number after the caller's current line."""
    return inspect.currentframe().f_back.f_lineno + 1


def test_forward_nan_names_the_op_and_the_users_line():
    x = Value(-1.0)
    with detect_anomaly():
        with pytest.raises(AnomalyError) as failure:
            line = next_line()
            x.log()
    message = str(failure.value)
    assert "forward of 'log'" in message and "nan" in message
    assert f"{HERE}:{line}" in message
    assert '"x.log()"' in message
    assert "test_forward_nan_names_the_op_and_the_users_line" in message


def test_forward_inf_names_the_op():
    x = Value(800.0)
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"forward of 'exp'.*inf"):
            x.exp()
        with pytest.raises(AnomalyError, match=r"forward of '/'.*inf"):
            x / 0


def test_backward_inf_from_sqrt_at_zero_names_the_op_and_line():
    x = Value(0.0)
    with detect_anomaly():
        line = next_line()
        y = x.sqrt() + x
        with pytest.raises(AnomalyError) as failure:
            y.backward()
    message = str(failure.value)
    assert "backward of 'sqrt'" in message and "input 0" in message and "inf" in message
    assert f"{HERE}:{line}" in message


def test_backward_nan_from_zero_times_inf():
    # forward is finite: 0 * sqrt(0) = 0. Backward: d/dsqrt = 0, then sqrt sends
    # 0 / (2 sqrt 0) = 0 / 0 = nan to x.
    x = Value(0.0)
    with detect_anomaly():
        y = x.sqrt() * 0.0
        assert y.data == 0.0
        with pytest.raises(AnomalyError, match=r"backward of 'sqrt'.*nan"):
            y.backward()


def test_same_code_outside_detect_anomaly_runs_without_raising():
    assert math.isnan(Value(-1.0).log().data)
    x = Value(0.0)
    (x.sqrt() * 0.0).backward()
    assert math.isnan(x.grad)
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_finite_work_inside_detect_anomaly_is_unchanged():
    with detect_anomaly():
        a, b = Value(2.0), Value(-3.0)
        y = (a * b).tanh() + a.log()
        y.backward()
    slope = 1 - math.tanh(-6.0) ** 2
    assert a.grad == pytest.approx(slope * -3.0 + 0.5)
    assert b.grad == pytest.approx(slope * 2.0)


def test_ops_on_constants_are_not_checked():
    # only recorded ops are checked: a constant's log(-1) is an ordinary nan
    with detect_anomaly():
        assert math.isnan(Value(-1.0, requires_grad=False).log().data)


def test_mode_is_restored_even_after_an_anomaly():
    assert not is_enabled()
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            assert is_enabled()
            Value(-1.0).sqrt()
    assert not is_enabled()


def test_detect_anomaly_as_a_decorator():
    @detect_anomaly()
    def bad(x):
        return x.log()

    with pytest.raises(AnomalyError, match="'log'"):
        bad(Value(0.0))
    assert not is_enabled()


def test_anomaly_error_is_a_floating_point_error():
    assert issubclass(AnomalyError, FloatingPointError)


def test_backward_nan_from_a_custom_function_names_the_function():
    class BadInverse(Function):
        """1 / x whose backward divides by x - x (always nan or inf)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 1 / x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output / (x - x)

    x = Value(2.0)
    with detect_anomaly():
        line = next_line()
        y = BadInverse.apply(x)
        with pytest.raises(AnomalyError) as failure:
            y.backward()
    message = str(failure.value)
    assert "backward of 'BadInverse'" in message
    assert f"{HERE}:{line}" in message


def test_op_created_outside_the_context_has_no_known_place():
    x = Value(0.0)
    y = x.sqrt()
    with detect_anomaly():
        with pytest.raises(AnomalyError, match="unknown place"):
            y.backward()


def test_anomaly_in_a_create_graph_backward():
    # with create_graph the backward is itself recorded, so the division inside sqrt's
    # backward, g / (2 sqrt x) = 1 / 0, is caught as it is made: as the forward of a '/'
    # created at the line that called grad
    x = Value(0.0)
    with detect_anomaly():
        y = x.sqrt() + x
        with pytest.raises(AnomalyError) as failure:
            line = next_line()
            grad(y, x, create_graph=True)
    message = str(failure.value)
    assert "forward of '/'" in message and "inf" in message
    assert f"{HERE}:{line}" in message
