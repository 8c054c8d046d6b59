"""examples/autoencoder.py at --quick scale: a 2-number code reconstructs the digits far
better than the mean image, and the pictures are written."""
import pytest

pytest.importorskip("sklearn", reason="the 8x8 digits ship with scikit-learn")

from examples import autoencoder  # noqa: E402


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("autoencoder")
    return autoencoder.main(["--quick", "--out", str(out)])


def test_reconstruction_error_falls_well_below_the_mean_image(result):
    assert result["pca_mse"] < result["mean_baseline"]
    assert result["val_mse"] < 0.75 * result["mean_baseline"]
    losses = result["history"]["loss"]
    assert losses[-1] < losses[0] / 1.5
    assert result["history"]["val_loss"][-1] == pytest.approx(result["val_mse"], rel=1e-4)


def test_pictures_are_written(result):
    names = {path.name for path in result["files"]}
    assert names == {"learning_curves.png", "reconstructions.png", "codes.png"}
    for path in result["files"]:
        assert path.stat().st_size > 10_000, path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
