"""higham_network at --quick scale (5000 of the paper's 10^6 steps): the cost falls from
its initial value onto the plateau of the best constant output; the Value and Tensor
front ends take identical steps; the shape measures work on a synthetic curve; the
pictures are written."""
import numpy as np
import pytest

from examples import higham_network
from autograd import manual_seed
from examples.higham_network import (constant_output_cost, log_decay_rate, plateau_end, prepare,
                                     record_steps, train)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("higham")
    return higham_network.main(["--quick", "--out", str(out)])


def test_cost_falls_from_its_start_onto_the_plateau(results):
    costs = results["costs"]
    assert results["steps"] == higham_network.QUICK_STEPS
    assert len(costs) == len(results["record_steps"])
    assert results["record_steps"][-1] == higham_network.QUICK_STEPS
    assert results["constant_output_cost"] == pytest.approx(5.0)
    # the random start is worse than any constant output; SGD first finds the plateau
    assert costs[0] > 5.2
    assert results["final_cost"] < costs[0] - 0.2
    assert abs(results["final_cost"] - 5.0) < 0.25
    # on the plateau from early on: after the first 10% of the run within 10% of 5
    late = costs[results["record_steps"] >= results["steps"] // 10]
    assert np.all(np.abs(late - 5.0) < 0.5)


def test_value_and_tensor_engines_take_the_same_steps():
    costs = {}
    for engine in ("value", "tensor"):
        manual_seed(0)
        x, y, network, points = prepare(300)
        costs[engine], _, _ = train(network, x, y, points, engine, record_steps(300, 10))
    assert costs["value"][0] == costs["tensor"][0]          # same initial weights
    assert abs(costs["value"][-1] - costs["value"][0]) > 1e-3   # the weights did move
    np.testing.assert_allclose(costs["value"], costs["tensor"], rtol=1e-12)


def test_shape_measures_on_a_synthetic_curve():
    # a plateau at 5 until step 40 000, then a fall and a slow exponential decay
    steps = np.arange(0, 1_000_001, 1000)
    costs = np.where(steps < 40_000, 5.0, 2e-2 * np.exp(-2e-6 * (steps - 40_000)))
    assert plateau_end(steps, costs, 5.0) == 40_000
    assert plateau_end(steps, np.full(steps.shape, 5.0), 5.0) is None
    assert log_decay_rate(steps, costs, 500_000) == pytest.approx(np.exp(-2e-6), rel=1e-9)
    y = np.zeros((10, 2))
    y[:5, 0] = y[5:, 1] = 1
    assert constant_output_cost(y) == pytest.approx(5.0)


def test_pictures_written(results):
    for path in results["files"].values():
        assert path.exists() and path.stat().st_size > 1000
