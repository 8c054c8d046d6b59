"""backprop_by_hand: the engine's gradients of the homework network equal the chain rule
worked by hand, the dead ReLU zeroes its weights, and the path sum of the 3-3-2-1 network
equals the engine's dL/dw11."""
import math

import pytest

from examples import backprop_by_hand
from examples.backprop_by_hand import HOMEWORK, HOMEWORK_X, HOMEWORK_Y, hand_gradients

# worked on paper: in3 = 11, in4 = -8 (dead), in5 = 23, delta5 = sigmoid(23) - 0
SIGMOID_23 = 1 / (1 + math.exp(-23))
PAPER = {"w03": 2 * SIGMOID_23, "w13": -6 * SIGMOID_23, "w23": 10 * SIGMOID_23,
         "w05": SIGMOID_23, "w35": 11 * SIGMOID_23,
         "w04": 0.0, "w14": 0.0, "w24": 0.0, "w45": 0.0}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("backprop_by_hand")
    return backprop_by_hand.main(["--quick", "--out", str(out)])


def test_hand_derivation_matches_the_paper_values():
    yhat, grads, pre = hand_gradients(HOMEWORK, *HOMEWORK_X, HOMEWORK_Y)
    assert (pre["in3"], pre["in4"], pre["in5"]) == (11.0, -8.0, 23.0)
    assert yhat == pytest.approx(SIGMOID_23, rel=1e-15)
    assert grads == pytest.approx(PAPER, rel=1e-12, abs=0)


def test_engine_gradients_equal_the_hand_values(results):
    assert set(results["engine_grads"]) == set(HOMEWORK)
    for name, grad in results["engine_grads"].items():
        assert grad == pytest.approx(results["hand_grads"][name], rel=1e-12, abs=1e-15), name
        assert grad == pytest.approx(PAPER[name], rel=1e-12, abs=1e-15), name
    assert results["yhat"] == pytest.approx(SIGMOID_23, rel=1e-15)
    assert results["gradcheck"]


def test_dead_relu_weights_get_exactly_zero(results):
    assert sorted(results["dead_weights"]) == ["w04", "w14", "w24", "w45"]
    for name in results["dead_weights"]:
        assert results["engine_grads"][name] == 0.0
    for name in set(HOMEWORK) - set(results["dead_weights"]):
        assert results["engine_grads"][name] != 0.0


def test_path_sum_equals_the_engine_gradient(results):
    terms = results["w11_path_terms"]
    assert len(terms) == 2 and all(t != 0 for t in terms)   # both paths contribute
    assert results["w11_path_sum"] == pytest.approx(results["w11_engine"], rel=1e-12)
    assert results["w11_engine"] != 0
    # every first-layer weight: two path terms whose sum is the engine's gradient
    assert len(results["path_sum_table"]) == 9
    for _, via_o21, via_o22, total, engine in results["path_sum_table"]:
        assert via_o21 + via_o22 == pytest.approx(engine, rel=1e-12, abs=1e-15)
    # one path alone is not the gradient
    assert abs(terms[0] - results["w11_engine"]) > 1e-4


def test_graph_written(results):
    (path,) = results["files"]
    assert path.exists() and path.stat().st_size > 0
    if path.suffix == ".png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
