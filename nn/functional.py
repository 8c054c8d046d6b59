"""`nn.functional` (imported as `F`): the functions the layers call, stateless.

Re-exported from `autograd.ops`: linear, relu, leaky_relu, sigmoid, tanh, softplus,
softmax, log_softmax, conv2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, unfold,
fold, pad. Defined here, composed from Tensor ops (so their gradients come from the
ops'): elu, dropout, batch_norm, layer_norm, embedding and the losses mse_loss,
l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy and
nll_loss. One primitive lives here, the clamped binary cross entropy on probabilities,
because its PyTorch gradient cannot be composed (see `binary_cross_entropy`).

Losses take `reduction` = 'mean' (average over elements), 'sum' or 'none' (one loss
per element). Input and target must have the same shape where both are per-element
(no silent broadcasting: a (N, 1) prediction against a (N,) target is an error, not a
(N, N) loss). A floating target is converted to the input's dtype, so float32 stays
float32.
"""
import math

import numpy as np

from autograd.engine import no_grad
from autograd.ops.activation import (leaky_relu, log_softmax, relu, sigmoid, softmax,
                                     softplus, tanh)
from autograd.ops.convolution import (adaptive_avg_pool2d, avg_pool2d, conv2d, fold,
                                      max_pool2d, unfold)
from autograd.ops.elementwise import abs, clamp, exp, log, minimum, power_constant, to, where
from autograd.ops.indexing import getitem
from autograd.ops.join import pad
from autograd.ops.linalg import linear
from autograd.ops.reduction import mean, sum
from autograd.ops.shape import reshape
from autograd.random import generator
from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive

REDUCTIONS = ("mean", "sum", "none")


# ---- helpers ---------------------------------------------------------------------------
def _as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(value)


