"""examples/sequence_models.py at --quick scale (T = 20, 160 steps, default seed): the
GRU learns the adding problem while the plain RNN stays at the baseline, and the RNN's
gradient through time vanishes far faster than the gated models'."""
import pytest

from examples import sequence_models


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("sequence_models")
    return sequence_models.main(["--quick", "--out", str(out)])


def test_the_gru_learns_the_task_and_the_rnn_does_not(result):
    models, baseline = result["models"], result["baseline"]
    assert baseline == pytest.approx(1 / 6)
    assert models["GRU"]["val_mse"] < baseline / 4
    assert models["RNN"]["best_val_mse"] > 0.9 * baseline


def test_the_rnn_gradient_through_time_vanishes_fastest(result):
    models = result["models"]
    rnn = models["RNN"]
    # end-to-end ratios |dL/dh_1| / |dL/dh_T| over T = 20 steps
    assert rnn["ratio_init"] < 1e-3
    assert models["LSTM"]["ratio_init"] > 100 * rnn["ratio_init"]   # forget gates ~ 0.73
    assert models["GRU"]["ratio_trained"] > 30 * rnn["ratio_trained"]
    assert models["GRU"]["factor_trained"] > 0.9 > rnn["factor_trained"]


def test_pictures_are_written(result):
    names = {path.name for path in result["files"]}
    assert names == {"learning_curves.png", "gradient_through_time_init.png",
                     "gradient_through_time_trained.png"}
    for path in result["files"]:
        assert path.stat().st_size > 10_000, path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
