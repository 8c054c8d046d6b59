"""Indexing: `getitem` (Tensor.__getitem__), `index_select` and `gather`.

Two primitives, each the other's backward, so indexing has gradients of every order:

* `Index`:    out = a[index]
* `IndexAdd`: out = zeros(shape) with g added at `index` (repeated indices accumulate)

`getitem` follows numpy's indexing rules, which PyTorch shares: ints, slices (any step,
empty ones too), None, Ellipsis, integer arrays, lists or Tensors (advanced indexing,
broadcast together), boolean masks, and tuples mixing them.

Memory: basic indexing (only ints, slices, None and Ellipsis) returns a read-only view
of the input's array, as cheap as PyTorch's view; writing into it raises instead of
silently changing the input (`.clone()` gives a writable copy). Advanced indexing
returns a copy, as in numpy.
"""
import numpy as np

from autograd.ops.shape import _shape_of, normalize_dim
from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive


class Index(TensorOp):
    """out = a[index];  da = zeros like a, with g added at index (see IndexAdd)"""
    name = "index"

    @staticmethod
    def forward(ctx, a, *, index, basic):
        ctx.index, ctx.basic, ctx.shape = index, basic, a.shape
        try:
            out = a[index]
        except IndexError as error:
            raise IndexError(f"getitem: cannot index a tensor of shape {a.shape} with "
                             f"{_describe(index)}: {error}") from None
        if basic and isinstance(out, np.ndarray):
            out.flags.writeable = False  # a view of `a`: it must not be written through
        return out

    @staticmethod
    def backward(ctx, g, out, a):
        return (_index_add(g, index=ctx.index, shape=ctx.shape, basic=ctx.basic),)


class IndexAdd(TensorOp):
    """out = zeros(shape) with out[index] += g, repeated indices accumulating;
    dg = gg[index]"""
    name = "index_add"

    @staticmethod
    def forward(ctx, g, *, index, shape, basic):
        ctx.index, ctx.basic = index, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[index] = g  # basic indices never repeat an element: assignment suffices
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gg, out, g):
        return (_index(gg, index=ctx.index, basic=ctx.basic),)


_index = primitive(Index)
_index_add = primitive(IndexAdd)


def _is_int(item):
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def _to_array(item):
    """A copy of an index as an array (later changes to it must not reach backward)."""
    array = np.array(item.data if isinstance(item, Tensor) else item)
    if array.size == 0 and array.dtype == np.float64 and isinstance(item, list):
        array = array.astype(np.intp)  # [] indexes nothing, as in numpy
    return array


def _as_array(item):
    array = _to_array(item)
    if array.dtype != np.bool_ and not np.issubdtype(array.dtype, np.integer):
        raise IndexError(f"getitem: tensors and lists used as indices must hold integers "
                         f"or booleans, got {array.dtype}")
    return array


def _slice_bound(value):
    return int(value) if isinstance(value, Tensor) else value


def _normalize(index):
    """`index` as a tuple numpy understands, and whether it is basic (no advanced part)."""
    items = index if isinstance(index, tuple) else (index,)
    normal = []
    for item in items:
        if isinstance(item, (Tensor, np.ndarray, list)):
            item = _as_array(item)
            if item.ndim == 0 and item.dtype != np.bool_:
                item = int(item)  # a 0-d integer tensor indexes like an int
        elif isinstance(item, slice):
            item = slice(_slice_bound(item.start), _slice_bound(item.stop),
                         _slice_bound(item.step))
        elif not (item is None or item is Ellipsis or isinstance(item, (int, np.integer,
                                                                          bool, np.bool_))):
            raise IndexError(f"getitem: only integers, slices, None, Ellipsis and integer or "
                             f"boolean tensors are valid indices, got {type(item).__name__}")
        normal.append(item)
    basic = all(item is None or item is Ellipsis or isinstance(item, slice) or _is_int(item)
                for item in normal)
    return tuple(normal), basic


def _describe(index):
    def one(item):
        if isinstance(item, np.ndarray):
            if item.size <= 8:
                return repr(item.tolist())
            return f"<{item.dtype} array of shape {item.shape}>"
        if isinstance(item, slice):
            parts = ["" if p is None else str(p) for p in (item.start, item.stop, item.step)]
            return ":".join(parts[:2] if item.step is None else parts)
        if item is Ellipsis:
            return "..."
        return repr(item)
    items = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(one(item) for item in items) + "]"


def getitem(x, index):
    """x[index] with numpy's (and PyTorch's) indexing rules; installed as
    Tensor.__getitem__. Out-of-range indices raise an IndexError naming the index and
    the shape."""
    normal, basic = _normalize(index)
    return _index(x, index=normal, basic=basic)


def _int_index(index, op):
    array = _to_array(index)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{op}: index must be an integer tensor, got {array.dtype}")
    return array


def _check_range(array, size, op, dim, shape):
    if array.size and (array.min() < 0 or array.max() >= size):
        bad = array[(array < 0) | (array >= size)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of range for dim {dim} of size {size} "
                         f"(tensor of shape {shape}); indices must lie in [0, {size})")


def index_select(x, dim, index):
    """The entries of `x` at positions `index` (a 1-D integer tensor) along `dim`:
    out has x's shape with dim resized to len(index)."""
    shape = tuple(_shape_of(x))
    axis = normalize_dim(dim, len(shape), "index_select")
    array = _int_index(index, "index_select")
    if array.ndim > 1:
        raise IndexError(f"index_select: index must be 0-d or 1-D, got shape {array.shape}")
    _check_range(array, shape[axis] if shape else 1, "index_select", dim, shape)
    if not shape:
        return getitem(x, ())
    return getitem(x, (slice(None),) * axis + (array.reshape(-1),))


def gather(x, dim, index):
    """out[i][j][k] = x[index[i][j][k]][j][k] for dim=0 (likewise for other dims).

    `index` has as many dims as x and no larger sizes outside `dim`; out has its shape.
    Gradients of repeated indices accumulate. For class scores (N, C) and targets (N,),
    gather(scores, 1, targets.unsqueeze(1)) picks each row's target score.
    """
    shape = tuple(_shape_of(x))
    axis = normalize_dim(dim, len(shape), "gather")
    array = _int_index(index, "gather")
    if array.ndim != len(shape):
        raise RuntimeError(f"gather: index has {array.ndim} dims but the tensor has "
                           f"{len(shape)} (shape {shape}); they must match")
    for d, (n_index, n_x) in enumerate(zip(array.shape, shape)):
        if d != axis and n_index > n_x:
            raise RuntimeError(f"gather: index of shape {array.shape} is larger than the "
                               f"tensor of shape {shape} in dim {d} (only dim {axis} may be)")
    _check_range(array, shape[axis] if shape else 1, "gather", dim, shape)
    if not shape:
        return getitem(x, ())
    grid = [np.arange(n).reshape([-1 if k == d else 1 for k in range(len(shape))])
            for d, n in enumerate(array.shape)]
    grid[axis] = array
    return getitem(x, tuple(grid))


__all__ = ["getitem", "index_select", "gather"]
