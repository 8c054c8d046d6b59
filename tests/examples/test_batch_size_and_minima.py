"""examples.batch_size_and_minima in quick mode: the sharpness measure (mean training-loss
increase under random relative weight perturbations) is computed for both minima, is
positive, grows with eps, and is repeatable for a fixed seed; the pictures are written."""
import numpy as np
import pytest

from autograd import manual_seed
from examples import batch_size_and_minima as example
from nn.architectures import MLP


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch_size_and_minima")
    return example.main(["--quick", "--out", str(out)]), out


def test_sharpness_is_positive_and_grows_with_eps(result):
    figures, _ = result
    epsilons = figures["epsilons"]
    for label in (example.SMALL, example.LARGE):
        means = [figures["summary"][label]["sharpness"][eps][0] for eps in epsilons]
        assert all(m > 0 for m in means), (label, means)
        assert all(a < b for a, b in zip(means, means[1:])), (label, means)


def test_both_batch_sizes_reach_the_training_loss_target(result):
    for label in (example.SMALL, example.LARGE):
        run = result[0]["per_seed"][0][label]
        assert run["reached_target"]
    small, large = result[0]["per_seed"][0][example.SMALL], result[0]["per_seed"][0][example.LARGE]
    assert small["steps"] > large["steps"]  # mini-batches take many more (noisier) steps
    assert 0 <= small["test_accuracy"] <= 1 and 0 <= large["test_accuracy"] <= 1


def test_sharpness_is_deterministic_for_a_fixed_seed():
    manual_seed(3)
    model = MLP([2, 16, 2], "relu")
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((64, 2)).astype(np.float32), rng.integers(0, 2, 64))
    before = [p.data.copy() for p in model.parameters()]
    first = example.sharpness(model, data, [0.1, 0.3], draws=3, seed=5)
    second = example.sharpness(model, data, [0.1, 0.3], draws=3, seed=5)
    other = example.sharpness(model, data, [0.1, 0.3], draws=3, seed=6)
    for eps in (0.1, 0.3):
        np.testing.assert_array_equal(first[eps], second[eps])
        assert not np.array_equal(first[eps], other[eps])
    for p, p0 in zip(model.parameters(), before):  # the weights are restored
        np.testing.assert_array_equal(p.data, p0)


def test_pictures_are_written(result):
    figures, out = result
    names = ["landscape.png", "sharpness.png", "boundary_small_batch.png",
             "boundary_large_batch.png"]
    for name in names:
        path = out / name
        assert path.exists() and path.stat().st_size > 1000, name
    assert len(figures["figures"]) == len(names)
