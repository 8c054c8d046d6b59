"""Gradient-flow pictures from a GradientMonitor: magnitudes per layer, the layer x step
heatmap, activation saturation, and the network diagram coloured by gradient."""
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

import autograd
import viz
from autograd import Tensor
from nn.activation import ReLU, Sigmoid
from nn.containers import Sequential
from nn.linear import Linear
from optim import SGD

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def monitor():
    autograd.manual_seed(0)
    net = Sequential(Linear(4, 8), Sigmoid(), Linear(8, 8), ReLU(), Linear(8, 1))
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(32, 4)).astype(np.float32))
    y = Tensor(rng.normal(size=(32, 1)).astype(np.float32))
    optimizer = SGD(net.parameters(), lr=0.1)
    with viz.GradientMonitor(net, optimizer=optimizer) as watching:
        for _ in range(6):
            optimizer.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            optimizer.step()
    return watching


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 2000


def test_gradient_magnitudes_plot(monitor, tmp_path):
    figure = viz.plot_gradient_magnitudes(monitor, path=tmp_path / "magnitudes.png")
    assert isinstance(figure, Figure)
    assert_png(tmp_path / "magnitudes.png")
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"
    assert [t.get_text() for t in axes.get_xticklabels()] == ["0\nLinear", "2\nLinear",
                                                               "4\nLinear"]
    assert sorted(axes.get_legend_handles_labels()[1]) == ["max |grad|", "mean |grad|"]


def test_gradient_magnitudes_plot_marks_flagged_layers_in_red(monitor, tmp_path):
    monitor.thresholds.vanishing_grad = 1e9  # every layer is now "vanishing"
    try:
        figure = viz.plot_gradient_magnitudes(monitor, step=0)
    finally:
        monitor.thresholds.vanishing_grad = 1e-8
    colors = {t.get_color() for t in figure.axes[0].get_xticklabels()}
    assert colors == {"#c0392b"}


def test_gradient_heatmap(monitor, tmp_path):
    figure = viz.plot_gradient_heatmap(monitor, path=tmp_path / "heatmap.png")
    assert_png(tmp_path / "heatmap.png")
    assert len(figure.axes) == 2  # the map and its colour bar
    assert "log scale" in figure.axes[1].get_ylabel()
    with pytest.raises(ValueError, match="stat"):
        viz.plot_gradient_heatmap(monitor, stat="median")


def test_activation_saturation_plot(monitor, tmp_path):
    figure = viz.plot_activation_saturation(monitor, path=tmp_path / "saturation.png")
    assert_png(tmp_path / "saturation.png")
    assert len(figure.axes) == 2  # this step, and over the steps
    bars = figure.axes[0].patches
    record = monitor.record()
    assert [b.get_height() for b in bars] == pytest.approx(
        [100 * record.activations[n].fraction for n in ("1", "3")])


@pytest.mark.skipif(not viz.dot_available(), reason="Graphviz's dot is not installed")
def test_network_diagram_from_a_monitor_and_from_a_model(monitor, tmp_path):
    diagram = viz.network_diagram(monitor, path=tmp_path / "network.png")
    assert_png(tmp_path / "network.png")
    source = diagram.source
    assert source.count("shape=box") == 3 and source.count("shape=ellipse") == 2
    assert "mean |grad| (log scale)" in source and "input" in source and "output" in source
    net = monitor.model
    net.zero_grad()
    net(Tensor(np.ones((2, 4), np.float32))).sum().backward()
    from_model = viz.network_diagram(net, stat="norm").source
    norm = np.linalg.norm(np.concatenate([net[4].weight.grad.data.ravel(),
                                          net[4].bias.grad.data.ravel()]))
    assert f"‖g‖ {norm:.2e}" in from_model


def test_network_diagram_flags_show_as_red_borders(monitor):
    monitor.thresholds.exploding_norm = 0.0
    try:
        source = viz.network_diagram(monitor).source
    finally:
        monitor.thresholds.exploding_norm = 1e3
    assert source.count('color="#c0392b"') == 3 and "EXPLODING" in source


def test_importing_viz_leaves_pyplot_alone():
    code = ("import viz, sys, numpy as np; viz.plot_history({'loss': [3, 2, 1]}); "
            "print('matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=str(__import__("pathlib").Path(viz.__file__).parents[1]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
