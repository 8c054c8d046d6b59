"""Matrix products: `matmul` (batched, with numpy's rules for 1-D operands) and
`linear` (x @ W^T + b, the fused op behind nn.Linear)."""
import numpy as np

from autograd.ops.shape import _shape_of
from autograd.tensor_op import TensorOp, primitive


def _swap_last(x):
    """x with its last two axes swapped (a batch of transposes)."""
    from autograd.ops.shape import permute_axes
    n = x.ndim
    return permute_axes(x, dims=tuple(range(n - 2)) + (n - 1, n - 2))


class Matmul(TensorOp):
    """out = a @ b (batched over leading dims);  da = g @ b^T,  db = a^T @ g

    1-D operands are promoted (a to a row, b to a column) and the added axis is
    removed again, as in numpy and PyTorch; broadcast batch dims are summed by
    unbroadcast.
    """
    @staticmethod
    def forward(ctx, a, b):
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g, out, a, b):
        from autograd.ops.shape import reshape_to as reshape
        needs_a, needs_b = ctx.needs_input_grad
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if a_vec:
            a = reshape(a, shape=(1, a.shape[0]))
            g = reshape(g, shape=g.shape[:-1] + (1,) + g.shape[-1:]) if not b_vec else g
        if b_vec:
            b = reshape(b, shape=(b.shape[0], 1))
            g = reshape(g, shape=tuple(g.shape) + (1,))
        if a_vec and b_vec:
            g = reshape(g, shape=(1, 1))
        da = matmul_primitive(g, _swap_last(b)) if needs_a else None
        db = matmul_primitive(_swap_last(a), g) if needs_b else None
        if a_vec and da is not None:
            da = reshape(da, shape=da.shape[:-2] + da.shape[-1:])
        if b_vec and db is not None:
            db = reshape(db, shape=db.shape[:-1])
        return da, db


class Linear(TensorOp):
    """out = x @ W^T + b;  dx = g @ W,  dW = g^T @ x (summed over batch dims),  db = sum g

    The backward uses only what arrays and Tensors share (`@`, `.T`, `.reshape`,
    `.sum`), so on the fast path it is three plain numpy calls.
    """
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g, out, x, weight, bias=None):
        needs = ctx.needs_input_grad
        dx = g @ weight if needs[0] else None
        dw = None
        if needs[1]:
            if g.ndim == 2:
                dw = g.T @ x
            else:  # batch dims folded into one
                dw = g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        if bias is None:
            return dx, dw
        db = g.sum(0 if g.ndim == 2 else tuple(range(g.ndim - 1))) if needs[2] else None
        return dx, dw, db


matmul_primitive = primitive(Matmul)
_linear = primitive(Linear)


def _check_matmul(a, b):
    sa, sb = _shape_of(a), _shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(f"matmul: both operands need at least 1 dimension, got {sa} @ {sb}")
    inner_a = sa[-1]
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        raise RuntimeError(f"matmul: {sa} @ {sb}: inner dimensions {inner_a} and {inner_b} "
                           "differ")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: {sa} @ {sb}: batch dimensions {sa[:-2]} and {sb[:-2]} "
                           "do not broadcast") from None


def matmul(a, b):
    """a @ b with numpy/PyTorch semantics (batched; 1-D operands as vectors)."""
    _check_matmul(a, b)
    return matmul_primitive(a, b)


def linear(x, weight, bias=None):
    """x @ weight^T + bias, with weight of shape (out_features, in_features)."""
    sx, sw = _shape_of(x), _shape_of(weight)
    if len(sw) != 2 or not sx or sx[-1] != sw[1]:
        raise RuntimeError(f"linear: input of shape {sx} does not fit weight of shape {sw} "
                           f"(expected input (..., {sw[-1] if sw else '?'}))")
    if bias is None:
        return _linear(x, weight)
    return _linear(x, weight, bias)


__all__ = ["matmul", "linear"]
