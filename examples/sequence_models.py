"""Why gated recurrent networks remember: a plain RNN, an LSTM and a GRU on the adding
problem, with the gradient flowing back through time.

    python -m examples.sequence_models [--quick] [--out DIR] [--seed N]

The task (Hochreiter & Schmidhuber's adding problem, `optim.datasets.adding_problem`):
each sequence has T steps of (random value, marker); exactly two steps are marked, one
in each half, and the target is the sum of the two marked values. The network reads
the whole sequence and predicts from its last hidden state h_T, so it must carry a
value from the first half across up to T steps. Always predicting the mean, 1.0, gives
a mean squared error of 1/6 = 0.167 (the variance of a sum of two U(0, 1) values): that
is the baseline a model has to beat.

Three models, the same size: `nn.recurrent.RNN`, `LSTM` and `GRU` (hidden size 32)
with a `Linear` readout of h_T, trained by Adam on the MSE. The LSTM starts with its
forget-gate bias at 1 (Keras' default, Jozefowicz et al. 2015), so its forget gates
start near sigmoid(1) = 0.73 instead of 0.5; everything else is PyTorch's
initialisation.

Pictures:
- `learning_curves.png`: validation MSE per epoch, with the 0.167 baseline. The gated
  models sit on the baseline for a while (a plateau), then drop far below it; the
  plain RNN stays on it. The printed table adds the time per training step (the
  time loop runs in Python, once per step of the sequence, forward and backward).
- `gradient_through_time_init.png` and `gradient_through_time_trained.png`:
  ||dL/dh_t|| against t for one validation batch, divided by its value at the last
  step (`viz.compare_gradient_through_time`, log scale), before and after training.
  Each step back multiplies the gradient by dh_t/dh_{t-1}; for the RNN that is
  diag(1 - h_t^2) W_hh, whose size is below 1, so the gradient reaching the marked
  steps in the first half is vanishingly small and the RNN cannot learn what they
  mean. The LSTM's cell state (c_t = f * c_{t-1} + ...) and the GRU's interpolation
  (h_t = (1 - z) * n + z * h_{t-1}) pass the gradient back through a gate; once
  training has opened those gates near 1, the curve is almost flat. The legend gives
  the mean factor per step.

Key claims, checked by tests/examples/test_sequence_models.py at --quick scale (T =
20, 160 steps, default seed): the GRU ends far below the baseline while the RNN stays
on it; the RNN's end-to-end gradient ratio |dL/dh_1| / |dL/dh_T| is over 100 times
smaller than the LSTM's at initialisation and over 30 times smaller than the trained
GRU's. In quick mode the LSTM is still on its plateau (after 160 steps its ratio is
no better than the RNN's); in full mode (T = 50, 1000 steps) it breaks out, both gated
models end far below the baseline, and after training the RNN's ratio is about a
million times smaller than theirs.
"""
import os
import time

if __name__ == "__main__":
    # Before numpy loads: with several BLAS threads the small matrix products here run
    # several times slower on a busy 2-core machine (threads spinning against each other).
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import viz  # noqa: E402  (after the thread settings, which numpy reads on import)
from autograd import Tensor, manual_seed
from examples.common import parse_args, print_table, saved
from examples.digits_data import one_blas_thread
from nn.linear import Linear
from nn.loss import MSELoss
from nn.module import Module
from nn.recurrent import GRU, LSTM, RNN
from optim import Adam, DataLoader, TensorDataset, Trainer, datasets

BASELINE = 1 / 6   # MSE of always predicting 1.0: Var(u1 + u2) for u ~ U(0, 1)
KINDS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}


class SequenceRegressor(Module):
    """A recurrent layer (batch_first) and a Linear readout of its last hidden state."""

    def __init__(self, kind, hidden_size, input_size=2):
        super().__init__()
        self.recurrent = KINDS[kind](input_size, hidden_size, batch_first=True)
        self.readout = Linear(hidden_size, 1)
        if kind == "LSTM":  # forget gate = rows H..2H of the stacked (i, f, g, o) biases
            self.recurrent.bias_ih_l0.data[hidden_size:2 * hidden_size] = 1.0
            self.recurrent.bias_hh_l0.data[hidden_size:2 * hidden_size] = 0.0

    def forward(self, x):
        output, _ = self.recurrent(x)
        return self.readout(output[:, -1])


