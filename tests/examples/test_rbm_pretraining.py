"""examples/rbm_pretraining.py at --quick scale (default seed): the RBM-initialised
sigmoid net learns from the first epoch while the randomly initialised one stays at
chance, and every RBM's reconstruction error falls during pre-training."""
import pytest

pytest.importorskip("sklearn", reason="the 8x8 digits ship with scikit-learn")

from examples import rbm_pretraining  # noqa: E402


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("rbm_pretraining")
    return rbm_pretraining.main(["--quick", "--out", str(out)])


def test_pretrained_net_is_ahead_at_every_epoch(result):
    pretrained = result["histories"]["pre-trained"]
    random_init = result["histories"]["random init"]
    for ours, theirs in zip(pretrained["val_accuracy"], random_init["val_accuracy"]):
        assert ours >= theirs
    assert pretrained["val_loss"][0] < random_init["val_loss"][0]
    assert pretrained["val_accuracy"][-1] > random_init["val_accuracy"][-1] + 0.3
    assert random_init["val_accuracy"][-1] < 0.2          # still near chance (10 classes)


def test_every_rbm_reconstructs_better_after_pretraining(result):
    for errors in result["pretraining_errors"]:          # [before, after epoch 1, ...]
        assert errors[-1] < errors[1] < errors[0]
        assert errors[-1] < 0.5 * errors[0]


def test_pictures_are_written(result):
    names = {path.name for path in result["files"]}
    assert names == {"learning_curves.png", "pretraining.png", "rbm_filters.png",
                     "rbm_reconstructions.png"}
    for path in result["files"]:
        assert path.stat().st_size > 10_000, path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
