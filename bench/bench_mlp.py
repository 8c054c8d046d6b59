"""Tensor-engine benchmark: one training step of an MLP 784-256-256-10 (ReLU), float32.

The step is forward, softmax cross-entropy (mean over the batch), backward and an SGD
update. It runs three ways in the same process, interleaved, at batch sizes 32, 256 and
2048:

- chainrule Tensors;
- the floor: a hand-written numpy forward and backward of the same network (what any
  numpy-based engine would at best cost);
- PyTorch CPU eager (when torch is installed), for reference.

Threads: run as a script, the benchmark gives numpy's BLAS and torch one thread each
unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS are set, so that the engines compare on
equal terms (and two spinning thread pools in one process do not slow each other down).

    python -m bench.bench_mlp [--repeats 30] [--batches 32 256 2048]
"""
import argparse
import os
import statistics
import time

if __name__ == "__main__":
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)

SIZES = (784, 256, 256, 10)
LR = 0.01


def init_weights(seed=0):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


def make_batch(batch, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return x, y


class NumpyFloor:
    """Forward and backward by hand: the cost floor for a numpy engine."""

    def __init__(self, weights):
        self.params = [w.copy() for w in weights]

    def step(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ w3.T + b3
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        logp = shifted - np.log(total)
        n = x.shape[0]
        loss = -logp[np.arange(n), y].mean()
        dz = exp / total
        dz[np.arange(n), y] -= 1
        dz /= n
        grads = [None] * 6
        grads[4], grads[5] = dz.T @ a2, dz.sum(0)
        da2 = dz @ w3
        da2 *= h2 > 0
        grads[2], grads[3] = da2.T @ a1, da2.sum(0)
        da1 = da2 @ w2
        da1 *= h1 > 0
        grads[0], grads[1] = da1.T @ x, da1.sum(0)
        for p, g in zip(self.params, grads):
            p -= LR * g
        return float(loss)


class Chainrule:
    def __init__(self, weights):
        from autograd import Tensor

        self.params = [Tensor(w, requires_grad=True) for w in weights]

    def step(self, x, y):
        import autograd as ag
        from nn import functional as F

        w1, b1, w2, b2, w3, b3 = self.params
        x = ag.from_numpy(x)
        hidden = ag.relu(ag.linear(x, w1, b1))
        hidden = ag.relu(ag.linear(hidden, w2, b2))
        loss = F.cross_entropy(ag.linear(hidden, w3, b3), y)
        for p in self.params:
            p.grad = None
        loss.backward()
        for p in self.params:  # in place on the arrays, as the floor does
            p.data -= LR * p.grad.data
        return loss.item()


class Torch:
    def __init__(self, weights):
        import torch

        self.torch = torch
        self.params = [torch.tensor(w, requires_grad=True) for w in weights]

    def step(self, x, y):
        torch = self.torch
        F = torch.nn.functional
        w1, b1, w2, b2, w3, b3 = self.params
        x = torch.from_numpy(x)
        y = torch.from_numpy(y)
        hidden = F.relu(F.linear(x, w1, b1))
        hidden = F.relu(F.linear(hidden, w2, b2))
        loss = F.cross_entropy(F.linear(hidden, w3, b3), y)
        for p in self.params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
        return loss.item()


def measure(runners, x, y, repeats):
    """Median ms per step for each runner, steps interleaved so load affects all alike."""
    times = {name: [] for name in runners}
    for runner in runners.values():
        runner.step(x, y)
    for _ in range(repeats):
        for name, runner in runners.items():
            start = time.perf_counter()
            runner.step(x, y)
            times[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(t) for name, t in times.items()}


def check_same_losses(weights, x, y):
    """All engines compute the same loss trajectory (float32 rounding apart)."""
    a, b = NumpyFloor(weights), Chainrule(weights)
    for _ in range(3):
        la, lb = a.step(x, y), b.step(x, y)
        assert abs(la - lb) <= 1e-4 * max(1.0, abs(la)), (la, lb)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 256, 2048])
    args = parser.parse_args(argv)
    weights = init_weights()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    threads = f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')} BLAS thread(s) for numpy"
    if have_torch:
        import torch
        threads += f", torch {torch.__version__} with {torch.get_num_threads()} thread(s)"
    print(f"MLP {'-'.join(map(str, SIZES))}, ReLU, float32, one SGD step (median ms); "
          f"{threads}")
    header = f"{'batch':>6} {'numpy floor':>12} {'chainrule':>10} {'ratio':>6}"
    if have_torch:
        header += f" {'torch':>8} {'chainrule/torch':>16}"
    print(header)
    for batch in args.batches:
        x, y = make_batch(batch)
        check_same_losses(weights, x, y)
        runners = {"floor": NumpyFloor(weights), "chainrule": Chainrule(weights)}
        if have_torch:
            runners["torch"] = Torch(weights)
        t = measure(runners, x, y, args.repeats)
        line = f"{batch:>6} {t['floor']:>12.3f} {t['chainrule']:>10.3f} " \
               f"{t['chainrule'] / t['floor']:>6.2f}"
        if have_torch:
            line += f" {t['torch']:>8.3f} {t['chainrule'] / t['torch']:>16.2f}"
        print(line)


if __name__ == "__main__":
    main()
