"""Solution of exercise 4: a valid, stride-1 1-D convolution y[t] = sum_k x[t+k] w[k].

For the kernel, w[k] meets x[t + k] in every output t:

    dL/dw[k] = sum_t g[t] x[t + k]        a valid convolution of x with g (length K)

For the signal, x[j] meets w[j - t] in output t (for the t where 0 <= j - t < K):

    dL/dx[j] = sum_t g[t] w[j - t]

With g padded by K - 1 zeros on both sides (gp[s] = g[s - K + 1]) this is
sum_k gp[j + k] w[K - 1 - k]: a valid convolution of the padded g with the *flipped*
kernel (a "full" convolution). So the backward of a convolution is two convolutions,
and written with `Conv1d.apply` itself it is differentiable to any order.
"""
import numpy as np

from autograd import Function, Tensor, pad


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
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            edge = w.shape[0] - 1
            grad_x = Conv1d.apply(pad(grad_output, (edge, edge)), w[::-1])
        if ctx.needs_input_grad[1]:
            grad_w = Conv1d.apply(x, grad_output)
        return grad_x, grad_w
