"""An autoencoder squeezes 8x8 digits through a 2-number code, and its code space sorts
the digits by class without ever seeing a label.

    python -m examples.autoencoder [--quick] [--out DIR] [--seed N]

Data: scikit-learn's 8x8 digits (`optim.datasets.digits()`; needs scikit-learn),
grey levels scaled to [0, 1], split 80 / 20 into training and validation images.
Model: `nn.architectures.Autoencoder((64, 128, 32, 2))`, an encoder MLP 64-128-32-2
(ReLU, linear code units) and the mirrored decoder 2-32-128-64 with a sigmoid output,
trained by Adam on the mean squared reconstruction error. This is Hinton &
Salakhutdinov's (2006) experiment in miniature: their 784-1000-500-250-2 autoencoder
against the first two principal components.

Two baselines, on the validation images: predicting the mean training image for every
input (what a model knows with no code at all), and PCA with two components (the best
*linear* 2-D code: project onto the top two principal directions and back).

Pictures:
- `learning_curves.png`: training and validation MSE per epoch, with the two baselines
  as flat lines. The autoencoder passes the mean image at once, then PCA.
- `reconstructions.png`: validation digits (top) and their reconstructions from two
  numbers (bottom). Blurry, as anything squeezed through two numbers must be, but
  mostly the right digit.
- `codes.png`: every validation digit placed at its 2-D code, coloured by its class,
  PCA (left) beside the autoencoder (right); each class's label sits at its median
  code. PCA's classes overlap in a blob; the autoencoder folds the data so that most
  classes form their own arms and clusters.

Key claim (tests/examples/test_autoencoder.py, --quick): the validation MSE falls well
below the mean-image baseline (under 3/4 of it); in full mode it also beats PCA's 2-D
code.
"""
import time

import numpy as np
from matplotlib.figure import Figure

import viz
from autograd import Tensor, no_grad
from examples.common import parse_args, print_table, saved
from examples.digits_data import load_digits, one_blas_thread
from nn.architectures import Autoencoder
from nn.loss import MSELoss
from optim import Adam, DataLoader, TensorDataset, Trainer
from optim.data import train_val_test_split

SIZES = (64, 128, 32, 2)



def pca(x_train, components=2):
    """(mean, directions) of the top principal components of the training images."""
    mean = x_train.mean(axis=0)
    _, _, directions = np.linalg.svd(x_train - mean, full_matrices=False)
    return mean, directions[:components]


def plot_codes(codes, labels, path):
    """One scatter panel per named 2-D code, points coloured by class."""
    figure = Figure(figsize=(6 * len(codes), 5.2), layout="constrained")
    panels = figure.subplots(1, len(codes))
    colours = [f"C{k}" for k in range(10)]
    for axes, (title, code) in zip(np.atleast_1d(panels), codes.items()):
        for digit in range(10):
            chosen = labels == digit
            axes.scatter(code[chosen, 0], code[chosen, 1], s=9, color=colours[digit],
                         alpha=0.7, label=str(digit))
            centre = np.median(code[chosen], axis=0)
            axes.text(centre[0], centre[1], str(digit), fontsize=15, fontweight="bold",
                      ha="center", va="center", color=colours[digit],
                      bbox=dict(boxstyle="circle,pad=0.15", facecolor="white", alpha=0.8,
                                edgecolor=colours[digit]))
        axes.set(title=title, xlabel="code 1", ylabel="code 2")
        axes.grid(True, alpha=0.3)
    np.atleast_1d(panels)[-1].legend(title="digit", loc="center left",
                                     bbox_to_anchor=(1.0, 0.5), markerscale=2)
    figure.suptitle("Validation digits at their 2-D codes (labels at each class's median)")
    figure.savefig(path, dpi=100)


def main(argv=None):
    args = parse_args("autoencoder", __doc__.splitlines()[0], argv)
    started = time.perf_counter()
    x, y = load_digits("autoencoder")
    x = x / 16.0      # grey levels in [0, 1]
    (x_train, y_train), (x_val, y_val), _ = train_val_test_split(
        x, y, val_fraction=0.2, test_fraction=0.0)
    epochs = 12 if args.quick else 100

    mean_image = x_train.mean(axis=0)
    mean_baseline = float(np.mean((x_val - mean_image) ** 2))
    centre, directions = pca(x_train)
    pca_codes = (x_val - centre) @ directions.T
    pca_mse = float(np.mean((x_val - (pca_codes @ directions + centre)) ** 2))

    model = Autoencoder(SIZES)
    trainer = Trainer(model, Adam(model.parameters(), lr=3e-3), MSELoss(),
                      progress=not args.quick)
    with one_blas_thread():
        history = trainer.fit(DataLoader(TensorDataset(x_train, x_train), 64, shuffle=True),
                              epochs, val_loader=DataLoader(TensorDataset(x_val, x_val), 1000))
    model.eval()
    with no_grad():
        codes = model.encode(Tensor(x_val)).numpy()
        reconstructions = model.decode(Tensor(codes)).numpy()
    val_mse = float(np.mean((reconstructions - x_val) ** 2))

    files = [args.out / name for name in ("learning_curves.png", "reconstructions.png",
                                          "codes.png")]
    curves = {"loss": history["loss"], "val_loss": history["val_loss"],
              "mean-image baseline loss": [mean_baseline] * epochs,
              "PCA (2 components) loss": [pca_mse] * epochs}
    viz.plot_history(curves, path=files[0], log_loss=True,
                     title=f"Autoencoder {'-'.join(map(str, SIZES))} on 8x8 digits: "
                           "reconstruction MSE")
    first_of_each = [int(np.flatnonzero(y_val == digit)[0]) for digit in range(10)]
    viz.plot_reconstructions(x_val[first_of_each], reconstructions[first_of_each],
                             path=files[1],
                             title="Validation digits (top) rebuilt from a 2-number code "
                                   "(bottom)")
    plot_codes({f"PCA, 2 components (MSE {pca_mse:.4f})": pca_codes,
                f"autoencoder code (MSE {val_mse:.4f})": codes}, y_val, files[2])

    print_table(["reconstruction of the validation digits", "MSE", "vs mean image"],
                [["mean training image", mean_baseline, 1.0],
                 ["PCA, 2 components", pca_mse, pca_mse / mean_baseline],
                 [f"autoencoder {SIZES}, {epochs} epochs", val_mse, val_mse / mean_baseline]])
    elapsed = time.perf_counter() - started
    print(f"\ntime: {elapsed:.1f} s")
    saved(files)
    return {"val_mse": val_mse, "mean_baseline": mean_baseline, "pca_mse": pca_mse,
            "history": history, "seconds": elapsed, "files": files}


if __name__ == "__main__":
    main()
