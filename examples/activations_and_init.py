"""Activation functions, their slopes, and how the initial weights decide whether a deep
network's signals and gradients survive the trip through ten layers.

    python -m examples.activations_and_init [--quick] [--out DIR] [--seed N]

1. The five activations of the lecture notes (sigmoid, tanh, ReLU, leaky ReLU,
   softplus) and their derivatives. The derivatives are not typed in: the engine
   computes them, as `autograd.grad(f(x).sum(), x)` (each f(x_i) depends only on x_i,
   so the gradient of the sum is f'(x) elementwise), and they are checked against the
   notes' formulas. The sigmoid's slope never exceeds 1/4 (at x = 0), so every sigmoid
   layer shrinks the backward signal by at least 4x: ten layers, at least 4^10 ~ 10^6.
2. A 10-hidden-layer MLP on the spirals data (`nn.MLP(..., init=..., activation=...)`)
   under each initialisation of the notes (zero, constant 0.1, small N(0, 0.01^2),
   large N(0, 1), uniform +-1/sqrt(fan_in), Xavier uniform, He uniform) and three
   activations (sigmoid, tanh, ReLU): one forward and backward pass at initialisation,
   gradients read by a `viz.GradientMonitor`, activations by forward hooks.
3. Zero and constant initialisations give every unit of a layer the same incoming
   weights, so all units compute the same thing and receive the same gradient: training
   never tells them apart. The example trains such nets (3 hidden layers, so that the
   gradient reaches every layer and the weights do move) and measures the largest
   difference between two units' incoming weights: exactly 0 after training, against a
   Xavier net whose units differ and which learns the spirals.

Two numbers per network, "first" and "last" meaning the first and last hidden layer:

* signal std: how much a unit's output varies over the inputs (the std over the batch,
  averaged over the layer's units). When it collapses, the layer's output no longer
  depends on the input;
* gradient: mean |dL/dW| of each Linear layer; the ratio is first Linear over last
  (output) Linear.

The verdict for each init x activation pair (several can hold, "saturated+exploding"):

* symmetric: in every hidden layer all units have identical incoming weights and biases;
* saturated: more than half of the last hidden layer's sigmoid/tanh outputs lie within
  0.01 of the function's limits (where the slope is ~0; the GradientMonitor's rule);
* exploding: a non-finite gradient, a layer's gradient norm above 1e3 (the monitor's
  `exploding_norm`), a first/last gradient ratio above 10, or the signal std growing
  more than 10x from the first to the last hidden layer;
* vanishing: a first/last gradient ratio below 1/10, or the signal std shrinking more
  than 10x from the first to the last hidden layer;
* healthy: none of these (gradients and signals within 10x over ten layers).

Pictures (in --out):

* activation_functions.png: left the functions, right their engine-computed slopes;
  the sigmoid's peak slope of 1/4 is marked. Flat stretches of a slope curve are where
  gradients die (sigmoid and tanh for |x| > 4, ReLU for x < 0).
* init_scan.png: top row, the signal std of each hidden layer; bottom row, the mean
  |dL/dW| of each Linear layer (log scales). A top line falling to the right is the
  input's signal dying with depth; a bottom line falling to the LEFT is a gradient
  vanishing on its way back to the input; lines climbing are explosions. Flat lines
  are healthy. Zero values (zero init) cannot be drawn on a log scale and are missing.
* activation_histograms.png: one panel per activation; in it one block per init and in
  each block one column per hidden layer, coloured by the fraction of the layer's
  values in each bin (dark = many). Healthy: the same broad spread in every layer.
  Vanishing: the spread collapses onto one value (0 for tanh and ReLU, 0.5 for
  sigmoid). Saturated: the mass sits at the limits (+-1 for tanh, 0 and 1 for
  sigmoid). Speckled sigmoid columns are a quieter failure: each unit outputs nearly
  the same value whatever the input, so the values spread over the units but carry no
  signal (see the signal std). ReLU panels show log10 of the positive outputs, so an
  exploding or vanishing ReLU net is a band climbing or falling.
* symmetry.png: one line per unit of the first hidden layer, its weight from input x1
  during training: with a constant init the 32/64 lines lie on top of each other (one
  distinct weight), with Xavier init every unit follows its own path.
"""
import math

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm

