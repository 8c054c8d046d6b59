"""Solution of exercise 3: layer normalization over the last dimension.

Per row, with y_i = (x_i - mu) r and r = (sigma^2 + eps)^(-1/2):

    d mu / d x_j      = 1/N
    d sigma^2 / d x_j = (2/N) (x_j - mu)           (the mean's term sums to zero)
    d r / d x_j       = -1/2 r^3 (2/N) (x_j - mu) = -(r/N) y_j
    dy_i / d x_j      = r (delta_ij - 1/N) - (x_i - mu)(r/N) y_j
                      = r (delta_ij - 1/N - y_i y_j / N)

so, with g = dL/dy and means taken over the row,

    dL/dx_j = sum_i g_i dy_i/dx_j = r (g_j - mean(g) - y_j mean(g * y))

The three terms: the direct path, the path through the mean, the path through the
variance. The backward recomputes mu, r and y from the saved x with Tensor
operations, so that differentiating it again (create_graph) sees how they depend on x.
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
        centered = x - x.mean(dim=-1, keepdim=True)
        r = 1 / ((centered * centered).mean(dim=-1, keepdim=True) + ctx.eps).sqrt()
        y = centered * r
        g = grad_output
        grad_x = r * (g - g.mean(dim=-1, keepdim=True)
                      - y * (g * y).mean(dim=-1, keepdim=True))
        return grad_x, None
