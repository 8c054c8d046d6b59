"""What the 8x8-digits examples share: loading the digits, predicting in eval mode, a
grid of misclassified digits, and one BLAS thread for small matrix products.

The digits are scikit-learn's bundled set (1797 images of 8x8 pixels with values
0..16, no download), loaded by `optim.datasets.digits()`; without scikit-learn the
examples stop with a message saying how to install it.
"""
import contextlib

import numpy as np

from autograd import Tensor, no_grad
from optim import datasets
from viz import plot_image_grid


def load_digits(example):
    """(x, y): x (1797, 64) float32 pixels 0..16, y (1797,) int64 labels 0..9. Exits with
    an install hint when scikit-learn is missing."""
    try:
        return datasets.digits()
    except ImportError:
        raise SystemExit(f"examples.{example} needs scikit-learn, which ships the 8x8 digits: "
                         "pip install scikit-learn (or pip install -e '.[examples]')") from None


@contextlib.contextmanager
def one_blas_thread():
    """Run numpy's matrix products on one thread.

    Our matrices are small (a batch of 32 digits), so a second BLAS thread gains
    nothing, and on a busy machine the threads wait for each other: a 16x150 @ 150x512
    product measured 0.2 ms on one thread and 4-30 ms on two while other programs ran.
    Uses threadpoolctl, which scikit-learn (needed for the digits) installs; without
    it this does nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def predict(model, x, batch_size=512):
    """The model's outputs (logits) for x as a numpy array, in eval mode, no graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            parts = [model(Tensor(np.ascontiguousarray(x[start:start + batch_size]))).data
                     for start in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(parts)


def softmax(logits):
    """Row-wise softmax of a numpy array (class probabilities from logits)."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def plot_misclassified(images, y_true, logits, path, limit=16, title=None):
    """The misclassified digits (up to `limit`, the most confidently wrong first), each
    titled 'true -> predicted' with the probability given to the wrong class.
    `images` are the raw 8x8 pixels (N, 64) or (N, 1, 8, 8). Returns the number of
    misclassified digits (the figure is not drawn when there are none)."""
    probabilities = softmax(logits)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    if wrong.size == 0:
        return 0
    confidence = probabilities[wrong, predicted[wrong]]
    shown = wrong[np.argsort(-confidence)][:limit]
    titles = [f"{y_true[i]} → {predicted[i]} ({probabilities[i, predicted[i]]:.0%})"
              for i in shown]
    pictures = np.asarray(images)[shown].reshape(len(shown), 8, 8)
    plot_image_grid(pictures, path=path, titles=titles, cmap="gray_r", normalize="all",
                    ncols=min(8, len(shown)),
                    title=title or f"{wrong.size} misclassified test digits: true → "
                                   "predicted (probability of the prediction)")
    return int(wrong.size)
