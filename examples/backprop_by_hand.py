"""Backpropagation by hand, checked by the engine: the lecture homework and a path sum.

    python -m examples.backprop_by_hand [--quick] [--out DIR]

1. The homework network of the computation-graph lecture: inputs x1 = -3, x2 = 5,
   two ReLU hidden units (3 and 4), a sigmoid output unit 5, target y = 0 and the
   binary cross-entropy loss, with the weights

       w03 = 2, w13 = 2, w23 = 3     (into unit 3; w0j is unit j's bias)
       w04 = -1, w14 = 4, w24 = 1    (into unit 4)
       w05 = 1, w35 = 2, w45 = 3     (into unit 5)

   It is built from `Value`s and backpropagated by the engine. Beside each of the
   nine gradients stands the value the chain rule gives on paper, computed here from
   the delta formulas alone (no engine):

       delta5 = dL/d in5 = yhat - y            (sigmoid + cross-entropy)
       delta_j = delta5 * w_j5 * relu'(in_j)   (j = 3, 4)
       dL/dw_ij = delta_j * a_i                (a_0 = 1 for the bias, a_i = x_i or a hidden output)

   Unit 4 gets in4 = -1 + 4 (-3) + 1 (5) = -8 < 0: its ReLU outputs 0 and passes no
   gradient back, so w04, w14 and w24 get exactly 0, and so does w45 (it multiplies
   a4 = 0). These are marked "dead ReLU" in the table. `homework_graph.png` is the
   computation graph (micrograd style: one box per Value with its label, data and
   grad, and a small oval per operation); follow the grads from the loss on the right
   back to the weights on the left.

2. The 3-3-2-1 network of the first lecture notes (weight matrices with a bias row:
   W1 is (3+1) x 3, W2 (3+1) x 2, W3 (2+1) x 1; sigmoid units O11..O13, O21, O22 and
   the output O31 = yhat; squared-error loss). A first-layer weight reaches the output
   along every path through the second layer, so its derivative is a SUM over paths,
   one product of local derivatives per path; for w11 (input 1 -> unit O11):

       dL/dw11 = dL/dO31 dO31/dO21 dO21/dO11 dO11/dw11
               + dL/dO31 dO31/dO22 dO22/dO11 dO11/dw11

   The example evaluates each factor from the forward values, prints the two path
   terms and their sum, and compares it with the engine's gradient; then the same for
   all nine first-layer weights.
"""
import math

import viz
from autograd import Value, gradcheck
from autograd.value_losses import binary_cross_entropy_with_logits, squared_error
from examples.common import parse_args, print_table, saved

# ---- 1. the homework --------------------------------------------------------------------
HOMEWORK = {"w03": 2.0, "w04": -1.0, "w05": 1.0, "w13": 2.0, "w14": 4.0, "w23": 3.0,
            "w24": 1.0, "w35": 2.0, "w45": 3.0}
HOMEWORK_X = (-3.0, 5.0)
HOMEWORK_Y = 0.0


def homework_forward(w, x1, x2, y):
    """The homework network from weights `w` (Values or numbers, by name).

    in3 = w03 + w13 x1 + w23 x2, a3 = relu(in3); likewise unit 4;
    in5 = w05 + w35 a3 + w45 a4 is the logit of yhat = sigmoid(in5);
    loss = binary cross-entropy of yhat against y, computed from the logit.
    Returns the loss and a dict of the intermediate Values (labelled for diagrams).
    """
    nodes = {"in3": w["w03"] + w["w13"] * x1 + w["w23"] * x2,
             "in4": w["w04"] + w["w14"] * x1 + w["w24"] * x2}
    nodes["a3"], nodes["a4"] = nodes["in3"].relu(), nodes["in4"].relu()
    nodes["in5"] = w["w05"] + w["w35"] * nodes["a3"] + w["w45"] * nodes["a4"]
    nodes["yhat"] = nodes["in5"].sigmoid()
    loss = binary_cross_entropy_with_logits(nodes["in5"], y)
    nodes["loss"] = loss
    for name, node in nodes.items():
        if isinstance(node, Value):
            node.label = name
    return loss, nodes


