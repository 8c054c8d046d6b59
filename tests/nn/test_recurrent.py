"""nn.recurrent: the cells and the sequence layers.

Against torch in float64 after loading its state_dict: outputs, final states and the
gradients of the input, the initial states and every parameter, for 1 and 2 layers,
batch_first, bidirectional, with and without initial states, unbatched input. Then
gradcheck (and gradgradcheck for the cells and the sequence primitives), the probe
that yields dL/dh_t, dropout, parameter names and initialisation, reprs and errors.
"""
import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

INPUT, HIDDEN = 3, 4

# kind -> (our class, torch class name, extra keyword arguments)
KINDS = {
    "rnn_tanh": (RNN, "RNN", {}),
    "rnn_relu": (RNN, "RNN", {"nonlinearity": "relu"}),
    "lstm": (LSTM, "LSTM", {}),
    "gru": (GRU, "GRU", {}),
}
CELLS = {
    "rnn_tanh": (RNNCell, "RNNCell", {}),
    "rnn_relu": (RNNCell, "RNNCell", {"nonlinearity": "relu"}),
    "lstm": (LSTMCell, "LSTMCell", {}),
    "gru": (GRUCell, "GRUCell", {}),
}


def rand(*shape, seed=0, requires_grad=True, dtype=np.float64):
    array = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return Tensor(array, requires_grad=requires_grad)


def loaded_pair(table, kind, *args, **kwargs):
    """(ours in float64, torch's in float64) with torch's weights loaded into ours."""
    torch = pytest.importorskip("torch")
    ours, torch_name, extra = table[kind]
    reference = getattr(torch.nn, torch_name)(*args, **extra, **kwargs).double()
    layer = ours(*args, **extra, **kwargs, dtype=np.float64)
    assert list(layer.state_dict()) == list(reference.state_dict())
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return layer, reference


def as_torch(tensor):
    import torch
    return torch.tensor(tensor.data, requires_grad=True)


def close(ours, theirs, what):
    np.testing.assert_allclose(ours.data if isinstance(ours, Tensor) else ours,
                               theirs.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=what)


