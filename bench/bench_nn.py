"""nn layers benchmark: forward + backward of LeNet-5 and of an LSTM, against PyTorch.

* LeNet-5 at batch 64 on 1x28x28 float32: Conv2d 1->6 5x5 pad 2, ReLU, MaxPool2d 2,
  Conv2d 6->16 5x5, ReLU, MaxPool2d 2, flatten, 400->120->84->10 with ReLUs between,
  cross-entropy (mean of -log_softmax at the labels, by indexing).
* LSTM: T=32 steps, batch 64, input 64, hidden 128, float32; loss = output.sum().
  PyTorch runs it twice: torch.nn.LSTM (its fused C++ loop) and a Python loop over
  torch.nn.LSTMCell (the same per-step cost a Python framework pays).

Both libraries start from the same weights, and the gradients are compared once before
timing. The cases run interleaved (one run of each in turn, `--repeats` rounds after a
warm-up) and each figure is the median (the minimum in brackets), so that load from
other processes on the machine hits all of them alike; the ratios of the medians are
the figures to read.

Threads: run as a script, the benchmark gives numpy's BLAS and torch one thread each
unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS are set. Two thread pools that spin
while waiting, in one process on a 2-core machine, slow each other down several-fold
(torch by 3-5x here), which would make any ratio meaningless.

    python -m bench.bench_nn [--repeats 30]
"""
import argparse
import os
import statistics
import time

if __name__ == "__main__":
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)

BATCH = 64
STEPS, LSTM_BATCH, LSTM_INPUT, HIDDEN = 32, 64, 64, 128


# ---- chainrule -------------------------------------------------------------------------
def chainrule_lenet(images, labels):
    """LeNet-5 from nn.conv.Conv2d, nn.pooling.MaxPool2d and autograd.linear."""
    from autograd import Tensor
    from autograd.ops.activation import log_softmax, relu
    from autograd.ops.linalg import linear
    from autograd.ops.shape import reshape
    from nn.conv import Conv2d
    from nn.module import Module
    from nn.parameter import Parameter
    from nn.pooling import MaxPool2d

    class LeNet5(Module):
        def __init__(self):
            super().__init__()
            self.conv1 = Conv2d(1, 6, 5, padding=2)
            self.conv2 = Conv2d(6, 16, 5)
            self.pool = MaxPool2d(2)
            rng = np.random.default_rng(0)
            for name, (fan_out, fan_in) in (("fc1", (120, 400)), ("fc2", (84, 120)),
                                            ("fc3", (10, 84))):
                bound = 1 / np.sqrt(fan_in)
                setattr(self, f"{name}_weight", Parameter(
                    rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)))
                setattr(self, f"{name}_bias", Parameter(
                    rng.uniform(-bound, bound, fan_out).astype(np.float32)))

        def forward(self, x):
            x = self.pool(relu(self.conv1(x)))
            x = self.pool(relu(self.conv2(x)))
            x = reshape(x, shape=(x.shape[0], -1))
            x = relu(linear(x, self.fc1_weight, self.fc1_bias))
            x = relu(linear(x, self.fc2_weight, self.fc2_bias))
            return linear(x, self.fc3_weight, self.fc3_bias)

    model = LeNet5()
    x = Tensor._wrap(images)
    rows = np.arange(len(labels))

    def step():
        model.zero_grad()
        logits = model(x)
        loss = -log_softmax(logits, dim=1)[rows, labels].mean()
        loss.backward()
        return loss

    return model, step


def chainrule_lstm(inputs):
    from autograd import Tensor
    from nn.recurrent import LSTM

    model = LSTM(LSTM_INPUT, HIDDEN)
    x = Tensor._wrap(inputs)

    def step():
        model.zero_grad()
        output, _ = model(x)
        output.sum().backward()

    return model, step


# ---- torch -----------------------------------------------------------------------------
def torch_lenet(model, images, labels):
    import torch
    import torch.nn.functional as F

    state = {name: torch.tensor(p.data) for name, p in model.state_dict().items()}
    params = {name: t.requires_grad_(True) for name, t in state.items()}
    x, y = torch.tensor(images), torch.tensor(labels)

    def forward():
        h = F.max_pool2d(F.relu(F.conv2d(x, params["conv1.weight"], params["conv1.bias"],
                                         padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, params["conv2.weight"], params["conv2.bias"])), 2)
        h = h.flatten(1)
        h = F.relu(F.linear(h, params["fc1_weight"], params["fc1_bias"]))
        h = F.relu(F.linear(h, params["fc2_weight"], params["fc2_bias"]))
        return F.linear(h, params["fc3_weight"], params["fc3_bias"])

    def step():
        for p in params.values():
            p.grad = None
        loss = -F.log_softmax(forward(), dim=1)[torch.arange(len(y)), y].mean()
        loss.backward()
        return loss

    return params, step


