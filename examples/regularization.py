"""Overfitting, and six ways to fight it, on a few noisy digits.

    python -m examples.regularization [--quick] [--out DIR] [--seed N]

A network with far more weights than training examples can memorise them: training
accuracy reaches 100 % while accuracy on new data stays behind. Here a wide MLP
(64-256-256-10, 85,000 weights) learns from only 200 digits, 20 % of which carry a
wrong label (label noise, as in hastily labelled data), and is checked on 600 clean
validation digits. A net that gets its wrong training labels "right" has learned the
noise by heart: the baseline ends with 100 % training accuracy, every wrong label
reproduced, and about 75 % on the validation digits.

The same net is then trained the same way (Adam, lr 3e-3, mini-batches of 32, 100
epochs, the same initial weights) with one remedy at a time:

- baseline: nothing;
- dropout: `MLP(..., dropout=0.5)`, each hidden unit dropped with probability 0.5 in
  every step;
- L1: cost = loss + 0.001 sum |w| (`nn.regularization.l1_penalty`), which pushes
  weights to exactly 0;
- L2: cost = loss + 0.01 sum w^2 (`nn.regularization.l2_penalty`; `weight_decay` in
  SGD is the same thing), which shrinks every weight;
- early stopping: `optim.EarlyStopping` stops when the validation loss has not
  improved for 10 epochs and keeps the best weights;
- input noise: each batch is x + N(0, 0.5^2) (`optim.data.add_noise`, pixels in
  [0, 1]), so the net never sees the same image twice;
- batch norm: `MLP(..., batch_norm=True)`; normalising by batch statistics adds noise
  of its own.

(The penalties leave the biases alone: `nn.regularization.weight_parameters` gives
only the weight matrices.) What to look for in the printed table: input noise, early
stopping and L2 close the gap (training accuracy near 80-88 %: the wrong labels are
not learned) and gain 8-14 points of validation accuracy; L1 halves the gap; dropout
at p = 0.5 narrows it a little; batch norm does not help at all here. It is mainly a
remedy for slow training (it memorises the noise fastest), and its noise is too weak
to regularise much.

The penalties are added to the training loss only; every loss and accuracy reported
is measured afterwards in eval mode (dropout off, batch norm on running averages,
no penalty), on the training and on the validation digits.

Finally, Monte-Carlo dropout: keep dropout switched on at test time and predict each
validation digit 100 times with different dropped units (`nn.dropout.
mc_dropout_predict`). Where the thinned networks agree, the spread (std) of the
predicted probability is small; where they disagree the net is unsure. The spread is
larger on the digits it gets wrong than on those it gets right, and larger still on
images of pure noise, which are no digit at all.

Pictures (in out/regularization/):
- curves.png: one panel per run, accuracy on the training digits (solid) and on the
  validation digits (dashed) per epoch; the shaded band between them is the
  generalisation gap. The baseline's and batch norm's bands are the widest; early
  stopping's curves end where it stopped.
- gap.png: training and validation accuracy of every run side by side, with the gap;
  the dotted line is the share of training labels that are right (80 %): a training
  accuracy above it means wrong labels were learned.
- mc_dropout.png: left, how the MC-dropout spread is distributed for correctly
  classified validation digits, misclassified ones and noise images; right, the spread
  against the mean probability of the predicted class (unsure predictions are both
  less confident and more spread).
- uncertain_digits.png: the validation digits with the largest spread, titled with
  the prediction, its mean probability +/- std and the true label.
"""
import time

import numpy as np

import optim
from autograd import Tensor
from autograd.random import generator
from examples.common import parse_args, print_table, saved
from examples.digits_data import load_digits, one_blas_thread, predict, softmax
from nn.activation import Softmax
from nn.architectures import MLP
from nn.containers import Sequential
from nn.dropout import mc_dropout_predict
from nn.loss import CrossEntropyLoss
from nn.regularization import l1_penalty, l2_penalty, weight_parameters
from optim.data import DataLoader, TensorDataset, add_noise
from viz import plot_image_grid
from viz.figures import finish, new_figure

NAME = "regularization"
WIDTHS = [64, 256, 256, 10]
RUNS = ["baseline", "dropout", "L1", "L2", "early stopping", "input noise", "batch norm"]
L1_STRENGTH, L2_STRENGTH, NOISE_STD, DROPOUT = 1e-3, 1e-2, 0.5, 0.5
LEARNING_RATE = 3e-3


