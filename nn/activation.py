"""Activation layers: ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax.

Each is a parameter-free Module around the function of the same name (computed stably
in `autograd.ops.activation`); the derivatives are the notes':

| layer | f(x) | f'(x) |
| --- | --- | --- |
| ReLU | max(x, 0) | 1 for x > 0, else 0 (0 at x = 0, as PyTorch) |
| LeakyReLU | x for x > 0, else slope x | 1 for x > 0, else slope |
| ELU | x for x > 0, else alpha (e^x - 1) | 1 for x > 0, else alpha e^x |
| Sigmoid | 1 / (1 + e^-x) | f (1 - f) (at most 1/4: a cause of vanishing gradients) |
| Tanh | tanh x | 1 - f^2 |
| Softplus | log(1 + e^(beta x)) / beta | sigmoid(beta x) |
| Softmax | e^x_k / sum_j e^x_j over `dim` | f_k (delta_kj - f_j) |
| LogSoftmax | x_k - log sum_j e^x_j over `dim` | delta_kj - softmax_j |

`inplace=True` (ReLU, LeakyReLU) is accepted so PyTorch model definitions run
unchanged and is shown in the repr as PyTorch does; the result is always a new tensor.
"""
import warnings

from autograd.ops import activation
from nn import functional as F
from nn.module import Module


class ReLU(Module):
    """max(x, 0), elementwise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return activation.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, negative_slope * x elsewhere: a small gradient for negative
    inputs, so units cannot 'die' as ReLU units can."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return activation.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere (smooth, saturating at -alpha)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise, computed without overflow for any x."""

    def forward(self, input):
        return activation.sigmoid(input)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, input):
        return activation.tanh(input)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, a smooth ReLU; linear (= x) where beta x > threshold,
    as PyTorch, which keeps it exact and cheap for large inputs."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return activation.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


def _implicit_dim(name, ndim):
    """PyTorch's legacy choice of dim when none is given (with its warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `dim`: each slice along dim becomes a probability
    distribution. Without `dim`, PyTorch's deprecated implicit choice is made (dim 0
    for 0-, 1- and 3-d inputs, else 1) with a warning; always pass dim."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        dim = self.dim if self.dim is not None else _implicit_dim("softmax", input.ndim)
        return activation.softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along `dim`, computed as x - logsumexp(x) (stable). Pair it with
    NLLLoss, or feed raw scores to CrossEntropyLoss, which does both."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        dim = self.dim if self.dim is not None else _implicit_dim("log_softmax", input.ndim)
        return activation.log_softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


__all__ = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax"]
