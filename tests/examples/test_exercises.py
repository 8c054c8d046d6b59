"""The gradient exercises: reference solutions pass, unsolved sheets ask for a backward,
and typical wrong backwards get the right diagnosis; plus the command line."""
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograd import pad
from examples.exercises import catalog, checker
from examples.exercises.checker import check
from examples.exercises.solutions import (ex1_softplus, ex2_swish, ex3_layer_norm, ex4_conv1d,
                                          ex5_lstm_step, ex6_softmax_cross_entropy)

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [exercise.number for exercise in catalog.EXERCISES]


def with_backward(base, backward):
    """`base` (a reference solution) with another backward: a student's attempt."""
    return type(base.__name__, (base,), {"backward": staticmethod(backward)})


def swish_gradient(x, factor=1.0, term=1.0):
    s = x.sigmoid()
    return factor * s * (1 + term * x * (1 - s))


# ---- the exercises themselves ------------------------------------------------------------------

def test_the_five_required_exercises_come_first_in_order():
    names = [exercise.name for exercise in catalog.EXERCISES]
    assert names[:5] == ["softplus", "swish", "layer norm", "conv1d", "LSTM step"]
    assert NUMBERS == list(range(1, len(NUMBERS) + 1))


@pytest.mark.parametrize("number", NUMBERS)
def test_sheet_states_the_task_and_leaves_backward_to_write(number):
    exercise = catalog.get(number)
    sheet = checker.load(exercise)
    solution = checker.load(exercise, solution=True)
    module = sys.modules[sheet.__module__]
    assert "Your task" in module.__doc__ and "Derive first" in module.__doc__
    assert f"check {number}" in module.__doc__
    assert "raise NotImplementedError" in inspect.getsource(sheet.backward)
    assert "NotImplementedError" not in inspect.getsource(solution.backward)
    assert inspect.getsource(sheet.forward) == inspect.getsource(solution.forward)


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solution_passes_first_and_second_order(number):
    result = check(number, solution=True)
    assert result.passed, result.message
    assert result.second_order is True
    assert "correct" in result.message and "gradgradcheck passed" in result.message


@pytest.mark.parametrize("number", NUMBERS)
def test_unsolved_sheet_tells_the_student_to_write_backward(number):
    exercise = catalog.get(number)
    result = check(number)
    assert not result.passed
    assert result.diagnosis == "not_implemented"
    assert f"{exercise.class_name}.backward is not written yet" in result.message
    assert exercise.path in result.message
    assert "write the backward" in result.message   # the sheet's own hint is relayed


def test_unknown_exercise_names_the_valid_ones():
    with pytest.raises(ValueError, match="there is no exercise 99; the exercises are 1, 2"):
        check(99)


# ---- wrong backwards and their diagnoses -------------------------------------------------------

def test_sign_flip():
    wrong = with_backward(ex1_softplus.Softplus,
                          lambda ctx, g: -g * ctx.saved_tensors[0].sigmoid())
    result = check(1, wrong)
    assert not result.passed and result.diagnosis == "sign"
    assert "Sign flip" in result.message
    assert "worst at x[" in result.message and "central difference" in result.message
    assert "Hint: Chain rule" in result.message


def test_missing_factor_two():
    wrong = with_backward(ex2_swish.Swish,
                          lambda ctx, g: g * swish_gradient(ctx.saved_tensors[0], factor=0.5))
    result = check(2, wrong)
    assert result.diagnosis == "factor"
    assert "0.5 times the right one" in result.message and "missing factor 2" in result.message


def test_extra_factor_of_the_batch_size_in_cross_entropy():
    def no_mean(ctx, g):
        (logits,) = ctx.saved_tensors
        one_hot = np.eye(logits.shape[1])[ctx.target]
        return g * (logits.softmax(dim=-1) - one_hot), None

    result = check(6, with_backward(ex6_softmax_cross_entropy.SoftmaxCrossEntropy, no_mean))
    assert result.diagnosis == "factor" and "an extra factor 4" in result.message


def test_missing_term_of_the_product_rule():
    wrong = with_backward(ex2_swish.Swish, lambda ctx, g: g * ctx.saved_tensors[0].sigmoid())
    result = check(2, wrong)
    assert result.diagnosis == "missing_term"
    assert "product rule's first term" in result.message


