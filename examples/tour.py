"""A short tour of chainrule: backprop by hand, a graph, gradient flow and a trained model.

    python -m examples.tour [--quick] [--out DIR] [--seed N]

1. The lecture homework network (2-2-1, ReLU hidden units, sigmoid output, binary
   cross-entropy) built from `Value`s: its prediction and all nine weight gradients,
   beside the chain-rule values derived by hand, and `gradcheck` confirming them by
   central differences (the full story is `python -m examples.backprop_by_hand`).
2. Its computation graph, drawn with every node's data and gradient
   (`homework_graph.png`; needs Graphviz's `dot`, otherwise the DOT text is saved).
   Read it right to left: the loss has grad 1, and each op hands its grad to its
   inputs times its local derivative; the dead ReLU of unit 4 stops the flow.
3. Gradient flow in two deep networks (8 hidden layers of 32 units) on the same data:
   sigmoid units with PyTorch's default initialisation against ReLU units with He
   initialisation. A `GradientMonitor` watches each; `gradients_sigmoid.png` and
   `gradients_relu.png` show the mean and max |grad| per layer on a log scale, input
   layer on the left (both on the same scale). The sigmoid net's bars fall by a
   factor of about 5 to 8 per layer towards the input (each layer multiplies the
   gradient by sigmoid' <= 1/4 and by its weights): the first layers hardly learn,
   and the monitor's report flags it as VANISHING. The ReLU + He bars stay level.
4. A small Tensor MLP (2-32-32-2, ReLU) trained on two moons with `optim.Trainer`
   (Adam, mini-batches of 32, a progress bar per epoch); `moons_training.png` shows
   the loss and accuracy per epoch (dashed: the held-out quarter of the points),
   `moons_boundary.png` the plane shaded by the predicted probability of class 1.

All files go to out/tour/ (or --out); the run ends by listing them. About 30 s in
all on a busy 2-core machine, a few seconds with --quick.
"""
import time

import optim
import viz
from autograd import Tensor
from examples.backprop_by_hand import homework
from examples.common import parse_args, saved
from nn.architectures import MLP
from nn.loss import CrossEntropyLoss
from optim.data import DataLoader, TensorDataset, train_val_test_split


def gradient_flow(out, steps):
    """Train a deep sigmoid MLP and a deep ReLU + He MLP for a few SGD steps on the same
    batch, each watched by a GradientMonitor; plot and report the last step."""
    x, y = optim.datasets.two_moons(256, noise=0.1)
    x, y = Tensor(x), Tensor(y)
    loss_fn = CrossEntropyLoss()
    results, figures = {}, {}
    for activation, init in (("sigmoid", None), ("relu", "kaiming_normal")):
        network = MLP([2] + [32] * 8 + [2], activation=activation, init=init)
        optimizer = optim.SGD(network.parameters(), lr=0.1)
        with viz.GradientMonitor(network, optimizer=optimizer) as monitor:
            for _ in range(steps):
                loss = loss_fn(network(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()            # the monitor records after each step
        name = {"sigmoid": "sigmoid + default init", "relu": "ReLU + He init"}[activation]
        print(f"\n--- {name}: {monitor.report()}")
        figure = viz.plot_gradient_magnitudes(monitor)
        figure.axes[0].set_title(f"Deep {name}: mean and max |grad| per layer, "
                                 f"step {monitor.record().step}")
        figures[out / f"gradients_{activation}.png"] = figure
        record = monitor.record()
        first, last = (record.layers[n].mean_abs for n in (monitor.layer_names[0],
                                                           monitor.layer_names[-1]))
        results[activation] = {"first_over_last": first / last,
                               "flags": sorted({flag.kind for flag in monitor.flags()})}
    # one y range for both pictures, so that their bars compare at a glance
    low = min(figure.axes[0].get_ylim()[0] for figure in figures.values())
    high = max(figure.axes[0].get_ylim()[1] for figure in figures.values())
    for path, figure in figures.items():
        figure.axes[0].set_ylim(low, high)
        figure.savefig(path, dpi=100)
    files = list(figures)
    return results, files


def two_moons(out, epochs):
    """An MLP trained on two moons with optim.Trainer; returns the validation accuracy."""
    x, y = optim.datasets.two_moons(400, noise=0.15)
    (x_train, y_train), (x_val, y_val), _ = train_val_test_split(x, y, val_fraction=0.25,
                                                                  test_fraction=0.0)
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x_val, y_val), batch_size=None)
    model = MLP([2, 32, 32, 2], activation="relu")
    trainer = optim.Trainer(model, optim.Adam(model.parameters(), lr=0.01), CrossEntropyLoss(),
                            metrics={"accuracy": optim.accuracy}, progress=True)
    history = trainer.fit(train, epochs=epochs, val_loader=val)
    accuracy = history["val_accuracy"][-1]
    curves = out / "moons_training.png"
    viz.plot_history({k: history[k] for k in ("loss", "val_loss", "accuracy", "val_accuracy")},
                     path=curves, title="Two moons: MLP 2-32-32-2, Adam")
    boundary = out / "moons_boundary.png"
    viz.plot_decision_boundary(model, x, y, path=boundary,
                               title=f"Two moons: validation accuracy {accuracy:.1%}")
    return trainer, accuracy, [curves, boundary]


def main(argv=None):
    args = parse_args("tour", __doc__.splitlines()[0], argv)
    began = time.perf_counter()
    files = []

    print("=" * 78)
    print("Part 1 and 2: the homework network, by hand and by the engine, and its graph")
    print("=" * 78)
    results = homework(args.out)
    files += results["files"]

    print("\n" + "=" * 78)
    print("Part 3: gradient flow in a deep sigmoid net and a deep ReLU net")
    print("=" * 78)
    flow, flow_files = gradient_flow(args.out, steps=3 if args.quick else 10)
    files += flow_files
    print(f"\nfirst-layer / last-layer mean |grad|: sigmoid "
          f"{flow['sigmoid']['first_over_last']:.2e}, ReLU + He "
          f"{flow['relu']['first_over_last']:.2e}")

    print("\n" + "=" * 78)
    print("Part 4: an MLP on two moons, trained with optim.Trainer")
    print("=" * 78)
    _, accuracy, moon_files = two_moons(args.out, epochs=15 if args.quick else 40)
    files += moon_files
    print(f"validation accuracy {accuracy:.1%}")

    seconds = time.perf_counter() - began
    print(f"\nDone in {seconds:.1f} s. Everything is in {args.out}/:")
    saved(files)
    return {"yhat": results["yhat"], "engine_grads": results["engine_grads"],
            "hand_grads": results["hand_grads"], "dead_weights": results["dead_weights"],
            "gradcheck": results["gradcheck"], "gradient_flow": flow,
            "val_accuracy": accuracy, "files": files, "seconds": seconds}


if __name__ == "__main__":
    main()
