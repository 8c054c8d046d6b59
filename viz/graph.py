"""Computation-graph diagrams: `draw_graph`, `render` and `retain_grads`.

`draw_graph(root)` walks back from `root` through `Node.parents` (breadth first, so the
nodes nearest the output come first) and returns a `GraphDiagram`, a
`graphviz.Digraph`:

* a `Value` graph is drawn micrograd-style: one record per Value (label, data, grad)
  and a small node per operation (`+`, `*`, `tanh`, ...);
* a `Tensor` graph has one box per tensor: the op that made it (or the parameter's
  module path, `layers.0.weight`, when a model or `params` is given; `input` or
  `constant` for other leaves), shape and dtype, and for a tensor with a gradient its
  L2 norm and mean |g|. The output (the root) has a double border.

The walk reads only the public views `parents`, `op`, `is_leaf`, `data`, `grad`,
`label`; it is iterative (no recursion, so a 100 000-deep chain is fine) and the DOT
text is deterministic: node ids are `n0, n1, ...` in walk order and parents are visited
in argument order.

Large graphs: `max_nodes` keeps the first nodes of the walk and folds the rest into one
note saying how many nodes (and which ops) were left out; `group_by="module"` puts what
each module computed into a cluster, or with `collapse=True` into one node per module
call (record the modules with `viz.trace_modules(model)` around the forward).
`color_by="grad"` fills nodes by gradient magnitude on a log scale (see
`viz.color_scale`), with a legend, so a vanishing path shows up as a dark run.

Rendering: `viz.render(diagram, "graph.png")` (or `.svg`, `.pdf`), or graphviz's own
`diagram.render(...)`; in Jupyter a diagram displays itself as SVG. Without Graphviz's
`dot` program `render` saves the DOT text next to the requested file and raises
`DotNotFoundError` saying how to install Graphviz; `diagram.source` is always available.
"""
import html
import math
import shutil
from collections import Counter, deque
from pathlib import Path

import graphviz
import numpy as np

from autograd.engine import Node
from autograd.tensor import Tensor
from autograd.value import Value
from nn.parameter import Parameter
from viz.color_scale import LogColorScale
from viz.module_trace import GradStats, last_trace

INSTALL_HELP = (
    "Graphviz's `dot` program was not found on PATH; it draws the diagrams. Install it:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "  Windows:        winget install graphviz (then add its bin folder to PATH)\n"
    "(the Python package `graphviz` alone is not enough: it calls the `dot` program)."
)

ROLE_COLORS = {"parameter": "#cfe2f3", "input": "#d9ead3", "output": "#fce5cd",
               "constant": "#eeeeee", "op": "#ffffff"}


class DotNotFoundError(RuntimeError):
    """Graphviz's `dot` program is missing. `dot_path` is where the DOT text was saved
    (None if it was not saved), so it can be rendered elsewhere with
    `dot -Tpng file.dot -o file.png`."""

    def __init__(self, message, dot_path=None):
        super().__init__(message)
        self.dot_path = dot_path


class GraphDiagram(graphviz.Digraph):
    """A `graphviz.Digraph` that, in Jupyter, shows the install instructions and the
    DOT text instead of a traceback when Graphviz's `dot` program is missing.

    `folded` is the number of graph nodes `max_nodes` left out (0 if none).
    """

    folded = 0

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": INSTALL_HELP + "\n\nDOT source:\n" + self.source}


# ---- formatting -------------------------------------------------------------------------
def format_number(x):
    """Four decimals for ordinary magnitudes, scientific notation for tiny or huge ones."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _short(x):
    x = float(x)
    return str(x) if not math.isfinite(x) else f"{x:.2e}"


def _record_escape(text):
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text


def _shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


# ---- the walk ---------------------------------------------------------------------------
def walk(roots):
    """Nodes reachable from `roots` in breadth-first order (roots first), and the edges
    (parent position, child position), one per argument (so `a * a` gives two)."""
    position = {}
    order = []
    for root in roots:
        if root not in position:
            position[root] = len(order)
            order.append(root)
    edges = []
    queue = deque(order)
    while queue:
        node = queue.popleft()
        child = position[node]
        for parent in node.parents:
            index = position.get(parent)
            if index is None:
                index = position[parent] = len(order)
                order.append(parent)
                queue.append(parent)
            edges.append((index, child))
    return order, edges


def retain_grads(root):
    """Call `retain_grad()` on every non-leaf Tensor that `root` depends on, so that after
    `backward` every node of a diagram has a gradient to show. Returns how many."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    order, _ = walk(roots)
    count = 0
    for node in order:
        if isinstance(node, Tensor) and not node.is_leaf and node.requires_grad:
            node.retain_grad()
            count += 1
    return count


