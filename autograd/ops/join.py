"""Joining and cutting: `cat` and `pad` (primitives), `stack`, `split` and `chunk`
(composed from cat, unsqueeze and slicing).

`pad` follows `torch.nn.functional.pad`: the flat `pad` tuple starts from the LAST
dimension, (left, right, top, bottom, front, back, ...), and negative amounts crop.
"""
import math

import numpy as np

from autograd.ops.indexing import getitem
from autograd.ops.shape import _shape_of, normalize_dim, unsqueeze
from autograd.tensor_op import TensorOp, primitive


def _slice_along(x, dim, start, stop):
    return getitem(x, (slice(None),) * dim + (slice(start, stop),))


class Cat(TensorOp):
    """out = the inputs joined along `dim`;  d input_i = g[..., start_i:stop_i, ...],
    the slice of g (along dim) where input_i landed"""
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [a.shape[dim] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g, out, *inputs):
        b = ctx.bounds
        return tuple(_slice_along(g, ctx.dim, b[i], b[i + 1]) if needed else None
                     for i, needed in enumerate(ctx.needs_input_grad))


class Pad(TensorOp):
    """out = a cropped where a width is negative, then padded with `value` where it is
    positive (`widths` holds (before, after) for every dim);
    da = g padded with the opposite widths and 0: the padding is cut off again and the
    cropped entries, which did not reach the output, get 0 (Pad is its own backward)"""
    @staticmethod
    def forward(ctx, a, *, widths, value):
        ctx.widths = widths
        crop = tuple(slice(max(-before, 0), n - max(-after, 0))
                     for n, (before, after) in zip(a.shape, widths))
        grow = [(max(before, 0), max(after, 0)) for before, after in widths]
        return np.pad(a[crop], grow, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g, out, a):
        opposite = tuple((-before, -after) for before, after in ctx.widths)
        return (pad_constant(g, widths=opposite, value=0),)


cat_primitive = primitive(Cat)
pad_constant = primitive(Pad)


def _check_sequence(tensors, op):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op}: expected a non-empty list of tensors")
    return [tuple(_shape_of(t)) for t in tensors]


def cat(tensors, dim=0):
    """The tensors joined along an existing dimension `dim`; their shapes must agree
    elsewhere. The result's dtype is numpy's promotion of theirs."""
    shapes = _check_sequence(tensors, "cat")
    first = shapes[0]
    for i, shape in enumerate(shapes):
        if not shape:
            raise RuntimeError(f"cat: tensor {i} is 0-dimensional and cannot be concatenated "
                               "(use stack to join scalars)")
        if len(shape) != len(first):
            raise RuntimeError(f"cat: tensors 0 and {i} have shapes {first} and {shape}, "
                               "with different numbers of dimensions")
    axis = normalize_dim(dim, len(first), "cat")
    for i, shape in enumerate(shapes):
        if shape[:axis] + shape[axis + 1:] != first[:axis] + first[axis + 1:]:
            raise RuntimeError(f"cat: tensors 0 and {i} have shapes {first} and {shape}, "
                               f"which differ outside dim {dim}")
    return cat_primitive(*tensors, dim=axis)


def stack(tensors, dim=0):
    """The tensors (all of one shape) joined along a new dimension `dim`, in
    [-ndim - 1, ndim]."""
    shapes = _check_sequence(tensors, "stack")
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise RuntimeError(f"stack: tensors 0 and {i} have shapes {shapes[0]} and "
                               f"{shape}; stack needs equal shapes")
    axis = normalize_dim(dim, len(shapes[0]), "stack", extra=1)
    return cat([unsqueeze(t, axis) for t in tensors], dim=axis)


def split(x, split_size_or_sections, dim=0):
    """`x` cut along `dim` into pieces of `split_size_or_sections` entries (an int: the
    last piece may be smaller) or of the listed sizes (which must add up to the
    dimension). Returns a tuple of tensors, each its own slice of x."""
    shape = tuple(_shape_of(x))
    if not shape:
        raise RuntimeError("split: expected a tensor with at least 1 dimension, got a 0-d tensor")
    axis = normalize_dim(dim, len(shape), "split")
    n = shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n > 0):
            raise RuntimeError(f"split: split_size must be positive (or 0 for an empty dim), "
                               f"got {size} for dim {dim} of size {n}")
        sections = [size] * (n // size) + ([n % size] if n % size else []) if size else []
        sections = sections or [0]
    else:
        sections = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sections) or sum(sections) != n:
            raise RuntimeError(f"split: sections {sections} must be non-negative and add up "
                               f"to {n}, the size of dim {dim} of a tensor of shape {shape}")
    bounds = np.cumsum([0] + sections).tolist()
    return tuple(_slice_along(x, axis, bounds[i], bounds[i + 1]) for i in range(len(sections)))


