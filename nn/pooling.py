"""Pooling layers on (N, C, H, W) or unbatched (C, H, W) inputs, as torch.nn.

Each slides a window over every channel separately and keeps one number per window:

* `MaxPool2d`:  out[n, c, y, x] = max over the window of xp[n, c, ...] (xp padded with
  -inf); the gradient goes to the window's (first) maximum.
* `AvgPool2d`:  out[n, c, y, x] = (sum over the window of xp[n, c, ...]) / divisor,
  xp padded with zeros; the divisor is the window size (count_include_pad=True), or the
  number of real input entries it covers (count_include_pad=False), or
  divisor_override.
* `AdaptiveAvgPool2d`: average pooling to a fixed output size: output row i averages
  input rows floor(i H / oh) to ceil((i + 1) H / oh) - 1, and likewise for columns.

Window geometry along each axis: out = floor((size + 2 padding - dilation (kernel - 1)
- 1) / stride) + 1 (ceil with ceil_mode); the stride defaults to the kernel size. The
computations are the `autograd` ops max_pool2d, avg_pool2d and adaptive_avg_pool2d.
"""
from autograd.ops.convolution import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from nn.module import Module


def _check_input(layer, input):
    shape = tuple(input.shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"{layer}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"shape {shape}")


class MaxPool2d(Module):
    """MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)

    The maximum of each (dilated) window. With return_indices=True forward returns
    (output, indices), the flat index h * W + w of each maximum in its input plane
    (int64), as torch.nn.MaxPool2d. Padding counts as -inf and may be at most half the
    kernel size.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        _check_input("MaxPool2d", input)
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)

    The mean of each window of the zero-padded input. The divisor is kh * kw when
    count_include_pad (the padding counts), the number of input entries the window
    covers otherwise; a window that ceil_mode adds past the padding never counts the
    extra room (PyTorch's rule). divisor_override replaces the divisor everywhere.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        _check_input("AvgPool2d", input)
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """AdaptiveAvgPool2d(output_size)

    Average pooling whose windows are chosen so that the output has `output_size`
    (an int, or a pair in which None keeps that input dimension) whatever the input
    size: output row i averages input rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1,
    columns likewise. AdaptiveAvgPool2d(1) is global average pooling.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        _check_input("AdaptiveAvgPool2d", input)
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]