# ---- data ----------------------------------------------------------------------------
def noisy_digits(train_size, val_size, label_noise):
    """A small training set with a fraction `label_noise` of its labels replaced by a
    random other digit, and a clean validation set; pixels scaled to [0, 1]."""
    x, y = load_digits(NAME)
    order = generator().permutation(len(y))
    train, val = order[:train_size], order[train_size:train_size + val_size]
    x = (x / 16.0).astype(np.float32)
    y_train = y[train].copy()
    flipped = np.zeros(train_size, dtype=bool)
    flipped[generator().permutation(train_size)[:int(round(label_noise * train_size))]] = True
    y_train[flipped] = (y_train[flipped] + generator().integers(1, 10, flipped.sum())) % 10
    return x[train], y_train, x[val], y[val], flipped


class NoisyInputs:
    """Wraps a DataLoader: every batch's inputs get fresh Gaussian noise of std `std`
    (optim.data.add_noise), the labels stay."""

    def __init__(self, loader, std):
        self.loader, self.std = loader, std

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            yield add_noise(x, self.std), y


class PenalisedLoss:
    """Cross-entropy plus strength * penalty(weights) while the model trains; plain
    cross-entropy in eval mode, so that validation losses compare across runs."""

    def __init__(self, model, penalty, strength):
        self.model, self.penalty, self.strength = model, penalty, strength
        self.cross_entropy = CrossEntropyLoss()
        self.weights = weight_parameters(model)

    def __call__(self, outputs, targets):
        loss = self.cross_entropy(outputs, targets)
        if self.model.training:
            loss = loss + self.strength * self.penalty(self.weights)
        return loss


class CleanTrainingMetrics(optim.Callback):
    """After every epoch, the loss and accuracy on the training data in eval mode
    (the Trainer's own training figures are running averages with dropout, noise and
    penalties switched on)."""

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.loss, self.accuracy = [], []

    def on_epoch_end(self, trainer, epoch, logs):
        logits = predict(trainer.model, self.x)
        self.loss.append(cross_entropy(logits, self.y))
        self.accuracy.append(float((logits.argmax(axis=1) == self.y).mean()))


def cross_entropy(logits, labels):
    probabilities = softmax(logits.astype(np.float64))
    return float(-np.log(probabilities[np.arange(len(labels)), labels] + 1e-12).mean())


# ---- one run -------------------------------------------------------------------------
def train(run, data, epochs, initial_state):
    """Train the wide MLP with one remedy; returns (model, per-epoch curves, summary)."""
    x_train, y_train, x_val, y_val = data
    model = MLP(WIDTHS, dropout=DROPOUT if run == "dropout" else 0.0,
                batch_norm=run == "batch norm")
    # the same initial weights for every run (dropout and batch norm layers sit between
    # the Linear layers, so the weights are copied layer by layer)
    for layer, state in zip(model.linear_layers(), initial_state):
        layer.load_state_dict(state)
    loss_fn = CrossEntropyLoss()
    if run == "L1":
        loss_fn = PenalisedLoss(model, l1_penalty, L1_STRENGTH)
    elif run == "L2":
        loss_fn = PenalisedLoss(model, l2_penalty, L2_STRENGTH)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
    if run == "input noise":
        loader = NoisyInputs(loader, NOISE_STD)
    clean = CleanTrainingMetrics(x_train, y_train)
    callbacks = [clean]
    if run == "early stopping":
        callbacks.append(optim.EarlyStopping(monitor="val_loss", patience=10))
    trainer = optim.Trainer(model, optim.Adam(model.parameters(), lr=LEARNING_RATE), loss_fn,
                            metrics={"accuracy": optim.accuracy}, progress=False)
    history = trainer.fit(loader, epochs=epochs, callbacks=callbacks,
                          val_loader=DataLoader(TensorDataset(x_val, y_val), batch_size=None))
    train_logits, val_logits = predict(model, x_train), predict(model, x_val)
    summary = {"train_accuracy": float((train_logits.argmax(axis=1) == y_train).mean()),
               "val_accuracy": float((val_logits.argmax(axis=1) == y_val).mean()),
               "train_loss": cross_entropy(train_logits, y_train),
               "val_loss": cross_entropy(val_logits, y_val),
               "epochs": len(history["loss"])}
    summary["gap"] = summary["train_accuracy"] - summary["val_accuracy"]
    curves = {"train_accuracy": clean.accuracy, "val_accuracy": history["val_accuracy"],
              "train_loss": clean.loss, "val_loss": history["val_loss"]}
    return model, curves, summary


