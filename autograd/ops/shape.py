"""Shape primitives: reshape, permute and expand (each the other's backward)."""
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


_reshape = primitive(Reshape)
permute_axes = primitive(Permute)
_expand = primitive(Expand)


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
    size = int(np.prod(old))
    known = int(np.prod([n for n in shape if n != -1]))
    if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or \
            (-1 not in shape and known != size):
        raise RuntimeError(f"reshape: cannot view a tensor of shape {old} ({size} elements) "
                           f"as shape {shape}")
    if tuple(old) == shape:
        return a
    return _reshape(a, shape=shape)


def expand(a, *shape, **kwargs):
    """`a` broadcast to `shape` (-1 keeps a dimension), without copying."""
    if "shape" in kwargs:
        shape = kwargs.pop("shape")
    elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    old = _shape_of(a)
    shape = tuple(int(o) if n == -1 else int(n)
                  for n, o in zip(shape, (None,) * (len(shape) - len(old)) + tuple(old)))
    try:
        np.broadcast_shapes(old, shape)
    except ValueError:
        raise RuntimeError(f"expand: cannot expand shape {old} to {shape}") from None
    if np.broadcast_shapes(old, shape) != shape:
        raise RuntimeError(f"expand: cannot expand shape {old} to {shape}")
    if tuple(old) == shape:
        return a
    return _expand(a, shape=shape)


def permute(a, *dims):
    """`a` with its dimensions reordered: permute(x, 2, 0, 1) or permute(x, (2, 0, 1))."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = len(_shape_of(a))
    dims = tuple(int(d) % max(ndim, 1) for d in dims)
    if sorted(dims) != list(range(ndim)):
        raise RuntimeError(f"permute: dims {dims} are not a permutation of the {ndim} "
                           "dimensions")
    return permute_axes(a, dims=dims)


def transpose(a, dim0, dim1):
    """`a` with dimensions dim0 and dim1 swapped."""
    ndim = len(_shape_of(a))
    dims = list(range(ndim))
    d0, d1 = dim0 % ndim, dim1 % ndim
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute_axes(a, dims=tuple(dims))


__all__ = ["reshape", "expand", "permute", "transpose", "permute_axes"]
