"""Hyperparameter search: `grid_search` tries every combination, `random_search`
draws `n_trials` settings from distributions. Both call `evaluate(**params)`, which
trains a model and returns its validation score, and return the results sorted best
first (`mode="max"` for accuracy-like scores, "min" for losses).

    results = random_search(train_and_validate, {"lr": log_uniform(1e-4, 1e-1),
                                                 "hidden": [16, 32, 64]}, n_trials=20)
    print(results.table()); results.best
"""
import itertools
import math

from autograd.random import generator


class uniform:
    """Uniform on [low, high)."""

    def __init__(self, low, high):
        if not low < high:
            raise ValueError(f"uniform: need low < high, got {low}, {high}")
        self.low, self.high = low, high

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def __repr__(self):
        return f"uniform({self.low}, {self.high})"


class log_uniform(uniform):
    """log-uniform on [low, high): equal chances for each decade (for learning rates)."""

    def __init__(self, low, high):
        if low <= 0:
            raise ValueError(f"log_uniform: low must be positive, got {low}")
        super().__init__(low, high)

    def sample(self, rng):
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def __repr__(self):
        return f"log_uniform({self.low}, {self.high})"


def _draw(spec, rng):
    if isinstance(spec, uniform):
        return spec.sample(rng)
    if isinstance(spec, (list, tuple)):
        return spec[int(rng.integers(len(spec)))]
    return spec  # a fixed value


class SearchResults(list):
    """Rows {"params": {...}, "score": float}, best first."""

    def __init__(self, rows, mode):
        reverse = mode == "max"
        finite = [r for r in rows if math.isfinite(r["score"])]
        broken = [r for r in rows if not math.isfinite(r["score"])]
        super().__init__(sorted(finite, key=lambda r: r["score"], reverse=reverse) + broken)
        self.mode = mode

    @property
    def best(self):
        return self[0]

    def table(self):
        """The results as aligned text, one row per trial."""
        names = list(self[0]["params"]) if self else []
        header = ["rank"] + names + ["score"]
        rows = [[str(i + 1)] + [_format(r["params"][n]) for n in names] + [_format(r["score"])]
                for i, r in enumerate(self)]
        widths = [max(len(row[c]) for row in [header] + rows) for c in range(len(header))]
        return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths))
                         for row in [header] + rows)


def _format(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _check_mode(mode):
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")


def grid_search(evaluate, space, mode="max"):
    """Evaluate every combination of the lists in `space` (name -> list of values)."""
    _check_mode(mode)
    for name, values in space.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"grid_search: '{name}' needs a non-empty list of values, "
                             f"got {values!r}")
    names = list(space)
    rows = []
    for combination in itertools.product(*(space[n] for n in names)):
        params = dict(zip(names, combination))
        rows.append({"params": params, "score": float(evaluate(**params))})
    return SearchResults(rows, mode)


def random_search(evaluate, space, n_trials, mode="max"):
    """Evaluate `n_trials` settings drawn from `space` (name -> list to choose from,
    `uniform(low, high)`, `log_uniform(low, high)` or a fixed value), using the
    library's generator (`manual_seed` makes the draws reproducible)."""
    _check_mode(mode)
    rng = generator()
    rows = []
    for _ in range(n_trials):
        params = {name: _draw(spec, rng) for name, spec in space.items()}
        rows.append({"params": params, "score": float(evaluate(**params))})
    return SearchResults(rows, mode)
