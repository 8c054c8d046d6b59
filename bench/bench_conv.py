"""Convolution benchmark: forward + backward of conv2d, max_pool2d and a LeNet-5 stack.

* conv2d: x (64, 6, 14, 14), w (16, 6, 5, 5), bias; loss = out.sum()
* max_pool2d 2x2 on (64, 6, 28, 28)
* LeNet-5 at batch 64 on 1x28x28: conv 1->6 5x5 pad 2, relu, maxpool 2, conv 6->16
  5x5, relu, maxpool 2, flatten, linear 400->120->84->10 (relu between), loss = sum

All float32. Each figure is the median (and minimum) of `--repeats` timed runs after a
warm-up; with torch installed the same computation runs in torch (CPU) and the ratios
are printed. For a single-core comparison, limit both BLAS libraries to one thread:

    python -m bench.bench_conv [--repeats 50]
    OPENBLAS_NUM_THREADS=1 python -m bench.bench_conv --torch-threads 1 [--clock cpu]

`--clock cpu` times with the process's CPU time instead of the wall clock, which on a
busy shared machine leaves out the time the process waited for a core (meaningful
with one thread per library).
"""
import argparse
import os
import statistics
import time

import numpy as np


def time_ms(steps, repeats, clock=time.perf_counter, warmup=3):
    """(median, minimum) milliseconds of each step over `repeats` runs. The steps take
    turns, so that a change in machine load affects them alike."""
    for step in steps:
        for _ in range(warmup):
            step()
    times = [[] for _ in steps]
    for _ in range(repeats):
        for step, record in zip(steps, times):
            start = clock()
            step()
            record.append((clock() - start) * 1e3)
    return [(statistics.median(record), min(record)) for record in times]


def lenet_parameters(rng):
    shapes = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
              (10, 84), (10,)]
    return [(rng.standard_normal(s) * 0.1).astype(np.float32) for s in shapes]


def chainrule_cases(arrays):
    from autograd import Tensor
    from autograd.ops.activation import relu
    from autograd.ops.convolution import conv2d, max_pool2d
    from autograd.ops.linalg import linear
    from autograd.ops.shape import reshape

    params = [Tensor(a, requires_grad=True) for a in arrays["lenet"]]
    x = Tensor(arrays["x_conv"])
    w = Tensor(arrays["w_conv"], requires_grad=True)
    b = Tensor(arrays["b_conv"], requires_grad=True)
    x_pool = Tensor(arrays["x_pool"], requires_grad=True)
    images = Tensor(arrays["images"])

    def conv_step():
        w.grad = b.grad = None
        out = conv2d(x, w, b)
        out.sum().backward()
        assert out.dtype == np.float32 and w.grad.dtype == np.float32

    def pool_step():
        x_pool.grad = None
        out = max_pool2d(x_pool, 2)
        out.sum().backward()

    def lenet_step():
        for p in params:
            p.grad = None
        c1, b1, c2, b2, f1, g1, f2, g2, f3, g3 = params
        h = max_pool2d(relu(conv2d(images, c1, b1, padding=2)), 2)
        h = max_pool2d(relu(conv2d(h, c2, b2)), 2)
        h = reshape(h, shape=(h.shape[0], -1))
        h = relu(linear(h, f1, g1))
        h = relu(linear(h, f2, g2))
        out = linear(h, f3, g3)
        out.sum().backward()
        assert out.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in params)

    return {"conv2d": conv_step, "max_pool2d": pool_step, "lenet5": lenet_step}


def torch_cases(arrays):
    import torch
    import torch.nn.functional as F

    params = [torch.tensor(a, requires_grad=True) for a in arrays["lenet"]]
    x = torch.tensor(arrays["x_conv"])
    w = torch.tensor(arrays["w_conv"], requires_grad=True)
    b = torch.tensor(arrays["b_conv"], requires_grad=True)
    x_pool = torch.tensor(arrays["x_pool"], requires_grad=True)
    images = torch.tensor(arrays["images"])

    def conv_step():
        w.grad = b.grad = None
        F.conv2d(x, w, b).sum().backward()

    def pool_step():
        x_pool.grad = None
        F.max_pool2d(x_pool, 2).sum().backward()

    def lenet_step():
        for p in params:
            p.grad = None
        c1, b1, c2, b2, f1, g1, f2, g2, f3, g3 = params
        h = F.max_pool2d(F.relu(F.conv2d(images, c1, b1, padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, c2, b2)), 2)
        h = h.flatten(1)
        h = F.relu(F.linear(h, f1, g1))
        h = F.relu(F.linear(h, f2, g2))
        F.linear(h, f3, g3).sum().backward()

    return {"conv2d": conv_step, "max_pool2d": pool_step, "lenet5": lenet_step}


def check_agreement(arrays):
    """Largest difference of the conv + pool weight gradient from torch's, relative to its
    largest entry (so the timings compare like with like)."""
    import torch

    from autograd import Tensor
    from autograd.ops.convolution import conv2d, max_pool2d

    x = Tensor(arrays["x_conv"])
    w = Tensor(arrays["w_conv"], requires_grad=True)
    max_pool2d(conv2d(x, w), 2).sum().backward()
    tw = torch.tensor(arrays["w_conv"], requires_grad=True)
    torch.nn.functional.max_pool2d(
        torch.nn.functional.conv2d(torch.tensor(arrays["x_conv"]), tw), 2).sum().backward()
    return float(np.abs(w.grad.data - tw.grad.numpy()).max() / np.abs(tw.grad.numpy()).max())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads for the comparison (default: torch's own)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args(argv)
    clock = time.perf_counter if args.clock == "wall" else time.process_time

    rng = np.random.default_rng(0)
    arrays = {
        "x_conv": rng.standard_normal((64, 6, 14, 14)).astype(np.float32),
        "w_conv": (rng.standard_normal((16, 6, 5, 5)) * 0.1).astype(np.float32),
        "b_conv": rng.standard_normal(16).astype(np.float32),
        "x_pool": rng.standard_normal((64, 6, 28, 28)).astype(np.float32),
        "images": rng.standard_normal((64, 1, 28, 28)).astype(np.float32),
        "lenet": lenet_parameters(rng),
    }
    labels = {"conv2d": "conv2d (64,6,14,14) * (16,6,5,5)",
              "max_pool2d": "max_pool2d 2x2 on (64,6,28,28)",
              "lenet5": "LeNet-5, batch 64, 1x28x28"}
    ours, theirs = chainrule_cases(arrays), {}
    try:
        import torch
    except ImportError:
        torch = None
    else:
        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        theirs = torch_cases(arrays)
    timings = {name: time_ms([ours[name]] + ([theirs[name]] if theirs else []), args.repeats,
                             clock)
               for name in labels}
    print(f"forward + backward, float32, {args.clock} clock, median (min) of {args.repeats} "
          f"runs; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
          + (f"; torch {torch.__version__}, {torch.get_num_threads()} threads" if torch else ""))
    for name, label in labels.items():
        (median, fastest), *reference = timings[name]
        line = f"  {label:34s} chainrule {median:7.2f} ({fastest:6.2f}) ms"
        if reference:
            (t_median, t_fastest), = reference
            line += (f"   torch {t_median:6.2f} ({t_fastest:5.2f}) ms"
                     f"   ratio {median / t_median:5.2f}x ({fastest / t_fastest:4.2f}x)")
        print(line)
    if torch is None:
        print("torch not installed - no side-by-side ratio")
    else:
        print(f"  conv+pool weight-gradient relative difference vs torch: "
              f"{check_agreement(arrays):.1e}")


if __name__ == "__main__":
    main()