def test_layer_norm_with_mean_and_variance_as_constants():
    def constants(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x.var(dim=-1, keepdim=True, correction=0) + ctx.eps).sqrt(), None

    result = check(3, with_backward(ex3_layer_norm.LayerNorm, constants))
    assert result.diagnosis == "missing_term"
    assert "treated the mean and the variance as constants" in result.message


def test_missing_term_without_a_known_mistake():
    wrong = with_backward(ex2_swish.Swish,
                          lambda ctx, g: g * swish_gradient(ctx.saved_tensors[0], term=0.3))
    result = check(2, wrong)
    assert result.diagnosis == "missing_term"
    assert "part of the derivative is missing or wrong" in result.message


def test_gradients_in_the_wrong_input_order():
    def swapped(ctx, grad_h, grad_c):
        dx, dh, dc, *weights = ex5_lstm_step.LSTMStep.backward(ctx, grad_h, grad_c)
        return (dx, dc, dh, *weights)

    result = check(5, with_backward(ex5_lstm_step.LSTMStep, swapped))
    assert result.diagnosis == "order"
    assert result.diagnoses == {"h": "order", "c": "order"}
    assert "This is the right gradient for c" in result.message
    assert "x: right." in result.message and "bias: right." in result.message


def test_wrong_order_with_different_shapes_is_caught_from_the_engines_error():
    def swapped(ctx, g):
        grad_x, grad_w = ex4_conv1d.Conv1d.backward(ctx, g)
        return grad_w, grad_x

    result = check(4, with_backward(ex4_conv1d.Conv1d, swapped))
    assert result.diagnosis == "order"
    assert "The engine says: Conv1d.backward returned a gradient of shape (3,)" in result.message
    assert "position 0 has the shape of w" in result.message


def test_ignoring_grad_output():
    wrong = with_backward(ex2_swish.Swish, lambda ctx, g: swish_gradient(ctx.saved_tensors[0]))
    result = check(2, wrong)
    assert result.diagnosis == "grad_output" and "ignores grad_output" in result.message


def test_unflipped_kernel_in_conv1d():
    def unflipped(ctx, g):
        x, w = ctx.saved_tensors
        edge = w.shape[0] - 1
        return ex4_conv1d.Conv1d.apply(pad(g, (edge, edge)), w), ex4_conv1d.Conv1d.apply(x, g)

    result = check(4, with_backward(ex4_conv1d.Conv1d, unflipped))
    assert result.diagnoses == {"x": "missing_term"}
    assert "without flipping it" in result.message and "w: right." in result.message


def test_reversed_kernel_gradient_is_an_arrangement_mistake():
    def reversed_w(ctx, g):
        grad_x, grad_w = ex4_conv1d.Conv1d.backward(ctx, g)
        return grad_x, grad_w[::-1]

    result = check(4, with_backward(ex4_conv1d.Conv1d, reversed_w))
    assert result.diagnoses == {"w": "arrangement"}
    assert "reversed along dimension 0" in result.message


def test_transposed_weight_gradient():
    def transposed(ctx, grad_h, grad_c):
        gradients = ex5_lstm_step.LSTMStep.backward(ctx, grad_h, grad_c)
        return gradients[:3] + (gradients[3].T,) + gradients[4:]

    result = check(5, with_backward(ex5_lstm_step.LSTMStep, transposed))
    assert result.diagnosis == "shape"
    assert "shape (3, 8)" in result.message and "the transpose of weight_ih's" in result.message


def test_bias_gradient_not_summed_over_the_batch():
    def unsummed(ctx, grad_h, grad_c):
        gradients = ex5_lstm_step.LSTMStep.backward(ctx, grad_h, grad_c)
        x = ctx.saved_tensors[0]
        return gradients[:5] + (gradients[5] + 0 * x[:, :1],)   # (B, 4H), not (4H,)

    result = check(5, with_backward(ex5_lstm_step.LSTMStep, unsummed))
    assert result.diagnosis == "shape" and "sums over the dimensions" in result.message


def test_zero_gradient():
    result = check(2, with_backward(ex2_swish.Swish, lambda ctx, g: 0 * g))
    assert result.diagnosis == "zero" and "zero everywhere" in result.message


def test_a_reduction_over_the_wrong_dimension_is_a_broadcast_mistake():
    def row_means(ctx, g):
        (x,) = ctx.saved_tensors
        return ex3_layer_norm.LayerNorm.backward(ctx, g)[0].mean(dim=-1, keepdim=True) \
            .expand_as(x) + g.mean(dim=-1, keepdim=True), None

    result = check(3, with_backward(ex3_layer_norm.LayerNorm, row_means))
    assert result.diagnosis == "broadcast" and "along dimension 1" in result.message


