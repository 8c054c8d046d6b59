"""The lecture's homework network, solved by hand and checked against the engine.

Two inputs, two ReLU hidden units (3 and 4), one sigmoid output unit (5), binary
cross-entropy loss, one training example:

    w03 = 2,  w04 = -1, w05 = 1          (biases: "input 0" is the constant 1)
    w13 = 2,  w14 = 4,  w23 = 3,  w24 = 1
    w35 = 2,  w45 = 3
    x1 = -3,  x2 = 5,   y = 0

Forward, by hand:

    in3 = w03 + w13 x1 + w23 x2 = 2 + 2(-3) + 3(5)  = 11    a3 = relu(11) = 11
    in4 = w04 + w14 x1 + w24 x2 = -1 + 4(-3) + 1(5) = -8    a4 = relu(-8) = 0  (dead)
    in5 = w05 + w35 a3 + w45 a4 = 1 + 2(11) + 3(0)  = 23
    yhat = sigmoid(23) = s

Loss, from the logit: L = -[y log s + (1 - y) log(1 - s)] = softplus(in5) - y in5.

Backward, by hand (Delta_k = dL/d in_k, the "perceived error" at unit k):

    Delta5 = s - y = s                       (the sigmoid + cross-entropy derivative)
    dL/dw05 = Delta5 * 1  = s
    dL/dw35 = Delta5 * a3 = 11 s
    dL/dw45 = Delta5 * a4 = 0                (unit 4 output nothing)
    Delta3 = Delta5 w35 relu'(in3) = 2 s     (relu'(11) = 1)
    Delta4 = Delta5 w45 relu'(in4) = 0       (relu'(-8) = 0: no gradient passes)
    dL/dw03 = Delta3 * 1  = 2 s
    dL/dw13 = Delta3 * x1 = -6 s
    dL/dw23 = Delta3 * x2 = 10 s
    dL/dw04 = dL/dw14 = dL/dw24 = 0
"""
import math

import pytest

from autograd import Value, gradcheck
from autograd.value_losses import binary_cross_entropy_with_logits

WEIGHTS = {"w03": 2.0, "w04": -1.0, "w05": 1.0, "w13": 2.0, "w14": 4.0, "w23": 3.0,
           "w24": 1.0, "w35": 2.0, "w45": 3.0}
X1, X2, Y = -3.0, 5.0, 0.0
S = 1.0 / (1.0 + math.exp(-23.0))  # yhat = sigmoid(in5) = sigmoid(23)


def network(w03, w04, w05, w13, w14, w23, w24, w35, w45, x1=X1, x2=X2):
    """The logit in5 and the hidden activations, written unit by unit."""
    in3 = w03 + w13 * x1 + w23 * x2
    a3 = in3.relu()
    in4 = w04 + w14 * x1 + w24 * x2
    a4 = in4.relu()
    in5 = w05 + w35 * a3 + w45 * a4
    return in5, in3, a3, in4, a4


def loss_of(*weights):
    in5, *_ = network(*weights)
    return binary_cross_entropy_with_logits(in5, Y)


@pytest.fixture
def solved():
    weights = {name: Value(value, label=name) for name, value in WEIGHTS.items()}
    in5, in3, a3, in4, a4 = network(**weights)
    loss = binary_cross_entropy_with_logits(in5, Y)
    loss.backward()
    return weights, dict(in3=in3, a3=a3, in4=in4, a4=a4, in5=in5, loss=loss)


def test_forward_pass_by_hand(solved):
    _, nodes = solved
    assert nodes["in3"].data == 11.0 and nodes["a3"].data == 11.0
    assert nodes["in4"].data == -8.0 and nodes["a4"].data == 0.0
    assert nodes["in5"].data == 23.0
    assert nodes["in5"].sigmoid().data == pytest.approx(S, rel=1e-15)
    assert S == pytest.approx(1.0 - 1.026e-10, abs=1e-13)  # yhat is almost exactly 1


def test_loss_is_minus_log_of_one_minus_yhat(solved):
    # y = 0: L = -log(1 - s) = log(1 + e**23) = 23 + log(1 + e**-23)
    _, nodes = solved
    assert nodes["loss"].data == pytest.approx(23.0 + math.log1p(math.exp(-23.0)), rel=1e-15)
    assert nodes["loss"].data == pytest.approx(-math.log(1.0 - S), rel=1e-6)


def test_perceived_errors(solved):
    _, nodes = solved
    assert nodes["in5"].grad == pytest.approx(S - Y, rel=1e-15)   # Delta5
    assert nodes["in3"].grad == pytest.approx(S * 2.0, rel=1e-15)  # Delta3 = Delta5 w35
    assert nodes["in4"].grad == 0.0                                # Delta4, dead ReLU
    assert nodes["a4"].grad == pytest.approx(S * 3.0, rel=1e-15)   # reaches a4, not in4


def test_all_nine_weight_gradients_by_hand(solved):
    weights, _ = solved
    expected = {
        "w05": S,
        "w35": S * 11.0,             # Delta5 a3
        "w45": 0.0,                  # Delta5 a4, a4 = 0
        "w03": S * 2.0 * 1.0,        # Delta5 w35 relu'(11) * 1
        "w13": S * 2.0 * X1,         # ... * x1 = -6 s
        "w23": S * 2.0 * X2,         # ... * x2 = 10 s
        "w04": 0.0, "w14": 0.0, "w24": 0.0,  # unit 4 is dead
    }
    got = {name: w.grad for name, w in weights.items()}
    assert got == pytest.approx(expected, rel=1e-15)
    for name in ("w04", "w14", "w24", "w45"):
        assert got[name] == 0.0  # exactly, not merely small


def test_homework_gradients_pass_gradcheck():
    assert gradcheck(loss_of, tuple(Value(v) for v in WEIGHTS.values()))


def test_one_gradient_step_lowers_the_loss(solved):
    weights, nodes = solved
    lr = 0.01
    stepped = [w.data - lr * w.grad for w in weights.values()]
    assert loss_of(*[Value(v) for v in stepped]).data < nodes["loss"].data
