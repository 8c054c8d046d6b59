"""Exercise 3: layer normalization over the last dimension.

For each row x = (x_1, ..., x_N) (the last dimension of the tensor):

    mu      = (1/N) sum_j x_j
    sigma^2 = (1/N) sum_j (x_j - mu)^2          (the population variance: divide by N)
    r       = 1 / sqrt(sigma^2 + eps)
    y_i     = (x_i - mu) * r

This is the core of `nn.LayerNorm` (without its learned scale and shift), and its
backward is the classic tricky one: every x_j moves the mean and the variance of its
row, so it changes every y_i of that row, not only y_j.

Your task
    Write `LayerNorm.backward`: given grad_output g = dL/dy (same shape as x), return
    dL/dx_j = sum_i g_i dy_i/dx_j (for every row), and None for eps, which is a plain
    number.

Derive first, on paper
    1. d mu / d x_j = ?       d sigma^2 / d x_j = ?   (the mean's own change cancels:
       sum_i (x_i - mu) = 0)
    2. d r / d x_j = ?        (r = (sigma^2 + eps)^(-1/2))
    3. dy_i/dx_j = r (delta_ij - d mu/dx_j) + (x_i - mu) d r/dx_j. Write it with y_i and
       y_j only (no x left): it has three terms.
    4. Multiply by g_i and sum over i. Sums over a row become means over the last
       dimension: g.mean(dim=-1, keepdim=True) keeps the result broadcastable.

Write the backward with Tensor operations (mean with keepdim, sqrt, *, -, ...),
recomputing what you need from the saved x: then it is differentiable itself and the
checker also confirms second derivatives.

Check your answer:
    python -m examples.exercises check 3
"""
from autograd import Function


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) over the last dimension of a Tensor x."""

    @staticmethod
    def forward(ctx, x, eps=1e-5):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, correction=0)
        ctx.save_for_backward(x)
        ctx.eps = eps
        return (x - mean) / (var + eps).sqrt()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: return (dL/dx, None); dL/dx has three terms, the direct "
            "one and one each through the row's mean and variance (see the module docstring)")
