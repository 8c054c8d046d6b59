"""Small built-in datasets that need no download. Each returns numpy arrays (x, y),
x float32; random ones draw from the library's generator (`manual_seed` makes them
reproducible)."""
import math

import numpy as np

from autograd.random import generator

HIGHAM_X1 = [0.1, 0.3, 0.1, 0.6, 0.4, 0.6, 0.5, 0.9, 0.4, 0.7]
HIGHAM_X2 = [0.1, 0.4, 0.5, 0.9, 0.2, 0.3, 0.6, 0.2, 0.4, 0.6]


def two_moons(n=200, noise=0.1):
    """Two interleaving half circles; y in {0, 1}."""
    n_upper = n // 2
    t_upper = np.linspace(0, math.pi, n_upper)
    t_lower = np.linspace(0, math.pi, n - n_upper)
    upper = np.c_[np.cos(t_upper), np.sin(t_upper)]
    lower = np.c_[1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]
    x = np.concatenate([upper, lower]) + generator().normal(0, noise, (n, 2))
    y = np.r_[np.zeros(n_upper), np.ones(n - n_upper)].astype(np.int64)
    return x.astype(np.float32), y


def circles(n=200, noise=0.05, factor=0.5):
    """A small circle (y = 1) inside a large one (y = 0)."""
    n_outer = n // 2
    t_outer = np.linspace(0, 2 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * math.pi, n - n_outer, endpoint=False)
    outer = np.c_[np.cos(t_outer), np.sin(t_outer)]
    inner = factor * np.c_[np.cos(t_inner), np.sin(t_inner)]
    x = np.concatenate([outer, inner]) + generator().normal(0, noise, (n, 2))
    y = np.r_[np.zeros(n_outer), np.ones(n - n_outer)].astype(np.int64)
    return x.astype(np.float32), y


def spirals(n=300, classes=3, noise=0.2):
    """`classes` interleaved spiral arms, n samples in all; y is the arm."""
    per_class = [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
    xs, ys = [], []
    for k, count in enumerate(per_class):
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, count) + generator().normal(0, noise, count)
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(count, k))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def xor():
    """The four XOR points with their labels."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    return x, np.array([0, 1, 1, 0], dtype=np.int64)


def higham():
    """Higham & Higham (2018) section 6: ten points in the unit square; the first five
    are category A (target [1, 0]), the last five category B (target [0, 1]).
    Returns x (10, 2) and one-hot targets (10, 2)."""
    x = np.c_[HIGHAM_X1, HIGHAM_X2].astype(np.float32)
    y = np.zeros((10, 2), dtype=np.float32)
    y[:5, 0] = 1
    y[5:, 1] = 1
    return x, y


def sine_sequences(n=200, length=50, predict=1):
    """Windows of noisy-free sines with random phase and frequency: x (n, length, 1),
    y (n, predict) the next `predict` values."""
    rng = generator()
    phase = rng.uniform(0, 2 * math.pi, (n, 1))
    freq = rng.uniform(0.05, 0.2, (n, 1))
    t = np.arange(length + predict)[None, :]
    wave = np.sin(2 * math.pi * freq * t + phase)
    return wave[:, :length, None].astype(np.float32), wave[:, length:].astype(np.float32)


def adding_problem(n=500, length=50):
    """The adding problem (Hochreiter & Schmidhuber): each step has a random value in
    [0, 1) and a marker; exactly two steps are marked, one in each half of the
    sequence, and the target is the sum of the two marked values. x (n, length, 2),
    y (n, 1). A model must carry information across up to `length` steps."""
    rng = generator()
    values = rng.random((n, length))
    markers = np.zeros((n, length))
    half = length // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    rows = np.arange(n)
    markers[rows, first] = 1
    markers[rows, second] = 1
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return x, y


def digits():
    """scikit-learn's bundled 8x8 digits (1797 images, no download): x (n, 64) with
    values 0..16 as float32, y (n,) int64. Needs scikit-learn (`pip install
    scikit-learn`)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("digits() needs scikit-learn, which ships the 8x8 digits: "
                          "pip install scikit-learn") from None
    data = load_digits()
    return data.data.astype(np.float32), data.target.astype(np.int64)
