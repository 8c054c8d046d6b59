"""Data feeding: datasets, loaders, splits, scalers, noise, built-in data sets."""
import numpy as np
import pytest

import autograd
from autograd import Tensor
from optim import data, datasets


def test_dataloader_covers_every_sample_once_per_epoch():
    x = np.arange(23, dtype=np.float32).reshape(23, 1)
    loader = data.DataLoader(data.TensorDataset(x, np.arange(23)), batch_size=5, shuffle=True)
    assert len(loader) == 5
    autograd.manual_seed(0)
    epochs = []
    for _ in range(3):
        seen = []
        for xb, yb in loader:
            assert isinstance(xb, Tensor) and xb.shape[1:] == (1,)
            np.testing.assert_array_equal(xb.data[:, 0], yb.data)
            seen.extend(yb.data.tolist())
        assert sorted(seen) == list(range(23))
        epochs.append(seen)
    assert epochs[0] != epochs[1]  # reshuffled
    autograd.manual_seed(0)
    again = [yb.data.tolist() for _, yb in loader]
    assert sum(again, []) == epochs[0]  # reproducible with the library seed


def test_dataloader_drop_last_and_full_batch():
    ds = data.TensorDataset(np.zeros((10, 2)), np.zeros(10))
    assert [len(y) for _, y in data.DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert [len(y) for _, y in data.DataLoader(ds, batch_size=4)] == [4, 4, 2]
    assert [len(y) for _, y in data.DataLoader(ds, batch_size=None)] == [10]
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="different lengths"):
        data.TensorDataset(np.zeros(3), np.zeros(4))


def test_random_split_and_three_way_split():
    autograd.manual_seed(1)
    ds = data.TensorDataset(np.arange(10))
    a, b = data.random_split(ds, [7, 3])
    together = sorted(list(a.indices) + list(b.indices))
    assert together == list(range(10)) and len(a) == 7
    with pytest.raises(ValueError, match="add up"):
        data.random_split(ds, [5, 6])
    x, y = np.arange(100.0)[:, None], np.arange(100)
    (xt, yt), (xv, yv), (xs, ys) = data.train_val_test_split(x, y, val_fraction=0.2,
                                                             test_fraction=0.1)
    assert (len(yt), len(yv), len(ys)) == (70, 20, 10)
    assert sorted(np.concatenate([yt, yv, ys]).tolist()) == list(range(100))
    np.testing.assert_array_equal(xt[:, 0], yt)


def test_scalers_are_fitted_on_training_data_only():
    train = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    test = np.array([[6.0, 12.0]])
    scaler = data.StandardScaler().fit(train)
    np.testing.assert_allclose(scaler.transform(train)[:, 0], [-1.2247449, 0, 1.2247449], rtol=1e-6)
    np.testing.assert_allclose(scaler.transform(test), [[(6 - 2) / np.std([0, 2, 4]), 2.0]])
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test)
    minmax = data.MinMaxScaler().fit(train)
    np.testing.assert_allclose(minmax.transform(test), [[1.5, 2.0]])
    with pytest.raises(RuntimeError, match="fit"):
        data.StandardScaler().transform(test)


def test_add_noise_keeps_shape_and_dtype_and_is_seeded():
    x = np.zeros((1000, 3), dtype=np.float32)
    autograd.manual_seed(2)
    noisy = data.add_noise(x, 0.5)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    assert abs(noisy.std() - 0.5) < 0.03
    autograd.manual_seed(2)
    np.testing.assert_array_equal(data.add_noise(Tensor(x), 0.5).data, noisy)


@pytest.mark.parametrize("make, n_classes", [
    (lambda: datasets.two_moons(101), 2), (lambda: datasets.circles(50), 2),
    (lambda: datasets.spirals(90, classes=3), 3), (datasets.xor, 2),
])
def test_classification_datasets(make, n_classes):
    x, y = make()
    assert x.dtype == np.float32 and x.shape == (len(y), 2)
    assert sorted(set(y.tolist())) == list(range(n_classes))


def test_higham_points_and_sequence_tasks():
    x, y = datasets.higham()
    assert x.shape == (10, 2) and y[:5, 0].all() and y[5:, 1].all()
    np.testing.assert_allclose(x[3], [0.6, 0.9])
    xs, ys = datasets.sine_sequences(n=4, length=10, predict=2)
    assert xs.shape == (4, 10, 1) and ys.shape == (4, 2)
    xa, ya = datasets.adding_problem(n=50, length=20)
    assert xa.shape == (50, 20, 2) and (xa[:, :, 1].sum(axis=1) == 2).all()
    marked = (xa[:, :, 0] * xa[:, :, 1]).sum(axis=1)
    np.testing.assert_allclose(marked, ya[:, 0], rtol=1e-6)
    assert (xa[:, :10, 1].sum(axis=1) == 1).all()  # one marker in each half


def test_digits_needs_scikit_learn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="scikit-learn"):
            datasets.digits()
    else:
        x, y = datasets.digits()
        assert x.shape == (1797, 64) and set(y.tolist()) == set(range(10))
