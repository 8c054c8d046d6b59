"""Small- versus large-batch training: do large batches find sharper minima that
generalise worse (Keskar et al., 2017)?

    python -m examples.batch_size_and_minima [--quick] [--out DIR] [--seed N]

The same network (an MLP 2-64-64-2, ReLU) from the same initial weights is trained with
Adam on a noisy two-moons training set, once with mini-batches of 16 and once with the
whole training set as one batch (full-batch gradient descent). Both runs get the same
budget of epochs and stop as soon as the loss on the whole training set falls below the
same target, so that the two minima are compared at the same training loss (the large
batch makes one step per epoch, the small batch 16 per epoch here, so it needs more
epochs). A third run gives the full batch only as many epochs as the small batch used:
the "same number of epochs" protocol, in which the large batch is simply less trained.

For each trained net:

* train and test accuracy (2000 held-out points) and the generalisation gap;
* sharpness: the mean loss increase when the weights move by a random relative step of
  size eps, (L(w + eps d) + L(w - eps d)) / 2 - L(w) on the training set, averaged over
  random directions d. Each d is drawn from N(0, I) and "filter-normalised" (Li et al.,
  2018): every row of every weight matrix (one unit's incoming weights) is scaled to the
  norm of that row of w, so eps is a relative size; biases are not moved. The +-eps pair
  cancels the first-order term, leaving the curvature. The directions come from their
  own seeded generator, so both nets see the same draws and the number is repeatable;
* the loss along a few of those directions, L(w + alpha d) for alpha in [-1/2, 1/2]: a
  1-D slice of the landscape around each minimum.

Full mode repeats everything for three seeds (data, initial weights, directions) and
reports means and spreads. What to expect, honestly: at this scale the large-batch
minimum tends to come out sharper at equal training loss, but the test accuracies differ
by about as much as they vary between seeds; the generalisation gap of Keskar et al.
(measured on large image networks) does not reliably show on two moons.

Pictures (in --out):

* landscape.png: the training loss (solid) and test loss (dashed) along random
  filter-normalised directions through each minimum (thin lines: single directions);
  a sharp minimum is a narrow valley, a flat one a wide basin.
* sharpness.png: left, the sharpness against eps (log-log; error bars: spread over
  seeds, or over directions in --quick); right, the training loss per epoch of each run
  with the target dashed.
* boundary_small_batch.png, boundary_large_batch.png: what each net learned, with the
  training points (`viz.plot_decision_boundary`).
"""
import numpy as np
from matplotlib import colormaps

from autograd import Tensor, manual_seed, no_grad
from examples.common import parse_args, print_table, saved
from nn.architectures import MLP
from nn.loss import CrossEntropyLoss
from optim import Adam, Callback, DataLoader, TensorDataset, Trainer, accuracy
from optim.data import StandardScaler, train_val_test_split
from optim.datasets import two_moons
import viz
from viz.figures import finish, new_figure

NAME = "batch_size_and_minima"
SMALL, LARGE, LARGE_SAME_EPOCHS = "small batch", "full batch", "full batch, same epochs"


class StopAtTrainingLoss(Callback):
    """Evaluate the loss on the whole training set after every epoch (eval mode, no
    graph), keep it in `losses`, and stop training once it is below `target`."""

    def __init__(self, loader, target):
        self.loader, self.target, self.losses = loader, target, []

    def on_epoch_end(self, trainer, epoch, logs):
        self.losses.append(trainer.evaluate(self.loader)["loss"])
        if self.losses[-1] < self.target:
            trainer.stop_training = True


def make_data(n_train, n_test, noise):
    x, y = two_moons(n_train + n_test, noise=noise)
    (x_train, y_train), _, (x_test, y_test) = train_val_test_split(
        x, y, val_fraction=0.0, test_fraction=n_test / (n_train + n_test))
    scaler = StandardScaler().fit(x_train)
    return ((scaler.transform(x_train).astype(np.float32), y_train),
            (scaler.transform(x_test).astype(np.float32), y_test))


def train(initial, sizes, train_set, batch_size, epochs, lr, target):
    """Adam from the given initial weights; stops at the training-loss target."""
    model = MLP(sizes, "relu")
    model.load_state_dict(initial)
    x, y = train_set
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    whole = DataLoader(TensorDataset(x, y), batch_size=None)
    stopper = StopAtTrainingLoss(whole, target)
    trainer = Trainer(model, Adam(model.parameters(), lr=lr), CrossEntropyLoss(),
                      progress=False)
    trainer.fit(loader, epochs, callbacks=[stopper])
    return model, {"epochs": len(stopper.losses), "steps": len(stopper.losses) * len(loader),
                   "curve": stopper.losses, "reached_target": stopper.losses[-1] < target}


