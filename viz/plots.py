"""Gradient-flow plots from a `GradientMonitor`.

* `plot_gradient_magnitudes(monitor)`: one step, per layer (input side left): mean |g|
  as bars and max |g| as a line, on a log scale. A vanishing gradient is a staircase
  down towards the input; an exploding one a staircase up.
* `plot_gradient_heatmap(monitor)`: layers x steps, colour = log10 of a statistic,
  to watch the flow change during training.
* `plot_activation_saturation(monitor)`: per activation layer the fraction of saturated
  (sigmoid/tanh) or dead (ReLU) units at one step, and over the steps.

Each takes an optional `path` (the image is saved there) and returns the Figure.
Layers whose flag fired (`monitor.flags`) have red tick labels.
"""
import math

import numpy as np
from matplotlib.colors import LogNorm

from viz.figures import finish, new_figure

STAT_NAMES = {"mean_abs": "mean |grad|", "norm": "‖grad‖₂", "max_abs": "max |grad|",
              "update_ratio": "‖Δw‖ / ‖w‖"}
FLAG_COLOR = "#c0392b"
KIND_COLORS = {"saturated": "#dd8452", "dead": "#c44e52", "all-negative": "#8172b3",
               "flagged": "#937860"}


def _tick_labels(axes, names, types, flagged, rotate):
    labels = [f"{name or '(model)'}\n{kind}" for name, kind in zip(names, types)]
    axes.set_xticks(range(len(names)))
    axes.set_xticklabels(labels, rotation=45 if rotate else 0, ha="right" if rotate else "center",
                         fontsize=8)
    for label, name in zip(axes.get_xticklabels(), names):
        if name in flagged:
            label.set_color(FLAG_COLOR)
            label.set_fontweight("bold")


def plot_gradient_magnitudes(monitor, step=-1, path=None):
    """Mean and max |grad| per layer at one recorded step, log scale."""
    record = monitor.record(step)
    names = [n for n in monitor.layer_names if n in record.layers]
    if not names:
        raise ValueError("plot_gradient_magnitudes: no layer had a gradient at this step")
    stats = [record.layers[n] for n in names]
    means = np.array([s.mean_abs for s in stats])
    maxima = np.array([s.max_abs for s in stats])
    flagged = {f.layer for f in monitor.flags(step) if f.kind in ("VANISHING", "EXPLODING")}
    figure = new_figure(max(6.4, 0.6 * len(names) + 2), 4.8)
    axes = figure.add_subplot()
    x = np.arange(len(names))
    drawable = np.isfinite(means) & (means > 0)
    axes.bar(x[drawable], means[drawable], color="#4c72b0", label="mean |grad|")
    shown = np.isfinite(maxima) & (maxima > 0)
    axes.plot(x[shown], maxima[shown], "o-", color="#dd8452", label="max |grad|")
    axes.set_yscale("log")
    for position, value in zip(x, means):
        if not (math.isfinite(value) and value > 0):
            text = "0" if value == 0 else str(value)
            axes.annotate(text, (position, 0.02), xycoords=("data", "axes fraction"),
                          ha="center", color=FLAG_COLOR, fontweight="bold")
    _tick_labels(axes, names, [monitor.type_name(n) for n in names], flagged,
                 rotate=len(names) > 8)
    axes.set_xlabel("layer (input → output)")
    axes.set_ylabel("gradient magnitude (log scale)")
    axes.set_title(f"Gradient magnitude per layer, step {record.step}")
    axes.grid(True, axis="y", which="major", alpha=0.3)
    axes.legend(loc="best")
    return finish(figure, path)


