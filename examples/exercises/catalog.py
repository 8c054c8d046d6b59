"""The exercises, as the checker sees them: where each sheet lives, the random inputs
it is checked on, a hint, and the common mistakes it can recognise.

A common mistake is a wrong backward written out in numpy; when a student's gradient
equals one of them, the checker names the mistake instead of only saying "wrong".
"""
from dataclasses import dataclass, field

import numpy as np

from autograd import Tensor, Value


@dataclass(frozen=True)
class Case:
    """One set of forward arguments to check a Function on, with a label for messages."""

    label: str
    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A recognisable wrong backward: `gradients(args, grad_outputs)` gets the forward
    arguments (arrays and floats) and the upstream gradients, and returns what that
    mistake computes, one entry per argument (None where it says nothing)."""

    kind: str            # the diagnosis it belongs to, e.g. "missing_term"
    explanation: str
    gradients: object


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str
    module: str            # the sheet: examples.exercises.<module>, same name in solutions
    class_name: str
    formula: str
    argument_names: tuple  # forward's arguments, in order
    make_cases: object     # numpy Generator -> list of Case
    hint: str
    mistakes: tuple = field(default=())

    @property
    def path(self):
        return f"examples/exercises/{self.module}.py"


def _tensor(rng, *shape, scale=1.0):
    return Tensor(scale * rng.standard_normal(shape), requires_grad=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- 1 softplus -------------------------------------------------------------------------

def _softplus_cases(rng):
    tensor = _tensor(rng, 2, 3, scale=2.0)
    value = Value(float(rng.uniform(-3, 3)))
    return [Case("a Tensor x of shape (2, 3)", (tensor,)),
            Case(f"a Value x = {value.data:.4g}", (value,))]


SOFTPLUS_MISTAKES = (
    Mistake("missing_term",
            "your dy/dx is 1 / (1 + e^x): the derivative of log(u) is 1/u, but the chain "
            "rule also multiplies by du/dx = e^x.",
            lambda args, grads: (grads[0] / (1 + np.exp(args[0])),)),
    Mistake("missing_term",
            "your dy/dx is e^x: that is only the inner derivative du/dx; the outer one, "
            "d log(u)/du = 1/u with u = 1 + e^x, is missing.",
            lambda args, grads: (grads[0] * np.exp(args[0]),)),
)


# ---- 2 swish ----------------------------------------------------------------------------

def _swish_cases(rng):
    return [Case("a Tensor x of shape (2, 3)", (_tensor(rng, 2, 3, scale=2.0),))]


def _swish_partial(first, second):
    def gradients(args, grads):
        s = _sigmoid(args[0])
        return (grads[0] * (first * s + second * args[0] * s * (1 - s)),)
    return gradients


SWISH_MISTAKES = (
    Mistake("missing_term",
            "your dy/dx is sigmoid(x) alone: that is the product rule's first term "
            "(d/dx of x, times sigmoid(x)); the second, x * sigmoid'(x), is missing.",
            _swish_partial(1, 0)),
    Mistake("missing_term",
            "your dy/dx is x * sigmoid'(x) alone: the product rule's other term, "
            "1 * sigmoid(x), is missing.",
            _swish_partial(0, 1)),
)


# ---- 3 layer norm ------------------------------------------------------------------------

def _layer_norm_cases(rng):
    return [Case("a Tensor x of shape (3, 5), eps = 1e-5", (_tensor(rng, 3, 5), 1e-5))]


def _layer_norm_partial(mean_path, variance_path):
    def gradients(args, grads):
        x, eps = args
        g = grads[0]
        centered = x - x.mean(axis=-1, keepdims=True)
        r = 1 / np.sqrt((centered ** 2).mean(axis=-1, keepdims=True) + eps)
        y = centered * r
        result = g
        if mean_path:
            result = result - g.mean(axis=-1, keepdims=True)
        if variance_path:
            result = result - y * (g * y).mean(axis=-1, keepdims=True)
        return (r * result, None)
    return gradients


LAYER_NORM_MISTAKES = (
    Mistake("missing_term",
            "your gradient is grad_output * r = grad_output / sqrt(var + eps): you treated "
            "the mean and the variance as constants. Each x_j also moves its row's mean "
            "and variance, which adds two terms.",
            _layer_norm_partial(False, False)),
    Mistake("missing_term",
            "you have the direct path and the path through the mean, but not the path "
            "through the variance (the term with y_j mean(g * y)).",
            _layer_norm_partial(True, False)),
    Mistake("missing_term",
            "you have the direct path and the path through the variance, but not the path "
            "through the mean (the term -mean(g)).",
            _layer_norm_partial(False, True)),
)


# ---- 4 conv1d ----------------------------------------------------------------------------

def _conv1d_cases(rng):
    return [Case("a signal x of length 7 and a kernel w of length 3",
                 (_tensor(rng, 7), _tensor(rng, 3)))]


def _valid_correlation(signal, kernel):
    steps = signal.shape[0] - kernel.shape[0] + 1
    return np.array([signal[t:t + kernel.shape[0]] @ kernel for t in range(steps)])


def _conv1d_unflipped(args, grads):
    x, w = args
    edge = w.shape[0] - 1
    return (_valid_correlation(np.pad(grads[0], (edge, edge)), w), None)


CONV1D_MISTAKES = (
    Mistake("missing_term",
            "for x you slid the kernel over the padded grad_output without flipping it. "
            "x[j] meets w[j - t] in y[t]: as t grows the kernel index falls, so the "
            "kernel runs backwards (w[::-1]).",
            _conv1d_unflipped),
)


# ---- 5 LSTM step -------------------------------------------------------------------------

def _lstm_cases(rng):
    batch, inputs, hidden = 2, 3, 2
    args = (_tensor(rng, batch, inputs), _tensor(rng, batch, hidden),
            _tensor(rng, batch, hidden), _tensor(rng, 4 * hidden, inputs, scale=0.5),
            _tensor(rng, 4 * hidden, hidden, scale=0.5), _tensor(rng, 4 * hidden, scale=0.5))
    return [Case("batch 2, input size 3, hidden size 2: x (2, 3), h and c (2, 2), "
                 "weight_ih (8, 3), weight_hh (8, 2), bias (8,)", args)]


def _lstm_without_h_path(args, grads):
    """The backward with dL/dc' = grad_c only (the path through h' forgotten)."""
    x, h, c, weight_ih, weight_hh, bias = args
    grad_h, grad_c = grads
    i, f, g, o = np.split(x @ weight_ih.T + h @ weight_hh.T + bias, 4, axis=-1)
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    tanh_c = np.tanh(f * c + i * g)
    grad_gates = np.concatenate([grad_c * g * i * (1 - i), grad_c * c * f * (1 - f),
                                 grad_c * i * (1 - g * g), grad_h * tanh_c * o * (1 - o)],
                                axis=-1)
    return (grad_gates @ weight_ih, grad_gates @ weight_hh, grad_c * f,
            grad_gates.T @ x, grad_gates.T @ h, grad_gates.sum(axis=0))


LSTM_MISTAKES = (
    Mistake("missing_term",
            "you used grad_c alone as dL/dc'. c' also reaches the loss through "
            "h' = o * tanh(c'), so add grad_h * o * (1 - tanh(c')^2) to it first.",
            _lstm_without_h_path),
)


# ---- 6 softmax cross-entropy ---------------------------------------------------------------

def _cross_entropy_cases(rng):
    target = rng.permutation(np.arange(4) % 3)   # every class appears
    return [Case(f"logits of shape (4, 3) and labels {target.tolist()}",
                 (_tensor(rng, 4, 3, scale=1.5), target))]


def _cross_entropy_without_one_hot(args, grads):
    logits, target = args
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return (grads[0] * p / logits.shape[0], None)


CROSS_ENTROPY_MISTAKES = (
    Mistake("missing_term",
            "your gradient is softmax(z) / B: the one-hot row is missing. The loss "
            "subtracts the target's logit z_(b, t_b), whose derivative is 1 at the target "
            "class.",
            _cross_entropy_without_one_hot),
)


EXERCISES = (
    Exercise(1, "softplus", "ex1_softplus", "Softplus", "y = log(1 + e^x)", ("x",),
             _softplus_cases,
             "Chain rule: d log(u)/du = 1/u and du/dx = e^x. Their product simplifies to a "
             "function the engine has: divide numerator and denominator by e^x. Then "
             "multiply by grad_output.",
             SOFTPLUS_MISTAKES),
    Exercise(2, "swish", "ex2_swish", "Swish", "y = x * sigmoid(x)", ("x",),
             _swish_cases,
             "Product rule: y = x * s(x) has two factors, so dy/dx has two terms, 1 * s(x) "
             "and x * s'(x), with s'(x) = s(x) (1 - s(x)).",
             SWISH_MISTAKES),
    Exercise(3, "layer norm", "ex3_layer_norm", "LayerNorm",
             "y = (x - mean) / sqrt(var + eps) over the last dim", ("x", "eps"),
             _layer_norm_cases,
             "Every x_j of a row moves that row's mean and variance, so dy_i/dx_j has "
             "three parts: the direct one (only when i = j), one through the mean, one "
             "through the variance. Write dy_i/dx_j with y_i and y_j, multiply by "
             "grad_output_i and sum over i: the sums become means over the last dimension "
             "(use keepdim=True). Return None for eps.",
             LAYER_NORM_MISTAKES),
    Exercise(4, "conv1d", "ex4_conv1d", "Conv1d",
             "y[t] = sum_k x[t + k] w[k] (valid, stride 1)", ("x", "w"),
             _conv1d_cases,
             "dL/dw[k] = sum_t g[t] x[t + k], and dL/dx[j] = sum_t g[t] w[j - t] over the t "
             "where 0 <= j - t < K. Write out y[0..2] for a short signal and collect the "
             "terms of one x[j]; padding g with K - 1 zeros on both sides handles the "
             "ends.",
             CONV1D_MISTAKES),
    Exercise(5, "LSTM step", "ex5_lstm_step", "LSTMStep",
             "(x, h, c, W_ih, W_hh, b) -> (h', c'), gates i, f, g, o",
             ("x", "h", "c", "weight_ih", "weight_hh", "bias"),
             _lstm_cases,
             "Work backwards from the outputs. First the total dL/dc': grad_c plus the path "
             "through h' = o * tanh(c'). Then c' = f * c + i * g gives the gradients of i, f, "
             "g and c, and sigmoid' = s (1 - s), tanh' = 1 - t^2 take them before the "
             "nonlinearities. Join the four blocks in the order i, f, g, o (cat on the last "
             "dim) into d_gates (B, 4H) and treat gates like a linear layer. Check the "
             "shapes: dx (B, I), dweight_ih (4H, I), dbias (4H,) summed over the batch.",
             LSTM_MISTAKES),
    Exercise(6, "softmax cross-entropy", "ex6_softmax_cross_entropy", "SoftmaxCrossEntropy",
             "loss = mean_b(logsumexp(z_b) - z_(b, t_b))", ("logits", "target"),
             _cross_entropy_cases,
             "The gradient of logsumexp(z_b) is softmax(z_b); the picked logit z_(b, t_b) "
             "contributes a one-hot row. The mean over the batch divides by B, and "
             "grad_output is a 0-d tensor that multiplies everything. Return None for the "
             "labels.",
             CROSS_ENTROPY_MISTAKES),
)


def get(number):
    """The exercise with this number (1-based); ValueError naming the valid ones."""
    for exercise in EXERCISES:
        if exercise.number == number:
            return exercise
    raise ValueError(f"there is no exercise {number}; the exercises are "
                     f"{', '.join(str(e.number) for e in EXERCISES)}")
