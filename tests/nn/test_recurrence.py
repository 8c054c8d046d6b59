"""The whole-sequence primitives on their own: first and second derivatives on both
backward paths (numpy in place, recorded Tensors), and the fast path's shortcuts."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, gradgradcheck, no_grad
from autograd.tensor_op import primitive
from nn.recurrence import GRUSequence, LSTMSequence, RNNSequence

PRIMITIVES = {"lstm": (LSTMSequence, 4, {}), "gru": (GRUSequence, 3, {}),
              "rnn_tanh": (RNNSequence, 1, {"nonlinearity": "tanh"}),
              "rnn_relu": (RNNSequence, 1, {"nonlinearity": "relu"})}


def sequence_inputs(kind, steps=2, batch=2, size=2, seed=7, zero_state=False,
                    dtype=np.float64):
    """(function, inputs) for one primitive: xg, h0 (c0), W_hh (b_hh), probe."""
    op, gates, extra = PRIMITIVES[kind]
    rng = np.random.default_rng(seed)

    def tensor(array):
        return Tensor(np.asarray(array, dtype=dtype), requires_grad=True)

    xg = rng.standard_normal((steps, batch, gates * size))
    w_hh = rng.standard_normal((gates * size, size)) * 0.5
    if kind == "rnn_relu":  # stay clear of the kink
        xg, w_hh = np.abs(xg) + 0.5, np.abs(w_hh)
    h0 = np.zeros((batch, size)) if zero_state else np.abs(rng.standard_normal((batch, size)))
    probe = rng.standard_normal((steps, batch, size)) * 0.1
    inputs = [tensor(xg), tensor(h0)]
    if op is LSTMSequence:
        inputs.append(tensor(rng.standard_normal((batch, size))))
    inputs.append(tensor(w_hh))
    if op is GRUSequence:
        inputs.append(tensor(rng.standard_normal(gates * size)))
    inputs.append(tensor(probe))
    function = primitive(op)
    return (lambda reverse: lambda *args: function(*args, reverse=reverse, **extra)), inputs


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_gradgradcheck_with_probe(kind, reverse):
    """The primitives' backward is recorded under create_graph, so second derivatives
    (including through the probe and in reverse time order) are right."""
    make, inputs = sequence_inputs(kind)
    run = make(reverse)
    assert gradcheck(run, inputs)
    assert gradgradcheck(run, inputs)
    # the recorded (create_graph) backward recomputes the activations: same gradients
    seed = Tensor(np.random.default_rng(1).standard_normal(run(*inputs).shape))
    plain = autograd.grad(run(*inputs), inputs, grad_outputs=seed)
    recorded = autograd.grad(run(*inputs), inputs, grad_outputs=seed, create_graph=True)
    for a, b in zip(plain, recorded):
        np.testing.assert_allclose(b.data, a.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_zero_initial_state_still_gets_its_gradient(kind, reverse):
    """With h0 = 0 the fast path skips the first h0 @ W_hh^T; dL/dh0 is still exact."""
    make, inputs = sequence_inputs(kind, steps=3, zero_state=True, seed=3)
    assert not inputs[1].data.any()
    assert gradcheck(make(reverse), inputs)


@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_a_retained_graph_gives_the_same_gradients_twice(kind):
    """The in-place backward must not overwrite what the forward saved."""
    make, inputs = sequence_inputs(kind, steps=4, seed=11)
    out = make(False)(*inputs)
    seed = Tensor(np.random.default_rng(2).standard_normal(out.shape))
    first = autograd.grad(out, inputs, grad_outputs=seed, retain_graph=True)
    second = autograd.grad(out, inputs, grad_outputs=seed)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_no_grad_forward_gives_the_same_output(kind):
    """Under no_grad the forward keeps one step of activations instead of all."""
    make, inputs = sequence_inputs(kind, steps=5, seed=4)
    recorded = make(True)(*inputs)
    with no_grad():
        plain = make(True)(*inputs)
    assert not plain.requires_grad
    np.testing.assert_array_equal(plain.data, recorded.data)


@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_float32_in_float32_out(kind):
    make, inputs = sequence_inputs(kind, dtype=np.float32)
    out = make(False)(*inputs)
    assert out.dtype == np.float32
    grads = autograd.grad(out.sum(), inputs)
    assert all(g.dtype == np.float32 for g in grads)
