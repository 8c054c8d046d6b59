"""Weight initialisation, in place, with PyTorch's formulas and fan conventions.

For a weight of shape (out, in, *kernel): fan_in = in * prod(kernel), fan_out =
out * prod(kernel). Draws come from the library's generator (`autograd.manual_seed`).

| function | distribution | suits |
| --- | --- | --- |
| `fan_in_uniform_` | U(-1/sqrt(fan_in), 1/sqrt(fan_in)) | the lecture notes' default; PyTorch's Linear/Conv default comes to the same bound |
| `xavier_uniform_` | U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)) | tanh, sigmoid (Glorot & Bengio) |
| `xavier_normal_` | N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)) | tanh, sigmoid |
| `kaiming_uniform_` | U(-b, b), b = gain sqrt(3 / fan) | ReLU family (He et al.) |
| `kaiming_normal_` | N(0, std^2), std = gain / sqrt(fan) | ReLU family |

`calculate_gain` gives the gain that keeps activations' variance steady through a
nonlinearity: 1 (linear, conv, sigmoid), 5/3 (tanh), sqrt(2) (relu),
sqrt(2 / (1 + slope^2)) (leaky_relu), 3/4 (selu).
"""
import math

import numpy as np

from autograd.random import generator


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (see the module docstring)."""
    linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid"]
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, "
                         f"got shape {tuple(shape)}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    tensor.data[...] = np.asarray(values, dtype=tensor.data.dtype)
    return tensor


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std^2)."""
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with `val`. (All units in a layer then compute the same thing and receive
    the same gradient: symmetry is never broken.)"""
    return _fill(tensor, val)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def fan_in_uniform_(tensor):
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): the lecture notes' plain initialisation."""
    bound = 1.0 / math.sqrt(_fan(tensor, "fan_in"))
    return uniform_(tensor, -bound, bound)


def xavier_uniform_(tensor, gain=1.0):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot uniform)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot normal)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)
    (He uniform). With a = sqrt(5), PyTorch's Linear/Conv default, b = 1/sqrt(fan_in)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """N(0, std^2) with std = gain / sqrt(fan) (He normal)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "fan_in_uniform_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_"]
