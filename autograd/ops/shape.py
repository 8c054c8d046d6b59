"""Shape ops: the primitives reshape, permute and expand,
and the ops composed from them: view, flatten, squeeze, unsqueeze, transpose, expand_as.

Dims follow PyTorch: negative dims count from the end, and a 0-d tensor accepts dim 0
and -1 as if it had one dimension."""
import math

import numpy as np

from autograd.tensor_op import TensorOp, primitive


class Reshape(TensorOp):
    """out = a with a new shape (same elements in the same order);  da = g reshaped back"""
    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g, out, a):
        return (reshape(g, shape=ctx.shape),)


class Permute(TensorOp):
    """out = a with its axes reordered by `dims`;  da = g with the inverse order"""
    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, g, out, a):
        return (permute_axes(g, dims=tuple(np.argsort(ctx.dims))),)


class Expand(TensorOp):
    """out = a broadcast to `shape` (a read-only view);  da = g summed back to a's shape"""
    @staticmethod
    def forward(ctx, a, *, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g,)  # unbroadcast sums it back to a's shape


# the primitives without argument checks, for backward formulas whose shapes are right
# by construction (the checked front ends below are for users)
reshape_to = primitive(Reshape)
permute_axes = primitive(Permute)
broadcast_to_shape = primitive(Expand)


def _shape_of(a):
    return a.shape if hasattr(a, "shape") else np.shape(a)


def reshape(a, *shape, **kwargs):
    """`a` with a new shape; one entry may be -1. Accepts reshape(a, 2, 3), reshape(a,
    (2, 3)) and reshape(a, shape=(2, 3))."""
    if "shape" in kwargs:
        shape = kwargs.pop("shape")
    elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    shape = tuple(int(n) for n in shape)
    old = _shape_of(a)
    if tuple(old) == shape:
        return a
    size = math.prod(old)
    known = math.prod(n for n in shape if n != -1)
    if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or \
            (-1 not in shape and known != size):
        raise RuntimeError(f"reshape: cannot view a tensor of shape {old} ({size} elements) "
                           f"as shape {shape}")
    return reshape_to(a, shape=shape)


def expand(a, *shape, **kwargs):
    """`a` broadcast to `shape` (-1 keeps a dimension), without copying."""
    if "shape" in kwargs:
        shape = kwargs.pop("shape")
    elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    old = _shape_of(a)
    shape = tuple(int(o) if n == -1 else int(n)
                  for n, o in zip(shape, (None,) * (len(shape) - len(old)) + tuple(old)))
    if tuple(old) == shape:
        return a
    offset = len(shape) - len(old)
    if offset < 0 or any(o != n and o != 1 for o, n in zip(old, shape[offset:])):
        raise RuntimeError(f"expand: cannot expand shape {tuple(old)} to {shape}")
    return broadcast_to_shape(a, shape=shape)


def normalize_dim(dim, ndim, op, *, extra=0):
    """`dim` as an axis in [0, ndim + extra), raising an IndexError naming `op` otherwise.

    extra=1 is for ops that insert a dimension (unsqueeze, stack), where dim may be ndim.
    A 0-d tensor takes dims in [-1, 0], as in PyTorch.
    """
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an integer, got {dim!r}")
    size = max(ndim + extra, 1)
    if not -size <= dim < size:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dimensions (expected a dim in [{-size}, {size - 1}])")
    return int(dim) % size


def permute(a, *dims):
    """`a` with its dimensions reordered: permute(x, 2, 0, 1) or permute(x, (2, 0, 1))."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = len(_shape_of(a))
    if len(dims) != ndim:
        raise RuntimeError(f"permute: dims {tuple(dims)} do not match the {ndim} dimensions "
                           f"of a tensor of shape {tuple(_shape_of(a))}")
    normal = tuple(normalize_dim(d, ndim, "permute") for d in dims)
    if sorted(normal) != list(range(ndim)):
        raise RuntimeError(f"permute: dims {tuple(dims)} are not a permutation of the {ndim} "
                           "dimensions")
    return permute_axes(a, dims=normal)


def transpose(a, dim0, dim1):
    """`a` with dimensions dim0 and dim1 swapped."""
    ndim = len(_shape_of(a))
    d0, d1 = normalize_dim(dim0, ndim, "transpose"), normalize_dim(dim1, ndim, "transpose")
    if ndim == 0 or d0 == d1:
        return a
    dims = list(range(ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute_axes(a, dims=tuple(dims))


def view(a, *shape, **kwargs):
    """Same as `reshape`: `a` with a new shape, one entry may be -1.

    PyTorch's view needs a contiguous tensor; here there is no notion of contiguity
    (numpy copies when it must), so view never fails where reshape succeeds. Like
    reshape, the result may share memory with `a.data`.
    """
    return reshape(a, *shape, **kwargs)


def flatten(a, start_dim=0, end_dim=-1):
    """`a` with dimensions start_dim..end_dim (inclusive) merged into one; a 0-d tensor
    becomes shape (1,)."""
    shape = tuple(_shape_of(a))
    start = normalize_dim(start_dim, len(shape), "flatten")
    end = normalize_dim(end_dim, len(shape), "flatten")
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                           f"for a tensor of shape {shape}")
    if not shape:
        return reshape(a, shape=(1,))
    merged = int(np.prod(shape[start:end + 1], dtype=np.int64))
    return reshape(a, shape=shape[:start] + (merged,) + shape[end + 1:])


def squeeze(a, dim=None):
    """`a` without its size-1 dimensions (all of them, or those in `dim`, an int or a
    tuple). A listed dimension whose size is not 1 is kept, as in PyTorch."""
    shape = tuple(_shape_of(a))
    if dim is None:
        dims = set(range(len(shape)))
    else:
        listed = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = set()
        for d in listed:
            axis = normalize_dim(d, len(shape), "squeeze")
            if axis in dims:
                raise RuntimeError(f"squeeze: dim {d} appears more than once in dims "
                                   f"{tuple(listed)}")
            dims.add(axis)
    kept = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    return reshape(a, shape=kept)


def unsqueeze(a, dim):
    """`a` with a new size-1 dimension at `dim`, in [-ndim - 1, ndim] (negative dims
    count from the end of the result, as in PyTorch)."""
    shape = tuple(_shape_of(a))
    axis = normalize_dim(dim, len(shape), "unsqueeze", extra=1)
    return reshape(a, shape=shape[:axis] + (1,) + shape[axis:])


def expand_as(a, other):
    """`a` broadcast to the shape of `other` (see `expand`)."""
    return expand(a, shape=tuple(_shape_of(other)))


__all__ = ["reshape", "expand", "permute", "transpose", "permute_axes", "view", "flatten",
           "squeeze", "unsqueeze", "expand_as"]
