"""examples.digits_mlp --quick: a few epochs already read most digits."""
import pytest

pytest.importorskip("sklearn")

from examples import digits_mlp  # noqa: E402


def test_quick_run_learns_the_digits(tmp_path):
    result = digits_mlp.main(["--quick", "--out", str(tmp_path)])
    # chance is 10 %; six epochs of Adam reach about 97 %
    assert result["test_accuracy"] > 0.8
    assert result["train_accuracy"] >= result["test_accuracy"] - 0.05
    assert 1 <= result["best_epoch"] <= result["epochs_run"]
    for name in ("history.png", "confusion.png"):
        assert (tmp_path / name).stat().st_size > 1000
    if result["misclassified"]:
        assert (tmp_path / "misclassified.png").stat().st_size > 1000