# ---- what a node shows ------------------------------------------------------------------
def _grad_array(node):
    grad = node.grad
    if grad is None:
        return None
    return np.asarray(grad.data if isinstance(grad, Node) else grad)


def _value_grad(node):
    grad = node.grad
    return float(grad.data if isinstance(grad, Value) else grad)


class _Labeller:
    """Labels, roles and gradient magnitudes of graph nodes."""

    def __init__(self, roots, names, trace, show_data, show_grad):
        self.roots = set(roots)
        self.names = names
        self.trace = trace
        self.show_data = show_data
        self.show_grad = show_grad

    def role(self, node):
        if node in self.roots:
            return "output"
        if node in self.names or isinstance(node, Parameter):
            return "parameter"
        if not node.is_leaf:
            return "op"
        if not node.requires_grad and isinstance(node, Tensor) and node.data.ndim == 0:
            return "constant"
        if not node.requires_grad and isinstance(node, Value):
            return "constant"
        return "input"

    def grad_stats(self, node):
        """GradStats of the node's gradient, or None when it has none recorded."""
        if isinstance(node, Value):
            return GradStats(_value_grad(node)) if node.requires_grad else None
        array = _grad_array(node)
        if array is not None:
            return GradStats(array)
        if self.trace is not None:
            return self.trace.output_grad(node)
        return None

    def magnitude(self, node):
        stats = self.grad_stats(node)
        return None if stats is None else stats.mean_abs

    def value_label(self, node):
        fields = []
        name = node.label or self.names.get(node, "")
        if name:
            fields.append(_record_escape(name))
        if self.show_data:
            fields.append(f"data {format_number(node.data)}")
        if self.show_grad and node.requires_grad:
            fields.append(f"grad {format_number(_value_grad(node))}")
        if not fields:
            fields.append(_record_escape(node.op or "leaf"))
        return "{ " + " | ".join(fields) + " }"

    def tensor_label(self, node, role):
        if role == "parameter":
            title, subtitle = self.names.get(node, "parameter"), "parameter"
        elif node.is_leaf:
            title = "constant" if role == "constant" else "input"
            subtitle = "output" if role == "output" else (
                "requires grad" if node.requires_grad else "")
        else:
            title, subtitle = node.op, ("output" if role == "output" else "")
        lines = [f"<B>{html.escape(str(title))}</B>"]
        if subtitle:
            lines.append(f"<I>{subtitle}</I>")
        lines.append(f"{html.escape(_shape_text(node.data.shape))} {node.data.dtype}")
        if self.show_data and node.data.ndim == 0 and node.data.dtype.kind in "fiub":
            lines.append(format_number(node.data.item()))
        elif self.show_data and node.data.size <= 6:
            values = np.array2string(np.asarray(node.data), precision=4, separator=", ",
                                     floatmode="maxprec")
            lines.append(html.escape(values.replace("\n", " ")))
        if self.show_grad:
            stats = self.grad_stats(node)
            if stats is not None:
                lines.append(f"‖g‖ {_short(stats.norm)}  mean|g| {_short(stats.mean_abs)}")
        return "<" + "<BR/>".join(lines) + ">"


def _call_label(call, members, labeller):
    lines = [f"<B>{html.escape(call.title)}</B>", f"<I>{html.escape(call.type_name)}</I>"]
    for tensor in call.outputs[:2]:
        lines.append(f"out {html.escape(_shape_text(tensor.data.shape))} {tensor.data.dtype}")
    operations = sum(1 for node in members if not node.is_leaf)
    parameters = [n for n in members if n in labeller.names]
    detail = f"{operations} op{'s' if operations != 1 else ''}"
    if parameters:
        count = sum(int(p.data.size) for p in parameters)
        detail += f", {count:,} parameters"
    lines.append(detail)
    if labeller.show_grad:
        stats = _call_grad(call, labeller)
        if stats is not None:
            lines.append(f"out ‖g‖ {_short(stats.norm)}  mean|g| {_short(stats.mean_abs)}")
    return "<" + "<BR/>".join(lines) + ">"


