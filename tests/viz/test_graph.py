"""`viz.draw_graph` and `viz.render`: DOT content of known graphs, determinism, folding,
grouping by module, colouring by gradient, rendering and the missing-`dot` path."""
import re
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, Value
from nn.module import Module
from nn.parameter import Parameter
from viz.graph import DotNotFoundError, format_number

needs_dot = pytest.mark.skipif(not viz.dot_available(), reason="Graphviz's dot is not installed")


def micrograd_example():
    """L = (a * b + c) * f with the values of micrograd's lecture."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss


def node_lines(source):
    return [line for line in source.splitlines() if re.match(r"\s*n\d+(op)? \[", line)]


def edge_lines(source):
    return [line for line in source.splitlines() if "->" in line]


def label_of(source, name):
    for line in node_lines(source):
        if f"{{ {name} |" in line:
            return line
    raise AssertionError(f"no node labelled {name}")


# ---- Value graphs ----------------------------------------------------------------------
def test_value_graph_has_a_record_per_value_and_a_node_per_op():
    loss = micrograd_example()
    loss.backward()
    source = viz.draw_graph(loss).source
    records = [line for line in node_lines(source) if "shape=record" in line]
    ops = [line for line in node_lines(source) if "shape=ellipse" in line]
    assert len(records) == 7 and len(ops) == 3
    # 2 inputs into each of the 3 ops, plus op -> result for each
    assert len(edge_lines(source)) == 9
    assert sorted(re.search(r'label="(.)"', line).group(1) for line in ops) == ["*", "*", "+"]


def test_value_graph_shows_data_and_grad_after_backward():
    loss = micrograd_example()
    loss.backward()
    source = viz.draw_graph(loss).source
    expected = {"a": (2, 6), "b": (-3, -4), "c": (10, -2), "f": (-2, 4), "e": (-6, -2),
                "d": (4, -2), "L": (-8, 1)}
    for name, (data, grad) in expected.items():
        line = label_of(source, name)
        assert f"data {data:.4f}" in line and f"grad {grad:.4f}" in line, line


def test_value_graph_before_backward_shows_zero_grads_and_options_hide_fields():
    loss = micrograd_example()
    assert "grad 0.0000" in label_of(viz.draw_graph(loss).source, "a")
    bare = viz.draw_graph(loss, show_data=False, show_grad=False).source
    assert "data " not in bare and "grad " not in bare
    assert "{ a }" in bare


def test_output_is_marked_and_rankdir_is_passed():
    loss = micrograd_example()
    source = viz.draw_graph(loss, rankdir="TB").source
    assert "rankdir=TB" in source
    assert "peripheries=2" in label_of(source, "L")
    assert "peripheries" not in label_of(source, "a")


def test_a_value_used_twice_gets_two_edges():
    a = Value(3.0, label="a")
    source = viz.draw_graph(a * a).source
    assert sum(1 for line in edge_lines(source) if line.strip() == "n1 -> n0op") == 2


def test_dot_text_is_deterministic_and_ids_follow_the_walk():
    first = viz.draw_graph(micrograd_example()).source
    second = viz.draw_graph(micrograd_example()).source
    assert first == second
    ids = [re.match(r"\s*(n\d+) \[", line).group(1) for line in node_lines(first)
           if re.match(r"\s*n\d+ \[", line)]
    assert ids == [f"n{i}" for i in range(7)]
    assert "{ L |" in node_lines(first)[0]  # the walk starts at the output


def test_params_name_values_without_labels():
    w, x = Value(0.5), Value(2.0, requires_grad=False)
    out = (w * x).tanh()
    source = viz.draw_graph(out, params={"weight": w}).source
    assert "{ weight | data 0.5000" in source
    assert "{ data 2.0000 }" in source  # a constant shows no grad


def test_numbers_switch_to_scientific_notation_for_tiny_and_huge_values():
    assert format_number(0.25) == "0.2500"
    assert format_number(0.005) == "0.0050"
    assert format_number(3e-9) == "3.000e-09"
    assert format_number(-2.5e7) == "-2.500e+07"
    assert format_number(0.0) == "0.0000"
    assert format_number(float("nan")) == "nan"


def test_record_labels_escape_special_characters():
    v = Value(1.0, label="x|{y}<z>")
    source = viz.draw_graph(v).source
    assert r"x\|\{y\}\<z\>" in source


# ---- deep graphs and folding -------------------------------------------------------------
def test_a_100k_deep_chain_is_walked_without_recursion_and_folded():
    x = Value(0.5, label="x")
    y = x
    for _ in range(100_000):
        y = y + 1.0
    diagram = viz.draw_graph(y, max_nodes=10)
    # 100 001 sums/leaves reachable plus 100 000 constants
    assert diagram.folded == 200_001 - 10
    assert "199,991 more graph nodes not drawn" in diagram.source
    assert "+ ×" in diagram.source and "leaf ×" in diagram.source
    assert len([l for l in node_lines(diagram.source) if "shape=record" in l]) == 10
    assert "folded ->" in diagram.source


def test_without_max_nodes_nothing_is_folded():
    diagram = viz.draw_graph(micrograd_example())
    assert diagram.folded == 0 and "folded" not in diagram.source


def test_max_nodes_must_be_positive():
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(micrograd_example(), max_nodes=0)


# ---- colouring by gradient ---------------------------------------------------------------
def test_color_by_grad_makes_the_vanishing_end_darkest():
    x = Value(1.0, label="x")
    y = x
    for _ in range(6):
        y = y * 0.01  # the gradient shrinks 100x per step towards x
    y.label = "y"
    y.backward()
    source = viz.draw_graph(y, color_by="grad").source
    assert 'fillcolor="#440154"' in label_of(source, "x")  # viridis' dark end
    assert 'fillcolor="#fde725"' in label_of(source, "y")  # its bright end
    assert "mean |grad| (log scale)" in source  # the legend


def test_color_by_grad_before_backward_says_so():
    source = viz.draw_graph(Value(1.0) * Value(2.0), color_by="grad").source
    assert "run backward first" in source


# ---- Tensor graphs ---------------------------------------------------------------------
class TinyLinear(Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        rng = np.random.default_rng(n_in * 10 + n_out)
        self.weight = Parameter(rng.normal(size=(n_out, n_in)).astype(np.float32))
        self.bias = Parameter(np.zeros(n_out, np.float32))

    def forward(self, x):
        return autograd.linear(x, self.weight, self.bias)


class TinyNet(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = TinyLinear(3, 4)
        self.fc2 = TinyLinear(4, 1)

    def forward(self, x):
        return self.fc2(autograd.tanh(self.fc1(x)))


def tiny_loss(net, trace=False):
    x = Tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))
    if trace:
        with viz.trace_modules(net):
            loss = (net(x) ** 2).mean()
    else:
        loss = (net(x) ** 2).mean()
    return loss


def test_tensor_nodes_show_op_shape_dtype_and_parameter_names():
    net = TinyNet()
    loss = tiny_loss(net)
    loss.backward()
    source = viz.draw_graph(loss, model=net).source
    assert "<B>fc1.weight</B>" in source and "<B>fc2.bias</B>" in source
    assert "(4, 3) float32" in source and "(1,) float32" in source
    assert "<B>linear</B>" in source and "<B>tanh</B>" in source
    assert "<B>input</B>" in source
    output = next(l for l in node_lines(source) if "peripheries=2" in l)
    assert "<I>output</I>" in output and ("<B>div</B>" in output or "<B>mean</B>" in output)


def test_tensor_gradient_norm_and_mean_are_shown():
    net = TinyNet()
    loss = tiny_loss(net)
    loss.backward()
    grad = net.fc1.weight.grad.data.astype(np.float64)
    source = viz.draw_graph(loss, params=dict(net.named_parameters())).source
    line = next(l for l in node_lines(source) if "<B>fc1.weight</B>" in l)
    assert f"‖g‖ {np.linalg.norm(grad):.2e}" in line
    assert f"mean|g| {np.abs(grad).mean():.2e}" in line


def test_retain_grads_gives_intermediate_tensors_a_gradient():
    net = TinyNet()
    loss = tiny_loss(net)
    assert viz.retain_grads(loss) > 0
    loss.backward()
    source = viz.draw_graph(loss).source
    tanh_line = next(l for l in node_lines(source) if "<B>tanh</B>" in l)
    assert "‖g‖" in tanh_line


def test_tensor_graph_is_deterministic():
    sources = []
    for _ in range(2):
        net = TinyNet()
        loss = tiny_loss(net)
        loss.backward()
        sources.append(viz.draw_graph(loss, model=net, color_by="grad").source)
    assert sources[0] == sources[1]


# ---- grouping by module ------------------------------------------------------------------
def test_group_by_module_puts_each_module_in_a_cluster():
    net = TinyNet()
    loss = tiny_loss(net, trace=True)
    loss.backward()
    source = viz.draw_graph(loss, model=net, group_by="module").source
    assert source.count("subgraph cluster_") == 2
    blocks = re.findall(r"subgraph (cluster_\d+) \{(.*?)\n\t\}", source, flags=re.S)
    by_label = {re.search(r'label="([^"]+)"', body).group(1): body for _, body in blocks}
    assert set(by_label) == {"fc1: TinyLinear", "fc2: TinyLinear"}
    assert "fc1.weight" in by_label["fc1: TinyLinear"]
    assert "fc2.weight" not in by_label["fc1: TinyLinear"]
    assert "<B>tanh</B>" not in by_label["fc1: TinyLinear"]  # computed by TinyNet itself


def test_collapse_draws_one_node_per_module_call():
    net = TinyNet()
    loss = tiny_loss(net, trace=True)
    loss.backward()
    source = viz.draw_graph(loss, model=net, group_by="module", collapse=True).source
    boxes = [l for l in node_lines(source) if "shape=box3d" in l]
    assert len(boxes) == 2
    assert all("<I>TinyLinear</I>" in line for line in boxes)
    fc1 = next(line for line in boxes if "<B>fc1</B>" in line)
    fc2 = next(line for line in boxes if "<B>fc2</B>" in line)
    assert "16 parameters" in fc1 and "5 parameters" in fc2  # 4*3 + 4 and 1*4 + 1
    assert "weight" not in source  # parameters folded into their module


def test_group_by_module_without_a_trace_explains_what_to_do():
    with pytest.raises(ValueError, match="trace_modules"):
        viz.draw_graph(tiny_loss(TinyNet()), group_by="module")


def test_a_module_called_repeatedly_gets_one_node_per_call_and_shared_weights_stay_apart():
    class Cell(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(np.full((2, 2), 0.5, np.float32))

        def forward(self, h):
            return autograd.tanh(h @ self.w)

    class Unrolled(Module):
        def __init__(self):
            super().__init__()
            self.cell = Cell()

        def forward(self, h):
            for _ in range(3):
                h = self.cell(h)
            return h

    model = Unrolled()
    with viz.trace_modules(model):
        out = model(Tensor(np.ones((1, 2), np.float32))).sum()
    out.backward()
    source = viz.draw_graph(out, model=model, group_by="module", collapse=True,
                            color_by="grad").source
    titles = re.findall(r"<B>(cell #\d)</B>", source)
    assert sorted(titles) == ["cell #1", "cell #2", "cell #3"]
    ids = {t: re.search(r"(n\d+) \[label=<<B>" + t, source).group(1) for t in titles}
    weight = re.search(r"(n\d+) \[label=<<B>cell.w</B>", source).group(1)
    edges = {tuple(l.split("[")[0].strip().split(" -> ")) for l in edge_lines(source)}
    assert (ids["cell #1"], ids["cell #2"]) in edges and (ids["cell #2"], ids["cell #3"]) in edges
    assert (ids["cell #1"], ids["cell #3"]) not in edges
    assert all((weight, ids[t]) in edges for t in titles)


# ---- rendering ---------------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                           (".pdf", b"%PDF")])
def test_render_writes_the_requested_format(tmp_path, suffix, magic):
    path = viz.render(viz.draw_graph(micrograd_example()), tmp_path / f"graph{suffix}")
    assert path.read_bytes().startswith(magic)


def test_render_to_dot_writes_the_source(tmp_path):
    diagram = viz.draw_graph(micrograd_example())
    path = viz.render(diagram, tmp_path / "graph.dot")
    assert path.read_text() == diagram.source


@needs_dot
def test_jupyter_display_is_svg():
    bundle = viz.draw_graph(micrograd_example())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_missing_dot_says_how_to_install_and_keeps_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    diagram = viz.draw_graph(micrograd_example())
    with pytest.raises(DotNotFoundError) as caught:
        viz.render(diagram, tmp_path / "out" / "graph.png")
    message = str(caught.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install"):
        assert hint in message
    saved = tmp_path / "out" / "graph.dot"
    assert caught.value.dot_path == saved and saved.read_text() == diagram.source
    assert not (tmp_path / "out" / "graph.png").exists()
    text = diagram._repr_mimebundle_()["text/plain"]
    assert "apt-get install graphviz" in text and diagram.source in text


def test_missing_dot_when_graphviz_raises_executable_not_found(tmp_path, monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    with pytest.raises(DotNotFoundError, match="brew install graphviz"):
        viz.render(viz.draw_graph(micrograd_example()), tmp_path / "g.svg")
    assert (tmp_path / "g.dot").exists()


# ---- errors and the rule of reading only public views ----------------------------------
def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="Value or Tensor"):
        viz.draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(Value(1.0), rankdir="XY")
    with pytest.raises(ValueError, match="color_by"):
        viz.draw_graph(Value(1.0), color_by="data")
    with pytest.raises(TypeError, match="params"):
        viz.draw_graph(Value(1.0), params={"w": 1.0})


def test_viz_reads_the_graph_only_through_public_views():
    package = Path(viz.__file__).parent
    for path in package.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\._(parents|op|ctx|consumed|hooks|retains_grad)\b", text), path
