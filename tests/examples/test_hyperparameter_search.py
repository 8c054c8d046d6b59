"""examples.hyperparameter_search --quick: grid and random search on the same budget."""
import math

import pytest

pytest.importorskip("sklearn")

from examples import hyperparameter_search  # noqa: E402


def test_quick_run_same_budget_more_learning_rates_for_random_search(tmp_path):
    result = hyperparameter_search.main(["--quick", "--out", str(tmp_path)])
    budget = result["budget"]
    assert budget == 8                                     # the quick grid is 2 x 2 x 2
    assert result["evaluations"] == {"grid search": budget, "random search": budget}
    for method, rows in result["results"].items():
        assert len(rows) == budget
        scores = [row["score"] for row in rows]
        finite = [s for s in scores if math.isfinite(s)]
        assert finite == sorted(finite, reverse=True)      # best first
        assert rows.best is rows[0]
        assert set(rows[0]["params"]) == {"lr", "hidden", "weight_decay"}
    grid, random = result["results"]["grid search"], result["results"]["random search"]
    assert len({r["params"]["lr"] for r in grid}) == 2
    assert len({r["params"]["lr"] for r in random}) == budget
    low, high = hyperparameter_search.LR_RANGE
    assert all(low <= r["params"]["lr"] <= high for r in random)
    assert result["distinct_learning_rates"]["random search"] > \
        result["distinct_learning_rates"]["grid search"]
    # both searches find something far better than chance (10 %)
    assert grid.best["score"] > 0.5 and random.best["score"] > 0.5
    assert (tmp_path / "search.png").stat().st_size > 1000
