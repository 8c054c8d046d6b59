"""Gradient flow through time: ||dL/dh_t|| from unrolled cells, from `.grad`, from
`autograd.grad` and from a sequence module's probe; the comparison plot."""
import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor
from nn.module import Module
from nn.parameter import Parameter

PNG = b"\x89PNG"


class LinearCell(Module):
    """h' = w h + x: dh'/dh = w, so with the loss sum(h_T), dL/dh_t = w^(T-t) per unit."""

    def __init__(self, w, size=2):
        super().__init__()
        self.w = Parameter(np.array(w, np.float32))
        self.size = size

    def forward(self, x, h=None):
        if h is None:
            h = Tensor(np.zeros((x.shape[0], self.size), np.float32))
        return h * self.w + x


def sequence(steps=6, batch=3, size=2):
    rng = np.random.default_rng(0)
    return Tensor(rng.normal(size=(steps, batch, size)).astype(np.float32))


def expected_norms(w, steps=6, batch=3, size=2):
    # every element of dL/dh_t is w^(T-t); the norm over batch x size elements
    return np.array([abs(w) ** (steps - t) * np.sqrt(batch * size)
                     for t in range(1, steps + 1)])


def test_norms_from_retained_grads_match_the_chain_rule_by_hand():
    states = viz.unroll(LinearCell(0.5), sequence())
    assert len(states) == 6 and all(s.retains_grad for s in states)
    states[-1].sum().backward()
    norms = viz.gradient_through_time(states)
    assert norms == pytest.approx(expected_norms(0.5), rel=1e-6)
    means = viz.gradient_through_time(states, stat="mean_abs")
    assert means == pytest.approx(0.5 ** np.arange(5, -1, -1), rel=1e-6)


def test_loss_argument_uses_autograd_grad_and_leaves_grads_untouched():
    cell = LinearCell(-2.0)
    states = viz.unroll(cell, sequence(), retain_grad=False)
    norms = viz.gradient_through_time(states, loss=states[-1].sum())
    assert norms == pytest.approx(expected_norms(-2.0), rel=1e-6)
    assert cell.w.grad is None and states[0].grad is None


def test_a_tensor_with_a_time_axis_and_steps_the_loss_ignores():
    x = Tensor(np.ones((4, 2, 3), np.float32), requires_grad=True)
    loss = (x[1] * 3.0).sum()
    norms = viz.gradient_through_time(x, loss=loss)
    assert norms == pytest.approx([0, 3 * np.sqrt(6), 0, 0])
    batch_first = Tensor(np.ones((2, 4, 3), np.float32), requires_grad=True)
    batch_first[:, 2].sum().backward()
    assert viz.gradient_through_time(batch_first, time_dim=1) == pytest.approx(
        [0, 0, np.sqrt(6), 0])


def test_no_gradient_at_all_explains_what_to_do():
    states = viz.unroll(LinearCell(0.5), sequence())
    with pytest.raises(RuntimeError, match="retain_grad"):
        viz.gradient_through_time(states)
    with pytest.raises(ValueError, match="stat"):
        viz.gradient_through_time(states, stat="max")


def test_compare_with_plain_cells():
    curves = viz.compare_gradient_through_time(
        {"w=0.5": LinearCell(0.5), "w=0.9": LinearCell(0.9)}, sequence())
    assert curves["w=0.5"] == pytest.approx(expected_norms(0.5), rel=1e-6)
    assert curves["w=0.9"][0] > curves["w=0.5"][0]


def test_gated_cells_with_open_gates_keep_more_gradient_than_a_plain_rnn():
    # the LSTM's forget gate and the GRU's update gate near 1 (bias +3: sigma = 0.95)
    # give the gradient a path with factor ~0.95 per step; the RNN's factor is
    # diag(1 - h^2) W_hh, about 0.5 at PyTorch's initialisation
    recurrent = pytest.importorskip("nn.recurrent")
    autograd.manual_seed(0)
    size = 16
    cells = {"RNN": recurrent.RNNCell(4, size), "LSTM": recurrent.LSTMCell(4, size),
             "GRU": recurrent.GRUCell(4, size)}
    for name in ("LSTM", "GRU"):
        cells[name].bias_ih.data[size:2 * size] = 3.0
    x = Tensor(np.random.default_rng(1).normal(size=(30, 8, 4)).astype(np.float32))
    curves = viz.compare_gradient_through_time(cells, x)
    early = {name: values[0] / values[-1] for name, values in curves.items()}
    assert early["LSTM"] > 10 * early["RNN"] and early["GRU"] > 10 * early["RNN"]


def test_sequence_modules_through_their_probe_match_the_unrolled_cells():
    recurrent = pytest.importorskip("nn.recurrent")
    import inspect
    if "probe" not in inspect.signature(recurrent.GRU.forward).parameters:
        pytest.skip("this nn.GRU has no probe argument")
    autograd.manual_seed(0)
    module = recurrent.GRU(3, 5)
    cell = recurrent.GRUCell(3, 5)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).data[...] = getattr(module, name + "_l0").data
    x = Tensor(np.random.default_rng(2).normal(size=(7, 2, 3)).astype(np.float32))
    curves = viz.compare_gradient_through_time({"module": module, "cell": cell}, x)
    assert curves["module"] == pytest.approx(curves["cell"], rel=1e-4)


def test_plot_gradient_through_time(tmp_path):
    curves = viz.compare_gradient_through_time(
        {"w=0.5": LinearCell(0.5), "w=0.9": LinearCell(0.9)}, sequence())
    figure = viz.plot_gradient_through_time(curves, path=tmp_path / "time.png")
    assert (tmp_path / "time.png").read_bytes().startswith(PNG)
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"
    labels = axes.get_legend_handles_labels()[1]
    assert labels == ["w=0.5 (×0.5 per step)", "w=0.9 (×0.9 per step)"]
    first_line = axes.get_lines()[0]
    assert first_line.get_ydata()[-1] == pytest.approx(1.0)  # normalised at t = T
    with pytest.raises(ValueError, match="1-D"):
        viz.plot_gradient_through_time({"bad": np.ones((2, 2))})
