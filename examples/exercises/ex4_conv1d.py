"""Exercise 4: a 1-D convolution, valid and with stride 1.

A signal x of length T slides under a kernel w of length K (as PyTorch's conv1d, this
is a cross-correlation: the kernel is not flipped in forward):

    y[t] = sum_k x[t + k] * w[k],      t = 0, ..., T - K      (so y has length T - K + 1)

Both the signal and the kernel are differentiable: in a network, x is the layer's
input and w its learned weight.

Your task
    Write `Conv1d.backward`: given grad_output g = dL/dy (length T - K + 1), return
    (dL/dx, dL/dw), of lengths T and K, in the order of forward's arguments.

Derive first, on paper
    1. Write y[0], y[1] and y[2] out for T = 5 and K = 3.
    2. dL/dw[k] = sum_t g[t] dy[t]/dw[k]. Which x's meet w[k]? The result is itself a
       valid convolution: of what with what?
    3. dL/dx[j] = sum_t g[t] dy[t]/dx[j]. Collect the terms that contain x[2]: which
       kernel entry multiplies it in each y[t]? Near the ends, fewer outputs see x[j].
       Padding g with K - 1 zeros on both sides removes the special cases; in which
       order does the kernel then run?

You may write the backward with numpy on `.data` (return Tensors or arrays), or with
Tensor operations (pad, slicing, even Conv1d.apply itself): then it is differentiable
and the checker also confirms second derivatives.

Check your answer:
    python -m examples.exercises check 4
"""
import numpy as np

from autograd import Function, Tensor


class Conv1d(Function):
    """y[t] = sum_k x[t + k] w[k] for 1-D Tensors x (length T) and w (length K <= T)."""

    @staticmethod
    def forward(ctx, x, w):
        if x.ndim != 1 or w.ndim != 1 or w.shape[0] > x.shape[0]:
            raise ValueError(f"Conv1d: expects 1-D x and w with len(w) <= len(x), got "
                             f"shapes {x.shape} and {w.shape}")
        ctx.save_for_backward(x, w)
        kernel_size = w.shape[0]
        steps = x.shape[0] - kernel_size + 1
        windows = np.stack([x.data[t:t + kernel_size] for t in range(steps)])  # (steps, K)
        return Tensor(windows @ w.data)

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: return (dL/dx, dL/dw), of the shapes of x and w; write "
            "out y[0], y[1], y[2] by hand to see which x and w each output uses")