def test_wrong_number_of_gradients():
    result = check(3, with_backward(ex3_layer_norm.LayerNorm,
                                    lambda ctx, g: ex3_layer_norm.LayerNorm.backward(ctx, g)[0]))
    assert result.diagnosis == "count"
    assert "returned 1 gradients, but forward took 2" in result.message
    assert "forward(x, eps) takes 2 arguments" in result.message


def test_a_list_instead_of_a_tuple():
    result = check(1, with_backward(ex1_softplus.Softplus,
                                    lambda ctx, g: [g * ctx.saved_tensors[0].sigmoid()]))
    assert result.diagnosis == "count" and "return a tuple" in result.message


def test_none_for_an_input_that_needs_a_gradient():
    result = check(4, with_backward(ex4_conv1d.Conv1d,
                                    lambda ctx, g: (ex4_conv1d.Conv1d.backward(ctx, g)[0], None)))
    assert result.diagnoses == {"w": "none"}
    assert "returned None for w" in result.message


def test_an_error_in_backward_is_relayed_with_its_line():
    def typo(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmod()

    result = check(2, with_backward(ex2_swish.Swish, typo))
    assert result.diagnosis == "error"
    assert "AttributeError" in result.message and "sigmod" in result.message
    assert "test_exercises.py: return g * x.sigmod()" in result.message


def test_a_backward_for_tensors_only_fails_on_the_value_case():
    def tensors_only(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid().reshape(x.shape)

    result = check(1, with_backward(ex1_softplus.Softplus, tensors_only))
    assert result.diagnosis == "error" and "Checked on a Value x =" in result.message


def test_a_changed_forward_is_reported():
    class Doubled(ex2_swish.Swish):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 2 * x * x.sigmoid()

    result = check(2, Doubled)
    assert result.diagnosis == "forward" and "undo the changes to forward" in result.message


def test_an_unimportable_sheet_is_reported(monkeypatch):
    def broken(exercise, solution=False):
        if not solution:
            raise SyntaxError("invalid syntax")
        return getattr(ex1_softplus, exercise.class_name)

    monkeypatch.setattr(checker, "load", broken)
    result = check(1)
    assert result.diagnosis == "import" and "SyntaxError" in result.message


# ---- second derivatives ------------------------------------------------------------------------

def test_a_numpy_backward_passes_and_skips_second_derivatives():
    def with_numpy(ctx, g):
        x = ctx.saved_tensors[0].data
        s = 1 / (1 + np.exp(-x))
        return g.data * s * (1 + x * (1 - s))

    result = check(2, with_backward(ex2_swish.Swish, with_numpy))
    assert result.passed and result.second_order is None
    assert "not checked" in result.message


def test_a_saved_constant_passes_but_fails_second_derivatives():
    class SavedScale(ex3_layer_norm.LayerNorm):
        """Saves r = 1/sqrt(var + eps) from forward: right, but constant when the
        backward is differentiated again."""

        @staticmethod
        def forward(ctx, x, eps=1e-5):
            r = 1 / (x.var(dim=-1, keepdim=True, correction=0) + eps).sqrt()
            ctx.save_for_backward(x, r)
            return (x - x.mean(dim=-1, keepdim=True)) * r

        @staticmethod
        def backward(ctx, g):
            x, r = ctx.saved_tensors
            y = (x - x.mean(dim=-1, keepdim=True)) * r
            return r * (g - g.mean(dim=-1, keepdim=True)
                        - y * (g * y).mean(dim=-1, keepdim=True)), None

    result = check(3, SavedScale)
    assert result.passed and result.second_order is False
    assert "gradgradcheck disagrees" in result.message and result.report


# ---- command line ------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "examples.exercises", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_cli_check_solution_exits_0():
    completed = run_cli("check", "1", "--solution")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "correct!" in completed.stdout


def test_cli_check_unsolved_sheet_exits_1():
    completed = run_cli("check", "1")
    assert completed.returncode == 1
    assert "Softplus.backward is not written yet" in completed.stdout


def test_cli_list_prints_every_exercise():
    completed = run_cli("list")
    assert completed.returncode == 0
    for exercise in catalog.EXERCISES:
        assert exercise.name in completed.stdout and exercise.path in completed.stdout
