"""The fit loop: history, validation, metrics, callbacks, divergence, search."""
import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from optim import SGD, lr_scheduler
from optim.callbacks import Callback, EarlyStopping, LRSchedulerCallback, ModelCheckpoint
from optim.data import DataLoader, TensorDataset
from optim.search import grid_search, log_uniform, random_search
from optim.trainer import Trainer, TrainingDiverged, accuracy


class Affine(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(np.zeros((n_out, n_in)))
        self.bias = nn.Parameter(np.zeros(n_out))

    def forward(self, x):
        return autograd.linear(x, self.weight, self.bias)


def mse(outputs, targets):
    return ((outputs - targets) ** 2).mean()


def regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    return x, y


def test_fit_learns_a_linear_map_and_records_history():
    x, y = regression_data()
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    model = Affine(3, 1)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, progress=False)
    history = trainer.fit(loader, epochs=30, val_loader=loader)
    assert len(history["loss"]) == 30 and len(history["val_loss"]) == 30
    assert history["val_loss"][-1] < 1e-4 < history["val_loss"][0]
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=1e-2)
    assert history["lr"] == [0.1] * 30


def test_evaluate_matches_a_direct_computation_and_restores_mode():
    x, y = regression_data()
    model = Affine(3, 1)
    model.weight.data[...] = [[1.0, 0.0, 0.0]]
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, progress=False)
    result = trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=10))
    expected = np.mean((x @ np.array([[1.0], [0], [0]]) - y) ** 2)
    assert result["loss"] == pytest.approx(expected)
    assert model.training


def test_accuracy_metric():
    assert accuracy(Tensor([[2.0, 1.0], [0.0, 3.0]]), Tensor([0, 0])) == 0.5
    assert accuracy(Tensor([[1.5], [-0.5], [0.2]]), Tensor([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)


def test_non_finite_loss_stops_before_the_update():
    x, y = regression_data()
    y[20] = np.nan
    model = Affine(3, 1)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, progress=False)
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    with pytest.raises(TrainingDiverged, match="epoch 1, step 2"):
        trainer.fit(loader, epochs=3)
    assert np.isfinite(model.weight.data).all()


def test_early_stopping_restores_the_best_weights():
    x, y = regression_data()
    xv, yv = regression_data(seed=1)
    yv = -yv  # validation that gets worse as training fits the training data
    model = Affine(3, 1)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.05), mse, progress=False)
    stopper = EarlyStopping(patience=2)
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            snapshots.append(model.weight.data.copy())

    history = trainer.fit(DataLoader(TensorDataset(x, y), batch_size=16), epochs=50,
                          val_loader=DataLoader(TensorDataset(xv, yv), batch_size=64),
                          callbacks=[stopper, Snapshot()])
    best = int(np.argmin(history["val_loss"]))
    assert len(history["loss"]) == best + 1 + 2  # stopped after `patience` bad epochs
    np.testing.assert_array_equal(model.weight.data, snapshots[best])


def test_scheduler_and_checkpoint_callbacks(tmp_path):
    x, y = regression_data()
    loader = DataLoader(TensorDataset(x, y), batch_size=32)
    model = Affine(3, 1)
    optimizer = SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="loss")
    trainer = Trainer(model, optimizer, mse, progress=False)
    history = trainer.fit(loader, epochs=5, callbacks=[LRSchedulerCallback(scheduler), checkpoint])
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    saved = nn.load(tmp_path / "best.npz")
    assert saved["epoch"] == 4
    np.testing.assert_array_equal(saved["model"]["weight"], model.weight.data)


def test_grid_and_random_search_sort_results():
    def score(lr, width=1):
        return -(np.log10(lr) + 2) ** 2 - 0.01 * width

    grid = grid_search(score, {"lr": [1e-3, 1e-2, 1e-1], "width": [1, 2]})
    assert len(grid) == 6 and grid.best["params"] == {"lr": 1e-2, "width": 1}
    assert [r["score"] for r in grid] == sorted((r["score"] for r in grid), reverse=True)
    assert "rank" in grid.table().splitlines()[0]
    autograd.manual_seed(0)
    found = random_search(score, {"lr": log_uniform(1e-4, 1.0), "width": [1, 2]}, n_trials=30)
    assert len(found) == 30 and 1e-4 <= found.best["params"]["lr"] < 1.0
    assert abs(np.log10(found.best["params"]["lr"]) + 2) < 0.5
    losses = grid_search(lambda lr: lr, {"lr": [3.0, 1.0, 2.0]}, mode="min")
    assert [r["params"]["lr"] for r in losses] == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="non-empty list"):
        grid_search(score, {"lr": 0.1})
