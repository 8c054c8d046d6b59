"""Reductions: sum first (a primitive); the others follow."""
import numpy as np

from autograd.tensor_op import TensorOp, primitive


def normalize_dims(dim, ndim, op="sum"):
    """`dim` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    result = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions")
        result.append(int(d) % max(ndim, 1) if ndim else 0)
    return tuple(sorted(set(result))) if ndim else ()


class Sum(TensorOp):
    """out = sum of a over `dims`;  da = g broadcast back over the summed axes"""
    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        return np.sum(a, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g, out, a):
        from autograd.ops.shape import expand, reshape
        if not ctx.keepdim:
            kept = tuple(1 if i in ctx.dims else n for i, n in enumerate(ctx.shape))
            g = reshape(g, shape=kept)
        return (expand(g, shape=ctx.shape),)


_sum = primitive(Sum)


def sum(a, dim=None, keepdim=False):
    """Sum over `dim` (all dimensions when None), keeping them as size 1 if `keepdim`."""
    return _sum(a, dims=normalize_dims(dim, np.ndim(a.data if hasattr(a, "data") else a)),
                keepdim=keepdim)


__all__ = ["sum"]
