"""Solution of exercise 2: swish, y = x * s(x) with s the sigmoid.

    dy/dx = 1 * s(x) + x * s'(x)           (product rule)
          = s + x s (1 - s) = s (1 + x (1 - s))
"""
from autograd import Function


class Swish(Function):
    """y = x * sigmoid(x), elementwise; x is a Tensor (a Value works too)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad_output * s * (1 + x * (1 - s))