# ---- sequence layers against torch ----------------------------------------------------
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("with_state", [False, True], ids=["no-hx", "hx"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-first", "batch-first"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", list(KINDS))
def test_sequence_matches_torch(kind, num_layers, batch_first, with_state, bidirectional):
    import_torch = pytest.importorskip("torch")
    layer, reference = loaded_pair(KINDS, kind, INPUT, HIDDEN, num_layers=num_layers,
                                   batch_first=batch_first, bidirectional=bidirectional)
    steps, batch, directions = 5, 3, 2 if bidirectional else 1
    x = rand(*((batch, steps) if batch_first else (steps, batch)), INPUT, seed=1)
    states = []
    if with_state:
        states = [rand(num_layers * directions, batch, HIDDEN, seed=2 + i)
                  for i in range(2 if kind == "lstm" else 1)]
    torch_states = [as_torch(s) for s in states]
    hx = None if not states else (tuple(states) if kind == "lstm" else states[0])
    torch_hx = None if not states else (tuple(torch_states) if kind == "lstm" else torch_states[0])
    x_torch = as_torch(x)
    output, final = layer(x, hx)
    expected_output, expected_final = reference(x_torch, torch_hx)
    finals = final if kind == "lstm" else (final,)
    expected_finals = expected_final if kind == "lstm" else (expected_final,)
    close(output, expected_output, "output")
    for ours, theirs in zip(finals, expected_finals):
        close(ours, theirs, "final state")
    # a loss that uses the output and every final state
    weights = [np.random.default_rng(10 + i).standard_normal(t.shape)
               for i, t in enumerate((output,) + tuple(finals))]
    loss = sum(((t * w).sum() for t, w in zip((output,) + tuple(finals), weights)), Tensor(0.0))
    expected_loss = sum((t * import_torch.tensor(w)).sum()
                        for t, w in zip((expected_output,) + tuple(expected_finals), weights))
    loss.backward()
    expected_loss.backward()
    close(x.grad, x_torch.grad, "input gradient")
    for ours, theirs in zip(states, torch_states):
        close(ours.grad, theirs.grad, "initial state gradient")
    for (name, p), q in zip(layer.named_parameters(), reference.parameters()):
        close(p.grad, q.grad, name)


@pytest.mark.parametrize("kind", list(KINDS))
def test_unbatched_input_matches_torch(kind):
    layer, reference = loaded_pair(KINDS, kind, INPUT, HIDDEN, num_layers=2,
                                   bidirectional=True)
    x = rand(4, INPUT, seed=3)
    h0 = rand(4, HIDDEN, seed=4)
    hx = (h0, rand(4, HIDDEN, seed=5)) if kind == "lstm" else h0
    torch_hx = tuple(as_torch(s) for s in hx) if kind == "lstm" else as_torch(hx)
    output, final = layer(x, hx)
    expected_output, expected_final = reference(as_torch(x), torch_hx)
    assert output.shape == (4, 2 * HIDDEN)
    close(output, expected_output, "output")
    if kind == "lstm":
        close(final[0], expected_final[0], "h_n")
        close(final[1], expected_final[1], "c_n")
        assert final[1].shape == (4, HIDDEN)
    else:
        close(final, expected_final, "h_n")
        assert final.shape == (4, HIDDEN)


def test_parameter_names_shapes_and_order_match_torch():
    torch = pytest.importorskip("torch")
    for ours, name, gates in ((LSTM, "LSTM", 4), (GRU, "GRU", 3), (RNN, "RNN", 1)):
        layer = ours(5, 7, num_layers=2, bidirectional=True)
        reference = getattr(torch.nn, name)(5, 7, num_layers=2, bidirectional=True)
        ours_state, torch_state = layer.state_dict(), reference.state_dict()
        assert list(ours_state) == list(torch_state)
        for key in torch_state:
            assert ours_state[key].shape == tuple(torch_state[key].shape), key
        assert layer.weight_ih_l1_reverse.shape == (gates * 7, 14)
        assert len(layer.all_weights) == 4 and len(layer.all_weights[0]) == 4
    assert list(LSTM(2, 3, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell],
                         ids=lambda c: c.__name__)
def test_initialisation_is_uniform_in_one_over_sqrt_hidden(cls):
    autograd.manual_seed(3)
    layer = cls(6, 16)
    values = np.concatenate([p.data.ravel() for p in layer.parameters()])
    bound = 1 / math.sqrt(16)
    assert np.abs(values).max() <= bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert all(p.dtype == np.float32 for p in layer.parameters())
    autograd.manual_seed(3)
    again = cls(6, 16)
    for p, q in zip(layer.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


# ---- cells against torch -----------------------------------------------------------------
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["no-hx", "hx"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(kind, bias, with_state, batched):
    torch = pytest.importorskip("torch")
    cell, reference = loaded_pair(CELLS, kind, INPUT, HIDDEN, bias=bias)
    lead = (3,) if batched else ()
    x = rand(*lead, INPUT, seed=1)
    states = [rand(*lead, HIDDEN, seed=2 + i) for i in range(2 if kind == "lstm" else 1)]
    torch_states = [as_torch(s) for s in states]
    if with_state:
        hx = tuple(states) if kind == "lstm" else states[0]
        torch_hx = tuple(torch_states) if kind == "lstm" else torch_states[0]
    else:
        hx = torch_hx = None
    x_torch = as_torch(x)
    out, expected = cell(x, hx), reference(x_torch, torch_hx)
    outs = out if kind == "lstm" else (out,)
    expected_outs = expected if kind == "lstm" else (expected,)
    loss, expected_loss = Tensor(0.0), 0
    for i, (o, e) in enumerate(zip(outs, expected_outs)):
        close(o, e, "output")
        weight = np.random.default_rng(20 + i).standard_normal(o.shape)
        loss = loss + (o * weight).sum()
        expected_loss = expected_loss + (e * torch.tensor(weight)).sum()
    loss.backward()
    expected_loss.backward()
    close(x.grad, x_torch.grad, "input gradient")
    if with_state:
        for ours, theirs in zip(states, torch_states):
            close(ours.grad, theirs.grad, "state gradient")
    for (name, p), q in zip(cell.named_parameters(), reference.parameters()):
        close(p.grad, q.grad, name)


# ---- gradcheck and gradgradcheck -----------------------------------------------------------
def float64_cell(kind):
    cls, _, extra = CELLS[kind]
    autograd.manual_seed(0)
    return cls(2, 3, **extra, dtype=np.float64)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_gradcheck_and_gradgradcheck(kind):
    cell = float64_cell(kind)
    x = rand(2, 2, seed=1)
    states = [rand(2, 3, seed=2 + i) for i in range(2 if kind == "lstm" else 1)]
    if kind == "rnn_relu":  # keep pre-activations away from relu's kink
        x = Tensor(np.abs(x.data) + 0.5, requires_grad=True)
        for p in cell.parameters():
            p.data = np.abs(p.data) + 0.1
        states = [Tensor(np.abs(s.data), requires_grad=True) for s in states]

    def step(x, *rest):
        hx = tuple(rest[:2]) if kind == "lstm" else rest[0]
        return cell(x, hx)

    inputs = [x] + states + list(cell.parameters())
    assert gradcheck(step, inputs)
    assert gradgradcheck(step, inputs[:len(states) + 1] + list(cell.parameters())[:2])


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru"])
def test_sequence_gradcheck_two_layers(kind):
    cls, _, extra = KINDS[kind]
    autograd.manual_seed(1)
    layer = cls(2, 2, num_layers=2, **extra, dtype=np.float64)
    x = rand(3, 2, 2, seed=1)
    states = [rand(2, 2, 2, seed=2 + i) for i in range(2 if kind == "lstm" else 1)]

    def run(x, *rest):
        hx = tuple(rest[:2]) if kind == "lstm" else rest[0]
        output, final = layer(x, hx)
        return (output,) + (final if kind == "lstm" else (final,))

    assert gradcheck(run, [x] + states + list(layer.parameters()))


@pytest.mark.parametrize("kind", ["rnn_relu", "lstm", "gru"])
def test_sequence_gradcheck_bidirectional_batch_first(kind):
    cls, _, extra = KINDS[kind]
    autograd.manual_seed(2)
    layer = cls(2, 2, bidirectional=True, batch_first=True, **extra, dtype=np.float64)
    x = rand(2, 3, 2, seed=5)
    assert gradcheck(lambda x, *params: layer(x)[0], [x] + list(layer.parameters()))


def test_second_order_through_lstm_matches_torch():
    """A gradient penalty: d/dparams of |d loss / d x|^2, through the recorded BPTT."""
    torch = pytest.importorskip("torch")
    layer, reference = loaded_pair(KINDS, "lstm", INPUT, HIDDEN, num_layers=2)
    x = rand(4, 2, INPUT, seed=8)
    x_torch = as_torch(x)
    (gx,) = autograd.grad(layer(x)[0].sum(), x, create_graph=True)
    (gx * gx).sum().backward()
    (gx_torch,) = torch.autograd.grad(reference(x_torch)[0].sum(), x_torch, create_graph=True)
    (gx_torch * gx_torch).sum().backward()
    close(gx, gx_torch, "first derivative")
    for (name, p), q in zip(layer.named_parameters(), reference.parameters()):
        close(p.grad, q.grad, name)


def test_plain_backward_after_create_graph_on_a_retained_graph():
    autograd.manual_seed(0)
    layer = GRU(2, 3, dtype=np.float64)
    x = rand(3, 2, 2, seed=9)
    loss = (layer(x)[0] ** 2).sum()
    (first,) = autograd.grad(loss, x, create_graph=True, retain_graph=True)
    (again,) = autograd.grad(loss, x)
    np.testing.assert_allclose(again.data, first.data, rtol=1e-12)


# ---- dL/dh_t through time: the probe -----------------------------------------------------
def cell_for(layer, kind, suffix=""):
    """A cell sharing layer 0's weights of one direction."""
    cls, _, extra = CELLS[kind]
    cell = cls(layer.input_size, layer.hidden_size, **extra, dtype=np.float64)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        setattr(cell, name, getattr(layer, f"{name}_l0{suffix}"))
    return cell


@pytest.mark.parametrize("kind", list(KINDS))
def test_probe_gradient_is_the_total_dl_dh_t(kind):
    """probe.grad[t] equals h_t.grad of an unrolled cell loop (h_t.retain_grad()), which
    includes everything that flows back into h_t from later steps; output.grad only
    holds the direct part."""
    cls, _, extra = KINDS[kind]
    autograd.manual_seed(4)
    layer = cls(2, 3, bidirectional=True, **extra, dtype=np.float64)
    x = rand(5, 2, 2, seed=11)
    probe = autograd.zeros(5, 2, 6, dtype=np.float64, requires_grad=True)
    output, final = layer(x, probe=probe)
    output.retain_grad()
    h_n = final[0] if kind == "lstm" else final
    loss = (h_n ** 2).sum() + output[1].sum()  # the last states and one early step
    loss.backward()
    directions = []
    for suffix, order in (("", range(5)), ("_reverse", range(4, -1, -1))):
        cell, state, steps = cell_for(layer, kind, suffix), None, {}
        for t in order:
            state = cell(x[t], state)
            h = state[0] if kind == "lstm" else state
            h.retain_grad()
            steps[t] = h
        directions.append(steps)
    forward, backward = directions
    h_last = (forward[4], backward[0])
    reference_loss = (h_last[0] ** 2).sum() + (h_last[1] ** 2).sum() + forward[1].sum() \
        + backward[1].sum()
    reference_loss.backward()
    total = np.stack([np.concatenate([forward[t].grad.data, backward[t].grad.data], axis=-1)
                      for t in range(5)])
    np.testing.assert_allclose(probe.grad.data, total, rtol=1e-10, atol=1e-12)
    direct = np.zeros((5, 2, 6))
    direct[1] = 1
    np.testing.assert_allclose(output.grad.data, direct)
    # gradient flows back through time: early steps receive the last state's signal
    assert np.abs(probe.grad.data[0]).sum() > 0


def test_probe_follows_the_output_layout_and_is_checked():
    layer = LSTM(2, 3, num_layers=2, batch_first=True)
    x = Tensor(np.ones((4, 5, 2), dtype=np.float32))
    probe = autograd.zeros(4, 5, 3, requires_grad=True)
    output, _ = layer(x, probe=probe)
    output[:, -1].sum().backward()
    assert probe.grad.shape == (4, 5, 3)
    assert np.abs(probe.grad.data[:, 0]).sum() > 0  # reached the first step
    with pytest.raises(ValueError, match=r"LSTM: probe must have the output's shape "
                                         r"\(4, 5, 3\), got \(5, 4, 3\)"):
        layer(x, probe=autograd.zeros(5, 4, 3))


def test_probe_with_zeros_leaves_the_results_unchanged():
    autograd.manual_seed(0)
    layer = GRU(2, 3, num_layers=2)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 2, 2)).astype(np.float32))
    plain, h_plain = layer(x)
    probed, h_probed = layer(x, probe=autograd.zeros(4, 2, 3, requires_grad=True))
    np.testing.assert_array_equal(plain.data, probed.data)
    np.testing.assert_array_equal(h_plain.data, h_probed.data)


