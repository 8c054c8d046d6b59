"""examples.vanishing_gradients in quick mode: the sigmoid net's first layer gets orders
of magnitude less gradient than its last, the remedies (ReLU + He init, batch norm,
residual blocks) keep first and last within 10x, the GradientMonitor flags the sigmoid
net only, and gradient clipping keeps an exploding net finite."""
import math
from pathlib import Path

import pytest

from examples import vanishing_gradients


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("vanishing_gradients")
    return vanishing_gradients.main(["--quick", "--out", str(out)]), out


def test_sigmoid_gradient_vanishes_towards_the_input(result):
    sigmoid = result[0]["configurations"]["sigmoid"]
    assert sigmoid["ratio_init"] <= 1e-2  # at least 100x smaller in the first layer


@pytest.mark.parametrize("label", ["relu_he", "sigmoid_batchnorm", "sigmoid_residual"])
def test_remedies_keep_first_and_last_layer_within_10x(result, label):
    ratio = result[0]["configurations"][label]["ratio_init"]
    assert 0.1 <= ratio <= 10, ratio


def test_monitor_flags_vanishing_for_sigmoid_only(result):
    configurations = result[0]["configurations"]
    assert "VANISHING" in configurations["sigmoid"]["flags_init"]
    assert configurations["relu_he"]["flags_init"] == []


def test_clipping_keeps_the_exploding_net_finite(result):
    explosion = result[0]["explosion"]
    for label in ("large N(0, 1)", "1.5 x He"):
        plain, clipped = explosion[f"{label} / no clip"], explosion[f"{label} / clip"]
        assert plain["norms"][0] > 1e2  # the gradient norm explodes...
        assert plain["diverged"] is not None  # ...and an unclipped step blows the loss up
        assert clipped["finite"] and len(clipped["losses"]) > plain["diverged"]
        assert all(math.isfinite(loss) for loss in clipped["losses"])
        assert clipped["losses"][-1] < clipped["losses"][0]


def test_pictures_are_written(result):
    figures, out = result
    for name in ["gradient_flow.png", "gradients_sigmoid.png", "gradients_relu_he.png",
                 "heatmap_sigmoid.png", "explosion.png"]:
        path = out / name
        assert path.exists() and path.stat().st_size > 1000, name
    for path in figures["figures"]:
        assert Path(path).parent == out and Path(path).stat().st_size > 1000, path