def hand_gradients(w, x1, x2, y):
    """The chain rule on paper, with plain floats: yhat and dL/dw for the nine weights.
    Returns (yhat, gradients, pre-activations)."""
    in3 = w["w03"] + w["w13"] * x1 + w["w23"] * x2
    in4 = w["w04"] + w["w14"] * x1 + w["w24"] * x2
    a3, a4 = max(in3, 0.0), max(in4, 0.0)
    in5 = w["w05"] + w["w35"] * a3 + w["w45"] * a4
    yhat = 1.0 / (1.0 + math.exp(-in5))
    delta5 = yhat - y                                   # dL/d in5
    delta3 = delta5 * w["w35"] * (1.0 if in3 > 0 else 0.0)
    delta4 = delta5 * w["w45"] * (1.0 if in4 > 0 else 0.0)
    inputs = {"0": 1.0, "1": x1, "2": x2, "3": a3, "4": a4}
    deltas = {"3": delta3, "4": delta4, "5": delta5}
    grads = {name: deltas[name[2]] * inputs[name[1]] + 0.0 for name in w}  # + 0.0: no -0
    return yhat, grads, {"in3": in3, "in4": in4, "in5": in5}


def dead_relu_weights(pre_activations):
    """Weights whose gradient a dead ReLU forces to 0: those into a hidden unit j with
    in_j < 0 (relu'(in_j) = 0) and the weight out of it (it multiplies a_j = 0)."""
    dead = []
    for unit in ("3", "4"):
        if pre_activations["in" + unit] < 0:
            dead += [f"w{i}{unit}" for i in "012"] + [f"w{unit}5"]
    return dead


def homework(out):
    x1, x2 = (Value(v, label=f"x{i + 1}", requires_grad=False)
              for i, v in enumerate(HOMEWORK_X))
    y = HOMEWORK_Y
    weights = {name: Value(v, label=name) for name, v in HOMEWORK.items()}
    loss, nodes = homework_forward(weights, x1, x2, y)
    loss.backward()
    yhat, hand, pre = hand_gradients(HOMEWORK, *HOMEWORK_X, y)
    dead = dead_relu_weights(pre)

    print(f"1. The homework network at x = ({HOMEWORK_X[0]:g}, {HOMEWORK_X[1]:g}), "
          f"y = {y:g}")
    print(f"in3 = {pre['in3']:g}, in4 = {pre['in4']:g}, in5 = {pre['in5']:g}")
    print(f"yhat = sigmoid({nodes['in5'].data:g}) = {nodes['yhat'].data:.12f} (engine), "
          f"{yhat:.12f} (by hand)")
    print(f"loss = {loss.data:.10g}")
    rows = [(name, node.grad, hand[name], "dead ReLU (unit 4)" if name in dead else "")
            for name, node in weights.items()]
    print_table(["weight", "engine dL/dw", "by hand", ""], rows)

    names = list(HOMEWORK)
    check = gradcheck(lambda *ws: homework_forward(dict(zip(names, ws)), *HOMEWORK_X, y)[0],
                      [Value(HOMEWORK[n]) for n in names], raise_exception=False)
    print(f"gradcheck (central differences) of all nine: {'passed' if check else 'FAILED'}")

    diagram = viz.draw_graph(loss, params=weights, title=(
        f"Homework network, yhat = sigmoid(in5) = {nodes['yhat'].data:.10f}: "
        "data and dL/d(node) of every Value"))
    files = render_graph(diagram, out / "homework_graph.png")
    return {"yhat": nodes["yhat"].data, "yhat_by_hand": yhat, "loss": loss.data,
            "engine_grads": {n: v.grad for n, v in weights.items()}, "hand_grads": hand,
            "dead_weights": dead, "gradcheck": check, "files": files}


def render_graph(diagram, path):
    """Render a diagram to PNG; without Graphviz's `dot`, keep the .dot file and say how
    to install it. Returns the files written."""
    try:
        return [viz.render(diagram, path)]
    except viz.DotNotFoundError as error:
        print(f"No PNG diagram. {error}")
        return [error.dot_path]


# ---- 2. the w11 path sum of the 3-3-2-1 network ----------------------------------------
# Weight matrices in the notes' layout: row 0 is the bias row, row i the weights from
# input (or unit) i; column j feeds unit j of the next layer.
W1 = [[0.1, -0.2, 0.05],
      [0.4, -0.3, 0.2],
      [-0.5, 0.6, 0.1],
      [0.3, 0.2, -0.4]]