def chunk(x, chunks, dim=0):
    """`x` cut along `dim` into pieces of ceil(n / chunks) entries, as PyTorch: the last
    may be smaller, and there may be fewer than `chunks` pieces."""
    if isinstance(chunks, (bool, np.bool_)) or not isinstance(chunks, (int, np.integer)) \
            or chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    shape = tuple(_shape_of(x))
    if not shape:
        raise RuntimeError("chunk: expected a tensor with at least 1 dimension, got a 0-d tensor")
    n = shape[normalize_dim(dim, len(shape), "chunk")]
    if n == 0:
        return split(x, [0] * int(chunks), dim)
    return split(x, math.ceil(n / chunks), dim)


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_positions(n, before, after, mode, dim, shape):
    """For each output position along one dim, the input position it copies. As in
    PyTorch, negative amounts crop first and the rest pads what remains."""
    start = max(-before, 0)
    kept = n - start - max(-after, 0)
    before, after = max(before, 0), max(after, 0)
    positions = np.arange(-before, kept + after)
    if mode == "reflect":
        if before >= kept or after >= kept:
            raise RuntimeError(f"pad: reflect padding ({before}, {after}) must be smaller than "
                               f"the {kept} entries of dim {dim} it mirrors (input shape {shape})")
        positions = np.abs(positions)
        positions = np.where(positions > kept - 1, 2 * (kept - 1) - positions, positions)
    elif mode == "replicate":
        if kept == 0 and positions.size:
            raise RuntimeError(f"pad: replicate padding needs a non-empty dim {dim} "
                               f"(input shape {shape})")
        positions = np.clip(positions, 0, kept - 1)
    else:  # circular
        if before > kept or after > kept:
            raise RuntimeError(f"pad: circular padding ({before}, {after}) must be at most "
                               f"the {kept} entries of dim {dim} (input shape {shape}): it "
                               "would wrap around more than once")
        positions = positions % max(kept, 1)
    return start + positions


def pad(x, pad, mode="constant", value=0):
    """`x` padded as `torch.nn.functional.pad`: `pad` = (left, right, top, bottom, ...)
    from the last dimension backwards; negative amounts crop.

    Modes: 'constant' (fill with `value`), 'reflect' (mirror, edge not repeated),
    'replicate' (repeat the edge) and 'circular' (wrap around). The last three copy
    input entries by index, so their gradients add up where an entry is copied twice;
    unlike PyTorch they accept any number of padded dimensions.
    """
    shape = tuple(_shape_of(x))
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"pad: the pad tuple {pad} must have an even length "
                           "(a before and an after amount per dimension)")
    if len(pad) // 2 > len(shape):
        raise RuntimeError(f"pad: the pad tuple {pad} pads {len(pad) // 2} dimensions, but "
                           f"the input of shape {shape} has only {len(shape)}")
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {PAD_MODES}, got {mode!r}")
    if mode != "constant" and value != 0:
        raise ValueError(f"pad: mode '{mode}' takes no fill value, got value={value}")
    count = len(pad) // 2
    padded = list(range(len(shape) - count, len(shape)))
    widths = [(0, 0)] * (len(shape) - count) + \
        [(pad[2 * (len(shape) - 1 - d)], pad[2 * (len(shape) - 1 - d) + 1]) for d in padded]
    for d, (n, (before, after)) in enumerate(zip(shape, widths)):
        if n + min(before, 0) + min(after, 0) < 0:
            raise RuntimeError(f"pad: cropping ({before}, {after}) removes more than the "
                               f"{n} entries of dim {d} (input shape {shape})")
    if all(w == (0, 0) for w in widths):
        return x
    if mode == "constant":
        return pad_constant(x, widths=tuple(widths), value=value)
    grids = [_pad_positions(shape[d], *widths[d], mode, d, shape).reshape(
        [-1 if k == j else 1 for k in range(count)]) for j, d in enumerate(padded)]
    return getitem(x, (Ellipsis,) + tuple(grids))


__all__ = ["cat", "stack", "split", "chunk", "pad"]