import autograd
from autograd import Tensor
from examples.common import parse_args, print_table, saved
from nn.activation import LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.architectures import MLP
from nn.linear import Linear
from nn.loss import CrossEntropyLoss
from optim import SGD
from optim.data import StandardScaler
from optim.datasets import spirals
from optim.trainer import accuracy
from viz import GradientMonitor
from viz.figures import finish, new_figure

NAME = "activations_and_init"

CURVES = {  # label -> (module, the notes' derivative as a formula of x)
    "sigmoid": (Sigmoid(), lambda x: 1 / (1 + np.exp(-x)) * (1 - 1 / (1 + np.exp(-x)))),
    "tanh": (Tanh(), lambda x: 1 - np.tanh(x) ** 2),
    "ReLU": (ReLU(), lambda x: (x > 0).astype(float)),
    "leaky ReLU (slope 0.1)": (LeakyReLU(0.1), lambda x: np.where(x > 0, 1.0, 0.1)),
    "softplus": (Softplus(), lambda x: 1 / (1 + np.exp(-x))),
}
INITS = {  # nn.MLP's init name -> label
    "zeros": "zero",
    "constant": "constant 0.1",
    "small": "small N(0, 0.01²)",
    "large": "large N(0, 1)",
    "fan_in_uniform": "uniform ±1/√fan_in",
    "xavier_uniform": "Xavier uniform",
    "kaiming_uniform": "He uniform",
}
ACTIVATIONS = ("sigmoid", "tanh", "relu")
BAND = 10.0            # healthy: first/last ratios within this factor
EXPLODING_NORM = 1e3   # a layer gradient norm above this explodes (GradientMonitor's default)
SATURATION = 0.5       # saturated: more than this fraction of the last hidden layer's outputs


# ---- 1. activation functions and their engine-computed slopes ----------------------------
def activation_curves(out, dpi=100):
    x = Tensor(np.linspace(-5, 5, 1001), requires_grad=True)  # float64: exact to compare
    curves = {}
    for label, (module, formula) in CURVES.items():
        y = module(x)
        (slope,) = autograd.grad(y.sum(), x)
        curves[label] = (y.data, slope.data, np.max(np.abs(slope.data - formula(x.data))))
    xs = x.data
    rows = []
    for label, (_, slope, error) in curves.items():
        at = {point: float(slope[np.argmin(np.abs(xs - point))]) for point in (-4, 0, 4)}
        rows.append([label, float(slope.max()), at[0], at[4], at[-4], f"{error:.1e}"])
    print_table(["activation", "max f'", "f'(0)", "f'(4)", "f'(-4)", "|engine - formula|"],
                rows, title="Slopes computed by the engine (autograd.grad of the sum):")
    sigmoid_peak = float(curves["sigmoid"][1].max())
    print(f"  the sigmoid's slope is at most {sigmoid_peak:.4f} = 1/4: through 10 sigmoid "
          f"layers the backward signal shrinks by at least 4^10 = {4 ** 10:,}x")

    figure = new_figure(12, 4.6)
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    palette = colormaps["tab10"]
    for index, (label, (y, slope, _)) in enumerate(curves.items()):
        left.plot(xs, y, color=palette(index), label=label, linewidth=2)
        right.plot(xs, slope, color=palette(index), label=label, linewidth=2)
    left.set_ylim(-1.5, 5.2)
    left.set_title("activation f(x)")
    right.set_title("slope f'(x), computed by the engine")
    right.axhline(0.25, color="#555555", linestyle=":", linewidth=1)
    right.annotate("max slope of sigmoid = 1/4\n(each sigmoid layer shrinks\n"
                   "the gradient at least 4x)", xy=(0.0, sigmoid_peak), xytext=(-4.9, 0.5),
                   arrowprops=dict(arrowstyle="->", color="#333333"), fontsize=9)
    right.set_ylim(-0.05, 1.1)
    for axes in (left, right):
        axes.axhline(0, color="k", linewidth=0.5)
        axes.axvline(0, color="k", linewidth=0.5)
        axes.set_xlabel("x")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left" if axes is left else "center right", fontsize=9)
    path = out / "activation_functions.png"
    finish(figure, path, dpi=dpi)
    return {"sigmoid_max_slope": sigmoid_peak,
            "max_slopes": {label: float(c[1].max()) for label, c in curves.items()},
            "max_formula_error": max(float(c[2]) for c in curves.values())}, path


