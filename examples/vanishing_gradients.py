"""Vanishing and exploding gradients in a deep network, and the remedies of the notes.

    python -m examples.vanishing_gradients [--quick] [--out DIR] [--seed N]

Backpropagation multiplies one factor per layer, delta_l = f'(a_l) * (W_{l+1}^T delta_{l+1}):
with the sigmoid (f' <= 1/4) the product shrinks geometrically, so in a 20-layer
sigmoid net the first layer's gradient is about 10^-13 of the last layer's and the
early layers do not learn. The example trains 20-hidden-layer MLPs (10 with --quick) on
two moons with full-batch SGD and watches each with a `viz.GradientMonitor`:

* the problem: sigmoid (Xavier init);
* tanh (Xavier): slope 1 at 0, so the signal survives when the weights are scaled well;
* remedy "ReLU + good init": ReLU and leaky ReLU with He init (slope 1 on the positive
  side, weights scaled to keep the variance);
* remedy "batch norm": the same sigmoid net with BatchNorm1d before every sigmoid
  (batch norm divides the backward signal by each layer's batch standard deviation, so
  the early layers may even get more gradient than the last one);
* remedy "residual connections": a residual MLP built here, h <- h + Linear(sigmoid(h))
  per block, same depth, same sigmoid, same init: the identity path carries the
  gradient past every block (dh_l/dh_{l-1} = I + ...);
* explosion: ReLU nets whose initial weights are too large (the notes' N(0, 1), and
  1.5x He). Their gradient norm is astronomically large, the first plain SGD step
  throws the weights so far that the loss becomes inf/nan; the same nets with
  `optim.clip_grad_norm_(params, 1.0)` take bounded steps, stay finite and learn (though
  clipping does not repair the scale: He init does).

The ratio reported is mean |dL/dW| of the first Linear layer over that of the last one
(the output layer), at initialisation and after training. About 1 means every layer
learns at the same pace. "Learns" means the training accuracy reached 90% (a straight
line gets about 85% on these moons; a net that does not learn predicts one class: 50%).

Pictures (in --out):

* gradient_flow.png: left, mean |dL/dW| per Linear layer at initialisation for every
  configuration (log scale; a line climbing to the right is a vanishing gradient, the
  input side getting almost nothing); right, the training loss.
* gradients_<config>.png: the monitor's per-layer bar chart at initialisation
  (`viz.plot_gradient_magnitudes`); red labels are layers the monitor flagged.
* heatmap_sigmoid.png, heatmap_relu_he.png: mean |g| per layer (rows, input on top)
  over the training steps (columns); a dark top band is a vanishing gradient that
  training does not cure.
* network_sigmoid.png: the sigmoid net drawn as a chain, each layer filled by its mean
  |g| at initialisation (dark = small) (`viz.network_diagram`; needs Graphviz).
* explosion.png: the gradient norm before clipping and the loss per step, with and
  without clipping; a line that stops is a run whose loss became inf or nan.
"""
import math

import numpy as np
from matplotlib import colormaps
from matplotlib.ticker import MaxNLocator

from autograd import Tensor
from examples.common import parse_args, print_table, saved
from nn.architectures import MLP, activation_layer, initialise_linear
from nn.containers import ModuleList, Sequential
from nn.init import normal_
from nn.linear import Linear
from nn.loss import CrossEntropyLoss
from nn.module import Module
from optim import SGD, clip_grad_norm_, get_total_norm
from optim.data import StandardScaler
from optim.datasets import two_moons
from optim.trainer import accuracy
import viz
from viz.figures import finish, new_figure

NAME = "vanishing_gradients"
LEARNED = 0.9          # training accuracy that counts as "learns"