# ---- sharpness and the loss landscape ----------------------------------------------------
def random_directions(model, count, seed):
    """`count` directions, each a list of arrays shaped like the model's weight matrices,
    drawn from N(0, I) by their own generator (the same draws for every model of this
    architecture)."""
    rng = np.random.default_rng(seed)
    shapes = [p.shape for p in weight_matrices(model)]
    return [[rng.standard_normal(shape) for shape in shapes] for _ in range(count)]


def weight_matrices(model):
    return [p for p in model.parameters() if p.ndim == 2]


def filter_normalise(direction, weights):
    """Scale every row of each direction matrix to the norm of the same row of the weight
    array (one unit's incoming weights), so that a step eps * d is a relative change of
    size eps for every unit."""
    return [d / np.linalg.norm(d, axis=1, keepdims=True)
            * np.linalg.norm(w, axis=1, keepdims=True) for d, w in zip(direction, weights)]


def loss_at(model, x, y, weights, base, direction, alpha, loss_fn):
    for w, w0, d in zip(weights, base, direction):
        w.data[...] = w0 + alpha * d
    with no_grad():
        return loss_fn(model(x), y).item()


def perturbed_losses(model, data, directions, alphas):
    """losses[k, i] = L(w + alphas[i] d_k) on `data`, for filter-normalised d_k; the
    weights are restored afterwards."""
    x, y = Tensor(data[0]), Tensor(data[1])
    weights, loss_fn = weight_matrices(model), CrossEntropyLoss()
    base = [w.data.copy() for w in weights]
    scaled = [filter_normalise(d, base) for d in directions]
    try:
        return np.array([[loss_at(model, x, y, weights, base, d, alpha, loss_fn)
                          for alpha in alphas] for d in scaled])
    finally:
        for w, w0 in zip(weights, base):
            w.data[...] = w0


def sharpness(model, data, epsilons, draws, seed):
    """eps -> array over draws of (L(w + eps d) + L(w - eps d)) / 2 - L(w) on `data`."""
    directions = random_directions(model, draws, seed)
    alphas = [0.0] + [s * eps for eps in epsilons for s in (1, -1)]
    losses = perturbed_losses(model, data, directions, alphas)
    base = losses[:, 0]
    return {eps: (losses[:, 1 + 2 * i] + losses[:, 2 + 2 * i]) / 2 - base
            for i, eps in enumerate(epsilons)}


# ---- one seed ----------------------------------------------------------------------------
def one_seed(settings, direction_seed):
    s = settings
    train_set, test_set = make_data(s["n_train"], s["n_test"], s["noise"])
    sizes = [2] + s["hidden"] + [2]
    initial = {k: v.data.copy() for k, v in MLP(sizes, "relu").state_dict().items()}
    runs = {}
    small, small_info = train(initial, sizes, train_set, s["small_batch"], s["epochs"], s["lr"],
                              s["target"])
    large, large_info = train(initial, sizes, train_set, len(train_set[1]), s["epochs"], s["lr"],
                              s["target"])
    same, same_info = train(initial, sizes, train_set, len(train_set[1]), small_info["epochs"],
                            s["lr"], 0.0)
    for label, model, info in ((SMALL, small, small_info), (LARGE, large, large_info),
                               (LARGE_SAME_EPOCHS, same, same_info)):
        with no_grad():
            out_train, out_test = model(Tensor(train_set[0])), model(Tensor(test_set[0]))
        loss_fn = CrossEntropyLoss()
        train_accuracy = accuracy(out_train, train_set[1])
        test_accuracy = accuracy(out_test, test_set[1])
        runs[label] = {
            **info, "model": model, "batch": len(train_set[1]) if label != SMALL
            else s["small_batch"], "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy, "gap": train_accuracy - test_accuracy,
            "train_loss": loss_fn(out_train, Tensor(train_set[1])).item(),
            "test_loss": loss_fn(out_test, Tensor(test_set[1])).item(),
            "sharpness": sharpness(model, train_set, s["epsilons"], s["draws"], direction_seed)}
    return runs, train_set, test_set


# ---- pictures ----------------------------------------------------------------------------
COLORS = {SMALL: colormaps["tab10"](0), LARGE: colormaps["tab10"](1),
          LARGE_SAME_EPOCHS: colormaps["tab10"](7)}