# ---- dropout, dtypes, modes ------------------------------------------------------------------
def test_dropout_between_layers_in_training_only():
    autograd.manual_seed(0)
    layer = LSTM(3, 4, num_layers=2, dropout=0.5)
    x = Tensor(np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32))
    autograd.manual_seed(1)
    first = layer(x)[0].data
    autograd.manual_seed(1)
    np.testing.assert_array_equal(layer(x)[0].data, first)  # reproducible
    layer.eval()
    evaluated = layer(x)[0].data
    assert not np.allclose(evaluated, first)
    no_dropout = LSTM(3, 4, num_layers=2)
    no_dropout.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(no_dropout(x)[0].data, evaluated)
    with pytest.warns(UserWarning, match="dropout=0.3 acts only between stacked layers"):
        GRU(2, 2, dropout=0.3)


def test_float32_stays_float32():
    for layer in (LSTM(3, 4, num_layers=2, bidirectional=True), GRU(3, 4), RNN(3, 4)):
        x = Tensor(np.ones((2, 3, 3), dtype=np.float32), requires_grad=True)
        output, _ = layer(x)
        output.sum().backward()
        assert output.dtype == np.float32 and x.grad.dtype == np.float32
        assert all(p.grad.dtype == np.float32 for p in layer.parameters())