def _call_grad(call, labeller):
    for tensor in call.outputs:
        stats = labeller.grad_stats(tensor)
        if stats is not None:
            return stats
    return None


# ---- grouping ---------------------------------------------------------------------------
# A diagram node is keyed by an int: i >= 0 for the walked node at position i, and
# -(c + 1) for module call c drawn as one collapsed node.
def _call_key(call_index):
    return -(call_index + 1)


def _call_index(key):
    return -key - 1


def _visual_keys(order, edges, trace, collapse, module_depth):
    """For each walked node: its diagram key and the chain of module calls (clusters) it
    sits in, outermost first; chains is None when nothing is grouped.

    A leaf (a parameter, say) used by several collapsed calls, such as an RNN cell's
    weights shared by every time step, stays a node of its own: folding it into the
    first call would draw false edges from that call to all the others."""
    if trace is None:
        return list(range(len(order))), None
    keys, chains = [], []
    for index, node in enumerate(order):
        call = trace.owner_of(node)
        chain = [] if call is None else [c for c in trace.ancestry(call) if c.name != ""]
        if module_depth is not None:
            chain = chain[:module_depth]
        key = index
        if collapse and chain:
            last = chain[-1]
            if not last.children or (module_depth is not None and len(chain) == module_depth):
                key = _call_key(last.index)
                chain = chain[:-1]
        keys.append(key)
        chains.append(tuple(c.index for c in chain))
    if collapse:
        users = {}
        for parent, child in edges:
            if keys[parent] < 0 and order[parent].is_leaf:
                users.setdefault(parent, set()).add(keys[child])
        for index, used_by in users.items():
            if len(used_by) > 1 or keys[index] not in used_by:
                keys[index] = index  # its clusters: those around the call
    return keys, chains


def _parameter_names(model, params):
    names = {}
    if model is not None:
        if not hasattr(model, "named_parameters"):
            raise TypeError(f"draw_graph: model must be an nn.Module, got {type(model).__name__}")
        for name, parameter in model.named_parameters():
            names.setdefault(parameter, name)
    if params is not None:
        items = params.items() if isinstance(params, dict) else params
        for name, parameter in items:
            if not isinstance(parameter, Node):
                raise TypeError(f"draw_graph: params['{name}'] is a {type(parameter).__name__},"
                                " not a Value or Tensor")
            names[parameter] = name
    return names


def _fold_note(folded_nodes, max_nodes):
    ops = Counter(node.op if not node.is_leaf else "leaf" for node in folded_nodes)
    common = ", ".join(f"{html.escape(str(op))} ×{count:,}" for op, count in
                       sorted(ops.items(), key=lambda item: (-item[1], str(item[0])))[:5])
    more = "" if len(ops) <= 5 else f", {len(ops) - 5} more kinds"
    return (f"<<B>… {len(folded_nodes):,} more graph nodes not drawn</B><BR/>"
            f"(max_nodes={max_nodes}; the walk starts at the output)<BR/>"
            f"folded: {common}{more}>")


