"""Greedy layer-wise RBM pre-training gets a deep sigmoid network past the plateau where
the same network, randomly initialised, sits for dozens of epochs.

    python -m examples.rbm_pretraining [--quick] [--out DIR] [--seed N]

Data: scikit-learn's 8x8 digits (`optim.datasets.digits()`; needs scikit-learn),
grey levels scaled to [0, 1] (the RBM's visible units read them as probabilities),
split 80 / 20 into training and validation images.

Network: 64-100-100-100-10 with sigmoid hidden units (`nn.architectures.MLP`), the
kind of deep net that was nearly impossible to train before 2006: each sigmoid layer
multiplies the backpropagated gradient by sigmoid' <= 1/4 and by weights smaller than
1, so the first layers barely learn.

Pre-training (Hinton, Osindero & Teh 2006; the notes' "Pretraining DNN with RBMs"),
written out with `nn.rbm.DBN`'s RBMs: RBM 1 (64-100) learns the images by
contrastive divergence (CD-1); RBM 2 (100-100) learns the hidden probabilities
p(h | v) that RBM 1 gives for the images; RBM 3 the ones RBM 2 gives for those. No
labels are used. `DBN.to_mlp(10)` then copies each RBM's weights and hidden biases into
the MLP's hidden layers (p(h | v) = sigmoid(W v + c) is exactly a Linear layer and a
sigmoid) and adds a fresh output layer. The randomly initialised MLP gets PyTorch's
default hidden layers and the *same* output layer; both are fine-tuned by SGD
(lr 0.1, momentum 0.9) on the same batches in the same order.

Pictures:
- `learning_curves.png`: training and validation loss (left) and accuracy (right) per
  fine-tuning epoch. The pre-trained net is useful from the first epoch; the random one
  stays at chance (10%) until its gradients have slowly grown the first layers.
- `pretraining.png`: each RBM's reconstruction error (mean squared difference between
  its input and p(v | p(h | v))) before training (epoch 0) and after each CD epoch.
- `rbm_filters.png`: RBM 1's weights, one 8x8 image per hidden unit (red positive,
  blue negative, each image on its own scale): stroke and blob detectors learned
  without labels. The dark blue side columns are the image borders, which are blank in
  every digit: each unit learns that they are off.
- `rbm_reconstructions.png`: validation digits (top) and RBM 1's reconstructions from
  its 100 hidden probabilities (bottom).

Key claims (tests/examples/test_rbm_pretraining.py, --quick, default seed): after every
fine-tuning epoch the pre-trained net's validation accuracy is at least the random
one's, and after the last quick epoch by more than 30 points; its first-epoch
validation loss is lower; every RBM's reconstruction error falls during pre-training.
"""
import time

import numpy as np

import viz
from autograd import Tensor, manual_seed, no_grad
from examples.common import parse_args, print_table, saved
from examples.digits_data import load_digits, one_blas_thread
from nn.architectures import MLP
from nn.loss import CrossEntropyLoss
from nn.rbm import DBN
from optim import SGD, DataLoader, TensorDataset, Trainer, accuracy
from optim.data import train_val_test_split

SIZES = [64, 100, 100, 100]



def pretrain(dbn, x, epochs):
    """Greedy layer-wise CD-1: each RBM learns the hidden probabilities of the one below.
    Returns each RBM's reconstruction error before training and after every epoch."""
    errors, data = [], Tensor(x)
    for rbm in dbn.rbms:
        before = rbm.reconstruction_error(data)
        after = rbm.train(data, epochs=epochs, batch_size=50, lr=0.3, momentum=0.5)
        errors.append([before] + after)
        with no_grad():
            data = rbm(data)     # p(h | v): the training data of the next RBM
    return errors


def fine_tune(model, train, val, epochs, seed):
    """SGD with momentum on cross-entropy; the batch order depends only on `seed`."""
    manual_seed(seed)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1, momentum=0.9), CrossEntropyLoss(),
                      metrics={"accuracy": accuracy}, progress=False)
    return trainer.fit(DataLoader(TensorDataset(*train), 32, shuffle=True), epochs,
                       val_loader=DataLoader(TensorDataset(*val), 1000))


