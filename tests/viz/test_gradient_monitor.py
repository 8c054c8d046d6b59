"""`viz.GradientMonitor`: statistics equal to hand computations on a small net,
saturation and dead units, flags for vanishing and exploding gradients, and clean
detaching."""
import math

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, no_grad
from nn import init
from nn.activation import ReLU, Sigmoid, Tanh
from nn.containers import Sequential
from nn.linear import Linear
from nn.module import Module
from optim import SGD

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.0], [0.2, 0.3, 0.4]],
             np.float32)
TARGET = np.array([[1.0], [0.0], [0.5], [-1.0]], np.float32)
W1 = np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.6]], np.float32)
B1 = np.array([0.1, -0.2], np.float32)
W2 = np.array([[1.5, -0.8]], np.float32)
B2 = np.array([0.05], np.float32)


def small_net():
    net = Sequential(Linear(3, 2), Sigmoid(), Linear(2, 1))
    for p, value in zip(net.parameters(), (W1, B1, W2, B2)):
        p.data[...] = value
    return net


def hand_gradients():
    """loss = mean((sigmoid(x W1^T + b1) W2^T + b2 - t)^2), backpropagated by hand."""
    x, t = X.astype(np.float64), TARGET.astype(np.float64)
    a1 = 1 / (1 + np.exp(-(x @ W1.T + B1)))
    y = a1 @ W2.T + B2
    dy = 2 * (y - t) / len(x)
    dz1 = (dy @ W2) * a1 * (1 - a1)
    return a1, {"0.weight": dz1.T @ x, "0.bias": dz1.sum(0), "2.weight": dy.T @ a1,
                "2.bias": dy.sum(0)}


def train_step(net, optimizer):
    optimizer.zero_grad()
    loss = ((net(Tensor(X)) - Tensor(TARGET)) ** 2).mean()
    loss.backward()
    optimizer.step()


def test_layer_and_parameter_statistics_match_a_hand_computation():
    net = small_net()
    optimizer = SGD(net.parameters(), lr=0.1)
    monitor = viz.GradientMonitor(net, optimizer=optimizer)
    train_step(net, optimizer)
    record = monitor.record()
    _, grads = hand_gradients()
    for name, grad in grads.items():
        stats = record.params[name]
        assert stats.mean_abs == pytest.approx(np.abs(grad).mean(), rel=1e-5)
        assert stats.norm == pytest.approx(np.linalg.norm(grad), rel=1e-5)
        assert stats.max_abs == pytest.approx(np.abs(grad).max(), rel=1e-5)
    weights = {"0.weight": W1, "0.bias": B1, "2.weight": W2, "2.bias": B2}
    for layer in ("0", "2"):
        names = [n for n in grads if n.startswith(layer + ".")]
        pooled = np.concatenate([grads[n].ravel() for n in names])
        before = np.concatenate([weights[n].ravel().astype(np.float64) for n in names])
        stats = record.layers[layer]
        assert stats.numel == pooled.size
        assert stats.mean_abs == pytest.approx(np.abs(pooled).mean(), rel=1e-5)
        assert stats.norm == pytest.approx(np.linalg.norm(pooled), rel=1e-5)
        assert stats.max_abs == pytest.approx(np.abs(pooled).max(), rel=1e-5)
        # SGD moved the weights by -lr g, so ||dw|| / ||w|| = lr ||g|| / ||w||
        expected = 0.1 * np.linalg.norm(pooled) / np.linalg.norm(before)
        assert stats.update_ratio == pytest.approx(expected, rel=1e-4)
    assert monitor.layer_names == ["0", "2"] and monitor.activation_names == ["1"]
    monitor.remove()


def test_sigmoid_saturation_is_the_fraction_of_outputs_near_0_or_1():
    net = small_net()
    monitor = viz.GradientMonitor(net)
    a1, _ = hand_gradients()
    for margin in (0.01, 0.3):
        monitor.thresholds.sigmoid_margin = margin
        net(Tensor(X)).sum().backward()
        record = monitor.step()
        expected = np.mean((a1 < margin) | (a1 > 1 - margin))
        assert record.activations["1"].fraction == pytest.approx(expected)
        assert record.activations["1"].what == "saturated"
    assert monitor.history[-1].activations["1"].fraction > 0  # margin 0.3 catches some