def torch_lstms(model, inputs):
    import torch

    lstm = torch.nn.LSTM(LSTM_INPUT, HIDDEN)
    lstm.load_state_dict({name: torch.tensor(p.data) for name, p in model.state_dict().items()})
    cell = torch.nn.LSTMCell(LSTM_INPUT, HIDDEN)
    cell.load_state_dict({name.replace("_l0", ""): torch.tensor(p.data)
                          for name, p in model.state_dict().items()})
    x = torch.tensor(inputs)

    def fused_step():
        lstm.zero_grad()
        output, _ = lstm(x)
        output.sum().backward()

    def cell_step():
        cell.zero_grad()
        h = torch.zeros(LSTM_BATCH, HIDDEN)
        c = torch.zeros(LSTM_BATCH, HIDDEN)
        outputs = []
        for t in range(STEPS):
            h, c = cell(x[t], (h, c))
            outputs.append(h)
        torch.stack(outputs).sum().backward()

    return lstm, fused_step, cell_step


def largest_difference(ours, theirs):
    """max |ours - theirs| / max |theirs| over the matching parameter gradients."""
    worst = 0.0
    for mine, reference in zip(ours, theirs):
        reference = reference.grad.numpy()
        worst = max(worst, float(np.abs(mine.grad.data - reference).max()
                                 / max(np.abs(reference).max(), 1e-30)))
    return worst


# ---- timing ----------------------------------------------------------------------------
def interleaved_times(cases, repeats, warmup=3):
    """Milliseconds of every run per case, running the cases in turn `repeats` times."""
    for _ in range(warmup):
        for step in cases.values():
            step()
    times = {name: [] for name in cases}
    for _ in range(repeats):
        for name, step in cases.items():
            start = time.perf_counter()
            step()
            times[name].append((time.perf_counter() - start) * 1e3)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)

    import autograd
    autograd.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, BATCH)
    inputs = rng.standard_normal((STEPS, LSTM_BATCH, LSTM_INPUT)).astype(np.float32)

    lenet, lenet_step = chainrule_lenet(images, labels)
    lstm, lstm_step = chainrule_lstm(inputs)
    cases = {"lenet": lenet_step, "lstm": lstm_step}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch_params, torch_lenet_step = torch_lenet(lenet, images, labels)
        torch_lstm, torch_lstm_step, torch_cell_step = torch_lstms(lstm, inputs)
        lenet_step()
        torch_lenet_step()
        lstm_step()
        torch_lstm_step()
        lenet_error = largest_difference(lenet.parameters(), torch_params.values())
        lstm_error = largest_difference(lstm.parameters(), torch_lstm.parameters())
        cases.update({"torch lenet": torch_lenet_step, "torch lstm": torch_lstm_step,
                      "torch lstm cell loop": torch_cell_step})

    times = interleaved_times(cases, args.repeats)
    ms = {name: statistics.median(values) for name, values in times.items()}
    best = {name: min(values) for name, values in times.items()}
    header = f"forward + backward, float32, median (min) of {args.repeats} interleaved runs, " \
             f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')} BLAS thread(s) for numpy"
    if torch is not None:
        header += f"; torch {torch.__version__}, {torch.get_num_threads()} thread(s)"
    print(header)

    def line(label, name):
        return f"  {label:44s} {ms[name]:7.2f} ms ({best[name]:6.2f})"

    print(line(f"chainrule LeNet-5, batch {BATCH}, 1x28x28, cross-entropy", "lenet"))
    print(line(f"chainrule LSTM T={STEPS} B={LSTM_BATCH} in={LSTM_INPUT} H={HIDDEN}, "
               "output.sum()", "lstm"))
    if torch is None:
        print("torch not installed - no side-by-side ratios")
        return ms
    print(line("torch LeNet-5", "torch lenet"))
    print(line("torch nn.LSTM", "torch lstm"))
    print(line("torch LSTMCell Python loop", "torch lstm cell loop"))
    print("ratios chainrule / torch (medians):")
    print(f"  LeNet-5                      {ms['lenet'] / ms['torch lenet']:5.2f}x  (target <= 3)")
    print(f"  LSTM vs nn.LSTM              {ms['lstm'] / ms['torch lstm']:5.2f}x  (target <= 1.5)")
    print(f"  LSTM vs LSTMCell loop        {ms['lstm'] / ms['torch lstm cell loop']:5.2f}x  "
          "(target < 1)")
    print(f"gradient agreement with torch (max relative difference): LeNet-5 "
          f"{lenet_error:.1e}, LSTM {lstm_error:.1e}")
    return ms


if __name__ == "__main__":
    main()
