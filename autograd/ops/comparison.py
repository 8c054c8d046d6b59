"""Comparisons and logical tests: bool results, outside the graph (not differentiable).

`x > 0` and `eq(x, y)` broadcast like arithmetic and take numbers on either side; a
number is compared in the tensor's dtype where numpy's promotion says so (a float32
tensor against 0.1 compares in float32, as PyTorch does). The results never require
grad, even when the inputs do.

The Tensor operators `==` and `!=` are elementwise, as in PyTorch; against something
that is not a tensor, array or number (None, a string) the comparison functions return
`NotImplemented`, so `x == None` is False and `x < None` raises Python's TypeError.
"""
import numbers

import numpy as np

from autograd.ops.elementwise import broadcasting, number_operands
from autograd.ops.reduction import normalize_dims
from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive


def _comparison(name, ufunc, symbol):
    """A non-differentiable primitive `out = (a <symbol> b)`, bool, with broadcasting."""

    def forward(ctx, a, b):
        return broadcasting(name, ufunc, a, b)

    return type(name.title(), (TensorOp,), {
        "__doc__": f"out = (a {symbol} b), bool", "name": name, "differentiable": False,
        "forward": staticmethod(forward)})


Eq = _comparison("eq", np.equal, "==")
Ne = _comparison("ne", np.not_equal, "!=")
Lt = _comparison("lt", np.less, "<")
Le = _comparison("le", np.less_equal, "<=")
Gt = _comparison("gt", np.greater, ">")
Ge = _comparison("ge", np.greater_equal, ">=")


class Any(TensorOp):
    """out = True where some element of a over `dims` is nonzero"""
    differentiable = False

    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        return np.any(a, axis=dims, keepdims=keepdim)


class All(TensorOp):
    """out = True where every element of a over `dims` is nonzero"""
    differentiable = False

    @staticmethod
    def forward(ctx, a, *, dims, keepdim):
        return np.all(a, axis=dims, keepdims=keepdim)


class IsFinite(TensorOp):
    """out = True where a is neither inf nor nan"""
    name = "isfinite"
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return np.isfinite(a)


class IsNan(TensorOp):
    """out = True where a is nan"""
    name = "isnan"
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return np.isnan(a)


class LogicalNot(TensorOp):
    """out = True where a is zero (or False)"""
    name = "logical_not"
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return np.logical_not(a)


def _is_operand(value):
    return isinstance(value, (Tensor, np.ndarray, numbers.Number, np.bool_, list, tuple))


def _comparison(op, symbol):
    function = primitive(op)

    def compare(input, other):
        if not (_is_operand(input) and _is_operand(other)):
            return NotImplemented
        return function(*number_operands(input, other))

    compare.__name__ = op.op_name()
    compare.op = op
    compare.__doc__ = (f"Elementwise `input {symbol} other` as a bool tensor "
                       "(broadcast; numbers allowed on either side; not differentiable).")
    return compare


eq = _comparison(Eq, "==")
ne = _comparison(Ne, "!=")
lt = _comparison(Lt, "<")
le = _comparison(Le, "<=")
gt = _comparison(Gt, ">")
ge = _comparison(Ge, ">=")
isfinite = primitive(IsFinite)
isnan = primitive(IsNan)
logical_not = primitive(LogicalNot)
_any = primitive(Any)
_all = primitive(All)


def _ndim(x):
    return x.data.ndim if isinstance(x, Tensor) else np.ndim(x)


def any(input, dim=None, keepdim=False):
    """True where any element over `dim` (all dimensions when None) is nonzero."""
    return _any(input, dims=normalize_dims(dim, _ndim(input), op="any"), keepdim=keepdim)


def all(input, dim=None, keepdim=False):
    """True where every element over `dim` (all dimensions when None) is nonzero."""
    return _all(input, dims=normalize_dims(dim, _ndim(input), op="all"), keepdim=keepdim)


__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "any", "all", "isfinite", "isnan",
           "logical_not"]