# ---- 2. initialisation x activation at initialisation ------------------------------------
def unit_spread(model):
    """The largest difference between two units of one hidden layer in any incoming
    weight or bias: 0 when every unit of every hidden layer is the same unit."""
    spread = 0.0
    for layer in model.linear_layers()[:-1]:
        weight, bias = layer.weight.data, layer.bias.data
        spread = max(spread, float(np.max(weight.max(axis=0) - weight.min(axis=0))),
                     float(bias.max() - bias.min()))
    return spread


def probe(init, activation, x, y, sizes):
    """One forward and backward pass of a fresh MLP; per-layer statistics and a verdict."""
    model = MLP(sizes, activation=activation, init=init)
    outputs = []
    for module in model.layers:
        if not isinstance(module, Linear):
            module.register_forward_hook(lambda m, inputs, output: outputs.append(output.data))
    with GradientMonitor(model) as monitor:
        loss = CrossEntropyLoss()(model(x), y)
        model.zero_grad()
        loss.backward()
        record = monitor.step()
    weights = [record.params[f"{name}.weight"] for name in monitor.layer_names]
    grads = np.array([w.mean_abs for w in weights])
    # how much each unit's output varies over the inputs, averaged over the units
    stds = np.array([float(np.mean(np.std(a, axis=0))) for a in outputs])
    saturated = record.activations[monitor.activation_names[-1]].fraction
    result = {"gradients": grads, "stds": stds, "activations": outputs,
              "grad_ratio": _ratio(grads[0], grads[-1]), "std_ratio": _ratio(stds[-1], stds[0]),
              "last_std": float(stds[-1]), "saturated": saturated if activation != "relu" else None,
              "dead": saturated if activation == "relu" else None,
              "max_grad_norm": max(w.norm for w in weights),
              "finite": all(w.finite for w in weights), "spread": unit_spread(model),
              "loss": loss.item()}
    result["verdict"] = verdict(result)
    return result


def _ratio(a, b):
    return a / b if b > 0 and math.isfinite(a) and math.isfinite(b) else math.nan


def verdict(r):
    """The problems of one probe, by the rules in the module docstring ("healthy" if none)."""
    problems = []
    if r["spread"] == 0:
        problems.append("symmetric")
    if r["saturated"] is not None and r["saturated"] > SATURATION:
        problems.append("saturated")
    g, s = r["grad_ratio"], r["std_ratio"]
    if not r["finite"] or r["max_grad_norm"] > EXPLODING_NORM or g > BAND or s > BAND:
        problems.append("exploding")
    elif g < 1 / BAND or s < 1 / BAND:
        problems.append("vanishing")
    return "+".join(problems) or "healthy"


def init_scan(x, y, sizes, out, dpi=100):
    results = {(init, act): probe(init, act, x, y, sizes) for act in ACTIVATIONS
               for init in INITS}
    rows = []
    for (init, act), r in results.items():
        unhealthy = r["saturated"] if act != "relu" else r["dead"]
        what = "sat" if act != "relu" else "dead"
        rows.append([INITS[init], act, _cell(r["grad_ratio"]), _cell(r["std_ratio"]),
                     _cell(r["last_std"]), f"{unhealthy:.0%} {what}", _cell(r["max_grad_norm"]),
                     r["verdict"]])
    print_table(["init", "activation", "grad first/last", "signal last/first", "signal std last",
                 "last hidden", "max ||dL/dW||", "verdict"], rows,
                title=f"\nA {len(sizes) - 2}-hidden-layer MLP {sizes[1]} units wide at "
                      f"initialisation (one batch of {len(y)} spirals points):")
    paths = [plot_scan(results, out / "init_scan.png", dpi),
             plot_histograms(results, out / "activation_histograms.png", dpi)]
    return results, paths


def _cell(value):
    return "-" if value is None or not math.isfinite(value) else f"{value:.3g}"


