"""chainrule's pictures: computation-graph diagrams and gradient-flow views.

Computation graphs (`viz.graph`, `viz.module_trace`):

    loss.backward()
    viz.draw_graph(loss)                                   # a graphviz.Digraph
    viz.draw_graph(loss, model=net, color_by="grad", max_nodes=200)
    with viz.trace_modules(net):                           # who computed what
        loss = loss_fn(net(x), y)
    loss.backward()
    viz.draw_graph(loss, model=net, group_by="module", collapse=True)
    viz.render(diagram, "graph.png")                       # .svg, .pdf, .dot too

Gradient flow while training (`viz.gradient_monitor`, `viz.plots`,
`viz.network_diagram`, `viz.recurrent`):

    monitor = viz.GradientMonitor(net, optimizer=opt)      # hooks; step() after opt.step()
    ...train...
    print(monitor.report())                                # table + VANISHING/EXPLODING flags
    viz.plot_gradient_magnitudes(monitor, path="grads.png")
    viz.plot_gradient_heatmap(monitor)
    viz.plot_activation_saturation(monitor)
    viz.network_diagram(monitor, path="net.png")
    viz.plot_gradient_through_time(viz.compare_gradient_through_time(
        {"RNN": RNNCell(4, 32), "LSTM": LSTMCell(4, 32)}, x))   # nn.recurrent cells

Training pictures (`viz.training`): `plot_history`, `plot_decision_boundary`,
`plot_optimizer_paths`, `plot_image_grid`, `plot_conv_filters`, `plot_reconstructions`,
`plot_confusion_matrix` (and `confusion_matrix`).

Plots are matplotlib Figures drawn with the Agg renderer (headless-safe, pyplot is
never imported); each plotting function takes an optional `path` and returns the
Figure. Diagrams need Graphviz's `dot` program only to render images; the DOT text
(`diagram.source`) is always available.
"""
from viz.graph import (DotNotFoundError, GraphDiagram, dot_available, draw_graph, render,
                       retain_grads)
from viz.module_trace import ModuleTrace, trace_modules
from viz.gradient_monitor import (ActivationStats, Flag, GradientMonitor, GradientStats,
                                  GradientThresholds, StepRecord, activation_kind,
                                  register_activation)
from viz.plots import plot_activation_saturation, plot_gradient_heatmap, plot_gradient_magnitudes
from viz.network_diagram import network_diagram
from viz.recurrent import (compare_gradient_through_time, gradient_through_time,
                           plot_gradient_through_time, unroll)
from viz.training import (confusion_matrix, plot_confusion_matrix, plot_conv_filters,
                          plot_decision_boundary, plot_history, plot_image_grid,
                          plot_optimizer_paths, plot_reconstructions)

__all__ = [
    "ActivationStats", "DotNotFoundError", "Flag", "GradientMonitor", "GradientStats",
    "GradientThresholds", "GraphDiagram", "ModuleTrace", "StepRecord", "activation_kind",
    "compare_gradient_through_time", "confusion_matrix", "dot_available", "draw_graph",
    "gradient_through_time", "network_diagram", "plot_activation_saturation",
    "plot_confusion_matrix", "plot_conv_filters", "plot_decision_boundary",
    "plot_gradient_heatmap", "plot_gradient_magnitudes", "plot_gradient_through_time",
    "plot_history", "plot_image_grid", "plot_optimizer_paths", "plot_reconstructions",
    "register_activation", "render", "retain_grads", "trace_modules", "unroll",
]