def test_tanh_saturation_and_dead_relu_units():
    layer = Linear(2, 4)
    layer.weight.data[...] = np.array([[10, 0], [0, 10], [1, 1], [-1, 0]], np.float32)
    layer.bias.data[...] = np.array([0, 0, -100, 0], np.float32)  # unit 2 never fires
    x = Tensor(np.array([[1.0, -1.0], [2.0, 0.1], [-0.05, 0.0]], np.float32))
    for activation, kind in ((Tanh(), "tanh"), (ReLU(), "relu")):
        net = Sequential(layer, activation)
        monitor = viz.GradientMonitor(net)
        out = net(x)
        out.sum().backward()
        record = monitor.step()
        data = out.data
        if kind == "tanh":
            expected = np.mean(np.abs(data) > 0.99)
        else:
            expected = np.mean(np.all(data == 0, axis=0))  # units dead on every sample
            assert expected == 0.25
        assert record.activations["1"].fraction == pytest.approx(expected)
        monitor.remove()


def test_activations_are_recognised_by_attribute_and_by_registration():
    class Squash(Module):
        viz_activation = "sigmoid"

        def forward(self, x):
            return autograd.sigmoid(x)

    class ClampForMonitorTest(Module):
        def forward(self, x):
            return autograd.clamp(x, -1.0, 1.0)

    class PositiveShareForMonitorTest(Module):
        def forward(self, x):
            return x * 1.0

    viz.register_activation(ClampForMonitorTest, "tanh")
    viz.register_activation("PositiveShareForMonitorTest",
                            lambda output: float(np.mean(output > 0)))
    net = Sequential(Linear(3, 4), Squash(), Linear(4, 4), ClampForMonitorTest(),
                     PositiveShareForMonitorTest())
    assert [viz.activation_kind(net[i]) for i in (0, 1, 2, 3)] == [None, "sigmoid", None,
                                                                 "tanh"]
    assert callable(viz.activation_kind(net[4]))
    monitor = viz.GradientMonitor(net)
    out = net(Tensor(X))
    out.sum().backward()
    record = monitor.step()
    assert set(record.activations) == {"1", "3", "4"}
    assert record.activations["4"].fraction == pytest.approx(np.mean(out.data > 0))
    with pytest.raises(ValueError, match="kind"):
        viz.register_activation("Bad", "softmax")


def test_every_skips_steps_and_no_grad_forwards_are_ignored():
    net = small_net()
    monitor = viz.GradientMonitor(net, every=2)
    for _ in range(5):
        with no_grad():
            net(Tensor(np.full((4, 3), 50.0, np.float32)))  # would saturate everything
        net(Tensor(X)).sum().backward()
        monitor.step()
    assert monitor.steps == [0, 2, 4]
    assert all(r.activations["1"].passes == 1 for r in monitor.history)
    assert monitor.history[0].activations["1"].fraction < 0.5


def test_remove_detaches_every_hook_and_unwraps_the_optimizer():
    net = small_net()
    optimizer = SGD(net.parameters(), lr=0.1)
    with viz.GradientMonitor(net, optimizer=optimizer) as monitor:
        train_step(net, optimizer)
        assert len(monitor.history) == 1
    assert "step" not in optimizer.__dict__
    train_step(net, optimizer)
    assert len(monitor.history) == 1
    record = monitor.step()  # no hook saw the backward: no weight snapshot, no activations
    assert record.layers["0"].update_ratio is None and record.activations == {}


def test_reading_before_any_step_and_bad_arguments_raise():
    net = small_net()
    with pytest.raises(RuntimeError, match="monitor.step"):
        viz.GradientMonitor(net).report()
    with pytest.raises(ValueError, match="every"):
        viz.GradientMonitor(net, every=0)
    with pytest.raises(ValueError, match="unknown thresholds"):
        viz.GradientMonitor(net, thresholds={"vanish": 1})
    with pytest.raises(TypeError, match="nn.Module"):
        viz.GradientMonitor([1, 2])


