"""universal_approximation: a wider hidden layer fits sin(3x) + 0.3x^2 much better."""
import numpy as np

from examples import universal_approximation


def test_wider_is_better_and_pictures_written(tmp_path):
    results = universal_approximation.main(["--quick", "--out", str(tmp_path)])
    mse, max_error = np.array(results["mse"]), np.array(results["max_error"])
    assert results["widths"][0] == 1 and results["widths"][-1] > 1
    # the widest network is clearly better than a single unit
    assert mse[-1] < mse[0] / 5
    assert max_error[-1] < 0.8 * max_error[0]
    # no width is worse than width 1
    assert np.all(mse[1:] < mse[0])
    for path in results["files"]:
        assert path.exists() and path.stat().st_size > 1000
