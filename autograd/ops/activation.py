"""Activation functions, each a primitive computed stably by construction.

sigmoid and softplus never exponentiate a positive number, softmax and log_softmax
subtract the maximum first, so inputs such as +/-1000 give exact, finite results
without overflow warnings.
"""
import numpy as np

from autograd.ops.elementwise import exp, to, where
from autograd.ops.reduction import normalize_dims, sum
from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive


class Tanh(TensorOp):
    """out = tanh a;  da = g * (1 - out^2)"""
    @staticmethod
    def forward(ctx, a):
        return np.tanh(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * (1 - out * out),)


class Sigmoid(TensorOp):
    """out = 1 / (1 + e^-a);  da = g * out * (1 - out)

    For very negative a, e^-a overflows to inf and out becomes 1 / inf = 0, the correct
    limit (no NaN); elsewhere the formula is accurate to the last bit, tiny outputs
    such as sigmoid(-40) = 4.2e-18 included.
    """
    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return np.reciprocal(1 + np.exp(-a))

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * out * (1 - out),)


class Relu(TensorOp):
    """out = max(a, 0);  da = g * [a > 0]  (0 also at a = 0, as in PyTorch)

    A multiply by the mask is several times faster than a select; the one difference,
    an infinite upstream gradient at a dead unit giving nan (inf * 0) rather than 0,
    only arises once training has already blown up.
    """
    @staticmethod
    def forward(ctx, a):
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * (out > 0),)


class LeakyRelu(TensorOp):
    """out = a where a > 0, else slope * a;  da = g where a > 0, else slope * g"""
    name = "leaky_relu"

    @staticmethod
    def forward(ctx, a, *, negative_slope):
        ctx.slope = negative_slope
        return np.where(a > 0, a, a * negative_slope)

    @staticmethod
    def backward(ctx, g, out, a):
        return (where(a > 0, g, g * ctx.slope),)


class Softplus(TensorOp):
    """out = log(1 + e^(beta a)) / beta, or a where beta a > threshold (as PyTorch);
    da = g * sigmoid(beta a), or g where beta a > threshold

    With z = beta a, log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), which cannot overflow.
    """
    @staticmethod
    def forward(ctx, a, *, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        z = a * beta
        smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
        return np.where(z > threshold, a, smooth)

    @staticmethod
    def backward(ctx, g, out, a):
        z = a * ctx.beta
        return (where(z > ctx.threshold, g, g * sigmoid(z)),)


class Softmax(TensorOp):
    """out = e^(a - m) / sum(e^(a - m)) over dim, m the maximum;
    da = out * (g - sum(g * out, dim))"""
    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        if a.size == 0:
            return a.copy()
        with np.errstate(invalid="ignore"):  # inf - inf where an input is +-inf
            e = np.exp(a - np.max(a, axis=dims, keepdims=True))
            return e / np.sum(e, axis=dims, keepdims=True)

    @staticmethod
    def backward(ctx, g, out, a):
        return (out * (g - sum(g * out, dim=ctx.dims, keepdim=True)),)


class LogSoftmax(TensorOp):
    """out = a - m - log(sum(e^(a - m))) over dim, m the maximum;
    da = g - e^out * sum(g, dim)"""
    name = "log_softmax"

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        if a.size == 0:
            return a.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            shifted = a - np.max(a, axis=dims, keepdims=True)
            return shifted - np.log(np.sum(np.exp(shifted), axis=dims, keepdims=True))

    @staticmethod
    def backward(ctx, g, out, a):
        return (g - exp(out) * sum(g, dim=ctx.dims, keepdim=True),)


tanh = primitive(Tanh)
sigmoid = primitive(Sigmoid)
relu = primitive(Relu)
_leaky_relu = primitive(LeakyRelu)
_softplus = primitive(Softplus)
_softmax = primitive(Softmax)
_log_softmax = primitive(LogSoftmax)


def leaky_relu(input, negative_slope=0.01):
    """input where positive, negative_slope * input elsewhere."""
    return _leaky_relu(input, negative_slope=float(negative_slope))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta, smooth relu; linear (= input) where
    beta * input > threshold, as in PyTorch."""
    return _softplus(input, beta=float(beta), threshold=float(threshold))


def _normalized_dim(op, input, dim):
    if dim is None:
        raise TypeError(f"{op}: dim is required: the dimension to normalise over "
                        "(usually -1, the class dimension)")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be one int, got {dim!r}")
    ndim = input.data.ndim if isinstance(input, Tensor) else np.ndim(input)
    return normalize_dims(dim, ndim, op=op)


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along `dim` (required, as in torch.softmax), computed with
    the maximum subtracted. `dtype` converts the input first."""
    if dtype is not None:
        input = to(input, dtype)
    return _softmax(input, dims=_normalized_dim("softmax", input, dim))


def log_softmax(input, dim, dtype=None):
    """x - logsumexp(x) along `dim` (required, as in torch.log_softmax), stable for any
    finite logits. `dtype` converts the input first."""
    if dtype is not None:
        input = to(input, dtype)
    return _log_softmax(input, dims=_normalized_dim("log_softmax", input, dim))


__all__ = ["tanh", "sigmoid", "relu", "leaky_relu", "softplus", "softmax", "log_softmax"]
