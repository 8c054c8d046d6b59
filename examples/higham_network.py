"""Higham & Higham's small network, trained by stochastic gradient for a million steps.

    python -m examples.higham_network [--quick] [--engine value|tensor] [--out DIR] [--seed N]

The example of section 6 of Higham & Higham, "Deep Learning: An Introduction for
Applied Mathematicians" (2018): ten points in the unit square, five of category A
(target [1, 0]) and five of category B (target [0, 1]), and a 2-2-3-2 network with a
sigmoid after every layer (23 weights and biases, all drawn as 0.5 * N(0, 1)). Each
step picks ONE of the ten points uniformly at random and moves every parameter
against the gradient of that point's cost 1/2 ||y - F(x)||^2, with learning rate
eta = 0.05; the full run takes 10^6 such steps, as in the paper.

What to look at:

* `cost.png`: the monitored cost, the sum over the ten points of ||y - F(x)||^2, on a
  log scale against the step. It starts a little above 5 and soon sits on a long,
  almost flat plateau at 5 (dashed line): 5 is the best any CONSTANT output can do
  (answer [1/2, 1/2] everywhere), and the network behaves as one until its hidden
  units start to take sides. It may rest on a lower shelf for a while (the default
  seed does, near 2.5, with an almost straight boundary that gets 8 of the 10 points
  right), then drops by three orders of magnitude in a short time, and
  ends in a very slow, steady decline: in the second half of the run each step
  multiplies the cost by about 1 - 2e-6 on average, the "very slow linear rate" the
  paper describes (it reports 7.3e-4 after 10^6 steps).
* `decision_boundary.png`: the plane split by the trained network's rule, category A
  where F1(x) > F2(x) (blue), B elsewhere (red), shaded by F2 / (F1 + F2), the B share
  of the two outputs (the black line is F1 = F2); all ten points lie on their own side.

Two front ends, the same numbers. By default the training steps run on `Value`s, one
Python float per weight: with one point per step the Tensor front end's arrays would
hold two or three numbers each, so its per-operation bookkeeping costs more than the
arithmetic, and the scalar engine is about twice as fast here. `--engine tensor` runs
exactly the same steps with the weights of the `nn.Linear` + `nn.Sigmoid` model and
`optim.SGD` (same initial weights, same sequence of points; the costs agree to
rounding error). Either way the monitored cost and the pictures come from the Tensor
model, into which the Value weights are copied.

The full run (10^6 steps) takes about 4 minutes on one core; `--quick` takes 5000
steps, which is enough to see the cost fall onto the plateau, not to leave it.
"""
import time

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

import autograd
import optim
import viz
from autograd import Tensor, Value, no_grad
from examples.common import parse_args, print_table, saved
from nn import init
from nn.activation import Sigmoid
from nn.containers import Sequential
from nn.linear import Linear
from nn.value import Layer

SIZES = (2, 2, 3, 2)
LEARNING_RATE = 0.05
FULL_STEPS = 1_000_000
QUICK_STEPS = 5_000
RECORDS = 1000          # the monitored cost is recorded at about this many steps


def build_network():
    """The 2-2-3-2 sigmoid network as Tensor modules (float64), weights and biases 0.5 N(0, 1)."""
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [Linear(fan_in, fan_out, dtype=np.float64), Sigmoid()]
    network = Sequential(*layers)
    for parameter in network.parameters():
        init.normal_(parameter, 0.0, 0.5)
    return network


def linear_layers(network):
    return [module for module in network if isinstance(module, Linear)]


class ValueNetwork:
    """The same network with one `Value` per weight (nn.value Layers with sigmoid units),
    starting from the Tensor network's weights; `copy_to` writes them back."""

    def __init__(self, network):
        self.layers = []
        for linear in linear_layers(network):
            layer = Layer(linear.in_features, linear.out_features, activation="sigmoid")
            for neuron, row, bias in zip(layer.neurons, linear.weight.data, linear.bias.data):
                for weight, value in zip(neuron.w, row):
                    weight.data = float(value)
                neuron.b.data = float(bias)
            self.layers.append(layer)

    def __call__(self, x):
        """x: a list of numbers; returns the list of output Values."""
        for layer in self.layers:
            x = [neuron(x) for neuron in layer.neurons]
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def copy_to(self, network):
        for layer, linear in zip(self.layers, linear_layers(network)):
            linear.weight.data[...] = [[w.data for w in n.w] for n in layer.neurons]
            linear.bias.data[...] = [n.b.data for n in layer.neurons]


