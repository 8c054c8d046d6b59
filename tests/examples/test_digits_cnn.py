"""examples.digits_cnn --quick: three epochs of the small CNN already read most digits."""
import pytest

pytest.importorskip("sklearn")

from examples import digits_cnn  # noqa: E402


def test_quick_run_learns_the_digits(tmp_path):
    result = digits_cnn.main(["--quick", "--out", str(tmp_path)])
    assert result["test_accuracy"] > 0.7          # chance is 10 %; it reaches about 85 %
    for name in ("history.png", "confusion.png", "filters.png", "feature_maps.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_random_shifts_move_images_by_at_most_one_pixel():
    import numpy as np
    from autograd import manual_seed
    from optim.data import DataLoader, TensorDataset

    manual_seed(0)
    images = np.zeros((50, 1, 8, 8), dtype=np.float32)
    images[:, 0, 3, 4] = 1.0                      # one lit pixel per image
    loader = digits_cnn.RandomShifts(DataLoader(TensorDataset(images, np.arange(50)),
                                                batch_size=50), background=0.0)
    (shifted, labels), = list(loader)
    rows, cols = np.nonzero(shifted.data[:, 0].reshape(50, 64) == 1.0)
    assert len(rows) == 50                        # the pixel is never lost
    row, col = np.divmod(cols, 8)
    assert set(row) <= {2, 3, 4} and set(col) <= {3, 4, 5}
    assert len(set(zip(row, col))) > 5            # and it really moves
    assert shifted.data.sum() == 50               # the border is filled with background
