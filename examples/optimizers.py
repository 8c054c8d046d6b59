"""How the optimizers move: SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop and Adam
on 2-D surfaces and on a real network; learning-rate schedules; SVRG and Newton-CG on a
convex problem.

    python -m examples.optimizers [--quick] [--out DIR] [--seed N]

1. Trajectories on three surfaces, each a function f(x, y) of a Tensor of two
   parameters minimised by the real `optim` classes (`paths_<surface>.png`; circle =
   start, square = end, star = minimum):
   - a *ravine*, f = (x^2 + 50 y^2) / 10: steep across (curvature 10), flat along
     (curvature 0.2). SGD's learning rate is capped by the steep direction (above 0.2
     it zig-zags across the valley ever wider and diverges), so it drops onto the
     valley floor and then crawls along it. Momentum, at the same learning rate, adds
     up the consistent along-valley gradients and speeds along, swinging back and
     forth across the valley as it goes; Nesterov's look-ahead damps that swing. The
     adaptive methods (Adagrad, RMSprop, Adam) divide each coordinate by its own
     gradient size, so the flat direction gets steps as large as the steep one.
   - *Rosenbrock*, f = (1 - x)^2 + 100 (y - x^2)^2: a curved, narrow valley. Every
     method reaches the valley floor quickly; following the bend to the minimum at
     (1, 1) is the hard part.
   - a *saddle*, f = x^2 + y^4 / 4 - y^2 / 2, starting almost exactly on the ridge
     (y = 0.001). The gradient across the ridge is tiny, so SGD sits near the saddle
     point for a long time; momentum builds up speed, and the adaptive methods, which
     divide by the gradient's size, roll off at once.
   Each optimizer uses one learning rate per surface (the table printed at the start
   lists them): SGD, momentum and Nesterov share theirs, so those three compare like
   with like. Adadelta's steps start at about lr * sqrt(eps) and grow from there; with
   its default lr = 1 it barely moves on these unit-sized toy surfaces, so it gets a
   larger lr.
2. The same seven optimizers training one MLP (2-64-64-3, ReLU) on three interleaved
   spirals, from the *same* initial weights and the same batch order, each with a
   common learning rate for it (`network_losses.png`: training loss per epoch; the
   table adds validation loss and accuracy). Read off which get going fastest and which
   end lowest; the spikes are steps that overshoot, shared by runs that see the same
   batches.
3. Learning-rate schedules on the same network with SGD + momentum: constant, StepLR
   (halve every quarter of the run), ExponentialLR and CosineAnnealingLR
   (`schedules.png`: left the losses, right the learning rate per epoch). Decaying the
   lr lets the loss settle lower at the end, where a constant lr keeps bouncing.
4. A convex problem, L2-regularised logistic regression on 500 points in 10-D
   (`convex.png`: the suboptimality F(w) - F* against passes over the data, log
   scale). SGD with a constant lr drops fast and then stalls in a noise ball; with a
   decaying lr it keeps creeping down; SVRG, with the same constant lr, cancels the
   noise and converges linearly to machine precision; Newton-CG takes a handful of
   exact Newton steps (each one gradient plus ~11 Hessian-vector products, which is
   what its passes count).

Key claims (checked by tests/examples/test_optimizers.py at --quick scale): on the
ravine, momentum, Nesterov and Adam end more than 10 times lower than SGD after the
same 60 steps, momentum and Nesterov at SGD's learning rate; on the saddle, SGD is
still near the saddle point when Nesterov, Adagrad and RMSprop have reached a minimum;
Newton-CG reaches F - F* < 1e-8 within a handful of iterations while SGD's hundreds of
steps leave it above 1e-4 and SVRG far below SGD; each schedule produces its
closed-form learning rates.
"""
import os
import time

if __name__ == "__main__":
    # Before numpy loads: with several BLAS threads the small matrix products here run
    # several times slower on a busy 2-core machine (threads spinning against each other).
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)
from matplotlib.figure import Figure