# ---- flags -------------------------------------------------------------------------------
def deep_net(activation, weight_init, depth=8, width=32):
    autograd.manual_seed(0)
    layers = [Linear(16, width)]
    for _ in range(depth):
        layers += [activation(), Linear(width, width)]
    layers += [activation(), Linear(width, 1)]
    net = Sequential(*layers)
    for module in net:
        if isinstance(module, Linear):
            weight_init(module.weight)
            init.zeros_(module.bias)
    return net


def one_step_report(net):
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(64, 16)).astype(np.float32))
    y = Tensor(rng.normal(size=(64, 1)).astype(np.float32))
    optimizer = SGD(net.parameters(), lr=1e-3)
    monitor = viz.GradientMonitor(net, optimizer=optimizer)
    optimizer.zero_grad()
    ((net(x) - y) ** 2).mean().backward()
    optimizer.step()
    monitor.remove()
    return monitor


def kinds(monitor):
    return {flag.kind for flag in monitor.flags()}


def test_deep_sigmoid_net_with_small_init_is_flagged_vanishing():
    monitor = one_step_report(deep_net(Sigmoid, lambda w: init.normal_(w, 0.0, 0.05)))
    assert "VANISHING" in kinds(monitor) and "EXPLODING" not in kinds(monitor)
    report = monitor.report()
    assert "VANISHING" in report and "smaller than last layer" in report
    first = monitor.record().layers["0"].mean_abs
    last = monitor.record().layers["18"].mean_abs
    assert last / first > 1e3


def test_deep_relu_net_with_large_init_is_flagged_exploding():
    monitor = one_step_report(deep_net(ReLU, lambda w: init.normal_(w, 0.0, 1.0)))
    assert "EXPLODING" in kinds(monitor) and "VANISHING" not in kinds(monitor)
    assert "exploding_norm" in monitor.report()


def test_he_initialised_relu_net_raises_no_flag():
    monitor = one_step_report(deep_net(ReLU, lambda w: init.kaiming_normal_(
        w, nonlinearity="relu")))
    assert monitor.flags() == []
    assert "No flags" in monitor.report()


def test_thresholds_are_settable():
    monitor = one_step_report(deep_net(Sigmoid, lambda w: init.normal_(w, 0.0, 0.05)))
    monitor.thresholds.vanishing_ratio = 1e30
    monitor.thresholds.vanishing_grad = 0.0
    monitor.thresholds.update_ratio_low = 0.0
    assert monitor.flags() == []


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_gradients_are_exploding():
    net = small_net()
    monitor = viz.GradientMonitor(net)
    net[2].weight.data[0, 0] = np.inf  # y = inf, so dL/dy and everything before it is not finite
    ((net(Tensor(X)) - Tensor(TARGET)) ** 2).mean().backward()
    monitor.step()
    flags = monitor.flags()
    assert any(f.kind == "EXPLODING" and "non-finite" in f.message for f in flags)


def test_dead_relu_layer_is_flagged():
    net = Sequential(Linear(3, 4), ReLU(), Linear(4, 1))
    net[0].bias.data[...] = -100.0
    monitor = viz.GradientMonitor(net)
    net(Tensor(X)).sum().backward()
    monitor.step()
    assert "DEAD" in kinds(monitor)
    assert "100% dead" in monitor.report()


def test_report_is_a_readable_table():
    net = small_net()
    optimizer = SGD(net.parameters(), lr=0.1)
    monitor = viz.GradientMonitor(net, optimizer=optimizer)
    train_step(net, optimizer)
    report = monitor.report(params=True)
    lines = report.splitlines()
    assert lines[0].startswith("Gradient flow at step 0")
    assert lines[1].split()[:4] == ["layer", "type", "params", "mean|g|"]
    rows = [line.split()[0] for line in lines[3:] if line and not line.startswith(" ")]
    assert rows[:3] == ["0", "1", "2"]
    assert any(line.strip().startswith("weight") for line in lines)
    assert all(len(line) <= 110 for line in lines if not line.startswith("  "))
    assert math.isfinite(monitor.record().layers["2"].update_ratio)