W2 = [[0.05, -0.1],
      [0.7, -0.6],
      [-0.2, 0.5],
      [0.4, 0.3]]
W3 = [[0.1],
      [0.9],
      [-0.8]]
PATH_X = (1.0, 2.0, -1.5)
PATH_Y = 1.0


def as_values(matrix, name):
    return [[Value(v, label=f"{name}[{i},{j + 1}]") for j, v in enumerate(row)]
            for i, row in enumerate(matrix)]


def dense(weights, inputs):
    """Sigmoid units: O_j = sigmoid(w_0j + sum_i w_ij O_i) for each column j."""
    columns = range(len(weights[0]))
    return [Value.sum([weights[0][j]] + [weights[i + 1][j] * o for i, o in enumerate(inputs)])
            .sigmoid() for j in columns]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def path_sum(x, y, i, j):
    """dL/dW1[i, j] of the 3-3-2-1 sigmoid network as a sum over the two paths through
    the second layer, from plain-float forward values (no engine). Returns the list of
    path terms."""
    o1 = [sigmoid(W1[0][k] + sum(W1[m + 1][k] * x[m] for m in range(3))) for k in range(3)]
    o2 = [sigmoid(W2[0][k] + sum(W2[m + 1][k] * o1[m] for m in range(3))) for k in range(2)]
    o3 = sigmoid(W3[0][0] + sum(W3[m + 1][0] * o2[m] for m in range(2)))
    dL_dO31 = 2.0 * (o3 - y)                               # L = (O31 - y)^2
    dO1j_dw = o1[j] * (1 - o1[j]) * x[i - 1]               # dO1j/dW1[i, j]
    terms = []
    for k in range(2):                                     # the path through O2k
        dO31_dO2k = o3 * (1 - o3) * W3[k + 1][0]
        dO2k_dO1j = o2[k] * (1 - o2[k]) * W2[j + 1][k]
        terms.append(dL_dO31 * dO31_dO2k * dO2k_dO1j * dO1j_dw)
    return terms


def path_sums():
    w1, w2, w3 = as_values(W1, "W1"), as_values(W2, "W2"), as_values(W3, "W3")
    x = [Value(v, label=f"x{m + 1}", requires_grad=False) for m, v in enumerate(PATH_X)]
    (o31,) = dense(w3, dense(w2, dense(w1, x)))
    loss = squared_error(o31, PATH_Y)
    loss.backward()

    print("\n2. The 3-3-2-1 sigmoid network of the notes, x = "
          f"{PATH_X}, y = {PATH_Y:g}, L = (O31 - y)^2 = {loss.data:.6f}")
    terms = path_sum(PATH_X, PATH_Y, 1, 0)
    print("dL/dw11 = dL/dO31 dO31/dO21 dO21/dO11 dO11/dw11   (path through O21)"
          f" = {terms[0]:+.6e}")
    print("        + dL/dO31 dO31/dO22 dO22/dO11 dO11/dw11   (path through O22)"
          f" = {terms[1]:+.6e}")
    print(f"        = {sum(terms):+.10e}   engine: {w1[1][0].grad:+.10e}")
    rows = []
    for i in range(1, 4):
        for j in range(3):
            terms = path_sum(PATH_X, PATH_Y, i, j)
            rows.append((f"w{i}{j + 1}", terms[0], terms[1], sum(terms), w1[i][j].grad))
    print_table(["W1 weight", "via O21", "via O22", "path sum", "engine"], rows,
                title="every first-layer weight (input i -> unit O1j):")
    worst = max(abs(r[3] - r[4]) for r in rows)
    print(f"largest |path sum - engine| = {worst:.2e}")
    return {"w11_path_terms": path_sum(PATH_X, PATH_Y, 1, 0),
            "w11_path_sum": sum(path_sum(PATH_X, PATH_Y, 1, 0)),
            "w11_engine": w1[1][0].grad, "path_sum_table": rows, "largest_difference": worst}


def main(argv=None):
    args = parse_args("backprop_by_hand", __doc__.splitlines()[0], argv)
    results = homework(args.out)
    results.update(path_sums())
    saved(results["files"])
    return results


if __name__ == "__main__":
    main()
