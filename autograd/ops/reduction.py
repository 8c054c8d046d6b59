"""Reductions. sum, amax and amin are primitives (and argmax/argmin, which have no
gradient); mean, var, std, logsumexp and the max/min front ends are composed from them.

`dim` is None (every dimension), an int or a tuple of ints, negatives counting from
the end; `keepdim=True` keeps the reduced dimensions with size 1.
"""
import builtins
from collections import namedtuple

import numpy as np

from autograd.ops.elementwise import div, exp, log, maximum, minimum, sqrt, to
from autograd.tensor import DEFAULT_DTYPE, Tensor
from autograd.tensor_op import TensorOp, primitive


def normalize_dims(dim, ndim, op="sum"):
    """`dim` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    result = []
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions")
        result.append(int(d) % builtins.max(ndim, 1) if ndim else 0)
    return tuple(sorted(set(result))) if ndim else ()


def _array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(TensorOp):
    """out = sum of a over `dims`;  da = g broadcast back over the summed axes"""
    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        return a.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g, out, a):
        from autograd.ops.shape import broadcast_to_shape, reshape_to
        if not ctx.keepdim:
            g = reshape_to(g, shape=_kept_shape(ctx.shape, ctx.dims))
        return (broadcast_to_shape(g, shape=ctx.shape),)


def _to_extremes(ctx, g, out, a):
    """The gradient of a max or min: g shared evenly among the k elements that attain
    it (g / k each), 0 for the others."""
    from autograd.ops.shape import reshape
    if not ctx.keepdim:
        kept = _kept_shape(a.shape, ctx.dims)
        g, out = reshape(g, shape=kept), reshape(out, shape=kept)
    hits = to(a == out, a.dtype)
    with np.errstate(invalid="ignore"):  # a nan extreme matches nothing: 0 / 0
        return g * hits / sum(hits, dim=ctx.dims, keepdim=True)


class Amax(TensorOp):
    """out = max of a over `dims`;  da = g / k at each of the k elements equal to the
    maximum, 0 elsewhere (ties share the gradient evenly)"""
    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        return np.max(a, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g, out, a):
        return (_to_extremes(ctx, g, out, a),)


class Amin(TensorOp):
    """out = min of a over `dims`;  da = g / k at each of the k elements equal to the
    minimum, 0 elsewhere (ties share the gradient evenly)"""
    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        return np.min(a, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g, out, a):
        return (_to_extremes(ctx, g, out, a),)


class Argmax(TensorOp):
    """out = int64 index of the (first) maximum along `dim` (flattened when None)"""
    differentiable = False

    @staticmethod
    def forward(ctx, a, *, dim, keepdim):
        return np.argmax(a, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


class Argmin(TensorOp):
    """out = int64 index of the (first) minimum along `dim` (flattened when None)"""
    differentiable = False

    @staticmethod
    def forward(ctx, a, *, dim, keepdim):
        return np.argmin(a, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


sum_over = primitive(Sum)  # unchecked: `dims` a sorted tuple of axes (for backward formulas)
_sum = sum_over
_amax = primitive(Amax)
_amin = primitive(Amin)
_argmax = primitive(Argmax)
_argmin = primitive(Argmin)

# what max(x, dim) and min(x, dim) return, as torch.return_types.max / .min
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def sum(a, dim=None, keepdim=False):
    """Sum over `dim` (all dimensions when None), keeping them as size 1 if `keepdim`."""
    return _sum(a, dims=normalize_dims(dim, np.ndim(a.data if hasattr(a, "data") else a)),
                keepdim=keepdim)


def _count(shape, dims):
    return int(np.prod([shape[d] for d in dims], dtype=np.int64))


def _floating_array(op, input):
    array = _array(input)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{op}: the input is {array.dtype}; {op} needs a floating-point "
                        "tensor (convert with .float() or pass dtype=)")
    return array


def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over `dim` (all dimensions when None): sum / count (nan over no elements,
    as numpy). `dtype` converts the input first; integer inputs need it, as in PyTorch."""
    if dtype is not None:
        input = to(input, dtype)
    array = _floating_array("mean", input)
    dims = normalize_dims(dim, array.ndim, op="mean")
    return div(sum(input, dim=dims, keepdim=keepdim), _count(array.shape, dims))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over `dim`: sum((x - mean)^2) / (N - correction), composed.

    `correction=1` (the default) is the unbiased estimate, 0 the population variance;
    `unbiased=True/False` is PyTorch's older spelling of correction 1/0. When N <=
    correction the divisor is 0, giving inf or nan, as in PyTorch.
    """
    if isinstance(dim, bool):  # var(x, False): the legacy unbiased-only overload
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 1 if unbiased is None else int(bool(unbiased))
    array = _floating_array("var", input)
    dims = normalize_dims(dim, array.ndim, op="var")
    centred = input - mean(input, dim=dims, keepdim=True)
    divisor = builtins.max(_count(array.shape, dims) - correction, 0)
    return div(sum(centred * centred, dim=dims, keepdim=keepdim), divisor)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over `dim`: sqrt(var(...)), with var's arguments."""
    return sqrt(var(input, dim=dim, unbiased=unbiased, keepdim=keepdim,
                    correction=correction))


