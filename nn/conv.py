"""`Conv2d`: a learnable 2-D convolution layer, as torch.nn.Conv2d.

For an input x of shape (N, C_in, H, W) (or unbatched (C_in, H, W)) it computes the
cross-correlation

    out[n, o, y, x] = bias[o] + sum over c in o's group, i < kh, j < kw of
                      weight[o, c, i, j] * xp[n, c, y*sh + i*dh, x*sw + j*dw]

where xp is x padded by `padding` on each side (zeros, or the `padding_mode` copy of
the border) and the group of output channel o holds in_channels / groups input
channels. The weight has PyTorch's shape (out_channels, in_channels / groups, kh, kw)
and the output size along each spatial axis is

    floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1.

The computation is `autograd.conv2d` (im2col and one matrix product per group), so
gradients of every order come from its primitives.
"""
import math

import numpy as np

from autograd.ops.convolution import conv2d
from autograd.ops.join import pad
from nn import init
from nn.module import Module
from nn.parameter import Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _pair(value, name):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"Conv2d: {name} must be an int or a pair of ints, got {value!r}")


class Conv2d(Module):
    """Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros', *, dtype=None)

    `padding` is an int, a pair, 'valid' (no padding) or 'same' (the output keeps the
    input's size; stride must be 1, and an odd total goes to the bottom/right, as in
    PyTorch). `padding_mode` 'reflect', 'replicate' or 'circular' pads with copies of
    the input instead of zeros.

    Initialisation as PyTorch: weight from kaiming_uniform_(a=sqrt(5)), which is
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups * kh * kw,
    and bias from the same U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (the lecture notes'
    fan-in uniform rule for both). `dtype` (keyword only) sets the parameters' dtype,
    float32 by default.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", *, dtype=None):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) must be divisible by "
                             f"groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"Conv2d: out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"Conv2d: padding_mode must be one of {PADDING_MODES}, got "
                             f"{padding_mode!r}")
        kernel_size = _pair(kernel_size, "kernel_size")
        stride = _pair(stride, "stride")
        dilation = _pair(dilation, "dilation")
        if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1:
            raise ValueError(f"Conv2d: kernel_size, stride and dilation must be positive, got "
                             f"{kernel_size}, {stride}, {dilation}")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Conv2d: padding must be an int, a pair, 'valid' or 'same', "
                                 f"got {padding!r}")
            if padding == "same" and stride != (1, 1):
                raise ValueError(f"Conv2d: padding='same' needs stride 1 (a strided "
                                 f"convolution cannot keep the input size), got stride {stride}")
        else:
            padding = _pair(padding, "padding")
            if min(padding) < 0:
                raise ValueError(f"Conv2d: padding must be non-negative, got {padding}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = False
        self.output_padding = (0, 0)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + kernel_size,
                                         dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in),
        1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def _border_padding(self):
        """(left, right, top, bottom) amounts for a non-zero padding_mode."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            (kh, kw), (dh, dw) = self.kernel_size, self.dilation
            rows, columns = dh * (kh - 1), dw * (kw - 1)
            return (columns // 2, columns - columns // 2, rows // 2, rows - rows // 2)
        ph, pw = self.padding
        return (pw, pw, ph, ph)

    def forward(self, input):
        shape = tuple(input.shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"Conv2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                             f"shape {shape}")
        channels = shape[-3]
        if channels != self.in_channels:
            raise ValueError(f"Conv2d: expected input with {self.in_channels} channels "
                             f"(in_channels), got {channels} (input shape {shape})")
        if self.padding_mode == "zeros":
            return conv2d(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)
        padded = pad(input, self._border_padding(), mode=self.padding_mode)
        return conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                      self.groups)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


__all__ = ["Conv2d"]