def b_share(network):
    """x -> [F1, F2] / (F1 + F2): the outputs as shares, so that the decision-boundary
    picture shades by the B share and draws its 0.5 line where F1 = F2."""
    def shares(x):
        outputs = network(x)
        return outputs / outputs.sum(dim=1, keepdim=True)
    return shares


def monitored_cost(network, x, y):
    """sum over the points of ||y - F(x)||^2 (20 times the paper's Cost)."""
    with no_grad():
        difference = network(x) - y
        return float((difference * difference).sum().item())


def record_steps(steps, records=RECORDS):
    """The steps after which the cost is recorded: 0, then evenly spaced to `steps`."""
    return np.unique(np.linspace(0, steps, records + 1).round().astype(np.int64))


def value_trainer(network, x, y):
    """One training step on the Value copy of the network: forward, backward and the
    update w <- w - eta dC/dw written out (what optim.SGD does, without wrapping each of
    the 23 floats in a numpy array). Returns (step function, sync to `network`)."""
    model = ValueNetwork(network)
    parameters = model.parameters()
    inputs = [[Value(v, requires_grad=False) for v in row] for row in x.tolist()]
    targets = [[Value(v, requires_grad=False) for v in row] for row in y.tolist()]

    def step(k):
        outputs = model(inputs[k])
        cost = 0.5 * Value.sum([(a - t) ** 2 for a, t in zip(outputs, targets[k])])
        for p in parameters:
            p.grad = 0.0
        cost.backward()
        for p in parameters:
            p.data -= LEARNING_RATE * p.grad

    return step, lambda: model.copy_to(network)


def tensor_trainer(network, x, y):
    """One training step of the Tensor network with optim.SGD. The rows are made
    Tensors once, and the layers are applied with `autograd.linear` and `.sigmoid()`
    (the same ops the modules run, without the module-call machinery)."""
    optimizer = optim.SGD(network.parameters(), lr=LEARNING_RATE)
    layers = [(layer.weight, layer.bias) for layer in linear_layers(network)]
    inputs = [Tensor(row) for row in x]
    targets = [Tensor(row) for row in y]

    def step(k):
        a = inputs[k]
        for weight, bias in layers:
            a = autograd.linear(a, weight, bias).sigmoid()
        difference = a - targets[k]
        cost = 0.5 * (difference * difference).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()

    return step, lambda: None


def train(network, x, y, points, engine, record_at):
    """Stochastic gradient, one point per step (`points` lists which), eta = 0.05 on the
    per-point cost 1/2 ||y - F(x)||^2. Returns the monitored costs at `record_at` and
    the wall-clock and CPU time spent in the training steps."""
    x_tensor, y_tensor = Tensor(x), Tensor(y)
    costs = [monitored_cost(network, x_tensor, y_tensor)]
    step, sync = (value_trainer if engine == "value" else tensor_trainer)(network, x, y)
    wall = cpu = 0.0
    for start, stop in zip(record_at[:-1], record_at[1:]):
        began, began_cpu = time.perf_counter(), time.process_time()
        for k in points[start:stop]:
            step(k)
        wall += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        sync()
        costs.append(monitored_cost(network, x_tensor, y_tensor))
    return np.array(costs), wall, cpu


def constant_output_cost(y):
    """The smallest monitored cost a network with the same output for every point can
    reach: sum ||y - mean(y)||^2, 5 for five A and five B points. The plateau sits here."""
    return float(((y - y.mean(axis=0)) ** 2).sum())


def plateau_end(record_at, costs, level):
    """The first recorded step at which the cost is below 80% of the constant-output
    level `level`: the network has stopped answering the same for every point. None
    if that never happens."""
    below = np.nonzero(costs < 0.8 * level)[0]
    return int(record_at[below[0]]) if below.size else None


def log_decay_rate(record_at, costs, start):
    """Average factor per step by which the cost shrinks over the last part of the run
    (from `start` on), from a straight-line fit of log(cost) against the step."""
    chosen = record_at >= start
    if chosen.sum() < 3:
        return None
    slope = np.polyfit(record_at[chosen], np.log(costs[chosen]), 1)[0]
    return float(np.exp(slope))