def plot_scan(results, path, dpi=100):
    figure = new_figure(15, 11.5)
    palette = colormaps["tab10"]
    for column, act in enumerate(ACTIVATIONS):
        top = figure.add_subplot(2, 3, column + 1)
        bottom = figure.add_subplot(2, 3, column + 4)
        for index, init in enumerate(INITS):
            r = results[(init, act)]
            style = dict(color=palette(index), marker="o", markersize=3, linewidth=1.8,
                         label=f"{INITS[init]}: {r['verdict']}")
            layers = np.arange(1, len(r["stds"]) + 1)
            shown = r["stds"] > 0
            top.plot(layers[shown], r["stds"][shown], **style)
            layers = np.arange(1, len(r["gradients"]) + 1)
            shown = np.isfinite(r["gradients"]) & (r["gradients"] > 0)
            bottom.plot(layers[shown], r["gradients"][shown], **style)
        top.set_title(f"{act}: signal std per hidden layer")
        top.set_ylabel("std of a unit's output over the inputs")
        top.set_xlabel("hidden layer (input → output)")
        bottom.set_title(f"{act}: mean |dL/dW| per Linear layer")
        bottom.set_ylabel("mean |dL/dW|")
        bottom.set_xlabel("Linear layer (input → output)")
        for axes in (top, bottom):
            axes.set_yscale("log")
            axes.minorticks_off()
            axes.grid(True, alpha=0.3)
        bottom.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1,
                      title="init: verdict", title_fontsize=8, frameon=False)
    figure.suptitle("Which initialisations keep signals and gradients alive through 10 "
                    "layers? (zero values are not drawn)")
    finish(figure, path, dpi=dpi)
    return path


def plot_histograms(results, path, dpi=100):
    """One panel per activation; in it one block of columns per init, one column per
    hidden layer, coloured by the fraction of that layer's values in each bin."""
    inits, bins = list(INITS), 48
    depth = len(results[(inits[0], ACTIVATIONS[0])]["activations"])
    figure = new_figure(15, 11)
    for row, act in enumerate(ACTIVATIONS):
        axes = figure.add_subplot(len(ACTIVATIONS), 1, row + 1)
        if act == "relu":
            edges, label = np.linspace(-16, 10, bins + 1), "log10 a  (positive a only)"
        elif act == "tanh":
            edges, label = np.linspace(-1, 1, bins + 1), "a"
        else:
            edges, label = np.linspace(0, 1, bins + 1), "a"
        density = np.zeros((bins, len(inits) * (depth + 1)))
        for block, init in enumerate(inits):
            layers = results[(init, act)]["activations"]
            for layer, a in enumerate(layers):
                values = np.log10(a[a > 0]) if act == "relu" else a.ravel()
                if values.size:
                    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), edges)
                    density[:, block * (depth + 1) + layer] = counts / counts.sum()
            if act == "relu" and not any(np.any(a > 0) for a in layers):
                axes.text(block * (depth + 1) + depth / 2, np.mean(edges), "every\noutput 0",
                          ha="center", va="center", fontsize=9)
        masked = np.ma.masked_where(density <= 0, density)
        mesh = axes.pcolormesh(np.arange(density.shape[1] + 1), edges, masked, cmap="viridis_r",
                               norm=LogNorm(1e-3, 1), shading="flat")
        for block in range(1, len(inits)):
            axes.axvline(block * (depth + 1) - 0.5, color="#999999", linewidth=0.8)
        axes.set_xticks([block * (depth + 1) + depth / 2 for block in range(len(inits))])
        axes.set_xticklabels([f"{INITS[i]}\n{results[(i, act)]['verdict']}" for i in inits],
                             fontsize=8)
        axes.set_xlim(0, density.shape[1] - 1)
        axes.set_ylabel(label)
        axes.set_title(f"{act}: each block is one initialisation, each column in it one hidden "
                       f"layer (1 to {depth}, input side left)", fontsize=10)
        figure.colorbar(mesh, ax=axes, pad=0.01).set_label("fraction of the layer's values",
                                                           fontsize=8)
    figure.suptitle("Histograms of the activations of every hidden layer, at initialisation")
    finish(figure, path, dpi=dpi)
    return path