def gradient_curve(model, x, y):
    """||dL/dh_t|| for t = 1..T of the MSE on (x, y), through the layer's probe."""
    target, loss_fn = Tensor(y), MSELoss()

    def loss_on_last_state(h):       # the training loss as a function of h_T
        return loss_fn(model.readout(h), target)

    curves = viz.compare_gradient_through_time({"model": model.recurrent}, Tensor(x),
                                               loss_fn=loss_on_last_state)
    return curves["model"]


def decay(curve):
    """(|dL/dh_1| / |dL/dh_T|, the mean factor per step back)."""
    ratio = curve[0] / curve[-1]
    return ratio, ratio ** (1 / (len(curve) - 1))


def train(model, train_data, val_data, batch, epochs, progress):
    """Adam (lr 0.01) on the MSE; returns the history and the seconds spent."""
    trainer = Trainer(model, Adam(model.parameters(), lr=0.01), MSELoss(), progress=progress)
    clock = time.perf_counter()
    history = trainer.fit(DataLoader(TensorDataset(*train_data), batch, shuffle=True), epochs,
                          val_loader=DataLoader(TensorDataset(*val_data), 500))
    return history, time.perf_counter() - clock


def main(argv=None):
    args = parse_args("sequence_models", __doc__.splitlines()[0], argv)
    started = time.perf_counter()
    length, hidden, batch = (20 if args.quick else 50), 32, 64
    steps_per_epoch, epochs = (20, 8) if args.quick else (100, 10)
    x_train, y_train = datasets.adding_problem(steps_per_epoch * batch, length)
    x_val, y_val = datasets.adding_problem(200 if args.quick else 500, length)
    probe_x, probe_y = x_val[:100], y_val[:100]
    print(f"adding problem: T = {length}, {len(x_train)} training and {len(x_val)} "
          f"validation sequences; hidden size {hidden}, batch {batch}, Adam lr 0.01, "
          f"{epochs} epochs of {steps_per_epoch} steps; baseline MSE {BASELINE:.3f}")

    results, histories, init_curves, trained_curves = {}, {}, {}, {}
    with one_blas_thread():   # (also when imported, e.g. by the tests)
        for index, kind in enumerate(KINDS):
            manual_seed(args.seed + 1 + index)
            model = SequenceRegressor(kind, hidden)
            init_curves[kind] = gradient_curve(model, probe_x, probe_y)
            manual_seed(args.seed)   # the same batch order for every model
            history, seconds = train(model, (x_train, y_train), (x_val, y_val), batch, epochs,
                                     progress=not args.quick)
            trained_curves[kind] = gradient_curve(model, probe_x, probe_y)
            histories[f"{kind} validation loss"] = history["val_loss"]
            (ratio_init, factor_init), (ratio, factor) = (decay(init_curves[kind]),
                                                          decay(trained_curves[kind]))
            results[kind] = {
                "val_mse": history["val_loss"][-1], "best_val_mse": min(history["val_loss"]),
                "ms_per_step": 1000 * seconds / (epochs * steps_per_epoch),
                "ratio_init": ratio_init, "factor_init": factor_init,
                "ratio_trained": ratio, "factor_trained": factor}
    histories["baseline loss (always predict 1.0)"] = [BASELINE] * epochs

    files = [args.out / "learning_curves.png", args.out / "gradient_through_time_init.png",
             args.out / "gradient_through_time_trained.png"]
    viz.plot_history(histories, path=files[0], log_loss=True,
                     title=f"Adding problem, T = {length}: validation MSE")
    viz.plot_gradient_through_time(
        init_curves, path=files[1],
        title=f"Gradient through time at initialisation (T = {length})")
    viz.plot_gradient_through_time(
        trained_curves, path=files[2],
        title=f"Gradient through time after training (T = {length})")

    print_table(["model", "val MSE", "best val MSE", "ms/step", "|dL/dh_1|/|dL/dh_T| init",
                 "per step", "trained", "per step"],
                [[k, r["val_mse"], r["best_val_mse"], r["ms_per_step"], r["ratio_init"],
                  r["factor_init"], r["ratio_trained"], r["factor_trained"]]
                 for k, r in results.items()],
                title=f"\nafter {epochs * steps_per_epoch} steps (baseline {BASELINE:.3f})")
    elapsed = time.perf_counter() - started
    print(f"\ntime: {elapsed:.1f} s")
    saved(files)
    return {"length": length, "baseline": BASELINE, "models": results,
            "history": histories, "seconds": elapsed, "files": files}


if __name__ == "__main__":
    main()