class ResidualMLP(Module):
    """A residual MLP: stem Linear(in, width); depth - 1 blocks h <- h + Linear(f(h))
    (pre-activation residual blocks: the identity path carries dL/dh past every block);
    head f, Linear(width, out). That is depth + 1 Linear layers, each initialised by
    `init` (a scheme name of nn.MLP) with zero bias, as in
    MLP([in] + [width] * depth + [out], f, init=init): like is compared with like."""

    def __init__(self, in_features, width, depth, out_features, activation="sigmoid",
                 init="xavier_uniform"):
        super().__init__()
        self.stem = Linear(in_features, width)
        self.blocks = ModuleList([Sequential(activation_layer(activation), Linear(width, width))
                                  for _ in range(depth - 1)])
        self.head = Sequential(activation_layer(activation), Linear(width, out_features))
        for module in self.modules():
            if isinstance(module, Linear):
                initialise_linear(module, init)

    def forward(self, x):
        h = self.stem(x)
        for block in self.blocks:
            h = h + block(h)
        return self.head(h)


def configurations(depth, width):
    """label -> (description, model factory); all have `depth` hidden layers."""
    sizes = [2] + [width] * depth + [2]
    return {
        "sigmoid": ("sigmoid, Xavier init (the problem)",
                    lambda: MLP(sizes, "sigmoid", init="xavier_uniform")),
        "tanh": ("tanh, Xavier init", lambda: MLP(sizes, "tanh", init="xavier_uniform")),
        "relu_he": ("ReLU, He init", lambda: MLP(sizes, "relu", init="kaiming_uniform")),
        "leaky_relu_he": ("leaky ReLU, He init",
                          lambda: MLP(sizes, "leaky_relu", init="kaiming_uniform")),
        "sigmoid_batchnorm": ("sigmoid + batch norm",
                              lambda: MLP(sizes, "sigmoid", init="xavier_uniform",
                                          batch_norm=True)),
        "sigmoid_residual": ("sigmoid + residual blocks",
                             lambda: ResidualMLP(2, width, depth, 2, "sigmoid")),
    }


def weight_gradients(monitor, record):
    """mean |dL/dW| of every Linear layer, input side first."""
    return np.array([record.params[f"{n}.weight"].mean_abs for n in linear_names(monitor)])


def linear_names(monitor):
    modules = dict(monitor.model.named_modules())
    return [n for n in monitor.layer_names if isinstance(modules[n], Linear)]


def train(model, x, y, steps, lr, every):
    """Full-batch SGD with momentum under a GradientMonitor; returns the monitor (with its
    history), the losses, and the training accuracy of the last step's forward pass."""
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    monitor = viz.GradientMonitor(model, optimizer=optimizer, every=every)
    loss_fn, losses = CrossEntropyLoss(), []
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        outputs = model(x)
        loss = loss_fn(outputs, y)
        loss.backward()
        optimizer.step()  # the monitor records right after it
        losses.append(loss.item())
    monitor.remove()
    return monitor, losses, accuracy(outputs, y)


def study(x, y, depth, width, steps, lr, every, out, pictures):
    """Train every configuration; `pictures` names those that get a bar chart."""
    results, paths = {}, []
    for label, (description, make) in configurations(depth, width).items():
        monitor, losses, final_accuracy = train(make(), x, y, steps, lr, every)
        first, last = monitor.history[0], monitor.history[-1]
        flags = sorted({flag.kind for flag in monitor.flags(0)
                        if flag.kind in ("VANISHING", "EXPLODING")})
        at_init, at_end = weight_gradients(monitor, first), weight_gradients(monitor, last)
        results[label] = {
            "description": description,
            "ratio_init": float(at_init[0] / at_init[-1]),
            "ratio_end": float(at_end[0] / at_end[-1]),
            "gradients_init": at_init, "flags_init": flags, "losses": losses,
            "loss_start": losses[0], "loss_end": losses[-1], "accuracy": final_accuracy,
            "learns": final_accuracy >= LEARNED, "monitor": monitor}
        if label in pictures:
            paths.append(out / f"gradients_{label}.png")
            viz.plot_gradient_magnitudes(monitor, step=0, path=paths[-1])
    rows = []
    for label, r in results.items():
        rows.append([r["description"], f"{r['ratio_init']:.2e}",
                     f"{math.log10(r['ratio_init']):+.1f}", f"{r['ratio_end']:.2e}",
                     ", ".join(r["flags_init"]) or "-",
                     f"{r['loss_start']:.3f} -> {r['loss_end']:.3f}", r["accuracy"],
                     "yes" if r["learns"] else "NO"])
    print_table(["configuration", "first/last at init", "(log10)", "after training",
                 "monitor flags",
                 "loss", "train accuracy", f"learns (>= {LEARNED:.0%})"], rows,
                title=f"{depth}-hidden-layer nets, {width} units wide, {steps} full-batch SGD "
                      f"steps (lr {lr}, momentum 0.9) on {len(y)} two-moons points. "
                      "first/last = mean |dL/dW| of the first Linear layer over the last's:")
    return results, paths