def plot_landscape(runs, train_set, test_set, directions, alphas, path, dpi=100):
    figure = new_figure(8, 5.2)
    axes = figure.add_subplot()
    for label in (SMALL, LARGE):
        model = runs[label]["model"]
        train_losses = perturbed_losses(model, train_set, directions, alphas)
        test_losses = perturbed_losses(model, test_set, directions, alphas)
        color = COLORS[label]
        for row in train_losses:
            axes.plot(alphas, row, color=color, linewidth=0.6, alpha=0.35)
        axes.plot(alphas, train_losses.mean(axis=0), color=color, linewidth=2.5,
                  label=f"{label} (batch {runs[label]['batch']}): train loss")
        axes.plot(alphas, test_losses.mean(axis=0), color=color, linewidth=2, linestyle="--",
                  label=f"{label}: test loss")
    axes.set_yscale("log")
    axes.set_xlabel("α: step along a random filter-normalised direction d (w + α d)")
    axes.set_ylabel("cross-entropy loss (log scale)")
    axes.set_title("1-D slices of the loss landscape through each minimum\n(thin lines: "
                   f"single directions of the training loss; thick: mean of {len(directions)})")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    finish(figure, path, dpi=dpi)
    return path


def plot_sharpness(summary, epsilons, curves, target, spread_label, path, dpi=100):
    figure = new_figure(13, 4.8)
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for label, stats in summary.items():
        means = np.array([stats["sharpness"][eps][0] for eps in epsilons])
        spreads = np.array([stats["sharpness"][eps][1] for eps in epsilons])
        left.errorbar(epsilons, means, yerr=spreads, color=COLORS[label], marker="o",
                      capsize=3, linewidth=2, label=label)
    left.set_xscale("log")
    left.set_yscale("log")
    left.minorticks_off()
    left.set_xticks(epsilons)
    left.set_xticklabels([f"{eps:g}" for eps in epsilons])
    left.set_xlabel("relative perturbation size ε")
    left.set_ylabel("mean training-loss increase")
    left.set_title(f"Sharpness (error bars: {spread_label})")
    left.legend(fontsize=9)
    for label in (SMALL, LARGE):
        curve = curves[label]
        right.plot(np.arange(1, len(curve) + 1), curve, color=COLORS[label], linewidth=2,
                   label=f"{label}: {len(curve)} epochs")
    stop = len(curves[LARGE_SAME_EPOCHS])  # that run is the full-batch run cut short
    right.plot([stop], [curves[LARGE][stop - 1]], "o", color=COLORS[LARGE_SAME_EPOCHS],
               markersize=8, label=f"{LARGE_SAME_EPOCHS}: stops here")
    right.axhline(target, color="#555555", linestyle=":", linewidth=1)
    right.annotate(f"target {target:g}", (1, target), textcoords="offset points", xytext=(4, 4),
                   fontsize=8)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("epoch")
    right.set_ylabel("loss on the whole training set")
    right.set_title("Training (first seed)")
    right.legend(fontsize=9)
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
    finish(figure, path, dpi=dpi)
    return path


# ---- main ----------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(NAME, "Small- vs large-batch training: sharpness of the minima and "
                      "generalisation.", argv)
    if args.quick:
        settings = dict(n_train=128, n_test=1000, noise=0.3, hidden=[32, 32], small_batch=16,
                        epochs=300, lr=3e-3, target=0.25, epsilons=[0.03, 0.1, 0.3], draws=4,
                        seeds=1, slices=3, points=21)
    else:
        settings = dict(n_train=256, n_test=2000, noise=0.3, hidden=[64, 64], small_batch=16,
                        epochs=3000, lr=3e-3, target=0.05, epsilons=[0.01, 0.03, 0.1, 0.3],
                        draws=10, seeds=3, slices=5, points=41)
    epsilons = settings["epsilons"]
    seeds = [args.seed + k for k in range(settings["seeds"])]
    all_runs = []
    for index, seed in enumerate(seeds):
        if index:  # the first seed was set by parse_args
            manual_seed(seed)
        runs, train_set, test_set = one_seed(settings, direction_seed=seed)
        all_runs.append(runs)
        if index == 0:
            first = (runs, train_set, test_set)

    summary = summarise(all_runs, epsilons)
    print_summary(summary, settings, seeds, epsilons)

    runs, train_set, test_set = first
    directions = random_directions(runs[SMALL]["model"], settings["slices"], seed=seeds[0] + 1000)
    alphas = np.linspace(-0.5, 0.5, settings["points"])
    dpi = 60 if args.quick else 100
    paths = [plot_landscape(runs, train_set, test_set, directions, alphas,
                            args.out / "landscape.png", dpi)]
    spread = "std over seeds" if len(seeds) > 1 else f"std over {settings['draws']} directions"
    paths.append(plot_sharpness(summary, epsilons,
                                {label: r["curve"] for label, r in runs.items()},
                                settings["target"], spread, args.out / "sharpness.png", dpi))
    for label, name in ((SMALL, "small_batch"), (LARGE, "large_batch")):
        r = runs[label]
        paths.append(args.out / f"boundary_{name}.png")
        viz.plot_decision_boundary(
            r["model"], *train_set, path=paths[-1], resolution=120,
            title=f"{label} (batch {r['batch']}): train {r['train_accuracy']:.1%}, "
                  f"test {r['test_accuracy']:.1%}")
    saved(paths)
    return {"summary": summary, "epsilons": epsilons, "seeds": seeds,
            "per_seed": [{label: {k: v for k, v in r.items() if k not in ("model", "curve")}
                          for label, r in runs.items()} for runs in all_runs],
            "figures": [str(p) for p in paths]}