def plot_gradient_heatmap(monitor, stat="mean_abs", path=None):
    """A layers x steps heatmap of one statistic ("mean_abs", "norm", "max_abs" or
    "update_ratio") on a log colour scale; grey cells have no positive finite value."""
    if stat not in STAT_NAMES:
        raise ValueError(f"plot_gradient_heatmap: stat must be one of {sorted(STAT_NAMES)}, "
                         f"got {stat!r}")
    names, steps, table = monitor.series(stat, "layers")
    if not steps:
        monitor.record()  # raises the "nothing recorded yet" error
    positive = np.isfinite(table) & (table > 0)
    if not positive.any():
        raise ValueError(f"plot_gradient_heatmap: no positive {STAT_NAMES[stat]} recorded")
    masked = np.ma.masked_where(~positive, table)
    figure = new_figure(max(6.4, min(14, 3 + 0.15 * len(steps))), max(3.5, 0.35 * len(names) + 2))
    axes = figure.add_subplot()
    axes.set_facecolor("#bdbdbd")
    edges = _step_edges(steps)
    mesh = axes.pcolormesh(edges, np.arange(len(names) + 1), masked, cmap="viridis",
                           norm=LogNorm(vmin=masked.min(), vmax=masked.max()), shading="flat")
    colorbar = figure.colorbar(mesh, ax=axes)
    colorbar.set_label(f"{STAT_NAMES[stat]} (log scale)")
    axes.set_yticks(np.arange(len(names)) + 0.5)
    axes.set_yticklabels([f"{n or '(model)'} {monitor.type_name(n)}" for n in names], fontsize=8)
    axes.invert_yaxis()  # the first layer on top
    axes.set_xlabel("training step")
    axes.set_ylabel("layer (input at top)")
    axes.set_title(f"{STAT_NAMES[stat]} per layer over training")
    return finish(figure, path)


def _step_edges(steps):
    """Cell edges for pcolormesh centred on the step indices."""
    steps = np.asarray(steps, dtype=float)
    if len(steps) == 1:
        return np.array([steps[0] - 0.5, steps[0] + 0.5])
    middle = (steps[:-1] + steps[1:]) / 2
    return np.concatenate([[steps[0] - (middle[0] - steps[0])], middle,
                           [steps[-1] + (steps[-1] - middle[-1])]])


def plot_activation_saturation(monitor, step=-1, path=None):
    """Percent of saturated (sigmoid, tanh) or dead (ReLU) units per activation layer at
    one step (bars, with the alert threshold dashed) and, with several recorded steps,
    over training (lines)."""
    record = monitor.record(step)
    names = [n for n in monitor.activation_names if n in record.activations]
    if not names:
        raise ValueError("plot_activation_saturation: no activation layer was recorded (are "
                         "the activations modules? see viz.register_activation)")
    over_time = len(monitor.history) > 1
    figure = new_figure(12 if over_time else max(6.4, 0.6 * len(names) + 2), 4.8)
    axes = figure.add_subplot(1, 2 if over_time else 1, 1)
    entries = [record.activations[n] for n in names]
    x = np.arange(len(names))
    for what, color in KIND_COLORS.items():
        chosen = [i for i, e in enumerate(entries) if e.what == what]
        if chosen:
            axes.bar(x[chosen], [100 * entries[i].fraction for i in chosen], color=color,
                     label=f"{what} units")
    for position, entry in zip(x, entries):
        axes.annotate(f"{100 * entry.fraction:.0f}%", (position, 100 * entry.fraction),
                      textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
    thresholds = monitor.thresholds
    same = thresholds.dead_alert == thresholds.saturation_alert
    axes.axhline(100 * thresholds.saturation_alert, color="#555555", linestyle="--",
                 linewidth=1, label=f"{'alert' if same else 'saturation alert'} "
                 f"{thresholds.saturation_alert:.0%}")
    if not same:
        axes.axhline(100 * thresholds.dead_alert, color=FLAG_COLOR, linestyle=":",
                     linewidth=1, label=f"dead alert {thresholds.dead_alert:.0%}")
    flagged = {f.layer for f in monitor.flags(step) if f.kind in ("SATURATED", "DEAD")}
    _tick_labels(axes, names, [monitor.type_name(n) for n in names], flagged,
                 rotate=len(names) > 8)
    axes.set_ylim(0, 115)
    axes.set_ylabel("units saturated / dead (%)")
    axes.set_xlabel("activation layer (input → output)")
    axes.set_title(f"Activation saturation, step {record.step}")
    axes.legend(loc="upper right", fontsize=8)
    if over_time:
        names_all, steps, table = monitor.series(kind="activations")
        trend = figure.add_subplot(1, 2, 2)
        for row, name in enumerate(names_all):
            trend.plot(steps, 100 * table[row], marker="." if len(steps) < 30 else None,
                       label=f"{name or '(model)'} {monitor.type_name(name)}")
        trend.set_ylim(0, 105)
        trend.set_xlabel("training step")
        trend.set_ylabel("units saturated / dead (%)")
        trend.set_title("Over training")
        trend.legend(fontsize=8, ncol=2 if len(names_all) > 6 else 1)
    return finish(figure, path)
