"""Convolution and pooling on NCHW tensors, after torch.nn.functional.

Two primitives carry the geometry: `unfold` (im2col: every kernel window as a column)
and `fold` (col2im: add each column back into its window). They are adjoint linear
maps, so each is the other's backward, and everything composed from them (conv2d,
avg_pool2d) has gradients of every order. max_pool2d is a primitive whose backward is
a fold of the output gradient placed at each window's maximum.

Shapes: input (N, C, H, W) or unbatched (C, H, W); conv weight (out_channels,
in_channels / groups, kh, kw). Along each spatial axis

    out = floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1

and window `o` reads padded positions o * stride + k * dilation, k = 0 .. kernel - 1.

Results have exactly these NCHW shapes and values, but their memory is laid out
(C, H, W, N) (see "Working layout" below): numpy views, invisible except in strides.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd.ops.elementwise import mul
from autograd.ops.linalg import matmul
from autograd.ops.reduction import sum
from autograd.ops.shape import permute_axes, reshape
from autograd.tensor_op import TensorOp, primitive


# ---- geometry ----------------------------------------------------------------------
def _pair(value, name, op):
    """An int or a pair of ints as a pair of Python ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")


def _spans(kernel_size, dilation):
    """How many input positions a dilated kernel covers, per axis."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation))


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Length of one spatial axis after a convolution or pooling window slides over it.

    floor (or ceil with `ceil_mode`) of (size + 2 padding - dilation (kernel - 1) - 1)
    / stride, plus 1. With `ceil_mode` a last window that would start in the right
    padding is dropped, as in PyTorch.
    """
    span = dilation * (kernel_size - 1) + 1
    room = size + 2 * padding - span
    out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _geometry(op, shape, kernel_size, dilation, padding, stride, ceil_mode=False):
    """Check the window settings against an (N, C, H, W) shape.

    Returns (output size, padding per side ((top, bottom), (left, right))); ceil_mode
    adds bottom/right padding so that the last, partial window exists.
    """
    height, width = shape[2:]
    for name, pair, low in (("kernel_size", kernel_size, 1), ("dilation", dilation, 1),
                            ("stride", stride, 1), ("padding", padding, 0)):
        if min(pair) < low:
            raise ValueError(f"{op}: {name} must be {'positive' if low else 'non-negative'}, "
                             f"got {pair}")
    spans = _spans(kernel_size, dilation)
    padded = (height + 2 * padding[0], width + 2 * padding[1])
    if spans[0] > padded[0] or spans[1] > padded[1]:
        raise ValueError(
            f"{op}: kernel {kernel_size} with dilation {dilation} spans {spans}, larger than "
            f"the padded input {padded} (input shape {tuple(shape)}, padding {padding})")
    out = tuple(conv_output_size(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip((height, width), kernel_size, stride, padding, dilation))
    sides = tuple((p, max(p, (o - 1) * s + span - n - p))
                  for n, o, s, p, span in zip((height, width), out, stride, padding, spans))
    return out, sides


# Working layout. The window loops below slice the two spatial axes, so they run fast
# only when the batch axis is innermost in memory (long contiguous rows instead of
# short strided ones: 3-6x faster on LeNet-sized tensors). Each op therefore works on a
# (C, H, W, N) array, and its NCHW result is a transposed view of that array; the
# values and shapes are exactly those of the NCHW definitions.
def _channels_outer(x, sides, value=0):
    """x (N, C, H, W) padded by sides ((top, bottom), (left, right)) with `value`, as a
    C-contiguous (C, H', W', N) array (x's own memory when it is laid out so already)."""
    (top, bottom), (left, right) = sides
    n, c, h, w = x.shape
    moved = x.transpose(1, 2, 3, 0)
    if not (top or bottom or left or right) and moved.flags.c_contiguous:
        return moved
    out = np.full((c, h + top + bottom, w + left + right, n), value, dtype=x.dtype)
    out[:, top:top + h, left:left + w] = moved
    return out


def _windows(padded, kernel_size, dilation, stride, out_size):
    """Read-only view (C, kh, kw, oh, ow, N) of a (C, H', W', N) array with
    [c, i, j, y, x, n] = padded[c, y*sh + i*dh, x*sw + j*dw, n]; no copy."""
    step_c, step_h, step_w, step_n = padded.strides
    return as_strided(padded,
                      shape=(padded.shape[0],) + tuple(kernel_size) + tuple(out_size)
                      + (padded.shape[3],),
                      strides=(step_c, dilation[0] * step_h, dilation[1] * step_w,
                               stride[0] * step_h, stride[1] * step_w, step_n),
                      writeable=False)


def _offset_slices(kernel_size, dilation, stride, out_size):
    """For each kernel offset (i, j): its flat index i*kw + j and the slice of a
    (C, H', W', N) array that the offset reads in every window."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel_size, dilation, stride, out_size
    for i in range(kh):
        rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
        for j in range(kw):
            yield i * kw + j, (slice(None), rows, slice(j * dw, j * dw + (ow - 1) * sw + 1, sw))


# ---- the primitive pair --------------------------------------------------------------
class Unfold(TensorOp):
    """im2col. out[n, (c, i, j), (y, x)] = xp[n, c, y*sh + i*dh, x*sw + j*dw] for x
    padded with zeros, of shape (N, C*kh*kw, oh*ow);  dx = fold(g) (the adjoint)"""
    name = "unfold"

    @staticmethod
    def forward(ctx, x, *, kernel_size, dilation, sides, stride, out_size):
        ctx.window = dict(kernel_size=kernel_size, dilation=dilation, sides=sides,
                          stride=stride, out_size=out_size)
        ctx.input_size = x.shape[2:]
        windows = _windows(_channels_outer(x, sides), kernel_size, dilation, stride, out_size)
        rows = x.shape[1] * kernel_size[0] * kernel_size[1]
        # memory (C*kh*kw, oh*ow, N): a conv2d is then one matrix product
        columns = np.ascontiguousarray(windows).reshape(rows, out_size[0] * out_size[1], -1)
        return columns.transpose(2, 0, 1)

    @staticmethod
    def backward(ctx, g, out, x):
        return (_fold(g, output_size=ctx.input_size, **ctx.window),)


class Fold(TensorOp):
    """col2im. out[n, c] = sum over windows (y, x) and offsets (i, j) of
    cols[n, (c, i, j), (y, x)] added at [y*sh + i*dh - top, x*sw + j*dw - left]
    (what falls in the padding is dropped);  dcols = unfold(g) (the adjoint)"""
    name = "fold"

    @staticmethod
    def forward(ctx, cols, *, output_size, kernel_size, dilation, sides, stride, out_size):
        ctx.window = dict(kernel_size=kernel_size, dilation=dilation, sides=sides,
                          stride=stride, out_size=out_size)
        (top, bottom), (left, right) = sides
        height, width = output_size
        n, per_window = cols.shape[0], kernel_size[0] * kernel_size[1]
        c = cols.shape[1] // per_window
        blocks = np.ascontiguousarray(cols.transpose(1, 2, 0)).reshape(
            (c, per_window) + tuple(out_size) + (n,))
        padded = np.zeros((c, height + top + bottom, width + left + right, n), dtype=cols.dtype)
        for k, where in _offset_slices(kernel_size, dilation, stride, out_size):
            target = padded[where]
            np.add(target, blocks[:, k], out=target)  # `+=` on a slice would copy it back
        return padded[:, top:top + height, left:left + width].transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx, g, out, cols):
        return (_unfold(g, **ctx.window),)


_unfold = primitive(Unfold)
_fold = primitive(Fold)


def _as_batched(op, x, name="input"):
    """(x as 4-D, whether it was unbatched 3-D)."""
    shape = tuple(x.shape)
    if len(shape) == 4:
        return x, False
    if len(shape) == 3:
        return reshape(x, shape=(1,) + shape), True
    raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) {name}, "
                     f"got shape {shape}")


def _unbatched(out, squeeze):
    return reshape(out, shape=tuple(out.shape[1:])) if squeeze else out


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every kernel window of `input` as a column: (N, C, H, W) -> (N, C*kh*kw, L),
    L = oh * ow windows, rows ordered (channel, kernel row, kernel column), as
    torch.nn.functional.unfold. Zero padding; a 3-D input gives (C*kh*kw, L)."""
    x, squeeze = _as_batched("unfold", input)
    kernel_size = _pair(kernel_size, "kernel_size", "unfold")
    dilation = _pair(dilation, "dilation", "unfold")
    padding = _pair(padding, "padding", "unfold")
    stride = _pair(stride, "stride", "unfold")
    out_size, sides = _geometry("unfold", x.shape, kernel_size, dilation, padding, stride)
    cols = _unfold(x, kernel_size=kernel_size, dilation=dilation, sides=sides, stride=stride,
                   out_size=out_size)
    return _unbatched(cols, squeeze)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns back into an image, summing where windows overlap: (N, C*kh*kw, L) ->
    (N, C, H, W) with (H, W) = output_size, as torch.nn.functional.fold (the adjoint of
    unfold, not its inverse). A 2-D input (C*kh*kw, L) gives (C, H, W)."""
    shape = tuple(input.shape)
    if len(shape) not in (2, 3):
        raise ValueError(f"fold: expected a 2-D (C*kh*kw, L) or 3-D (N, C*kh*kw, L) input, "
                         f"got shape {shape}")
    cols = reshape(input, shape=(1,) + shape) if len(shape) == 2 else input
    output_size = _pair(output_size, "output_size", "fold")
    kernel_size = _pair(kernel_size, "kernel_size", "fold")
    dilation = _pair(dilation, "dilation", "fold")
    padding = _pair(padding, "padding", "fold")
    stride = _pair(stride, "stride", "fold")
    per_block = kernel_size[0] * kernel_size[1]
    if cols.shape[1] % per_block:
        raise ValueError(f"fold: input of shape {shape} has {cols.shape[1]} rows, not a "
                         f"multiple of kernel_size {kernel_size} ({per_block} per channel)")
    image_shape = (cols.shape[0], cols.shape[1] // per_block) + output_size
    out_size, sides = _geometry("fold", image_shape, kernel_size, dilation, padding, stride)
    if cols.shape[2] != out_size[0] * out_size[1]:
        raise ValueError(
            f"fold: input of shape {shape} has {cols.shape[2]} blocks, but output_size "
            f"{output_size} with kernel_size {kernel_size}, dilation {dilation}, padding "
            f"{padding} and stride {stride} gives {out_size[0]} x {out_size[1]} = "
            f"{out_size[0] * out_size[1]}")
    out = _fold(cols, output_size=output_size, kernel_size=kernel_size, dilation=dilation,
                sides=sides, stride=stride, out_size=out_size)
    return _unbatched(out, len(shape) == 2)


# ---- convolution ---------------------------------------------------------------------
def _conv_padding(padding, kernel_size, dilation, stride):
    """padding as (pair, sides or None); 'valid' is 0 and 'same' keeps the input size
    (an odd extra row or column goes at the bottom/right, as in PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), None
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"conv2d: padding='same' needs stride 1, got stride {stride}")
            totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
            # the larger side, for the size check; the sides are what is applied
            return (tuple((t + 1) // 2 for t in totals),
                    tuple((t // 2, t - t // 2) for t in totals))
        raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', "
                         f"got {padding!r}")
    return _pair(padding, "padding", "conv2d"), None


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as torch.nn.functional.conv2d.

    out[n, o] = bias[o] + sum over c in o's group, i, j of
                weight[o, c, i, j] * xp[n, c, y*sh + i*dh, x*sw + j*dw]

    computed as unfold(input) followed by one matrix product per group, with the
    weight seen as (groups, out/groups, in/groups*kh*kw).
    """
    x, squeeze = _as_batched("conv2d", input)
    w_shape, x_shape = tuple(weight.shape), tuple(x.shape)
    if len(w_shape) != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels/groups, kh, "
                         f"kw), got shape {w_shape}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    out_channels, group_in, kh, kw = w_shape
    channels = x_shape[1]
    if channels != group_in * groups:
        detail = f"weight shape {w_shape}" + (f", groups={groups}" if groups > 1 else "")
        raise ValueError(f"conv2d: input has {channels} channels but weight expects "
                         f"{group_in * groups} ({detail})")
    if out_channels % groups:
        raise ValueError(f"conv2d: out_channels {out_channels} (weight shape {w_shape}) is not "
                         f"divisible by groups={groups}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"conv2d: bias must have shape ({out_channels},) to match weight "
                         f"shape {w_shape}, got {tuple(bias.shape)}")
    kernel_size = (kh, kw)
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    padding, same_sides = _conv_padding(padding, kernel_size, dilation, stride)
    out_size, sides = _geometry("conv2d", x_shape, kernel_size, dilation, padding, stride)
    if same_sides is not None:
        out_size, sides = tuple(x_shape[2:]), same_sides
    cols = _unfold(x, kernel_size=kernel_size, dilation=dilation, sides=sides, stride=stride,
                   out_size=out_size)
    # (N, C*kh*kw, L) -> (C*kh*kw, L*N): a view of how unfold lays out its result
    n, rows = x_shape[0], group_in * kh * kw
    cols = permute_axes(cols, dims=(1, 2, 0))
    if groups == 1:
        out = matmul(reshape(weight, shape=(out_channels, rows)), reshape(cols, shape=(rows, -1)))
    else:
        weight = reshape(weight, shape=(groups, out_channels // groups, rows))
        out = matmul(weight, reshape(cols, shape=(groups, rows, -1)))
        out = reshape(out, shape=(out_channels, -1))
    if bias is not None:
        out = out + reshape(bias, shape=(out_channels, 1))
    out = reshape(out, shape=(out_channels,) + tuple(out_size) + (n,))
    return _unbatched(permute_axes(out, dims=(3, 0, 1, 2)), squeeze)


# ---- pooling -------------------------------------------------------------------------
def _pool_settings(op, x_shape, kernel_size, stride, padding, dilation, ceil_mode):
    kernel_size = _pair(kernel_size, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel_size  # PyTorch's default, also spelled stride=[]
    stride = _pair(stride, "stride", op)
    padding = _pair(padding, "padding", op)
    dilation = _pair(dilation, "dilation", op)
    spans = _spans(kernel_size, dilation)
    if any(2 * p > s for p, s in zip(padding, spans)):
        raise ValueError(f"{op}: padding {padding} must be at most half the (dilated) kernel "
                         f"size {spans}")
    out_size, sides = _geometry(op, x_shape, kernel_size, dilation, padding, stride, ceil_mode)
    return dict(kernel_size=kernel_size, dilation=dilation, sides=sides, stride=stride,
                out_size=out_size)


def _running_max(slices, count_nan):
    """Elementwise max over `slices` (one per kernel offset, in order) and the index of
    the slice it came from. A later slice wins only where it is larger (or NaN, with
    count_nan), as in PyTorch: the first of tied maxima wins."""
    best = slices[0].copy()
    argmax = np.zeros(best.shape, dtype=np.min_scalar_type(len(slices)))
    for k, values in enumerate(slices[1:], start=1):
        better = values > best
        if count_nan:
            better |= values != values
        np.maximum(best, values, out=best)  # propagates NaN
        # k only grows, so "set to k where better" is a maximum (a masked copy is slower)
        np.maximum(argmax, better.view(np.uint8) * argmax.dtype.type(k), out=argmax)
    return best, argmax


def _window_max(x, *, kernel_size, dilation, sides, stride, out_size):
    """Max over each window of x padded with -inf, and the flat offset i*kw + j where
    it was found, both laid out (C, oh, ow, N). NaN propagates, at the last NaN."""
    floating = np.issubdtype(x.dtype, np.floating)
    padded = _channels_outer(x, sides, value=-np.inf if floating else np.iinfo(x.dtype).min)
    slices = [padded[where]
              for _, where in _offset_slices(kernel_size, dilation, stride, out_size)]
    best, argmax = _running_max(slices, count_nan=False)
    if floating and np.isnan(best).any():  # only then can NaN change the argmax
        best, argmax = _running_max(slices, count_nan=True)
    return best, argmax


class MaxPool2d(TensorOp):
    """out[n, c, y, x] = max over the window of x padded with -inf;
    dx = fold(g placed at the window's first maximum), so ties send the whole gradient
    to the first maximal element in row-major window order, as PyTorch does"""
    name = "max_pool2d"

    @staticmethod
    def forward(ctx, x, *, kernel_size, dilation, sides, stride, out_size):
        ctx.window = dict(kernel_size=kernel_size, dilation=dilation, sides=sides,
                          stride=stride, out_size=out_size)
        ctx.input_size = x.shape[2:]
        best, ctx.argmax = _window_max(x, **ctx.window)
        return best.transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx, g, out, x):
        c, oh, ow, n = ctx.argmax.shape
        per_window = ctx.window["kernel_size"][0] * ctx.window["kernel_size"][1]
        offsets = np.arange(per_window).reshape(1, per_window, 1, 1, 1)
        onehot = ctx.argmax[:, None] == offsets  # (C, kh*kw, oh, ow, N), bool
        g = reshape(permute_axes(g, dims=(1, 2, 3, 0)), shape=(c, 1, oh, ow, n))
        # onehot first: the product takes its layout, which fold reads without a copy
        cols = reshape(mul(onehot, g), shape=(c * per_window, oh * ow, n))
        return (_fold(permute_axes(cols, dims=(2, 0, 1)), output_size=ctx.input_size,
                      **ctx.window),)


class MaxPool2dIndices(TensorOp):
    """Flat index (row * W + column of the unpadded input) of each window's maximum
    (a second pass over the windows, made only for return_indices=True)."""
    name = "max_pool2d_indices"
    differentiable = False

    @staticmethod
    def forward(ctx, x, *, kernel_size, dilation, sides, stride, out_size):
        _, argmax = _window_max(x, kernel_size=kernel_size, dilation=dilation, sides=sides,
                                stride=stride, out_size=out_size)
        (kh, kw), (dh, dw), (sh, sw) = kernel_size, dilation, stride
        ((top, _), (left, _)), (oh, ow) = sides, out_size
        argmax = argmax.transpose(3, 0, 1, 2).astype(np.int64)
        rows = np.arange(oh).reshape(oh, 1) * sh - top + argmax // kw * dh
        columns = np.arange(ow) * sw - left + argmax % kw * dw
        return rows * x.shape[3] + columns


_max_pool2d = primitive(MaxPool2d)
_max_pool2d_indices = primitive(MaxPool2dIndices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over each window, as torch.nn.functional.max_pool2d (stride defaults to
    kernel_size, padding counts as -inf). The gradient goes to the first maximal
    element of each window (row-major order), like PyTorch's; windows that overlap add
    up. With `return_indices`, also the flat H*W index of each maximum (int64)."""
    x, squeeze = _as_batched("max_pool2d", input)
    settings = _pool_settings("max_pool2d", x.shape, kernel_size, stride, padding, dilation,
                              ceil_mode)
    out = _unbatched(_max_pool2d(x, **settings), squeeze)
    if not return_indices:
        return out
    return out, _unbatched(_max_pool2d_indices(x, **settings), squeeze)


def _avg_divisors(x_shape, settings, count_include_pad, divisor_override, dtype):
    """The (oh, ow) divisors of avg_pool2d, by PyTorch's rule: a window counts the
    padding it covers (unless count_include_pad=False), never the extra room that
    ceil_mode adds beyond it."""
    if divisor_override is not None:
        return np.full(settings["out_size"], divisor_override, dtype=dtype)
    lengths = []
    for axis in range(2):
        size, kernel = x_shape[2 + axis], settings["kernel_size"][axis]
        pad = settings["sides"][axis][0]
        start = np.arange(settings["out_size"][axis]) * settings["stride"][axis] - pad
        end = np.minimum(start + kernel, size + pad)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        lengths.append(end - start)
    return np.multiply.outer(*lengths).astype(dtype)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each window, as torch.nn.functional.avg_pool2d (stride defaults to
    kernel_size; zero padding, counted in the divisor when count_include_pad).
    Composed: unfold, a sum over the window, a division."""
    x, squeeze = _as_batched("avg_pool2d", input)
    settings = _pool_settings("avg_pool2d", x.shape, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    n, c = x.shape[:2]
    (kh, kw), out_size = settings["kernel_size"], settings["out_size"]
    cols = reshape(_unfold(x, **settings), shape=(n, c, kh * kw) + tuple(out_size))
    divisors = _avg_divisors(x.shape, settings, count_include_pad, divisor_override, x.dtype)
    return _unbatched(sum(cols, dim=2) / divisors, squeeze)


def _adaptive_size(op, output_size, input_size):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise TypeError(f"{op}: output_size must be an int or a pair (None keeps that "
                        f"dimension), got {output_size!r}")
    sizes = tuple(n if o is None else int(o) for o, n in zip(output_size, input_size))
    if min(sizes) < 1:
        raise ValueError(f"{op}: output_size must be positive, got {tuple(output_size)}")
    return sizes


def _averaging_matrix(size, out, dtype):
    """(out, size) matrix whose row i averages input[floor(i*size/out) : ceil((i+1)*size/out)]."""
    start = np.arange(out) * size // out
    end = -(-(np.arange(1, out + 1) * size) // out)
    positions = np.arange(size)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input, output_size):
    """Mean pooling to a fixed output size, as torch.nn.functional.adaptive_avg_pool2d:
    output row i averages input rows floor(i*H/oh) to ceil((i+1)*H/oh) (likewise for
    columns). When oh divides H and ow divides W this is a reshape and a sum; otherwise
    A_h @ x @ A_w^T with constant averaging matrices (no loops either way)."""
    x, squeeze = _as_batched("adaptive_avg_pool2d", input)
    n, c, height, width = x.shape
    oh, ow = _adaptive_size("adaptive_avg_pool2d", output_size, (height, width))
    if height % oh == 0 and width % ow == 0:
        kh, kw = height // oh, width // ow
        blocks = reshape(x, shape=(n, c, oh, kh, ow, kw))
        out = sum(blocks, dim=(3, 5)) / (kh * kw)
    else:
        rows = _averaging_matrix(height, oh, x.dtype)
        columns = _averaging_matrix(width, ow, x.dtype)
        out = matmul(matmul(rows, x), np.ascontiguousarray(columns.T))
    return _unbatched(out, squeeze)


__all__ = ["unfold", "fold", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
           "conv_output_size"]