def explosion(x, y, depth, width, steps, lr, max_norm):
    """Too-large initial weights, trained with and without clip_grad_norm_."""
    sizes = [2] + [width] * depth + [2]
    inits = {"large N(0, 1)": "large",
             "1.5 x He": lambda w: normal_(w, 0.0, 1.5 * math.sqrt(2.0 / w.shape[1]))}
    runs = {}
    for init_label, scheme in inits.items():
        initial = MLP(sizes, "relu", init=scheme).state_dict()
        for clip in (None, max_norm):
            model = MLP(sizes, "relu")
            model.load_state_dict(initial)  # the same initial weights with and without
            optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
            loss_fn, losses, norms, diverged = CrossEntropyLoss(), [], [], None
            with np.errstate(over="ignore", invalid="ignore"):
                for step in range(steps):
                    optimizer.zero_grad()
                    outputs = model(x)
                    loss = loss_fn(outputs, y)
                    if not math.isfinite(loss.item()):
                        diverged = step
                        break
                    losses.append(loss.item())
                    loss.backward()
                    if clip is None:
                        norm = get_total_norm([p.grad.data for p in model.parameters()])
                    else:
                        norm = clip_grad_norm_(model.parameters(), clip).item()
                    norms.append(float(norm))
                    optimizer.step()
            runs[(init_label, clip)] = {
                "losses": losses, "norms": norms, "diverged": diverged,
                "finite": diverged is None and all(map(math.isfinite, norms)),
                "accuracy": accuracy(outputs, y) if diverged is None else math.nan}
    rows = [[label, "no" if clip is None else f"max_norm {clip:g}", f"{r['norms'][0]:.3g}",
             f"{r['losses'][0]:.3g}",
             f"inf/nan at step {r['diverged']}" if r["diverged"] is not None
             else f"{r['losses'][-1]:.3g}", r["accuracy"]]
            for (label, clip), r in runs.items()]
    print_table(["init (ReLU)", "clipping", "initial ||grad||", "initial loss", "final loss",
                 "train accuracy"], rows,
                title=f"\nExploding gradients: {depth}-hidden-layer ReLU nets with too-large "
                      f"weights, {steps} SGD steps (lr {lr}, momentum 0.9):")
    return runs


def plot_gradient_flow(results, path, dpi=100):
    figure = new_figure(14, 5.2)
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    palette = colormaps["tab10"]
    for index, (label, r) in enumerate(results.items()):
        grads = r["gradients_init"]
        style = dict(color=palette(index), linewidth=2)
        left.plot(np.arange(1, len(grads) + 1), grads, marker="o", markersize=3,
                  label=f"{r['description']}: ratio {r['ratio_init']:.1e}", **style)
        right.plot(np.arange(1, len(r["losses"]) + 1), r["losses"], label=r["description"],
                   **style)
    left.set_yscale("log")
    left.set_xlabel("Linear layer (input → output)")
    left.set_ylabel("mean |dL/dW| at initialisation (log scale)")
    left.set_title("Gradient flow at initialisation (ratio = first / last layer)")
    left.legend(fontsize=8, loc="lower right")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_yscale("log")
    right.set_xlabel("training step")
    right.set_ylabel("training loss (cross-entropy, log scale)")
    right.set_title("Training on two moons (full-batch SGD)")
    right.axhline(math.log(2), color="#777777", linestyle=":", linewidth=1)
    steps = max(len(r["losses"]) for r in results.values())
    right.annotate("ln 2: guessing", (steps, math.log(2)), textcoords="offset points",
                   xytext=(0, 4), ha="right", fontsize=8, color="#555555")
    right.legend(fontsize=8, loc="upper right")
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
    finish(figure, path, dpi=dpi)
    return path