def plot_cost(record_at, costs, level, end, path):
    figure = Figure(figsize=(7.0, 4.4), layout="constrained")
    axes = figure.add_subplot()
    axes.semilogy(record_at, costs, color="#4c72b0", linewidth=1.5, label="monitored cost")
    axes.axhline(level, color="#c44e52", linestyle="--", linewidth=1,
                 label=f"best constant output ({level:.3g}): the plateau")
    if end is not None:
        axes.axvline(end, color="#777777", linestyle=":", linewidth=1,
                     label=f"plateau left at step {end:,}")
    axes.set_xlabel("stochastic gradient step (one random point each)")
    axes.set_ylabel("sum over the 10 points of ||y - F(x)||² (log scale)")
    axes.set_title(f"Higham & Higham 2-2-3-2 sigmoid network, eta = {LEARNING_RATE}: "
                   f"cost {costs[0]:.3g} → {costs[-1]:.3g}", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.set_xlim(0, record_at[-1])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.legend(loc="best", fontsize=9)
    figure.savefig(path, dpi=100)
    return path


def prepare(steps):
    """The data (float64), the initial network and which point each step uses (drawn
    in this order from the library's generator)."""
    x, targets = optim.datasets.higham()
    x, targets = x.astype(np.float64), targets.astype(np.float64)
    network = build_network()
    points = autograd.randint(0, len(x), (steps,)).data.tolist()  # one random point per step
    return x, targets, network, points


def main(argv=None):
    args = parse_args("higham_network", __doc__.splitlines()[0], argv, extra=lambda p: (
        p.add_argument("--steps", type=int, default=None,
                       help=f"number of steps (default {FULL_STEPS:,}; {QUICK_STEPS:,} "
                            "with --quick)"),
        p.add_argument("--engine", choices=("value", "tensor"), default="value",
                       help="front end for the training steps (default value, faster here)")))
    steps = args.steps or (QUICK_STEPS if args.quick else FULL_STEPS)
    x, targets, network, points = prepare(steps)
    record_at = record_steps(steps)

    print(f"Higham & Higham network {'-'.join(map(str, SIZES))}, sigmoid units, "
          f"{sum(p.numel() for p in network.parameters())} parameters; {steps:,} stochastic "
          f"gradient steps, eta = {LEARNING_RATE}, engine = {args.engine}")
    began = time.perf_counter()
    costs, step_wall, step_cpu = train(network, x, targets, points, args.engine, record_at)
    wall = time.perf_counter() - began

    with no_grad():
        outputs = network(Tensor(x)).data
    predicted_a = outputs[:, 0] > outputs[:, 1]
    correct = int((predicted_a == (targets[:, 0] == 1)).sum())
    level = constant_output_cost(targets)
    end = plateau_end(record_at, costs, level)
    decay = log_decay_rate(record_at, costs, start=steps // 2) \
        if end is not None and end < steps // 2 else None

    out = args.out
    cost_file = plot_cost(record_at, costs, level, end, out / "cost.png")
    boundary_file = out / "decision_boundary.png"
    viz.plot_decision_boundary(b_share(network), x, targets.argmax(axis=1), path=boundary_file,
                               padding=0.1, class_names=["A", "B"],
                               title=f"Category A where F1(x) > F2(x): {correct}/10 correct")

    shown = set(record_steps(steps, 10).tolist())
    rows = [(f"{int(s):,}", float(c)) for s, c in zip(record_at, costs) if s in shown]
    print_table(["step", "monitored cost"], rows,
                title="\nmonitored cost, sum over the points of ||y - F(x)||^2")
    print(f"\ninitial cost {costs[0]:.4g}; a constant output can reach {level:.4g} (the "
          "plateau); " + (f"the cost leaves the plateau at step {end:,}" if end is not None
                          else "still on the plateau at the end"))
    if decay is not None:
        print(f"second half of the run: the cost shrinks by a factor {decay:.8f} per step "
              f"on average (1 - {1 - decay:.2e}; the paper: within about 1e-6 of unity)")
    print(f"final cost {costs[-1]:.4g} (paper, after 10^6 steps: 7.3e-4); "
          f"classified correctly: {correct}/10")
    print(f"training steps: {step_wall:.1f} s wall clock, {step_cpu:.1f} s CPU "
          f"({step_wall / steps * 1e6:.0f} us wall, {step_cpu / steps * 1e6:.0f} us CPU per "
          f"step); whole run {wall:.1f} s")
    saved([cost_file, boundary_file])
    return {"steps": steps, "engine": args.engine, "record_steps": record_at, "costs": costs,
            "initial_cost": float(costs[0]), "final_cost": float(costs[-1]),
            "constant_output_cost": level, "plateau_end": end, "decay_per_step": decay,
            "correct": correct, "seconds": wall, "us_per_step": step_wall / steps * 1e6,
            "cpu_us_per_step": step_cpu / steps * 1e6,
            "files": {"cost": cost_file, "decision_boundary": boundary_file}}


if __name__ == "__main__":
    main()