def _check_reduction(op, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    return loss


def _same_shape(op, input, target):
    if input.shape != target.shape:
        raise ValueError(f"{op}: input has shape {tuple(input.shape)} but target has shape "
                         f"{tuple(target.shape)}; they must be the same (reshape one of them: "
                         "broadcasting them would compare every prediction with every target)")


def _float_input(op, input):
    input = _as_tensor(input)
    if not np.issubdtype(input.dtype, np.floating):
        raise TypeError(f"{op}: input must be a floating-point tensor, got {input.dtype}")
    return input


def _float_like(value, input):
    """A target or weight as a tensor of the input's float dtype."""
    value = _as_tensor(value)
    return value if value.dtype == input.dtype else to(value, input.dtype)


def _broadcast_weight(op, name, weight, input):
    weight = _float_like(weight, input)
    try:
        np.broadcast_shapes(weight.shape, input.shape)
    except ValueError:
        raise ValueError(f"{op}: {name} of shape {tuple(weight.shape)} does not broadcast to "
                         f"the input's shape {tuple(input.shape)}") from None
    return weight


# ---- activations defined here ----------------------------------------------------------
def elu(input, alpha=1.0):
    """input where input > 0, else alpha * (exp(input) - 1).

    exp is taken of min(input, 0), so large positive inputs cannot overflow in the
    branch that is not selected (which would poison the gradient with inf * 0).
    """
    negative = (exp(minimum(input, 0.0)) - 1.0) * alpha
    return where(input > 0, input, negative)


# ---- dropout ---------------------------------------------------------------------------
def _check_probability(op, p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p!r}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: each element is zeroed with probability p and the kept ones are
    scaled by 1 / (1 - p), so E[output] = input and evaluation needs no rescaling.

    The notes' form h' = 0 with probability p, h / (1 - p) otherwise, is exactly this.
    The mask is drawn from the library generator (`autograd.manual_seed` reproduces it);
    gradients flow only through the kept elements, scaled the same way. With
    training=False (or p = 0) the input is returned unchanged; p = 1 gives zeros.
    `inplace` is accepted for PyTorch compatibility; the result is always a new tensor.
    """
    _check_probability("dropout", p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    array = input.data if isinstance(input, Tensor) else np.asarray(input)
    dtype = array.dtype if array.dtype in (np.float32, np.float64) else np.float64
    keep = generator().random(array.shape, dtype=dtype) >= p
    return input * (keep.astype(dtype) * (1.0 / (1.0 - p)))


# ---- normalisation ---------------------------------------------------------------------
def _standardize(input, dims, eps):
    """(x - mean) / sqrt(var + eps) over `dims`, with the biased variance; also returns
    the mean and variance (kept dims) as tensors."""
    batch_mean = mean(input, dim=dims, keepdim=True)
    centred = input - batch_mean
    batch_var = mean(centred * centred, dim=dims, keepdim=True)
    return centred * power_constant(batch_var + eps, exponent=-0.5), batch_mean, batch_var


def _channel_vector(op, name, value, channels):
    if value is None:
        return None
    value = _as_tensor(value)
    if value.shape != (channels,):
        raise ValueError(f"{op}: {name} has shape {tuple(value.shape)} but the input has "
                         f"{channels} channels; expected shape ({channels},)")
    return value


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Batch normalisation over every dim but the channel dim 1, as PyTorch's.

    For input (N, C), (N, C, L) or (N, C, H, W), each channel c is normalised with
    statistics over its m = N * L (or N * H * W) values. In the notes' symbols:

        mu_B      = (1/m) sum_i x_i                 (the batch mean)
        sigma_B^2 = (1/m) sum_i (x_i - mu_B)^2      (the biased batch variance)
        x_hat_i   = (x_i - mu_B) / sqrt(sigma_B^2 + eps)
        y_i       = gamma * x_hat_i + beta           (gamma = weight, beta = bias)

    training=True uses mu_B and sigma_B^2 and, when running_mean / running_var are
    given, updates them in place (no graph is recorded) with

        running_mean = (1 - momentum) * running_mean + momentum * mu_B
        running_var  = (1 - momentum) * running_var  + momentum * sigma_B^2 * m / (m - 1)

    i.e. the running variance averages the UNBIASED batch variance, as PyTorch does
    (note the momentum here weights the NEW value: the notes' "running average" with
    factor beta is momentum = 1 - beta). training=False normalises with the running
    statistics instead (the notes' test-time rule). eps = 1e-5 is PyTorch's default
    (the notes use 1e-4); it is inside the square root, as in the notes.
    """
    input = _float_input("batch_norm", input)
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    channels = input.shape[1]
    dims = (0,) + tuple(range(2, input.ndim))
    running_mean = _channel_vector("batch_norm", "running_mean", running_mean, channels)
    running_var = _channel_vector("batch_norm", "running_var", running_var, channels)
    weight = _channel_vector("batch_norm", "weight", weight, channels)
    bias = _channel_vector("batch_norm", "bias", bias, channels)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: pass both running_mean and running_var, or neither")
    count = input.data.size // channels if channels else 0
    if training and count <= 1:
        raise ValueError(f"batch_norm: Expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)} ({count} value per channel; "
                         "use a batch of 2 or more, or eval mode)")
    if not training and running_mean is None:
        raise ValueError("batch_norm: training=False normalises with the running statistics, "
                         "so running_mean and running_var are needed")
    stat_shape = (1, channels) + (1,) * (input.ndim - 2)
    if training:
        out, batch_mean, batch_var = _standardize(input, dims, eps)
        if running_mean is not None:
            with no_grad():
                m = float(momentum)
                new_mean = batch_mean.data.reshape(channels)
                new_var = batch_var.data.reshape(channels) * (count / (count - 1))
                running_mean.data[...] = (1 - m) * running_mean.data + m * new_mean
                running_var.data[...] = (1 - m) * running_var.data + m * new_var
        if weight is not None:
            out = out * reshape(weight, stat_shape)
        if bias is not None:
            out = out + reshape(bias, stat_shape)
        return out
    # eval: y = x * scale + shift with scale = gamma / sqrt(var + eps), shift = beta -
    # mean * scale, computed on the (C,) vectors so the full-size work is two ops
    dtype = input.dtype
    inv_std = (running_var.data.astype(dtype, copy=False) + np.asarray(eps, dtype)) ** -0.5
    scale = inv_std if weight is None else weight * inv_std
    shift = -running_mean.data.astype(dtype, copy=False) * scale
    if bias is not None:
        shift = shift + bias
    return input * reshape(_as_tensor(scale), stat_shape) + reshape(_as_tensor(shift), stat_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over its last len(normalized_shape) dims:
    y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance, as in
    PyTorch. Unlike batch norm, the statistics are per sample, so training and
    evaluation compute the same thing and a batch of one is fine."""
    input = _float_input("layer_norm", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} must match the trailing dims "
                         f"of the input, which has shape {tuple(input.shape)}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(np.shape(getattr(value, "data", value))) != shape:
            raise ValueError(f"layer_norm: {name} has shape "
                             f"{tuple(np.shape(getattr(value, 'data', value)))}, expected "
                             f"normalized_shape {shape}")
    out, _, _ = _standardize(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# ---- embedding -------------------------------------------------------------------------
def _padding_index(op, padding_idx, rows):
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"{op}: padding_idx {padding_idx} is out of range for "
                         f"{rows} embeddings; it must lie in [{-rows}, {rows})")
    return int(padding_idx) % rows


def embedding(input, weight, padding_idx=None):
    """Rows of `weight` (num_embeddings, embedding_dim) picked by the integer `input`:
    out[..., :] = weight[input[...], :], of shape input.shape + (embedding_dim,).

    The gradient of a row is the sum of the output gradients at the positions that
    picked it. Positions holding `padding_idx` contribute no gradient (the padding row
    is never trained); the forward still returns whatever that row holds, as PyTorch.
    """
    weight = _as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), "
                         f"got {tuple(weight.shape)}")
    rows = weight.shape[0]
    indices = np.asarray(input.data if isinstance(input, Tensor) else input)
    if not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"embedding: indices must be an integer tensor, got {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for an embedding table of "
                         f"{rows} rows (weight of shape {tuple(weight.shape)}); indices must "
                         f"lie in [0, {rows})")
    padding = _padding_index("embedding", padding_idx, rows)
    out = getitem(weight, indices)
    if padding is not None and out.requires_grad:
        is_padding = (indices == padding)[..., None]
        if is_padding.any():
            out = where(is_padding, out.detach(), out)
    return out


# ---- regression losses -----------------------------------------------------------------
def mse_loss(input, target, reduction="mean"):
    """(input - target)^2, reduced: the notes' sum-of-squares error is reduction='sum'
    (times 1/2 in the notes' convention, which only rescales the gradient)."""
    _check_reduction("mse_loss", reduction)
    input = _float_input("mse_loss", input)
    target = _float_like(target, input)
    _same_shape("mse_loss", input, target)
    difference = input - target
    return _reduce(difference * difference, reduction)


def l1_loss(input, target, reduction="mean"):
    """|input - target|, reduced. The gradient is sign(input - target) (0 at a tie)."""
    _check_reduction("l1_loss", reduction)
    input = _float_input("l1_loss", input)
    target = _float_like(target, input)
    _same_shape("l1_loss", input, target)
    return _reduce(abs(input - target), reduction)


# ---- binary cross entropy --------------------------------------------------------------
LOG_CLAMP = -100.0  # PyTorch's floor for log(p) and log(1 - p) in binary_cross_entropy
# PyTorch's floor for p (1 - p) in the gradient: 1e-12 as a float32 constant (so
# 9.99999996e-13 even in float64, which makes the boundary gradients match exactly)
_BCE_EPSILON = float(np.float32(1e-12))


class BinaryCrossEntropy(TensorOp):
    """out = -(y * max(log p, -100) + (1 - y) * max(log(1 - p), -100))  (elementwise)
    dp = g * (p - y) / max(p (1 - p), 1e-12),
    dy = g * (max(log(1 - p), -100) - max(log p, -100))

    Both floors are PyTorch's: the loss stays finite (at most 100) for p = 0 or 1,
    and the gradient stays finite (at most 1e12) there.
    """
    name = "binary_cross_entropy"

    @staticmethod
    def forward(ctx, p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_CLAMP)
            log_q = np.maximum(np.log1p(-p), LOG_CLAMP)
        return -(y * log_p + (1 - y) * log_q)

    @staticmethod
    def backward(ctx, g, out, p, y):
        needs_p, needs_y = ctx.needs_input_grad
        dp = dy = None
        if needs_p:
            dp = g * (p - y) / _maximum_constant(p * (1 - p), _BCE_EPSILON)
        if needs_y:
            dy = g * (_clamped_log(1 - p) - _clamped_log(p))
        return dp, dy


def _maximum_constant(a, floor):
    from autograd.ops.elementwise import maximum
    if isinstance(a, Tensor):
        return maximum(a, floor)
    return np.maximum(a, np.asarray(floor, dtype=a.dtype))


def _clamped_log(a):
    if isinstance(a, Tensor):
        return clamp(log(a), min=LOG_CLAMP)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(a), np.asarray(LOG_CLAMP, dtype=a.dtype))


_binary_cross_entropy = primitive(BinaryCrossEntropy)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-w (y log p + (1 - y) log(1 - p)) for probabilities p = input in [0, 1] and
    targets y in [0, 1], reduced; `weight` (broadcast to the input) rescales each term.

    The notes' binary cross entropy, with PyTorch's guard: each log is clamped at -100,
    so p = 0 or 1 gives a finite loss (and a finite gradient, whose p (1 - p) divisor
    is clamped at 1e-12). These floors are PyTorch's; prefer
    `binary_cross_entropy_with_logits`, which needs no clamping at all.
    """
    _check_reduction("binary_cross_entropy", reduction)
    input = _float_input("binary_cross_entropy", input)
    target = _float_like(target, input)
    _same_shape("binary_cross_entropy", input, target)
    data = input.data
    if data.size and ((data < 0).any() or (data > 1).any()):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 "
                         f"and 1 (they are probabilities); got values in [{data.min()}, "
                         f"{data.max()}]. For scores, use binary_cross_entropy_with_logits")
    loss = _binary_cross_entropy(input, target)
    if weight is not None:
        loss = loss * _broadcast_weight("binary_cross_entropy", "weight", weight, input)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of sigmoid(x) for logits x, computed without the sigmoid:

        loss = (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)

    which equals -[pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] and is
    exact for any finite x (softplus(-x) = max(-x, 0) + log(1 + e^-|x|), PyTorch's
    form). `pos_weight` (broadcast along the last dim, e.g. one per class) weighs the
    positive terms, `weight` (broadcast to the input) every term. The gradient with
    respect to x is sigmoid(x) - y when neither weight is given (the notes' delta).
    """
    op = "binary_cross_entropy_with_logits"
    _check_reduction(op, reduction)
    input = _float_input(op, input)
    target = _float_like(target, input)
    _same_shape(op, input, target)
    log_sigmoid_complement = softplus(-input, beta=1.0, threshold=math.inf)  # = -log sigmoid(x)
    if pos_weight is None:
        loss = (1 - target) * input + log_sigmoid_complement
    else:
        pos_weight = _broadcast_weight(op, "pos_weight", pos_weight, input)
        loss = (1 - target) * input + ((pos_weight - 1) * target + 1) * log_sigmoid_complement
    if weight is not None:
        loss = loss * _broadcast_weight(op, "weight", weight, input)
    return _reduce(loss, reduction)


# ---- classification losses -------------------------------------------------------------
def _class_layout(op, input):
    """(class dim, number of classes, expected index-target shape) for input (C,),
    (N, C) or (N, C, d1, ...)."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim: (C,), (N, C) or (N, C, d1, ...); "
                         "got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    shape = tuple(input.shape)
    return class_dim, shape[class_dim], shape[:class_dim] + shape[class_dim + 1:]


def _class_weight(op, weight, classes, input):
    if weight is None:
        return None
    weight = _float_like(weight, input)
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight has shape {tuple(weight.shape)} but the input has "
                         f"{classes} classes; expected shape ({classes},)")
    return weight


def _index_target(op, target, expected_shape, input_shape, classes, ignore_index):
    """The target's int64 indices, the mask of counted positions (None when all count)
    and the indices with ignored positions replaced by 0 (safe to gather with)."""
    indices = np.asarray(target.data)
    if tuple(indices.shape) != expected_shape:
        raise ValueError(f"{op}: target of shape {tuple(indices.shape)} does not fit input of "
                         f"shape {input_shape}: class-index targets need shape "
                         f"{expected_shape} (the input without its class dim), class "
                         "probabilities the input's shape")
    valid = indices != ignore_index
    counted = None if valid.all() else valid
    safe = indices if counted is None else np.where(valid, indices, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= classes):
        bad = safe[(safe < 0) | (safe >= classes)].flat[0]
        raise IndexError(f"{op}: target {bad} is out of bounds: the input has {classes} "
                         f"classes, so targets must lie in [0, {classes}) (or equal "
                         f"ignore_index={ignore_index})")
    return safe.astype(np.int64, copy=False), counted


def _flat_positions(safe, classes, class_dim):
    """Where input[n, t[n, d...], d...] sits in the flattened (C-order) input, for
    class indices t: n * C * D + t * D + d, D the product of the trailing dims.
    Picking from the flat input makes the backward a scatter with one index array
    (numpy's fast path), several times faster than `gather`'s one array per dim."""
    if class_dim == 0:
        return safe.reshape(-1)
    inner = int(np.prod(safe.shape[1:], dtype=np.int64))
    rows = np.arange(safe.shape[0], dtype=np.int64).reshape((-1,) + (1,) * (safe.ndim - 1))
    within = np.arange(inner, dtype=np.int64).reshape(safe.shape[1:])
    return (rows * (classes * inner) + safe * inner + within).reshape(-1)


def _nll_terms(logp, safe, counted, weight, class_dim):
    """Per-position loss -w[t] log p[t] (0 where ignored) and the per-position weights
    w[t] (None when every weight is 1)."""
    classes = logp.shape[class_dim]
    flat = reshape(logp, (-1,))
    picked = reshape(getitem(flat, _flat_positions(safe, classes, class_dim)), safe.shape)
    target_weight = None if weight is None else getitem(weight, safe)
    loss = -picked if target_weight is None else -picked * target_weight
    if counted is not None:
        loss = where(counted, loss, 0.0)
        if target_weight is None:
            target_weight = Tensor._wrap(counted.astype(logp.dtype))
        else:
            target_weight = where(counted, target_weight, 0.0)
    return loss, target_weight


def _weighted_reduce(loss, target_weight, reduction):
    """PyTorch's nll reduction: 'mean' divides by the total weight of the counted
    positions (their number without class weights), not by the number of positions."""
    if reduction == "none":
        return loss
    total = sum(loss)
    if reduction == "sum":
        return total
    if target_weight is None:
        return total / loss.data.size if loss.data.size else total * np.nan
    return total / sum(target_weight)


def _check_class_settings(op, reduction, ignore_index, label_smoothing=0.0):
    _check_reduction(op, reduction)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{op}: ignore_index must be an int, got {ignore_index!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing!r}")


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log likelihood of class-index targets, given log-probabilities:
    loss_i = -w[t_i] * input[i, t_i], for input (N, C) or (N, C, d1, ...) (or (C,) with
    a 0-d target) and integer target (N,) or (N, d1, ...).

    Positions whose target equals `ignore_index` contribute 0 and are not counted.
    reduction='mean' is PyTorch's weighted mean: sum_i loss_i / sum_i w[t_i] over the
    counted positions (nan when every position is ignored).
    """
    _check_class_settings("nll_loss", reduction, ignore_index)
    input = _float_input("nll_loss", input)
    target = _as_tensor(target)
    class_dim, classes, expected = _class_layout("nll_loss", input)
    if not np.issubdtype(target.dtype, np.integer):
        raise TypeError(f"nll_loss: target must hold integer class indices, got {target.dtype}")
    weight = _class_weight("nll_loss", weight, classes, input)
    safe, counted = _index_target("nll_loss", target, expected, tuple(input.shape), classes,
                                  ignore_index)
    loss, target_weight = _nll_terms(input, safe, counted, weight, class_dim)
    return _weighted_reduce(loss, target_weight, reduction)


class SoftmaxCrossEntropy(TensorOp):
    """The common case of cross_entropy in one op: logits z (N, C), class indices t (N,).

    out = reduce_i [logsumexp(z_i) - z_i[t_i]]  (mean or sum over the N rows);
    dz = (softmax(z) - onehot(t)) * g / N  (or * g for a sum).

    One pass instead of log_softmax, indexing and a mean, each with its own backward.
    The forward keeps softmax(z), which the plain backward only rescales; with
    create_graph the backward recomputes it with the softmax op instead, so that it is
    differentiable again.
    """
    name = "cross_entropy"

    @staticmethod
    def forward(ctx, z, *, target, reduction):
        rows = np.arange(len(target))
        shifted = z - z.max(axis=1, keepdims=True)  # <= 0, so exp cannot overflow
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)  # >= 1: its log is finite
        losses = np.log(total).ravel() - shifted[rows, target]
        exp /= total
        ctx.softmax, ctx.rows, ctx.target, ctx.reduction = exp, rows, target, reduction
        loss = np.add.reduce(losses)
        return loss / len(target) if reduction == "mean" else loss

    @staticmethod
    def backward(ctx, g, out, z):
        scale = g / len(ctx.target) if ctx.reduction == "mean" else g
        if isinstance(g, Tensor):
            onehot = np.zeros(z.shape, dtype=z.dtype)
            onehot[ctx.rows, ctx.target] = 1
            return ((softmax(z, dim=1) - onehot) * scale,)
        dz = ctx.softmax * scale
        dz[ctx.rows, ctx.target] -= scale
        return (dz,)


_softmax_cross_entropy = primitive(SoftmaxCrossEntropy)


def _fused_cross_entropy_applies(input, target, weight, ignore_index, reduction,
                                 label_smoothing):
    """True when cross_entropy is the plain case SoftmaxCrossEntropy computes: 2-D
    float logits, in-range integer targets (none equal to ignore_index), no class
    weights, no smoothing, a mean or sum."""
    if weight is not None or label_smoothing != 0 or reduction not in ("mean", "sum"):
        return False
    if not isinstance(input, Tensor) or input.ndim != 2 or input.shape[0] == 0:
        return False
    if input.dtype.kind != "f":
        return False
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.ndim != 1 or len(t) != input.shape[0] or t.dtype.kind not in "iu":
        return False
    # seen as unsigned, a negative index is huge: one max checks 0 <= t < C
    if t.view(f"u{t.itemsize}").max() >= input.shape[1]:
        return False  # the general path reports the bad index
    return not (0 <= ignore_index < input.shape[1] and (t == ignore_index).any())


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    r"""Cross entropy of logits: log_softmax over the class dim, then the negative
    log-likelihood of the target.

    input: logits (C,), (N, C) or (N, C, d1, ...). target either
      * class indices (an integer tensor of shape (), (N,) or (N, d1, ...)):
        loss_i = -w[t_i] log softmax(x_i)[t_i], with `ignore_index` and the weighted
        mean of `nll_loss`; or
      * class probabilities (a float tensor of the input's shape):
        loss_i = -sum_c w_c y_ic log softmax(x_i)_c, where 'mean' divides by the number
        of positions (N * d1 * ...), not by weights, as PyTorch; ignore_index does not
        apply.

    label_smoothing = eps mixes the target with the uniform distribution: probability
    targets become (1 - eps) y + eps / C; for index targets the loss is
    (1 - eps) * nll + (eps / C) * sum_c -w_c log p_c, each part reduced as PyTorch
    does (the smoothing part's 'mean' divides by the same weight total as the nll's).

    The notes' E = -sum_k y_k ln yhat_k with yhat = softmax(a) is this with one-hot y;
    its gradient with respect to the logits is yhat - y. Computing it from logits with
    log_softmax is exact where softmax followed by log would underflow to log(0).
    """
    op = "cross_entropy"
    _check_class_settings(op, reduction, ignore_index, label_smoothing)
    if _fused_cross_entropy_applies(input, target, weight, ignore_index, reduction,
                                    label_smoothing):
        t = target.data if isinstance(target, Tensor) else np.asarray(target)
        return _softmax_cross_entropy(input, target=t.copy(), reduction=reduction)
    input = _float_input(op, input)
    target = _as_tensor(target)
    class_dim, classes, expected = _class_layout(op, input)
    weight = _class_weight(op, weight, classes, input)
    logp = log_softmax(input, class_dim)
    if np.issubdtype(target.dtype, np.floating):
        return _cross_entropy_probabilities(logp, _float_like(target, input), weight,
                                            ignore_index, reduction, label_smoothing,
                                            class_dim, classes)
    if not np.issubdtype(target.dtype, np.integer):
        raise TypeError(f"{op}: target must be integer class indices or float class "
                        f"probabilities, got {target.dtype}")
    safe, counted = _index_target(op, target, expected, tuple(input.shape), classes,
                                  ignore_index)
    loss, target_weight = _nll_terms(logp, safe, counted, weight, class_dim)
    nll = _weighted_reduce(loss, target_weight, reduction)
    if label_smoothing == 0:
        return nll
    weighted = logp if weight is None else logp * _along_class_dim(weight, input.ndim,
                                                                    class_dim)
    smooth = -sum(weighted, dim=class_dim)
    if counted is not None:
        smooth = where(counted, smooth, 0.0)
    smooth = _weighted_reduce(smooth, target_weight, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _along_class_dim(weight, ndim, class_dim):
    return reshape(weight, (1,) * class_dim + (-1,) + (1,) * (ndim - class_dim - 1))


def _cross_entropy_probabilities(logp, target, weight, ignore_index, reduction,
                                 label_smoothing, class_dim, classes):
    op = "cross_entropy"
    if target.shape != logp.shape:
        raise ValueError(f"{op}: probability target has shape {tuple(target.shape)} but the "
                         f"input has shape {tuple(logp.shape)}; they must be the same (for "
                         "class indices pass an integer target)")
    if ignore_index >= 0:
        raise ValueError(f"{op}: ignore_index={ignore_index} is not supported for class-"
                         "probability (float) targets")
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    product = logp * target
    if weight is not None:
        product = product * _along_class_dim(weight, logp.ndim, class_dim)
    if reduction == "none":
        return -sum(product, dim=class_dim)
    total = -sum(product)
    if reduction == "sum":
        return total
    positions = logp.data.size // classes if classes else 0
    return total / positions if positions else total * np.nan


__all__ = [
    "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax",
    "elu", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "unfold", "fold",
    "pad", "dropout", "batch_norm", "layer_norm", "embedding", "mse_loss", "l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
]