def main(argv=None):
    args = parse_args("rbm_pretraining", __doc__.splitlines()[0], argv)
    started = time.perf_counter()
    x, y = load_digits("rbm_pretraining")
    x = x / 16.0      # grey levels in [0, 1]
    train, val, _ = train_val_test_split(x, y, val_fraction=0.2, test_fraction=0.0)
    pretrain_epochs, epochs = (8, 5) if args.quick else (30, 60)

    dbn = DBN(SIZES)
    with one_blas_thread():
        clock = time.perf_counter()
        errors = pretrain(dbn, train[0], pretrain_epochs)
        pretrain_seconds = time.perf_counter() - clock

        pretrained = dbn.to_mlp(num_classes=10)
        random_init = MLP(SIZES + [10], activation="sigmoid")
        output, random_output = pretrained.linear_layers()[-1], random_init.linear_layers()[-1]
        random_output.load_state_dict(output.state_dict())   # only the hidden layers differ
        histories = {"pre-trained": fine_tune(pretrained, train, val, epochs, args.seed + 1),
                     "random init": fine_tune(random_init, train, val, epochs, args.seed + 1)}

    curves = {}
    for name, history in histories.items():
        curves[f"{name} loss"] = history["loss"]
        curves[f"val_{name} loss"] = history["val_loss"]
    for name, history in histories.items():
        curves[f"{name} accuracy"] = history["accuracy"]
        curves[f"val_{name} accuracy"] = history["val_accuracy"]
    files = [args.out / name for name in ("learning_curves.png", "pretraining.png",
                                          "rbm_filters.png", "rbm_reconstructions.png")]
    viz.plot_history(curves, path=files[0],
                     title=f"Sigmoid MLP {'-'.join(map(str, SIZES + [10]))} on 8x8 digits: "
                           "fine-tuning (dashed: validation)")
    viz.plot_history({f"RBM {k + 1} ({a}-{b}) reconstruction loss": e for k, (a, b, e) in
                      enumerate(zip(SIZES[:-1], SIZES[1:], errors))}, path=files[1],
                     log_loss=True, title="Greedy pre-training: reconstruction error "
                                          "(epoch 1 = before training)")
    first = dbn.rbms[0]
    shown_units = 20 if args.quick else 50   # (each image is a subplot: slow to draw)
    viz.plot_image_grid(first.weight.numpy()[:shown_units], path=files[2], ncols=10,
                        cmap="RdBu_r", normalize="each", symmetric=True,
                        title=f"RBM 1: the weights of {shown_units} of its hidden units as 8x8 "
                              "images (red +, blue −, each on its own scale)")
    first_of_each = [int(np.flatnonzero(val[1] == digit)[0]) for digit in range(10)]
    digits = Tensor(val[0][first_of_each])
    with no_grad():
        reconstructions = first.prob_v_given_h(first.prob_h_given_v(digits))
    viz.plot_reconstructions(digits, reconstructions, path=files[3],
                             title="Validation digits (top) and RBM 1's reconstructions "
                                   "p(v | p(h | v)) (bottom)")

    print(f"pre-training: {len(SIZES) - 1} RBMs x {pretrain_epochs} epochs of CD-1, "
          f"{pretrain_seconds:.1f} s")
    print_table(["RBM", "error before", "after epoch 1", "after the last epoch"],
                [[f"{k + 1} ({a}-{b})", e[0], e[1], e[-1]]
                 for k, (a, b, e) in enumerate(zip(SIZES[:-1], SIZES[1:], errors))],
                title="reconstruction error (mean squared, on the RBM's training data)")
    shown = sorted({0, 1, 4, 9, 19, epochs - 1} & set(range(epochs)))
    print()
    print_table(["fine-tuning epoch"] + [e + 1 for e in shown],
                [[f"{name} val accuracy"] + [h["val_accuracy"][e] for e in shown]
                 for name, h in histories.items()]
                + [[f"{name} val loss"] + [h["val_loss"][e] for e in shown]
                   for name, h in histories.items()])
    elapsed = time.perf_counter() - started
    print(f"\ntime: {elapsed:.1f} s")
    saved(files)
    return {"pretraining_errors": errors, "histories": histories, "seconds": elapsed,
            "files": files}


if __name__ == "__main__":
    main()
