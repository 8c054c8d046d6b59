"""Scalar-engine benchmark: one training step of a Value MLP, and a million-op chain.

The step: MLP 2-16-16-1 on 100 two-moons points, mean hinge loss + 1e-4 * L2, backward,
SGD update (learning rate 0.1). When micrograd is installed, the same step runs with
micrograd's `Value`/`MLP` in the same process and the ratio is printed.

    python -m bench.bench_value [--repeats 5]
"""
import argparse
import gc
import math
import statistics
import sys
import time

import numpy as np

sys.setrecursionlimit(10_000)  # micrograd's recursive topological sort needs it


def two_moons(n=100, noise=0.1, seed=1):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, math.pi, n // 2)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    x = np.concatenate([upper, lower]) + rng.normal(scale=noise, size=(n, 2))
    y = np.r_[np.ones(n // 2), -np.ones(n // 2)]
    return x.tolist(), y.tolist()


def chainrule_step(model, x, y, lr=0.1, alpha=1e-4):
    from autograd import Value
    from autograd.value_losses import hinge_loss

    scores = [model([Value(a, requires_grad=False), Value(b, requires_grad=False)])
              for a, b in x]
    data_loss = Value.sum([hinge_loss(s, t) for s, t in zip(scores, y)]) * (1.0 / len(y))
    reg = alpha * Value.sum([p * p for p in model.parameters()])
    loss = data_loss + reg
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def micrograd_step(model, x, y, lr=0.1, alpha=1e-4):
    from micrograd.engine import Value

    scores = [model([Value(a), Value(b)]) for a, b in x]
    losses = [(1 + -t * s).relu() for s, t in zip(scores, y)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = alpha * sum(p * p for p in model.parameters())
    loss = data_loss + reg
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def interleaved_ms(steps, repeats, block=3):
    """ms per call of each step. Blocks of `block` consecutive calls alternate between
    the steps, so that the machine's load (noisy here) falls on all of them alike.
    Within a block each library pays for its own garbage, as it would in a training
    loop (micrograd's graphs hold reference cycles that only the garbage collector
    frees); the heap is collected between blocks, outside the timing."""
    for step in steps.values():
        step()  # warm-up
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            gc.collect()
            for _ in range(block):
                start = time.perf_counter()
                step()
                times[name].append((time.perf_counter() - start) * 1e3)
    return times


def million_chain(n=1_000_000):
    from autograd import Value

    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0000001
    start = time.perf_counter()
    y.backward()
    seconds = time.perf_counter() - start
    expected = 1.0000001 ** n
    assert abs(x.grad - expected) < 1e-6 * expected, (x.grad, expected)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4, help="rounds of 3-step blocks")
    parser.add_argument("--chain", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    from autograd import manual_seed
    from nn.value import MLP

    x, y = two_moons()
    manual_seed(0)
    model = MLP(2, [16, 16, 1])
    steps = {"chainrule": lambda: chainrule_step(model, x, y)}
    try:
        import micrograd.nn
    except ImportError:
        micrograd = None
    else:
        theirs_model = micrograd.nn.MLP(2, [16, 16, 1])
        steps["micrograd"] = lambda: micrograd_step(theirs_model, x, y)
    times = interleaved_ms(steps, args.repeats)
    ours = statistics.median(times["chainrule"])
    print(f"chainrule Value MLP 2-16-16-1, 100 points: {ours:8.1f} ms/step")
    if micrograd is None:
        print("micrograd not installed (pip install micrograd==0.1.0) - no side-by-side ratio")
    else:
        theirs = statistics.median(times["micrograd"])
        print(f"micrograd 0.1.0 same step:                 {theirs:8.1f} ms/step")
        print(f"speed-up over micrograd (ratio of medians): {theirs / ours:7.1f}x")
    seconds = million_chain(args.chain)
    print(f"backward through a chain of {args.chain:,} Value ops: {seconds:.2f} s")


if __name__ == "__main__":
    main()