import viz
from autograd import Tensor, manual_seed, no_grad
from autograd.random import generator
from examples.common import parse_args, print_table, saved
from examples.digits_data import one_blas_thread
from nn.architectures import MLP
from nn.linear import Linear
from nn.loss import BCEWithLogitsLoss, CrossEntropyLoss
from optim import (SGD, SVRG, Adadelta, Adagrad, Adam, DataLoader, LRSchedulerCallback,
                   NewtonCG, RMSprop, TensorDataset, Trainer, accuracy, datasets)
from optim.data import train_val_test_split
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, StepLR

OPTIMIZERS = ["SGD", "momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"]


def make_optimizer(name, params, lr):
    """One of the seven optimizers, PyTorch's defaults apart from lr (momentum 0.9)."""
    if name == "SGD":
        return SGD(params, lr=lr)
    if name == "momentum":
        return SGD(params, lr=lr, momentum=0.9)
    if name == "Nesterov":
        return SGD(params, lr=lr, momentum=0.9, nesterov=True)
    return {"Adagrad": Adagrad, "Adadelta": Adadelta, "RMSprop": RMSprop,
            "Adam": Adam}[name](params, lr=lr)


# ---- 1. two-parameter surfaces ----------------------------------------------------------
# Written with operators only, so each works on Tensor scalars (for the optimizers) and on
# numpy grids (for the contours).
def ravine(x, y):
    return (x ** 2 + 50 * y ** 2) / 10


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def saddle(x, y):
    return x ** 2 + y ** 4 / 4 - y ** 2 / 2


# surface: (function, start, minimum, (steps, steps with --quick), learning rate per
# optimizer, plot limits)
SURFACES = {
    "ravine": (ravine, (-4.5, 0.6), (0.0, 0.0), (60, 60),
               {"SGD": 0.1, "momentum": 0.1, "Nesterov": 0.1, "Adagrad": 1.0,
                "Adadelta": 40.0, "RMSprop": 0.1, "Adam": 0.2},
               ((-5, 1.5), (-1, 1))),
    "Rosenbrock": (rosenbrock, (-1.5, 2.0), (1.0, 1.0), (400, 100),
                   {"SGD": 1e-3, "momentum": 1e-3, "Nesterov": 1e-3, "Adagrad": 2.0,
                    "Adadelta": 10.0, "RMSprop": 0.03, "Adam": 0.1},
                   ((-2, 2), (-1, 3.2))),
    "saddle": (saddle, (1.5, 1e-3), (0.0, 1.0), (60, 30),
               {"SGD": 0.1, "momentum": 0.1, "Nesterov": 0.1, "Adagrad": 0.3,
                "Adadelta": 40.0, "RMSprop": 0.03, "Adam": 0.1},
               ((-1, 1.8), (-0.6, 1.6))),
}