# ---- repr and errors ------------------------------------------------------------------------
@pytest.mark.parametrize("layer, text", [
    (RNN(3, 4, nonlinearity="relu"), "RNN(3, 4)"),
    (RNN(3, 4, 2, bias=False, batch_first=True, dropout=0.5, bidirectional=True),
     "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)"),
    (LSTM(10, 20, 2), "LSTM(10, 20, num_layers=2)"),
    (GRU(3, 4), "GRU(3, 4)"),
    (RNNCell(3, 4, nonlinearity="relu"), "RNNCell(3, 4, nonlinearity=relu)"),
    (LSTMCell(3, 4, bias=False), "LSTMCell(3, 4, bias=False)"),
    (GRUCell(3, 4), "GRUCell(3, 4)"),
], ids=repr)
def test_repr_as_pytorch(layer, text):
    assert repr(layer) == text


def test_reprs_match_torch_itself():
    torch = pytest.importorskip("torch")
    assert repr(LSTM(3, 4, 2, batch_first=True, dropout=0.25)) == \
        repr(torch.nn.LSTM(3, 4, 2, batch_first=True, dropout=0.25))
    assert repr(GRUCell(3, 4, bias=False)) == repr(torch.nn.GRUCell(3, 4, bias=False))


def test_wrong_input_size_names_the_layer():
    with pytest.raises(ValueError, match=r"^LSTM: expected input with 10 features "
                                         r"\(input_size\), got 7$"):
        LSTM(10, 20)(Tensor(np.zeros((5, 3, 7), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"GRUCell: expected input with 4 features "
                                         r"\(input_size\), got 3"):
        GRUCell(4, 2)(Tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"RNN: expected a 2-D \(L, input_size\) or 3-D "
                                         r"\(batch, L, input_size\) input, got shape"):
        RNN(3, 2, batch_first=True)(Tensor(np.zeros((1, 2, 3, 3), dtype=np.float32)))


def test_wrong_initial_states_are_explained():
    layer = LSTM(10, 20, num_layers=2)
    x = Tensor(np.zeros((5, 3, 10), dtype=np.float32))
    good = autograd.zeros(2, 3, 20)
    with pytest.raises(ValueError, match=r"LSTM: expected h_0 of shape \(2, 3, 20\) = "
                                         r"\(num_layers \* num_directions, batch, hidden_size\), "
                                         r"got \(1, 3, 20\)"):
        layer(x, (autograd.zeros(1, 3, 20), good))
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape \(2, 3, 20\)"):
        layer(x, (good, autograd.zeros(2, 4, 20)))
    with pytest.raises(TypeError, match=r"LSTM: hx must be a pair \(h_0, c_0\)"):
        layer(x, good)
    with pytest.raises(ValueError, match=r"GRU: expected hx of shape \(2, 20\) = "
                                         r"\(num_layers \* num_directions, hidden_size\)"):
        GRU(10, 20, bidirectional=True)(Tensor(np.zeros((5, 10), dtype=np.float32)),
                                        autograd.zeros(2, 3, 20))
    with pytest.raises(ValueError, match=r"LSTMCell: expected c of shape \(3, 4\)"):
        LSTMCell(2, 4)(Tensor(np.zeros((3, 2), dtype=np.float32)),
                       (autograd.zeros(3, 4), autograd.zeros(4)))


@pytest.mark.parametrize("make, message", [
    (lambda: RNN(3, 4, nonlinearity="sigmoid"), "RNN: nonlinearity must be 'tanh' or 'relu'"),
    (lambda: RNNCell(3, 4, nonlinearity="gelu"), "RNNCell: nonlinearity must be"),
    (lambda: LSTM(3, 4, dropout=1.5), r"LSTM: dropout must be a number in \[0, 1\]"),
    (lambda: GRU(3, 0), "GRU: hidden_size must be a positive int"),
    (lambda: LSTM(3, 4, num_layers=0), "LSTM: num_layers must be a positive int"),
    (lambda: LSTMCell(0, 4), "LSTMCell: input_size must be a positive int"),
])
def test_bad_construction_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