def plot_explosion(runs, max_norm, path, dpi=100):
    figure = new_figure(14, 4.8)
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    palette = colormaps["tab10"]
    labels = list(dict.fromkeys(label for label, _ in runs))
    for (label, clip), r in runs.items():
        color = palette(labels.index(label))
        name = f"{label}, " + (f"clipped to {clip:g}" if clip else "no clipping")
        if r["diverged"] is not None:
            name += f" (inf/nan at step {r['diverged']})"
        style = dict(color=color, linestyle="-" if clip else "--", linewidth=2, label=name)
        steps = np.arange(len(r["norms"]))
        left.plot(steps, r["norms"], marker="o" if len(steps) < 5 else None, **style)
        right.plot(np.arange(len(r["losses"])), r["losses"],
                   marker="o" if len(steps) < 5 else None, **style)
    left.axhline(max_norm, color="#555555", linestyle=":", linewidth=1)
    left.annotate(f"max_norm = {max_norm:g}", (0, max_norm), textcoords="offset points",
                  xytext=(4, 4), fontsize=8)
    left.set_title("gradient norm ||g|| before clipping")
    right.set_title("training loss")
    for axes in (left, right):
        axes.set_yscale("log")
        axes.set_xlabel("training step")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle("Exploding gradients: too-large initial weights, with and without "
                    "optim.clip_grad_norm_")
    finish(figure, path, dpi=dpi)
    return path


def main(argv=None):
    args = parse_args(NAME, "Vanishing/exploding gradients in deep nets and their remedies.",
                      argv)
    if args.quick:
        depth, width, points, steps, every, explosion_steps = 10, 32, 128, 20, 2, 10
    else:
        depth, width, points, steps, every, explosion_steps = 20, 32, 256, 300, 10, 150
    x, y = two_moons(points, noise=0.15)
    x, y = Tensor(StandardScaler().fit_transform(x).astype(np.float32)), Tensor(y)

    # --quick draws the per-configuration bar charts only for the two nets the test checks
    pictures = ("sigmoid", "relu_he") if args.quick else tuple(configurations(depth, width))
    results, paths = study(x, y, depth, width, steps, 0.05, every, args.out, pictures)
    sigmoid, relu = results["sigmoid"]["monitor"], results["relu_he"]["monitor"]
    print("\nThe monitor's report for the sigmoid net at initialisation:")
    print(sigmoid.report(step=0))
    for label, monitor in (("sigmoid", sigmoid), ("relu_he", relu))[:1 if args.quick else 2]:
        paths.append(args.out / f"heatmap_{label}.png")
        viz.plot_gradient_heatmap(monitor, path=paths[-1])
    if viz.dot_available():
        viz.network_diagram(sigmoid, step=0, path=args.out / "network_sigmoid.png",
                            title="sigmoid net: mean |grad| per layer at initialisation")
        paths.append(args.out / "network_sigmoid.png")
    else:
        print("(Graphviz's dot is not installed: network_sigmoid.png skipped)")
    dpi = 60 if args.quick else 100
    paths.insert(0, plot_gradient_flow(results, args.out / "gradient_flow.png", dpi))

    max_norm = 1.0
    runs = explosion(x, y, depth, width, explosion_steps, 0.05, max_norm)
    paths.append(plot_explosion(runs, max_norm, args.out / "explosion.png", dpi))
    saved(paths)
    summary = {label: {k: v for k, v in r.items() if k not in ("monitor", "losses",
                                                                "gradients_init")}
               for label, r in results.items()}
    return {"configurations": summary,
            "explosion": {f"{label} / {'clip' if clip else 'no clip'}": r
                          for (label, clip), r in runs.items()},
            "figures": [str(p) for p in paths]}


if __name__ == "__main__":
    main()