def _check_not_empty(op, shape, dims, whole):
    if whole and int(np.prod(shape)) == 0:
        raise RuntimeError(f"{op}: the input has shape {tuple(shape)} and no elements, so it "
                           f"has no {op}; reduce over a non-empty dim instead")
    for d in dims:
        if shape[d] == 0:
            raise RuntimeError(f"{op}: cannot reduce over dim {d}, which has size 0 in the "
                               f"input of shape {tuple(shape)}")


def amax(input, dim=None, keepdim=False):
    """Largest values over `dim` (all dimensions when None; an int or a tuple). The
    gradient is shared evenly among tied maxima, as in PyTorch."""
    shape = _array(input).shape
    dims = normalize_dims(dim, len(shape), op="amax")
    _check_not_empty("amax", shape, dims, whole=dim is None)
    return _amax(input, dims=dims, keepdim=keepdim)


def amin(input, dim=None, keepdim=False):
    """Smallest values over `dim` (all dimensions when None; an int or a tuple). The
    gradient is shared evenly among tied minima, as in PyTorch."""
    shape = _array(input).shape
    dims = normalize_dims(dim, len(shape), op="amin")
    _check_not_empty("amin", shape, dims, whole=dim is None)
    return _amin(input, dims=dims, keepdim=keepdim)


def _single_dim(op, dim, ndim):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be one int, got {dim!r}"
                        + (f" (for several dims use a{op})" if op in ("max", "min") else ""))
    dims = normalize_dims(dim, ndim, op=op)
    return dims[0] if dims else None  # a 0-d input has no axis to name


def _extreme(op, reduce, arg, elementwise, result, input, dim, keepdim):
    if isinstance(dim, (Tensor, np.ndarray)):  # torch.max(a, b) is the elementwise maximum
        return elementwise(input, dim)
    shape = _array(input).shape
    if dim is None:
        _check_not_empty(op, shape, tuple(range(len(shape))), whole=True)
        return reduce(input, dims=tuple(range(len(shape))), keepdim=False)
    axis = _single_dim(op, dim, len(shape))
    dims = () if axis is None else (axis,)
    _check_not_empty(op, shape, dims, whole=False)
    return result(reduce(input, dims=dims, keepdim=keepdim),
                  arg(input, dim=axis, keepdim=keepdim))


def max(input, dim=None, keepdim=False):
    """`max(x)`: the largest element, a 0-d tensor. `max(x, dim, keepdim=False)`: a
    namedtuple (values, indices) over that one dim, like torch.return_types.max.
    `max(x, other_tensor)`: the elementwise `maximum`.

    Gradient: shared evenly among all elements equal to the maximum (g / k each for k
    ties). PyTorch does the same for the full reduction, but with `dim` it sends the
    whole gradient to the one returned index; we split evenly in both forms. `indices`
    holds the first maximum, as in PyTorch and numpy.
    """
    return _extreme("max", _amax, _argmax, maximum, MaxResult, input, dim, keepdim)


def min(input, dim=None, keepdim=False):
    """`min(x)`: the smallest element, a 0-d tensor. `min(x, dim, keepdim=False)`: a
    namedtuple (values, indices) over that one dim, like torch.return_types.min.
    `min(x, other_tensor)`: the elementwise `minimum`.

    Gradient: shared evenly among all elements equal to the minimum (g / k each for k
    ties), in both forms; with `dim`, PyTorch instead sends it all to the returned index.
    """
    return _extreme("min", _amin, _argmin, minimum, MinResult, input, dim, keepdim)


def _arg_extreme(op, primitive_function, input, dim, keepdim):
    shape = _array(input).shape
    axis = None if dim is None else _single_dim(op, dim, len(shape))
    _check_not_empty(op, shape, () if axis is None else (axis,), whole=axis is None)
    return primitive_function(input, dim=axis, keepdim=keepdim)


def argmax(input, dim=None, keepdim=False):
    """int64 index of the first maximum along `dim` (of the flattened input when None)."""
    return _arg_extreme("argmax", _argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """int64 index of the first minimum along `dim` (of the flattened input when None)."""
    return _arg_extreme("argmin", _argmin, input, dim, keepdim)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over `dim`, computed stably as m + log(sum(exp(x - m))) with m
    the maximum taken as a constant, so the gradient is softmax(x). Composed.
    Integer inputs are converted to float32; over no elements the result is -inf."""
    if not np.issubdtype(_array(input).dtype, np.floating):
        input = to(input, DEFAULT_DTYPE)
    array = _array(input)
    dims = normalize_dims(dim, array.ndim, op="logsumexp")
    shift = np.max(array, axis=dims, keepdims=True, initial=-np.inf)
    # an infinite maximum would make x - m nan; shifting by 0 there is exact
    shift = np.where(np.isfinite(shift), shift, 0).astype(array.dtype)
    total = log(sum(exp(input - shift), dim=dims, keepdim=keepdim))
    return total + (shift if keepdim else shift.reshape(np.shape(_array(total))))


__all__ = ["sum", "mean", "var", "std", "amax", "amin", "max", "min", "argmax", "argmin",
           "logsumexp"]
