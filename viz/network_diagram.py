"""`network_diagram`: the network's layers as a chain, coloured by gradient magnitude.

One box per layer (a module owning parameters) and one ellipse per activation layer,
in the order they ran in the forward pass. Layer boxes are filled by the layer's mean
|grad| (or another statistic) on a log colour scale (dark = small; legend included), so
a vanishing stretch near the input reads at a glance; activation ellipses show their
saturated or dead fraction and get a red border when flagged.
"""
import html

import numpy as np

from viz.color_scale import LogColorScale
from viz.gradient_monitor import GradientMonitor
from viz.graph import GraphDiagram, render
from viz.plots import STAT_NAMES

FLAG_BORDER = "#c0392b"


def _from_model(model):
    """A one-step view of a model's current gradients (no monitor history needed)."""
    monitor = GradientMonitor(model)
    monitor.step()
    monitor.remove()
    return monitor


def network_diagram(source, step=-1, stat="mean_abs", path=None, rankdir=None, title=None):
    """Draw `source` (a `GradientMonitor`, or a Module whose parameters hold gradients)
    as a chain of layers coloured by `stat` ("mean_abs", "norm", "max_abs",
    "update_ratio") at recorded step `step`. `rankdir` defaults to "LR" (left to right)
    for up to 8 layers and "TB" (top to bottom) for more. Returns a `GraphDiagram`; with
    `path` it is also rendered there (see `viz.render`)."""
    if stat not in STAT_NAMES:
        raise ValueError(f"network_diagram: stat must be one of {sorted(STAT_NAMES)}, "
                         f"got {stat!r}")
    monitor = source if isinstance(source, GradientMonitor) else _from_model(source)
    record = monitor.record(step)
    flags = monitor.flags(step)
    flagged = {}
    for flag in flags:
        flagged.setdefault(flag.layer, []).append(flag.kind)
    names = [n for n in monitor.module_names if n in record.layers or n in record.activations
             or n in monitor.activation_names]
    values = [getattr(record.layers[n], stat) for n in names if n in record.layers]
    scale = LogColorScale(values)
    if rankdir is None:
        rankdir = "LR" if len(names) <= 8 else "TB"

    diagram = GraphDiagram(name="network")
    diagram.attr(rankdir=rankdir, label=title or f"{STAT_NAMES[stat]} per layer, step "
                 f"{record.step}", labelloc="t", fontsize="14", fontname="Helvetica")
    diagram.attr("node", fontname="Helvetica", fontsize="11")
    diagram.node("input", "input", shape="plaintext")
    previous = "input"
    for position, name in enumerate(names):
        node_id = f"l{position}"
        type_name = monitor.type_name(name)
        lines = [f"<B>{html.escape(name or '(model)')}</B>", html.escape(type_name)]
        attributes = {}
        if name in record.layers:
            stats = record.layers[name]
            value = getattr(stats, stat)
            lines.append(f"{stats.numel:,} parameters")
            lines.append(f"mean|g| {_number(stats.mean_abs)}  ‖g‖ {_number(stats.norm)}")
            if stats.update_ratio is not None:
                lines.append(f"‖Δw‖/‖w‖ {_number(stats.update_ratio)}")
            attributes.update(shape="box", style="filled", fillcolor=scale.fill(value),
                              fontcolor=scale.font(value))
        else:
            activation = record.activations.get(name)
            if activation is not None:
                lines.append(f"{activation.fraction:.0%} {activation.what}")
            attributes.update(shape="ellipse", style="filled", fillcolor="#ffffff")
        if name in flagged:
            lines.append("<B>" + ", ".join(sorted(set(flagged[name]))) + "</B>")
            attributes.update(color=FLAG_BORDER, penwidth="3")
        diagram.node(node_id, "<" + "<BR/>".join(lines) + ">", **attributes)
        diagram.edge(previous, node_id)
        previous = node_id
    diagram.node("output", "output", shape="plaintext")
    diagram.edge(previous, "output")
    if not scale.empty:
        diagram.node("legend", scale.legend_label(f"{STAT_NAMES[stat]} (log scale)"),
                     shape="plaintext")
    if path is not None:
        render(diagram, path)
    return diagram


def _number(value):
    if value is None:
        return "-"
    return f"{value:.2e}" if np.isfinite(value) else str(value)