def trajectory(f, start, optimizer_name, lr, steps):
    """Minimise f from `start`; returns the (steps + 1, 2) path and the final f."""
    w = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    optimizer = make_optimizer(optimizer_name, [w], lr)
    path = [w.data.copy()]
    for _ in range(steps):
        loss = f(w[0], w[1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(w.data.copy())
    path = np.array(path)
    return path, float(f(*path[-1]))


def surfaces_part(out, quick):
    """Trajectories of every optimizer on every surface; returns {surface: {opt: loss}}."""
    finals, files = {}, []
    for surface, (f, start, minimum, steps, lrs, (xlim, ylim)) in SURFACES.items():
        steps = steps[1] if quick else steps[0]
        paths, finals[surface] = {}, {}
        for name in OPTIMIZERS:
            path, final = trajectory(f, start, name, lrs[name], steps)
            paths[f"{name} (lr {lrs[name]:g})"] = path
            finals[surface][name] = final
        file = out / f"paths_{surface}.png"
        viz.plot_optimizer_paths(f, paths, xlim=xlim, ylim=ylim, minimum=minimum, path=file,
                                 resolution=150 if quick else 300,
                                 title=f"{surface}: {steps} steps from {start} "
                                       "(○ start, □ end)")
        files.append(file)
    return finals, files


# ---- 2. and 3. a real network ------------------------------------------------------------
def spiral_data(quick):
    x, y = datasets.spirals(n=300 if quick else 600, classes=3, noise=0.2)
    train, val, _ = train_val_test_split(x, y, val_fraction=0.25, test_fraction=0.0)
    return train, val


def train_network(initial_state, data, optimizer_factory, epochs, batch_size, seed,
                  scheduler=None):
    """Train a fresh MLP from `initial_state` (the same weights every time) with the same
    batch order (reseeded); returns the Trainer's history."""
    (x_train, y_train), (x_val, y_val) = data
    model = MLP([2, 64, 64, 3])
    model.load_state_dict(initial_state)
    optimizer = optimizer_factory(model.parameters())
    callbacks = [LRSchedulerCallback(scheduler(optimizer))] if scheduler else []
    manual_seed(seed)
    trainer = Trainer(model, optimizer, CrossEntropyLoss(), metrics={"accuracy": accuracy},
                      progress=False)
    return trainer.fit(DataLoader(TensorDataset(x_train, y_train), batch_size, shuffle=True),
                       epochs, val_loader=DataLoader(TensorDataset(x_val, y_val),
                                                     batch_size=None),
                       callbacks=callbacks)


NETWORK_LRS = {"SGD": 0.1, "momentum": 0.05, "Nesterov": 0.05, "Adagrad": 0.05,
               "Adadelta": 1.0, "RMSprop": 0.003, "Adam": 0.005}


def network_part(out, quick, seed):
    manual_seed(seed)
    data = spiral_data(quick)
    initial = {k: v.data.copy() for k, v in MLP([2, 64, 64, 3]).state_dict().items()}
    epochs, batch_size = (10, 64) if quick else (120, 32)
    curves, results = {}, {}
    for name in OPTIMIZERS:
        lr = NETWORK_LRS[name]
        history = train_network(initial, data, lambda p: make_optimizer(name, p, lr), epochs,
                                batch_size, seed + 1)
        curves[f"{name} (lr {lr:g}) loss"] = history["loss"]
        results[name] = {"lr": lr, "train_loss": history["loss"][-1],
                         "val_loss": history["val_loss"][-1],
                         "val_accuracy": history["val_accuracy"][-1]}
    file = out / "network_losses.png"
    viz.plot_history(curves, log_loss=True, path=file,
                     title="MLP 2-64-64-3 on spirals: training loss, same initial weights")

    schedules = {
        "constant": None,
        "StepLR": lambda opt: StepLR(opt, step_size=epochs // 4, gamma=0.5),
        "ExponentialLR": lambda opt: ExponentialLR(opt, gamma=0.1 ** (1 / epochs)),
        "CosineAnnealingLR": lambda opt: CosineAnnealingLR(opt, T_max=epochs),
    }
    schedule_curves, schedule_results = {}, {}
    for label, scheduler in schedules.items():
        history = train_network(initial, data, lambda p: SGD(p, lr=0.1, momentum=0.9), epochs,
                                batch_size, seed + 1, scheduler)
        schedule_curves[label] = (history["loss"], history["lr"])
        schedule_results[label] = {"train_loss": history["loss"][-1],
                                   "val_loss": history["val_loss"][-1],
                                   "val_accuracy": history["val_accuracy"][-1],
                                   "lrs": history["lr"]}
    schedule_file = out / "schedules.png"
    plot_schedules(schedule_curves, schedule_file)
    return results, schedule_results, [file, schedule_file]


def plot_schedules(curves, path):
    """Loss (left) and learning rate (right) per epoch, one colour per schedule.
    (viz.plot_history colours by key, so a run's loss and lr would not match.)"""
    figure = Figure(figsize=(11, 4.3), layout="constrained")
    loss_axes, lr_axes = figure.subplots(1, 2)
    for label, (losses, lrs) in curves.items():
        epochs = np.arange(1, len(losses) + 1)
        line, = loss_axes.plot(epochs, losses, label=label)
        lr_axes.plot(epochs, lrs, color=line.get_color(), label=label)
    loss_axes.set_yscale("log")
    loss_axes.set(title="Training loss", xlabel="epoch", ylabel="loss (log scale)")
    lr_axes.set(title="Learning rate in each epoch", xlabel="epoch", ylabel="learning rate")
    for axes in (loss_axes, lr_axes):
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.suptitle("Learning-rate schedules: SGD + momentum 0.9 from lr 0.1, same start")
    figure.savefig(path, dpi=110)


# ---- 4. a convex problem: SGD, SVRG, Newton-CG -----------------------------------------
def logistic_problem(n=500, d=10, lam=0.03):
    """Features with spreads from 0.5 to 2, labels drawn from a logistic model."""
    rng = generator()
    x = rng.normal(size=(n, d)) * np.geomspace(0.5, 2.0, d)
    w_true = rng.normal(size=d)
    y = (rng.random(n) < 1 / (1 + np.exp(-x @ w_true))).astype(np.float64)[:, None]
    return x, y, lam


class LogisticRegression:
    """F(w) = mean log-loss + lam / 2 ||w||^2 of a Linear(d, 1) model (float64), on all
    points or on a batch of rows."""

    def __init__(self, x, y, lam, seed):
        self.x, self.y, self.lam, self.seed = x, y, lam, seed
        self.all_x, self.all_y, self.bce = Tensor(x), Tensor(y), BCEWithLogitsLoss()

    def fresh_model(self):
        """The same starting weights every time."""
        manual_seed(self.seed)
        return Linear(self.x.shape[1], 1, dtype=np.float64)

    def objective(self, model, rows=None):
        x, y = (self.all_x, self.all_y) if rows is None else (Tensor(self.x[rows]),
                                                              Tensor(self.y[rows]))
        return self.bce(model(x), y) + 0.5 * self.lam * (model.weight * model.weight).sum()

    def value(self, model):
        with no_grad():
            return self.objective(model).item()


def run_newton(problem, steps):
    """Newton-CG from the common start: F after each step and the passes over the data
    (one gradient plus one Hessian-vector product per CG iteration)."""
    model = problem.fresh_model()
    newton = NewtonCG(model.parameters(), max_cg_iters=20)
    values, passes = [problem.value(model)], [0]
    for _ in range(steps):
        newton.step(lambda: problem.objective(model))
        values.append(problem.value(model))
        passes.append(passes[-1] + 1 + newton.state[model.weight]["cg_iterations"])
    return np.array(values), passes


def run_stochastic(problem, method, lr, epochs, batch, decay=False):
    """SGD (optionally with lr / (1 + epoch)) or SVRG from the common start: F after each
    epoch, the passes over the data and the number of steps taken."""
    model = problem.fresh_model()
    n = len(problem.x)
    optimizer = (SVRG if method == "SVRG" else SGD)(model.parameters(), lr=lr)
    scheduler = LambdaLR(optimizer, lambda epoch: 1 / (1 + epoch)) if decay else None

    def full_batch():
        loss = problem.objective(model)
        loss.backward()
        return loss

    def batch_closure(rows):
        def closure():
            loss = problem.objective(model, rows)
            loss.backward()
            return loss
        return closure

    values, passes, steps = [problem.value(model)], [0], 0
    for _ in range(epochs):
        if method == "SVRG":
            optimizer.take_snapshot(full_batch)
        order = generator().permutation(n)
        for start in range(0, n, batch):
            closure = batch_closure(order[start:start + batch])
            if method == "SVRG":
                optimizer.step(closure)   # the batch gradient at w and at the snapshot
            else:
                optimizer.zero_grad()
                closure()
                optimizer.step()
            steps += 1
        if scheduler:
            scheduler.step()
        values.append(problem.value(model))
        # SVRG: one pass for the snapshot's full gradient, two for the batch gradients
        passes.append(passes[-1] + (3 if method == "SVRG" else 1))
    return np.array(values), passes, steps


def convex_part(out, quick, seed):
    manual_seed(seed + 3)  # the same data with and without --quick
    x, y, lam = logistic_problem()
    problem = LogisticRegression(x, y, lam, seed + 2)
    n, d = x.shape
    # F* is where Newton-CG settles (it changes F by less than 1e-15 well before step 10;
    # SVRG converges to the same value independently)
    newton_values, newton_passes = run_newton(problem, 10)
    optimum = newton_values[-1]
    shown = 1 + next(i for i, v in enumerate(newton_values) if v - optimum < 1e-14)
    curves = {"Newton-CG": (newton_passes[:shown], newton_values[:shown] - optimum)}
    results = {"Newton-CG": {"iterations": shown - 1,
                             "gap": newton_values[shown - 1] - optimum}}

    epochs, batch, lr = (4 if quick else 25), 10, 0.3
    for label, method, decay in (("SGD", "SGD", False), ("SGD, lr / (1 + epoch)", "SGD", True),
                                 ("SVRG", "SVRG", False)):
        values, passes, steps = run_stochastic(problem, method, lr, epochs, batch, decay)
        curves[f"{label} (lr {lr:g}, batch {batch})"] = (passes, values - optimum)
        results[label] = {"iterations": steps, "gap": values[-1] - optimum}
    newton_needed = next(i for i, v in enumerate(newton_values) if v - optimum < 1e-8)

    floor = 1e-16  # where float64 rounding hides the gap
    figure = Figure(figsize=(7.5, 4.8), layout="constrained")
    axes = figure.add_subplot()
    for label, (passes, gaps) in curves.items():
        axes.plot(passes, np.maximum(gaps, floor), marker="o", markersize=3, label=label)
    for step, (passes, gap) in enumerate(zip(*curves["Newton-CG"])):
        if step:
            axes.annotate(f"step {step}", (passes, max(gap, floor)), textcoords="offset points",
                          xytext=(6, 4), fontsize=8, color="C0")
    axes.set_yscale("log")
    axes.set_xlabel(f"passes over the data (a gradient or a Hessian-vector product on all "
                    f"{n} points counts 1)")
    axes.set_ylabel("F(w) − F*  (log scale)")
    axes.set_title(f"L2-regularised logistic regression, n = {n}, d = {d}")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend()
    file = out / "convex.png"
    figure.savefig(file, dpi=110)
    return optimum, results, newton_needed, [file]


def main(argv=None):
    args = parse_args("optimizers", __doc__.splitlines()[0], argv)
    started = time.perf_counter()
    print_table(["surface", "steps"] + OPTIMIZERS,
                [[s, v[3][1] if args.quick else v[3][0]] + [v[4][o] for o in OPTIMIZERS]
                 for s, v in SURFACES.items()],
                title="learning rates on the surfaces")
    with one_blas_thread():   # (also when imported, e.g. by the tests)
        surfaces, files = surfaces_part(args.out, args.quick)
        network, schedules, network_files = network_part(args.out, args.quick, args.seed)
        optimum, convex, newton_needed, convex_files = convex_part(args.out, args.quick,
                                                                   args.seed)
    files += network_files + convex_files

    print()
    print_table(["surface"] + OPTIMIZERS,
                [[s] + [surfaces[s][o] for o in OPTIMIZERS] for s in surfaces],
                title="final f(x, y) on each surface (minimum 0; saddle: -0.25)")
    print()
    print_table(["optimizer", "lr", "train loss", "val loss", "val accuracy"],
                [[o, r["lr"], r["train_loss"], r["val_loss"], r["val_accuracy"]]
                 for o, r in network.items()],
                title="MLP on spirals, same initial weights: the last epoch")
    print()
    print_table(["schedule", "train loss", "val loss", "val accuracy", "first lr", "last lr"],
                [[k, r["train_loss"], r["val_loss"], r["val_accuracy"], r["lrs"][0],
                  r["lrs"][-1]] for k, r in schedules.items()],
                title="learning-rate schedules (SGD, momentum 0.9, lr 0.1): the last epoch")
    print()
    print_table(["method", "iterations", "F - F*"],
                [[k, r["iterations"], r["gap"]] for k, r in convex.items()],
                title=f"logistic regression, F* = {optimum:.10f}")
    print(f"Newton-CG needs {newton_needed} iterations for F - F* < 1e-8")
    elapsed = time.perf_counter() - started
    print(f"\ntime: {elapsed:.1f} s")
    saved(files)
    return {"surfaces": surfaces, "network": network, "schedules": schedules,
            "convex": convex, "convex_optimum": optimum, "newton_iterations": newton_needed,
            "seconds": elapsed, "files": files}

if __name__ == "__main__":
    main()
