r"""Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm, as PyTorch's.

Batch norm in the notes' symbols, per channel over a mini-batch B of m values:

    mu_B      = (1/m) sum_i x_i
    sigma_B^2 = (1/m) sum_i (x_i - mu_B)^2
    x_hat_i   = (x_i - mu_B) / sqrt(sigma_B^2 + eps)
    y_i       = gamma x_hat_i + beta

gamma is `weight` (initialised to 1) and beta is `bias` (initialised to 0), both
learned. At test time the notes replace mu_B and sigma_B^2 by running averages kept
during training; here they are the buffers `running_mean` and `running_var`, updated
at every training step by

    running = (1 - momentum) * running + momentum * batch_statistic

with momentum = 0.1 weighting the NEW statistic (an exponential average with factor
beta = 1 - momentum in the notes' momentum notation), and with the unbiased batch
variance sigma_B^2 * m / (m - 1) going into running_var, exactly as PyTorch.
momentum=None gives the plain cumulative average over all batches seen
(factor 1 / num_batches_tracked). eps = 1e-5 is PyTorch's (the notes use 1e-4).
"""
import numpy as np

from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.module import Module
from nn.parameter import Parameter


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d; subclasses say which input ranks fit."""

    _ranks = ()
    _shape_text = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, bias=True, dtype=None):
        super().__init__()
        name = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
                or num_features <= 0:
            raise ValueError(f"{name}: num_features must be a positive int, got {num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self):
        """Running statistics reset, gamma = 1 and beta = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input(self, input):
        shape = tuple(getattr(input, "shape", ()))
        if len(shape) not in self._ranks:
            raise ValueError(f"{type(self).__name__}: expected input of shape "
                             f"{self._shape_text}, got shape {shape} ({len(shape)}-d)")
        if shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: the input of shape {shape} has "
                             f"{shape[1]} channels in dim 1, but the layer has "
                             f"num_features={self.num_features}")
        if self.training and int(np.prod(shape)) // shape[1] <= 1:
            raise ValueError(f"{type(self).__name__}: Expected more than 1 value per channel "
                             f"when training, got input of shape {shape} (a batch of one "
                             "has no variance; use a larger batch or eval mode)")

    def forward(self, input):
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data[...] += 1
            if self.momentum is None:  # cumulative average over the batches seen
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch_statistics = self.training or self.running_mean is None
        update = not self.training or self.track_running_stats
        return F.batch_norm(input,
                            self.running_mean if update else None,
                            self.running_var if update else None,
                            self.weight, self.bias, use_batch_statistics, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs: statistics per channel C over the
    batch (and length). See the module docstring for the formulas."""

    _ranks = (2, 3)
    _shape_text = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs: statistics per channel C over the batch and
    both spatial dims. See the module docstring for the formulas."""

    _ranks = (4,)
    _shape_text = "(N, C, H, W)"


class LayerNorm(Module):
    """LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
    y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and (biased) variance
    over the last len(normalized_shape) dims of each sample. weight (ones) and bias
    (zeros) have shape normalized_shape. No running statistics: training and eval
    compute the same thing."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, *,
                 dtype=None):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        if not self.normalized_shape or any(n <= 0 for n in self.normalized_shape):
            raise ValueError(f"LayerNorm: normalized_shape must be non-empty with positive "
                             f"sizes, got {self.normalized_shape}")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]