# ---- 3. symmetric units never differentiate ----------------------------------------------
SYMMETRY_CONFIGS = [("zeros", "tanh"), ("zeros", "sigmoid"), ("constant", "tanh"),
                    ("constant", "sigmoid"), ("xavier_uniform", "tanh")]


def symmetry(x, y, sizes, steps, out, dpi=100):
    """Train each config with full-batch SGD; track every first-layer unit's weight from
    input 1, and measure the unit spread before and after."""
    results, tracks = {}, {}
    loss_fn = CrossEntropyLoss()
    for init, act in SYMMETRY_CONFIGS:
        model = MLP(sizes, activation=act, init=init)
        first = model.linear_layers()[0].weight
        start = first.data.copy()
        before = unit_spread(model)
        optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
        track = [first.data[:, 0].copy()]
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            track.append(first.data[:, 0].copy())
        with autograd.no_grad():
            outputs = model(x)
        results[(init, act)] = {"spread_before": before, "spread_after": unit_spread(model),
                                "first_layer_moved": float(np.abs(first.data - start).max()),
                                "loss": loss_fn(outputs, y).item(),
                                "accuracy": accuracy(outputs, y)}
        tracks[(init, act)] = np.array(track)
    rows = [[INITS[i], a, r["spread_before"], r["spread_after"], r["first_layer_moved"],
             r["loss"], r["accuracy"]] for (i, a), r in results.items()]
    print_table(["init", "activation", "unit spread before", "after", "layer-1 weights moved",
                 "train loss", "train accuracy"], rows,
                title=f"\nSymmetry: {steps} full-batch SGD steps (momentum 0.9) of a "
                      f"{len(sizes) - 2}-hidden-layer MLP {sizes[1]} units wide. Unit spread = "
                      "the largest difference between two units' incoming weights or biases "
                      "in any hidden layer")
    path = plot_symmetry(tracks, out / "symmetry.png", dpi)
    return results, path


def plot_symmetry(tracks, path, dpi=100):
    shown = [("constant", "tanh"), ("xavier_uniform", "tanh")]
    figure = new_figure(12, 4.6)
    for index, key in enumerate(shown):
        axes = figure.add_subplot(1, 2, index + 1, sharey=None)
        track = tracks[key]
        axes.plot(np.arange(len(track)), track, linewidth=1, alpha=0.8)
        units = track.shape[1]
        distinct = len(np.unique(track[-1]))
        axes.set_title(f"{INITS[key[0]]} init + {key[1]}: {units} units, {distinct} distinct "
                       f"weight{'s' if distinct > 1 else ''} at the end", fontsize=10)
        axes.set_xlabel("training step")
        axes.set_ylabel("first hidden layer: weight from input x₁")
        axes.grid(True, alpha=0.3)
    figure.suptitle("One line per unit. With a constant init all units get the same gradient, "
                    "so their lines coincide for ever")
    finish(figure, path, dpi=dpi)
    return path


def main(argv=None):
    args = parse_args(NAME, "Activation functions, their slopes, and how initialisation "
                      "makes deep nets vanish, explode or stay healthy.", argv)
    width, points, steps = (32, 300, 60) if args.quick else (64, 600, 300)
    sizes = [2] + [width] * 10 + [3]
    x, y = spirals(points, classes=3)
    x, y = Tensor(StandardScaler().fit_transform(x).astype(np.float32)), Tensor(y)

    dpi = 60 if args.quick else 100
    curves, path_curves = activation_curves(args.out, dpi)
    scan, scan_paths = init_scan(x, y, sizes, args.out, dpi)
    sym, path_symmetry = symmetry(x, y, [2, width, width, width, 3], steps, args.out, dpi)
    saved([path_curves, *scan_paths, path_symmetry])
    summary = {key: {k: v for k, v in r.items() if k not in ("activations",)}
               for key, r in scan.items()}
    return {**curves, "scan": summary,
            "verdicts": {f"{init}/{act}": r["verdict"] for (init, act), r in scan.items()},
            "symmetry": {f"{init}/{act}": r for (init, act), r in sym.items()},
            "figures": [str(p) for p in [path_curves, *scan_paths, path_symmetry]]}


if __name__ == "__main__":
    main()
