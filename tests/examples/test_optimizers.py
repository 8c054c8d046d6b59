"""examples/optimizers.py at --quick scale: momentum beats plain SGD in the ravine,
Newton-CG solves the convex problem in a handful of steps, schedules follow their
closed forms, and every picture is written."""
import math

import pytest

from examples import optimizers


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("optimizers")
    return optimizers.main(["--quick", "--out", str(out)])


def test_momentum_nesterov_and_adam_beat_sgd_in_the_ravine(result):
    ravine = result["surfaces"]["ravine"]
    # momentum and Nesterov use SGD's learning rate; all take the same number of steps
    for name in ("momentum", "Nesterov", "Adam"):
        assert ravine[name] < ravine["SGD"] / 10, (name, ravine)


def test_adaptive_methods_leave_the_saddle_point(result):
    saddle = result["surfaces"]["saddle"]        # f = 0 at the saddle, -0.25 at the minima
    assert saddle["SGD"] > -0.05                  # still near the saddle
    for name in ("Nesterov", "Adagrad", "RMSprop"):
        assert saddle[name] < -0.2, (name, saddle)


def test_newton_cg_reaches_the_optimum_in_far_fewer_iterations_than_sgd(result):
    convex = result["convex"]
    assert result["newton_iterations"] <= 6
    assert convex["Newton-CG"]["gap"] < 1e-8
    assert convex["SGD"]["iterations"] > 20 * convex["Newton-CG"]["iterations"]
    assert convex["SGD"]["gap"] > 1e-4            # constant-lr SGD stalls in its noise ball
    assert convex["SVRG"]["gap"] < convex["SGD"]["gap"] / 10


def test_schedules_follow_their_closed_forms(result):
    schedules = result["schedules"]
    epochs = len(schedules["constant"]["lrs"])
    expected = {
        "constant": [0.1] * epochs,
        "StepLR": [0.1 * 0.5 ** (e // (epochs // 4)) for e in range(epochs)],
        "ExponentialLR": [0.1 * 0.1 ** (e / epochs) for e in range(epochs)],
        "CosineAnnealingLR": [0.1 * (1 + math.cos(math.pi * e / epochs)) / 2
                              for e in range(epochs)],
    }
    for name, lrs in expected.items():
        assert schedules[name]["lrs"] == pytest.approx(lrs, rel=1e-9, abs=1e-12), name


def test_every_optimizer_trains_the_network(result):
    for name, run in result["network"].items():
        assert math.isfinite(run["train_loss"]), name
    # the adaptive methods get going faster than plain SGD in the few quick epochs
    assert result["network"]["Adagrad"]["train_loss"] < result["network"]["SGD"]["train_loss"]


def test_pictures_are_written(result):
    names = {path.name for path in result["files"]}
    assert names == {"paths_ravine.png", "paths_Rosenbrock.png", "paths_saddle.png",
                     "network_losses.png", "schedules.png", "convex.png"}
    for path in result["files"]:
        assert path.stat().st_size > 10_000, path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