def summarise(all_runs, epsilons):
    """Per run type: (mean, spread) of each number; the spread is the standard deviation
    over seeds, or over directions when there is one seed."""
    summary = {}
    for label in all_runs[0]:
        runs = [r[label] for r in all_runs]
        stats = {key: (float(np.mean([r[key] for r in runs])),
                       float(np.std([r[key] for r in runs])))
                 for key in ("epochs", "steps", "train_accuracy", "test_accuracy", "gap",
                             "train_loss", "test_loss")}
        stats["sharpness"] = {}
        for eps in epsilons:
            per_seed = [float(np.mean(r["sharpness"][eps])) for r in runs]
            spread = np.std(per_seed) if len(runs) > 1 else np.std(runs[0]["sharpness"][eps])
            stats["sharpness"][eps] = (float(np.mean(per_seed)), float(spread))
        summary[label] = stats
    return summary


def _pm(stat, seeds, digits=3, percent=False, integer=False):
    """mean ± spread (just the mean for one seed)."""
    mean, spread = stat
    scale, unit = (100, ".1f") if percent else (1, ".0f" if integer else f".{digits}g")
    text = format(scale * mean, unit)
    return text if seeds == 1 else f"{text} ± {format(scale * spread, unit if integer else '.2g')}"


def print_summary(summary, settings, seeds, epsilons):
    n = len(seeds)
    rows = []
    for label, s in summary.items():
        rows.append([label, _pm(s["epochs"], n, integer=True), _pm(s["steps"], n, integer=True),
                     _pm(s["train_loss"], n),
                     _pm(s["train_accuracy"], n, percent=True),
                     _pm(s["test_accuracy"], n, percent=True), _pm(s["gap"], n, percent=True)]
                    + [_pm(s["sharpness"][eps], 2) for eps in epsilons])
    spread = "mean ± std over seeds" if n > 1 else \
        f"one seed; sharpness ± std over {settings['draws']} directions"
    print_table(["run", "epochs", "steps", "train loss", "train acc %", "test acc %", "gap %"]
                + [f"sharpness ε={eps:g}" for eps in epsilons], rows,
                title=f"Two moons (noise {settings['noise']}, {settings['n_train']} training / "
                      f"{settings['n_test']} test points), MLP {settings['hidden']} ReLU, Adam lr "
                      f"{settings['lr']:g}, training-loss target {settings['target']:g}, "
                      f"seeds {seeds} ({spread}):")
    small, large = summary[SMALL], summary[LARGE]
    eps = epsilons[len(epsilons) // 2]
    ratio = large["sharpness"][eps][0] / small["sharpness"][eps][0]
    difference = small["test_accuracy"][0] - large["test_accuracy"][0]
    print(f"\nAt eps = {eps:g} the full-batch minimum is {ratio:.2g}x as sharp as the "
          f"small-batch one. Test accuracy, small minus full batch: {100 * difference:+.1f} "
          "points", end="")
    if n > 1:
        noise = max(small["test_accuracy"][1], large["test_accuracy"][1])
        verdict = "within" if abs(difference) <= noise else "outside"
        print(f", {verdict} the seed-to-seed spread of {100 * noise:.1f} points.")
    else:
        print(" (one seed: no spread measured; run without --quick for three).")


if __name__ == "__main__":
    main()