# ---- the diagram ------------------------------------------------------------------------
def draw_graph(root, rankdir="LR", show_data=True, show_grad=True, model=None, params=None,
               group_by=None, collapse=False, module_depth=None, trace=None,
               max_nodes=None, color_by=None, title=None):
    """Draw the computation graph that produced `root` (a Value or Tensor, or a list of
    them); returns a `GraphDiagram` (a `graphviz.Digraph`).

    rankdir: "LR" (inputs left, output right) or "TB", "BT", "RL".
    show_data / show_grad: show data (Values; Tensors with at most 6 elements) and
        gradients (a Value's grad; a Tensor's ‖g‖ and mean |g| when it has `.grad`,
        or when a `trace` recorded the gradient of a module output).
    model / params: name parameters by module path (`layers.0.weight`), from
        `model.named_parameters()` or a dict name -> parameter (Values too).
    group_by: None or "module": group what each module call computed (needs a trace;
        by default the last `viz.trace_modules(model)` of `model`).
    collapse: with group_by, draw each innermost module call (or each call at
        `module_depth`) as a single node; enclosing modules stay clusters.
    module_depth: group at most this many module levels deep (1 = the model's children).
    trace: a `ModuleTrace` to use instead of the model's last one.
    max_nodes: draw at most this many diagram nodes (nearest the output first); the rest
        is folded into one note listing how many nodes and which ops were left out.
    color_by: None or "grad": fill by mean |grad| on a log10 scale (legend included).
    title: a caption above the diagram.
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_graph: no root given")
    for item in roots:
        if not isinstance(item, Node):
            raise TypeError(f"draw_graph: expected a Value or Tensor, got {type(item).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if group_by not in (None, "module"):
        raise ValueError(f"draw_graph: group_by must be None or 'module', got {group_by!r}")
    if color_by not in (None, "grad"):
        raise ValueError(f"draw_graph: color_by must be None or 'grad', got {color_by!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_graph: max_nodes must be a positive integer, got {max_nodes!r}")
    if module_depth is not None and (not isinstance(module_depth, int) or module_depth < 1):
        raise ValueError(f"draw_graph: module_depth must be a positive integer, got "
                         f"{module_depth!r}")
    if trace is None and model is not None:
        trace = last_trace(model)
    if group_by == "module" and trace is None:
        raise ValueError(
            "draw_graph: group_by='module' needs to know which module computed which tensor."
            " Run the forward inside `with viz.trace_modules(model):` and pass model= (or "
            "trace=) to draw_graph")

    names = _parameter_names(model, params)
    labeller = _Labeller(roots, names, trace, show_data, show_grad)
    order, edges = walk(roots)
    grouping = trace if group_by == "module" else None
    keys, chains = _visual_keys(order, edges, grouping, collapse, module_depth)

    # diagram nodes in order of first appearance in the walk; keep the first max_nodes
    if chains is None:
        key_order, call_members, key_chain = keys, {}, None
    else:
        key_order, call_members, key_chain, seen = [], {}, {}, set()
        for index, key in enumerate(keys):
            if key not in seen:
                seen.add(key)
                key_order.append(key)
                key_chain[key] = chains[index]
            if key < 0:
                call_members.setdefault(key, []).append(order[index])

    def members(key):
        return call_members[key] if key < 0 else [order[key]]

    kept = key_order if max_nodes is None else key_order[:max_nodes]
    kept_set = set(kept)
    dot_id = {key: f"n{position}" for position, key in enumerate(kept)}
    folded_nodes = [node for index, node in enumerate(order) if keys[index] not in kept_set] \
        if len(kept) < len(key_order) else []

    scale = None
    if color_by == "grad":
        scale = LogColorScale([_key_magnitude(key, members(key), labeller, trace)
                               for key in kept])

    diagram = GraphDiagram(name="computation_graph")
    diagram.folded = len(folded_nodes)
    diagram.attr(rankdir=rankdir)
    if title:
        diagram.attr(label=title, labelloc="t", fontsize="16")
    diagram.attr("node", fontname="Helvetica", fontsize="11")
    diagram.attr("edge", color="#555555")

    # node statements go into the body of their innermost cluster
    bodies = {(): diagram}
    cluster_order = []
    for key in kept:
        chain = () if key_chain is None else key_chain[key]
        for depth in range(1, len(chain) + 1):
            prefix = chain[:depth]
            if prefix not in bodies:
                call = trace.calls[prefix[-1]]
                cluster = graphviz.Digraph(name=f"cluster_{len(cluster_order)}")
                cluster.attr(label=f"{call.title}: {call.type_name}", style="rounded,dashed",
                             color="#7f7f7f", fontname="Helvetica", fontsize="11")
                bodies[prefix] = cluster
                cluster_order.append(prefix)
        _emit_node(bodies[chain], key, dot_id[key], members(key), labeller, scale, trace)

    # nest clusters deepest first, so each is complete when added to its parent
    for prefix in sorted(cluster_order, key=len, reverse=True):
        bodies[prefix[:-1]].subgraph(bodies[prefix])

    # edges: for Value results the arrow ends at their op node
    drawn = set()
    folded_targets = []
    for parent, child in edges:
        source, target = keys[parent], keys[child]
        if source == target or target not in kept_set:
            continue
        head = dot_id[target]
        if target >= 0 and isinstance(order[child], Value) and not order[child].is_leaf:
            head += "op"
        if source not in kept_set:
            if target not in drawn:
                drawn.add(target)
                folded_targets.append(head)
            continue
        if source < 0 or target < 0:
            if (source, target) in drawn:
                continue
            drawn.add((source, target))
        if source >= 0 and labeller.role(order[parent]) == "parameter":
            diagram.edge(dot_id[source], head, color="#a0a0a0")  # weights: lighter arrows
        else:
            diagram.edge(dot_id[source], head)
    if folded_nodes:
        diagram.node("folded", _fold_note(folded_nodes, max_nodes), shape="note",
                     style="dashed", color="#7f7f7f")
        for head in folded_targets:
            diagram.edge("folded", head, style="dashed", color="#7f7f7f")
    if scale is not None:
        if scale.empty:
            legend = ("<no drawn node has a gradient: run backward first; a non-leaf "
                      "tensor keeps one only with retain_grad() (viz.retain_grads) or when "
                      "it is a module output recorded by viz.trace_modules>")
        else:
            legend = scale.legend_label("mean |grad| (log scale)")
        diagram.node("legend", legend, shape="plaintext")
    return diagram


def _key_magnitude(key, nodes, labeller, trace):
    if key < 0:
        stats = _call_grad(trace.calls[_call_index(key)], labeller)
        return None if stats is None else stats.mean_abs
    return labeller.magnitude(nodes[0])


def _emit_node(body, key, node_id, nodes, labeller, scale, trace):
    if key < 0:
        call = trace.calls[_call_index(key)]
        attributes = {"shape": "box3d", "style": "filled", "fillcolor": "#f3f3f3"}
        if scale is not None:
            magnitude = _key_magnitude(key, nodes, labeller, trace)
            attributes.update(fillcolor=scale.fill(magnitude), fontcolor=scale.font(magnitude))
        if any(node in labeller.roots for node in nodes):
            attributes["peripheries"] = "2"
        body.node(node_id, _call_label(call, nodes, labeller), **attributes)
        return
    node = nodes[0]
    role = labeller.role(node)
    fill = ROLE_COLORS[role]
    font = "#000000"
    if scale is not None:
        magnitude = labeller.magnitude(node)
        fill, font = scale.fill(magnitude), scale.font(magnitude)
    attributes = {"style": "filled", "fillcolor": fill, "fontcolor": font}
    if role == "output":
        attributes["peripheries"] = "2"
    if isinstance(node, Value):
        body.node(node_id, labeller.value_label(node), shape="record", **attributes)
        if not node.is_leaf:
            body.node(node_id + "op", graphviz.nohtml(node.op), shape="ellipse",
                      style="filled", fillcolor="#ffffff", fontcolor="#000000")
            body.edge(node_id + "op", node_id)
        return
    if role in ("op", "output"):
        attributes["style"] = "filled,rounded"  # computed tensors round, leaves square
    body.node(node_id, labeller.tensor_label(node, role), shape="box", **attributes)


# ---- rendering --------------------------------------------------------------------------
def dot_available():
    """True when Graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


def render(diagram, path, format=None):
    """Render `diagram` (any graphviz graph) to `path`; the format comes from the
    extension (`.svg`, `.png`, `.pdf`, ...) unless `format` is given; `.dot` / `.gv`
    writes the DOT text. Returns the Path written.

    When Graphviz's `dot` program is missing the DOT text is saved next to `path` (same
    name, `.dot` extension) and `DotNotFoundError` explains how to install Graphviz.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("dot", "gv"):
        path.write_text(diagram.source, encoding="utf-8")
        return path
    try:
        data = diagram.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(diagram.source, encoding="utf-8")
        raise DotNotFoundError(
            f"render: cannot write {path}. {INSTALL_HELP}\nThe DOT text was saved to "
            f"{dot_path}; render it later with `dot -T{fmt} {dot_path} -o {path}`, or "
            "read it from `diagram.source`.", dot_path) from None
    path.write_bytes(data)
    return path
