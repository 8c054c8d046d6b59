"""The tour (the README's demo): quick mode runs, the homework gradients are right, the
deep sigmoid net is flagged VANISHING and the ReLU + He one is not, the two-moons MLP
trains, and the pictures are written."""
import math

import pytest

import viz
from examples import tour

SIGMOID_23 = 1 / (1 + math.exp(-23))
PAPER = {"w03": 2 * SIGMOID_23, "w13": -6 * SIGMOID_23, "w23": 10 * SIGMOID_23,
         "w05": SIGMOID_23, "w35": 11 * SIGMOID_23,
         "w04": 0.0, "w14": 0.0, "w24": 0.0, "w45": 0.0}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    return tour.main(["--quick", "--out", str(out)]), out


def test_homework_gradients(results):
    results, _ = results
    assert results["yhat"] == pytest.approx(SIGMOID_23, rel=1e-15)
    assert results["engine_grads"] == pytest.approx(PAPER, rel=1e-12, abs=1e-15)
    assert results["gradcheck"]
    assert sorted(results["dead_weights"]) == ["w04", "w14", "w24", "w45"]


def test_gradient_flow_flags_the_sigmoid_net_only(results):
    flow = results[0]["gradient_flow"]
    assert "VANISHING" in flow["sigmoid"]["flags"]
    assert "VANISHING" not in flow["relu"]["flags"]
    assert flow["sigmoid"]["first_over_last"] < 1e-3
    assert flow["relu"]["first_over_last"] > 1e-2


def test_two_moons_accuracy(results):
    assert results[0]["val_accuracy"] >= 0.9


def test_files_written(results):
    results, out = results
    names = {path.name for path in results["files"]}
    assert {"gradients_sigmoid.png", "gradients_relu.png", "moons_training.png",
            "moons_boundary.png"} <= names
    for path in results["files"]:
        assert path.parent == out and path.exists() and path.stat().st_size > 0
    if viz.dot_available():
        graph = out / "homework_graph.png"
        assert graph.exists() and graph.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert (out / "homework_graph.dot").exists()
