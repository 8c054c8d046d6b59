"""Universal approximation: one hidden layer fits a curve better as it gets wider.

    python -m examples.universal_approximation [--quick] [--out DIR] [--seed N]

A network with ONE hidden layer of tanh units, x -> sum_k v_k tanh(w_k x + b_k) + c,
can approximate any continuous function on an interval as closely as we like, given
enough units (Cybenko 1989; Hornik 1991). Here it learns

    f(x) = sin(3x) + 0.3 x^2   on [-2, 2]

from 200 evenly spaced samples, for hidden widths 1, 2, 4, ..., 32, each trained with
Adam on the whole training set at once (full batch, 4000 steps, the learning rate
annealed to zero by a cosine schedule); each width keeps the better of two random
starts, so the table measures what the width can do rather than the luck of one
initialisation. (--quick: widths 1, 4 and 16, 300 steps, one start.)

What to look at:

* `fits.png`: top, the target (black) and each width's fit; bottom, the size of
  each fit's error along x (log scale). One unit can only make one S-shaped step;
  two can make a bump; each extra unit adds another bend, and from about 8 units on
  the fit lies on top of the curve, its mean squared error thousands of times
  below width 1's.
* `error_vs_width.png`: the mean squared error and the largest error on a fine grid
  of [-2, 2] (log scales) against the width: both fall by orders of magnitude up to
  about 16 units, then level off where the finite training (4000 Adam steps), not
  the width, is the limit.
"""
import time

import numpy as np
from matplotlib.figure import Figure

import optim
from autograd import Tensor, no_grad
from examples.common import parse_args, print_table, saved
from nn.architectures import MLP
from nn.loss import MSELoss
from optim.lr_scheduler import CosineAnnealingLR

FULL = {"widths": (1, 2, 4, 8, 16, 32), "steps": 4000, "restarts": 2, "lr": 0.01}
QUICK = {"widths": (1, 4, 16), "steps": 300, "restarts": 1, "lr": 0.05}
INTERVAL = (-2.0, 2.0)


def target(x):
    return np.sin(3 * x) + 0.3 * x ** 2


def fit(width, x, y, steps, lr):
    """A 1-width-1 tanh network trained full batch with Adam; returns it and its final
    training MSE."""
    model = MLP([1, width, 1], activation="tanh")
    optimizer = optim.Adam(model.parameters(), lr=lr)
    schedule = CosineAnnealingLR(optimizer, T_max=steps)
    loss_fn = MSELoss()
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    with no_grad():
        return model, float(loss_fn(model(x), y).item())


def errors(model, grid):
    """(MSE, max |error|) on the fine grid."""
    with no_grad():
        prediction = model(Tensor(grid[:, None].astype(np.float32))).data[:, 0]
    error = prediction - target(grid)
    return float(np.mean(error ** 2)), float(np.max(np.abs(error))), prediction


def plot_fits(grid, curves, path):
    """Top: the target and each width's fit; bottom: |fit - target| on a log scale."""
    from matplotlib import colormaps
    figure = Figure(figsize=(7.5, 7.0), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    top.plot(grid, target(grid), color="black", linewidth=3, label="target", zorder=2)
    colors = colormaps["viridis"](np.linspace(0.0, 0.9, len(curves)))
    for color, (width, prediction) in zip(colors, curves.items()):
        label = f"{width} hidden unit{'s' if width > 1 else ''}"
        top.plot(grid, prediction, color=color, linewidth=1.4, label=label, zorder=3)
        bottom.semilogy(grid, np.maximum(np.abs(prediction - target(grid)), 1e-7),
                        color=color, linewidth=1)
    top.set_ylabel("f(x)")
    top.set_title("One hidden tanh layer fitting sin(3x) + 0.3x² on [-2, 2], by width")
    top.legend(fontsize=8, ncol=2, loc="upper center")
    bottom.set_xlabel("x")
    bottom.set_ylabel("|fit − target| (log scale)")
    for axes in (top, bottom):
        axes.grid(True, alpha=0.3)
    figure.savefig(path, dpi=100)
    return path


def plot_errors(widths, mse, max_error, path):
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    axes = figure.add_subplot()
    axes.loglog(widths, max_error, "o-", color="#dd8452", label="max |error|")
    axes.loglog(widths, mse, "s-", color="#4c72b0", label="mean squared error")
    axes.set_xscale("log", base=2)
    axes.set_xticks(widths)
    axes.set_xticklabels([str(w) for w in widths])
    axes.set_xlabel("hidden units (log scale)")
    axes.set_ylabel("error on a fine grid of [-2, 2] (log scale)")
    axes.set_title("Wider hidden layer, smaller error")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.savefig(path, dpi=100)
    return path


def main(argv=None):
    args = parse_args("universal_approximation", __doc__.splitlines()[0], argv)
    config = QUICK if args.quick else FULL
    x_train = np.linspace(*INTERVAL, 200)
    y_train = target(x_train)
    x = Tensor(x_train[:, None].astype(np.float32))
    y = Tensor(y_train[:, None].astype(np.float32))
    grid = np.linspace(*INTERVAL, 2001)
    print(f"fitting sin(3x) + 0.3x^2 on [-2, 2] with one hidden tanh layer; Adam, lr "
          f"{config['lr']} (cosine to 0), {config['steps']} full-batch steps, best of "
          f"{config['restarts']} start(s) per width")
    began = time.perf_counter()
    rows, curves, mses, maxima = [], {}, [], []
    for width in config["widths"]:
        starts = [fit(width, x, y, config["steps"], config["lr"])
                  for _ in range(config["restarts"])]
        best = min(starts, key=lambda pair: pair[1])     # lowest training loss
        mse, max_error, prediction = errors(best[0], grid)
        curves[width] = prediction
        mses.append(mse)
        maxima.append(max_error)
        parameters = sum(p.numel() for p in best[0].parameters())
        rows.append((width, parameters, mse, max_error))
    seconds = time.perf_counter() - began
    print_table(["width", "parameters", "MSE", "max |error|"], rows,
                title="\nerror on a fine grid of [-2, 2]")
    widths = list(config["widths"])
    print(f"\nwidth {widths[-1]} against width 1: MSE {mses[0] / mses[-1]:.3g} times smaller, "
          f"max error {maxima[0] / maxima[-1]:.3g} times smaller ({seconds:.1f} s)")
    files = [plot_fits(grid, curves, args.out / "fits.png"),
             plot_errors(widths, mses, maxima, args.out / "error_vs_width.png")]
    saved(files)
    return {"widths": widths, "mse": mses, "max_error": maxima, "seconds": seconds,
            "files": files}


if __name__ == "__main__":
    main()
