"""Feeding data to a training loop: `TensorDataset`, `DataLoader`, `random_split`,
`train_val_test_split`, scalers fitted on training data only, and noise augmentation.

Shuffling draws from the library's generator, so `autograd.manual_seed(n)` makes the
batch order reproducible.
"""
import math

import numpy as np

from autograd import Tensor
from autograd.random import generator


def _array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class TensorDataset:
    """Samples from arrays that share their first dimension: dataset[i] is a tuple
    (x[i], y[i], ...)."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(_array(a) for a in arrays)
        sizes = [len(a) for a in self.arrays]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: arrays have different lengths {sizes}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)


class Subset:
    """The samples of `dataset` at `indices`."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]


class DataLoader:
    """Mini-batches of a dataset as tuples of Tensors.

    `batch_size=None` gives the whole dataset as one batch (full-batch gradient
    descent); `batch_size=1` is plain stochastic gradient descent. With `shuffle=True`
    each epoch visits every sample exactly once in a new random order; `drop_last`
    drops a final smaller batch. Batches are gathered with one fancy-indexing call per
    array (no loop over samples).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False):
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = len(dataset) if batch_size is None else batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = generator().permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            indices = order[start:start + self.batch_size]
            if self.drop_last and len(indices) < self.batch_size:
                break
            yield tuple(Tensor._wrap(np.ascontiguousarray(part))
                        for part in self.dataset[indices])


def random_split(dataset, lengths):
    """Split into non-overlapping Subsets of the given lengths (or fractions summing
    to 1), in a random order drawn from the library's generator."""
    n = len(dataset)
    if all(isinstance(length, float) for length in lengths) and abs(sum(lengths) - 1) < 1e-9:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the "
                         f"dataset's {n} samples")
    order = generator().permutation(n)
    splits, start = [], 0
    for length in lengths:
        splits.append(Subset(dataset, order[start:start + length]))
        start += length
    return splits


def train_val_test_split(*arrays, val_fraction=0.15, test_fraction=0.15, shuffle=True):
    """Split arrays (sharing their first dimension) into train, validation and test
    parts: returns (train_arrays, val_arrays, test_arrays), each a tuple."""
    arrays = [_array(a) for a in arrays]
    n = len(arrays[0])
    if not 0 <= val_fraction < 1 or not 0 <= test_fraction < 1 or \
            val_fraction + test_fraction >= 1:
        raise ValueError("train_val_test_split: fractions must be in [0, 1) and leave "
                         f"room for training data (got {val_fraction}, {test_fraction})")
    order = generator().permutation(n) if shuffle else np.arange(n)
    n_test, n_val = int(round(n * test_fraction)), int(round(n * val_fraction))
    parts = (order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test])
    return tuple(tuple(a[p] for a in arrays) for p in parts)


class StandardScaler:
    """x' = (x - mean) / std per feature, with mean and std from the training data only
    (fit on train, then transform validation and test with the same numbers). A
    feature with zero spread is left unscaled (std treated as 1)."""

    def fit(self, x):
        x = _array(x)
        self.mean_ = x.mean(axis=0)
        std = x.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x):
        self._check_fitted()
        return (_array(x) - self.mean_) / self.scale_

    def fit_transform(self, x):
        return self.fit(x).transform(x)

    def inverse_transform(self, x):
        self._check_fitted()
        return _array(x) * self.scale_ + self.mean_

    def _check_fitted(self):
        if not hasattr(self, "mean_"):
            raise RuntimeError(f"{type(self).__name__}: call fit() on the training data first")


class MinMaxScaler(StandardScaler):
    """x' = (x - min) / (max - min) per feature, into [0, 1] on the training data
    (values outside the training range map outside [0, 1])."""

    def fit(self, x):
        x = _array(x)
        self.mean_ = x.min(axis=0)
        spread = x.max(axis=0) - self.mean_
        self.scale_ = np.where(spread > 0, spread, 1.0)
        return self


def add_noise(x, std):
    """Additive Gaussian noise augmentation: x + N(0, std^2), drawn from the library's
    generator; returns a new array (or Tensor for a Tensor input) of x's dtype."""
    array = _array(x)
    noisy = (array + generator().normal(0.0, std, array.shape)).astype(array.dtype)
    return Tensor._wrap(noisy) if isinstance(x, Tensor) else noisy
