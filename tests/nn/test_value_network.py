"""`nn.value`: Neuron, Layer and MLP made of Values: shapes, parameter counts,
initialisation, reproducibility, zero_grad and a few steps of training."""
import math

import pytest

import autograd
from autograd import Value, gradcheck, no_grad
from autograd.value_losses import squared_error
from nn.value import MLP, Layer, Neuron


def test_neuron_computes_activation_of_weighted_sum():
    autograd.manual_seed(0)
    neuron = Neuron(3, activation="tanh")
    x = [0.5, -1.0, 2.0]
    expected = math.tanh(sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data)
    assert neuron(x).data == pytest.approx(expected, rel=1e-12)


def test_neuron_gradients_are_the_inputs_times_the_activation_slope():
    # out = relu(w . x + b) in the active region:  d out / d w_i = x_i, d out / d b = 1
    neuron = Neuron(2, activation="relu")
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.5, -0.25, 0.1
    neuron([2.0, 1.0]).backward()  # pre-activation 1 - 0.25 + 0.1 = 0.85 > 0
    assert [p.grad for p in neuron.parameters()] == [2.0, 1.0, 1.0]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "softplus",
                                        "linear"])
def test_every_activation_passes_gradcheck(activation):
    autograd.manual_seed(1)
    neuron = Neuron(3, activation=activation)

    def out(*params):
        neuron.w, neuron.b = list(params[:3]), params[3]
        return neuron([0.3, -0.7, 1.1])

    assert gradcheck(out, tuple(neuron.parameters()))


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Neuron(2, activation="swish")


def test_neuron_checks_the_number_of_inputs():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        Neuron(3)([1.0, 2.0])


def test_layer_shapes():
    layer = Layer(3, 4)
    out = layer([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 4
    assert len(layer.parameters()) == 4 * (3 + 1)
    single = Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(single, Value)


@pytest.mark.parametrize("n_in, sizes, count", [
    (2, [16, 16, 1], 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1),  # 337
    (3, [4, 4, 1], 3 * 4 + 4 + 4 * 4 + 4 + 4 + 1),          # 41
    (1, [1], 2),
])
def test_mlp_parameter_counts(n_in, sizes, count):
    assert len(MLP(n_in, sizes).parameters()) == count


def test_mlp_337():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert len({id(p) for p in model.parameters()}) == 337  # no parameter shared


def test_mlp_output_shapes_and_last_layer_is_linear():
    model = MLP(2, [3, 2])
    out = model([1.0, -1.0])
    assert isinstance(out, list) and len(out) == 2
    assert [n.activation for n in model.layers[0].neurons] == ["relu"] * 3
    assert [n.activation for n in model.layers[-1].neurons] == ["linear"] * 2
    assert isinstance(MLP(2, [3, 1])([1.0, -1.0]), Value)


def test_mlp_forward_matches_a_hand_written_network():
    autograd.manual_seed(3)
    model = MLP(2, [3, 1], activation="tanh")
    x = [0.4, -0.9]
    hidden = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data)
              for n in model.layers[0].neurons]
    (last,) = model.layers[1].neurons
    expected = sum(w.data * h for w, h in zip(last.w, hidden)) + last.b.data
    assert model(x).data == pytest.approx(expected, rel=1e-12)


def test_manual_seed_makes_initialisation_reproducible():
    autograd.manual_seed(42)
    first = [p.data for p in MLP(2, [4, 1]).parameters()]
    autograd.manual_seed(42)
    second = [p.data for p in MLP(2, [4, 1]).parameters()]
    autograd.manual_seed(43)
    third = [p.data for p in MLP(2, [4, 1]).parameters()]
    assert first == second
    assert first != third


@pytest.mark.parametrize("n_in", [1, 4, 25, 100])
def test_initial_weights_lie_within_one_over_sqrt_n_in(n_in):
    autograd.manual_seed(7)
    layer = Layer(n_in, 50)
    bound = 1.0 / math.sqrt(n_in)
    values = [p.data for p in layer.parameters()]
    assert all(-bound <= v <= bound for v in values)
    # and they fill the interval rather than clustering: both ends are approached
    assert max(values) > 0.8 * bound and min(values) < -0.8 * bound


def test_parameter_labels_name_layer_neuron_and_weight():
    model = MLP(2, [2, 1])
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["l0.n0.w0", "l0.n0.w1", "l0.n0.b"]
    assert labels[-1] == "l1.n0.b"


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [4, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_gradients_of_a_small_mlp_pass_gradcheck():
    autograd.manual_seed(5)
    model = MLP(2, [3, 1], activation="tanh")
    # the model's own parameters are gradcheck's inputs: perturbing them perturbs the model
    assert gradcheck(lambda *ps: squared_error(model([0.5, -1.5]), 0.25),
                     tuple(model.parameters()))


def test_a_few_sgd_steps_reduce_the_loss():
    autograd.manual_seed(0)
    model = MLP(2, [8, 1], activation="tanh")
    data = [([0.0, 1.0], 1.0), ([1.0, 0.0], -1.0), ([1.0, 1.0], 0.5), ([-1.0, 0.5], 0.0)]

    def total_loss():
        return Value.sum([squared_error(model(x), y) for x, y in data])

    losses = []
    for _ in range(20):
        loss = total_loss()
        losses.append(loss.data)
        model.zero_grad()
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p.data -= 0.05 * p.grad
    final = total_loss().data
    assert final < 0.5 * losses[0]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(losses, losses[1:]))


def test_reprs_describe_the_shapes():
    assert repr(Neuron(3, activation="tanh")) == "Neuron(3, activation='tanh')"
    assert repr(MLP(1, [1])) == "MLP of [Layer([Neuron(1, activation='linear')])]"
