"""A short tour of chainrule: backprop by hand, checked by the engine.

    python -m examples.tour

1. The lecture homework network (2-2-1, ReLU hidden units, sigmoid output, binary
   cross-entropy) built from `Value`s: the prediction and all nine weight gradients,
   beside the chain-rule values derived by hand.
2. `gradcheck` confirming those gradients by central differences.
3. A small `Value` MLP trained on XOR with plain gradient descent.
"""
import argparse
import math

from autograd import Value, gradcheck, manual_seed
from autograd.value_losses import binary_cross_entropy_with_logits, squared_error
from nn.value import MLP

HOMEWORK = {"w03": 2.0, "w04": -1.0, "w05": 1.0, "w13": 2.0, "w14": 4.0, "w23": 3.0,
            "w24": 1.0, "w35": 2.0, "w45": 3.0}


def homework_loss(w, x1, x2, y):
    """in3 = w03 + w13 x1 + w23 x2, a3 = relu(in3) (likewise unit 4);
    in5 = w05 + w35 a3 + w45 a4 is the logit of yhat = sigmoid(in5)."""
    a3 = (w["w03"] + w["w13"] * x1 + w["w23"] * x2).relu()
    a4 = (w["w04"] + w["w14"] * x1 + w["w24"] * x2).relu()
    logit = w["w05"] + w["w35"] * a3 + w["w45"] * a4
    return binary_cross_entropy_with_logits(logit, y), logit


def by_hand(x1, x2, y):
    """The chain rule on paper: delta5 = dL/d in5 = sigmoid(in5) - y, then
    dL/dw_j5 = delta5 a_j and dL/dw_ij = delta5 w_j5 relu'(in_j) x_i."""
    w = HOMEWORK
    in3 = w["w03"] + w["w13"] * x1 + w["w23"] * x2
    in4 = w["w04"] + w["w14"] * x1 + w["w24"] * x2
    a3, a4 = max(in3, 0.0), max(in4, 0.0)
    in5 = w["w05"] + w["w35"] * a3 + w["w45"] * a4
    yhat = 1 / (1 + math.exp(-in5))
    d5 = yhat - y
    d3 = d5 * w["w35"] * (in3 > 0)
    d4 = d5 * w["w45"] * (in4 > 0)
    return yhat, {"w03": d3, "w13": d3 * x1, "w23": d3 * x2, "w04": d4, "w14": d4 * x1,
                  "w24": d4 * x2, "w05": d5, "w35": d5 * a3, "w45": d5 * a4}


def homework():
    x1, x2, y = -3.0, 5.0, 0.0
    weights = {name: Value(v, label=name) for name, v in HOMEWORK.items()}
    loss, logit = homework_loss(weights, x1, x2, y)
    loss.backward()
    yhat, expected = by_hand(x1, x2, y)
    print(f"homework network at x = ({x1:g}, {x2:g}), y = {y:g}")
    print(f"  yhat = sigmoid({logit.data:g}) = {logit.sigmoid().data:.12f}   by hand: {yhat:.12f}")
    print(f"  {'weight':>6}  {'engine':>12}  {'by hand':>12}")
    for name, node in weights.items():
        dead = "   (dead ReLU: unit 4 has in4 < 0)" if name[-1] == "4" or name == "w45" else ""
        print(f"  {name:>6}  {node.grad:12.6g}  {expected[name]:12.6g}{dead}")
    names = list(HOMEWORK)
    inputs = [Value(HOMEWORK[n]) for n in names]
    ok = gradcheck(lambda *ws: homework_loss(dict(zip(names, ws)), x1, x2, y)[0], inputs)
    print(f"  gradcheck of all nine gradients by central differences: {'passed' if ok else 'FAILED'}")


def xor(steps):
    manual_seed(0)
    model = MLP(2, [8, 1], activation="tanh")
    data = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]
    for step in range(steps + 1):
        loss = Value.sum([squared_error(model([Value(a), Value(b)]), t) for (a, b), t in data]) / 4
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.2 * p.grad
        if step % (steps // 4) == 0:
            print(f"  XOR step {step:4d}: mean squared error {loss.data:.5f}")
    predictions = [model([Value(a), Value(b)]).data for (a, b), _ in data]
    print("  predictions:", ", ".join(f"{p:.2f}" for p in predictions))


def main(argv=None):
    parser = argparse.ArgumentParser(description="A short tour of chainrule")
    parser.add_argument("--quick", action="store_true", help="fewer training steps")
    args = parser.parse_args(argv)
    homework()
    print()
    xor(200 if args.quick else 1000)


if __name__ == "__main__":
    main()