# ---- Monte-Carlo dropout ---------------------------------------------------------------
def mc_dropout(model, x_val, y_val, samples):
    """Predictive mean and spread of the class probabilities under MC dropout, for the
    validation digits and for as many images of uniform noise."""
    probabilities = Sequential(model, Softmax(dim=1))
    noise = generator().random(x_val.shape).astype(np.float32)
    results = {}
    for name, x in (("digits", x_val), ("noise", noise)):
        mean, std = mc_dropout_predict(probabilities, Tensor(x), samples=samples)
        mean, std = mean.data, std.data
        predicted = mean.argmax(axis=1)
        rows = np.arange(len(x))
        results[name] = {"predicted": predicted, "confidence": mean[rows, predicted],
                         "spread": std[rows, predicted]}
    digits = results["digits"]
    digits["correct"] = digits["predicted"] == y_val
    return results


# ---- pictures ----------------------------------------------------------------------------
def plot_curves(curves, summaries, path):
    columns = 4
    rows = int(np.ceil(len(curves) / columns))
    figure = new_figure(3.3 * columns, 2.7 * rows + 0.4)
    grid = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    for axes in grid.flat[len(curves):]:
        axes.set_visible(False)
    for axes, (run, curve) in zip(grid.flat, curves.items()):
        train, val = np.asarray(curve["train_accuracy"]), np.asarray(curve["val_accuracy"])
        epochs = np.arange(1, len(train) + 1)
        axes.fill_between(epochs, val, train, where=train >= val, color="#c44e52", alpha=0.15,
                          linewidth=0)
        axes.plot(epochs, train, color="#4c72b0", label="training digits")
        axes.plot(epochs, val, color="#dd8452", linestyle="--", label="validation digits")
        gap = summaries[run]["gap"]
        axes.set_title(f"{run}: gap {gap:+.0%}", fontsize=10)
        axes.grid(True, alpha=0.3)
    for axes in grid[:, 0]:
        axes.set_ylabel("accuracy (eval mode)")
    for axes in grid[-1]:
        axes.set_xlabel("epoch")
    grid.flat[0].legend(loc="lower right", fontsize=8)
    figure.suptitle("Training vs validation accuracy; shaded: the generalisation gap "
                    "(200 training digits, 20 % wrong labels)")
    return finish(figure, path)


def plot_gap(summaries, correct_labels, path):
    figure = new_figure(8, 4)
    axes = figure.add_subplot()
    names = list(summaries)
    positions = np.arange(len(names))
    train = [summaries[n]["train_accuracy"] for n in names]
    val = [summaries[n]["val_accuracy"] for n in names]
    axes.bar(positions - 0.2, train, 0.4, color="#4c72b0", label="training accuracy")
    axes.bar(positions + 0.2, val, 0.4, color="#dd8452", label="validation accuracy")
    for x, t, v in zip(positions, train, val):
        axes.text(x, max(t, v) + 0.01, f"gap {t - v:+.0%}", ha="center", fontsize=9)
    axes.set_xticks(positions)
    axes.set_xticklabels(names)
    axes.set_ylim(0.5, 1.12)
    axes.set_ylabel("accuracy (eval mode)")
    axes.axhline(correct_labels, color="dimgray", linestyle=":", linewidth=1.2,
                 label=f"share of right training labels ({correct_labels:.0%})")
    axes.legend(loc="upper center", fontsize=8, ncols=3)
    axes.set_title("Training vs validation accuracy after training, and their gap")
    return finish(figure, path)


def plot_mc_dropout(results, samples, path):
    digits, noise = results["digits"], results["noise"]
    groups = [("correct digits", digits["spread"][digits["correct"]], "#55a868"),
              ("misclassified digits", digits["spread"][~digits["correct"]], "#c44e52"),
              ("noise images", noise["spread"], "#8172b3")]
    figure = new_figure(11, 4.2)
    left, right = figure.subplots(1, 2)
    bins = np.linspace(0, max(g[1].max() for g in groups if len(g[1])) * 1.02, 30)
    for name, values, color in groups:
        if len(values):
            left.hist(values, bins=bins, density=True, alpha=0.5, color=color,
                      label=f"{name} (n={len(values)}, median {np.median(values):.3f})")
    left.set_xlabel("MC-dropout std of the predicted class's probability")
    left.set_ylabel("density")
    left.set_title(f"Spread over {samples} dropout samples")
    left.legend(fontsize=8)
    for name, values, color, confidence in (
            ("correct digits", digits["spread"][digits["correct"]], "#55a868",
             digits["confidence"][digits["correct"]]),
            ("misclassified digits", digits["spread"][~digits["correct"]], "#c44e52",
             digits["confidence"][~digits["correct"]]),
            ("noise images", noise["spread"], "#8172b3", noise["confidence"])):
        right.scatter(confidence, values, s=10, alpha=0.6, color=color, label=name)
    right.set_xlabel("mean probability of the predicted class")
    right.set_ylabel("std of that probability")
    right.set_title("Unsure predictions: low mean, high spread")
    right.legend(fontsize=8)
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
    figure.suptitle("Monte-Carlo dropout: dropout kept on at test time")
    return finish(figure, path)


# ---- main ----------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(NAME, "Overfitting a wide MLP on 200 noisy digits, and dropout, L1, "
                            "L2, early stopping, input noise and batch norm against it.",
                      argv)
    # quick: half the digits, 40 epochs; full: 200 training digits, 100 epochs
    train_size, val_size, epochs, samples = (100, 300, 40, 30) if args.quick else \
        (200, 600, 100, 100)
    started = time.perf_counter()
    with one_blas_thread():
        x_train, y_train, x_val, y_val, flipped = noisy_digits(train_size, val_size,
                                                               label_noise=0.2)
        data = (x_train, y_train, x_val, y_val)
        initial_state = [layer.state_dict() for layer in MLP(WIDTHS).linear_layers()]
        curves, summaries, models = {}, {}, {}
        for run in RUNS:
            models[run], curves[run], summaries[run] = train(run, data, epochs, initial_state)
        uncertainty = mc_dropout(models["dropout"], x_val, y_val, samples)
    seconds = time.perf_counter() - started

    print(f"{len(y_train)} training digits ({flipped.sum()} with a wrong label), "
          f"{len(y_val)} validation digits; MLP {'-'.join(map(str, WIDTHS))}, Adam, "
          f"{epochs} epochs")
    print_table(["run", "epochs", "train acc", "val acc", "gap", "train loss", "val loss"],
                [[run, s["epochs"], s["train_accuracy"], s["val_accuracy"], s["gap"],
                  s["train_loss"], s["val_loss"]] for run, s in summaries.items()])
    memorised = float((predict(models["baseline"], x_train[flipped]).argmax(axis=1)
                       == y_train[flipped]).mean())
    print(f"the baseline reproduces {memorised:.0%} of the wrong training labels "
          "(memorised noise)")
    digits, noise = uncertainty["digits"], uncertainty["noise"]
    spread = {"correct": float(np.median(digits["spread"][digits["correct"]])),
              "misclassified": float(np.median(digits["spread"][~digits["correct"]]))
              if (~digits["correct"]).any() else float("nan"),
              "noise": float(np.median(noise["spread"]))}
    print_table(["inputs", "count", "median MC-dropout std", "mean confidence"],
                [["correct digits", int(digits["correct"].sum()), spread["correct"],
                  float(digits["confidence"][digits["correct"]].mean())],
                 ["misclassified digits", int((~digits["correct"]).sum()),
                  spread["misclassified"],
                  float(digits["confidence"][~digits["correct"]].mean())],
                 ["noise images", len(noise["spread"]), spread["noise"],
                  float(noise["confidence"].mean())]],
                title=f"Monte-Carlo dropout ({samples} samples) with the dropout run:")

    paths = [args.out / n for n in ("curves.png", "gap.png", "mc_dropout.png",
                                    "uncertain_digits.png")]
    plot_curves(curves, summaries, paths[0])
    plot_gap(summaries, 1 - flipped.mean(), paths[1])
    plot_mc_dropout(uncertainty, samples, paths[2])
    unsure = np.argsort(-digits["spread"])[:16]
    plot_image_grid(x_val[unsure].reshape(-1, 8, 8), path=paths[3], cmap="gray_r",
                    normalize="all", ncols=8,
                    titles=[f"{digits['predicted'][i]} (true {y_val[i]})\n"
                            f"{digits['confidence'][i]:.2f} ± {digits['spread'][i]:.2f}"
                            for i in unsure],
                    title="The validation digits MC dropout is least sure of: prediction "
                          "(true label),\nmean ± std of the prediction's probability")
    print(f"{seconds:.1f} s")
    saved(paths)
    return {"summaries": summaries, "mc_dropout_spread": spread,
            "memorised_wrong_labels": memorised, "seconds": seconds,
            "figures": [str(p) for p in paths]}


if __name__ == "__main__":
    main()
