"""Elementwise primitives: arithmetic and the math functions, with broadcasting.

Each backward returns gradients of the broadcast shape; `unbroadcast` (in
`autograd.tensor_op`) sums them back to each input's shape. Tensor inputs are
positional, settings (exponents, dtypes, bounds) keyword-only.

Backward masks (which side of a kink an input is on) are computed in backward with
comparison operators, so they cost nothing when no gradient is taken and work on
numpy arrays and Tensors alike.
"""
import numbers

import numpy as np

from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive


def _dtype_of(value):
    if isinstance(value, Tensor):
        return value.data.dtype
    if isinstance(value, np.ndarray):
        return value.dtype
    return None


def _is_number(value):
    return isinstance(value, (numbers.Number, np.bool_))


def number_operands(*values):
    """`values` with Python numbers turned into 0-d arrays of the dtype numpy's promotion
    gives them next to the first tensor or array among `values` (so a float32 tensor is
    compared with 0.1 in float32, and a bool mask == 2 is False, not True)."""
    like = next((d for d in map(_dtype_of, values) if d is not None), None)
    if like is None:
        return values
    return tuple(np.asarray(v, dtype=np.result_type(like, v)) if _is_number(v) else v
                 for v in values)


def broadcast_error(op, *arrays):
    shapes = " and ".join(str(tuple(np.shape(x))) for x in arrays)
    return RuntimeError(f"{op}: shapes {shapes} cannot be broadcast together")


def broadcasting(op, ufunc, *arrays):
    """`ufunc(*arrays)`, with numpy's broadcasting error replaced by one naming `op`."""
    try:
        return ufunc(*arrays)
    except ValueError:
        raise broadcast_error(op, *arrays) from None


class Add(TensorOp):
    """out = a + b;  da = g,  db = g"""
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g, out, a, b):
        return g, g


class Sub(TensorOp):
    """out = a - b;  da = g,  db = -g"""
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g, out, a, b):
        return g, -g


class Mul(TensorOp):
    """out = a * b;  da = g * b,  db = g * a"""
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g, out, a, b):
        return (g * b if ctx.needs_input_grad[0] else None,
                g * a if ctx.needs_input_grad[1] else None)


class Div(TensorOp):
    """out = a / b;  da = g / b,  db = -g * a / b**2 = -g * out / b"""
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / b

    @staticmethod
    def backward(ctx, g, out, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / b if ctx.needs_input_grad[0] else None,
                    -g * out / b if ctx.needs_input_grad[1] else None)


class Neg(TensorOp):
    """out = -a;  da = -g"""
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g, out, a):
        return (-g,)


class PowConstant(TensorOp):
    """out = a ** c for a constant number c;  da = g * c * a**(c - 1)"""
    name = "pow"

    @staticmethod
    def forward(ctx, a, *, exponent):
        ctx.exponent = exponent
        with np.errstate(divide="ignore", invalid="ignore"):
            return a ** np.asarray(exponent, dtype=a.dtype) if np.issubdtype(a.dtype, np.floating) \
                else a ** exponent

    @staticmethod
    def backward(ctx, g, out, a):
        c = ctx.exponent
        if c == 0:
            return (g * 0,)
        return (g * c * power_constant(a, exponent=c - 1),)


class Pow(TensorOp):
    """out = a ** b;  da = g * b * a**(b - 1),  db = g * out * log(a)"""
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return a ** b

    @staticmethod
    def backward(ctx, g, out, a, b):
        needs_a, needs_b = ctx.needs_input_grad
        return (g * b * pow(a, b - 1) if needs_a else None,
                g * out * log(a) if needs_b else None)


class Exp(TensorOp):
    """out = e**a;  da = g * out"""
    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            return np.exp(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * out,)


class Log(TensorOp):
    """out = ln a;  da = g / a  (-inf at 0 and nan below, as numpy)"""
    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def backward(ctx, g, out, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / a,)


class Cast(TensorOp):
    """out = a converted to another dtype;  da = g converted back"""
    name = "to"

    @staticmethod
    def forward(ctx, a, *, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g,)  # unbroadcast converts it to a's dtype


class Clone(TensorOp):
    """out = a copy of a;  da = g"""
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g, out, a):
        return (g,)


class Sqrt(TensorOp):
    """out = sqrt(a);  da = g / (2 out)  (inf at 0, nan below 0, as numpy)"""
    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            return np.sqrt(a)

    @staticmethod
    def backward(ctx, g, out, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / (out * 2),)


class Abs(TensorOp):
    """out = |a|;  da = g * sign(a)  (0 at a = 0)"""
    @staticmethod
    def forward(ctx, a):
        return np.abs(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * sign(a),)


class Sign(TensorOp):
    """out = -1, 0 or 1 by the sign of a;  da = 0 (flat everywhere it is defined)"""
    @staticmethod
    def forward(ctx, a):
        return np.sign(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * 0,)


class Sin(TensorOp):
    """out = sin a;  da = g * cos a"""
    @staticmethod
    def forward(ctx, a):
        return np.sin(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (g * cos(a),)


class Cos(TensorOp):
    """out = cos a;  da = -g * sin a"""
    @staticmethod
    def forward(ctx, a):
        return np.cos(a)

    @staticmethod
    def backward(ctx, g, out, a):
        return (-g * sin(a),)


class Maximum(TensorOp):
    """out = max(a, b) elementwise;  da = g where a > b, g / 2 where a == b, else 0
    (db likewise): a tie splits the gradient evenly, as in PyTorch"""
    @staticmethod
    def forward(ctx, a, b):
        return broadcasting("maximum", np.maximum, a, b)

    @staticmethod
    def backward(ctx, g, out, a, b):
        needs_a, needs_b = ctx.needs_input_grad
        tie = a == b
        half = g * 0.5
        return (where(tie, half, where(a > b, g, 0)) if needs_a else None,
                where(tie, half, where(b > a, g, 0)) if needs_b else None)


class Minimum(TensorOp):
    """out = min(a, b) elementwise;  da = g where a < b, g / 2 where a == b, else 0
    (db likewise): a tie splits the gradient evenly, as in PyTorch"""
    @staticmethod
    def forward(ctx, a, b):
        return broadcasting("minimum", np.minimum, a, b)

    @staticmethod
    def backward(ctx, g, out, a, b):
        needs_a, needs_b = ctx.needs_input_grad
        tie = a == b
        half = g * 0.5
        return (where(tie, half, where(a < b, g, 0)) if needs_a else None,
                where(tie, half, where(b < a, g, 0)) if needs_b else None)


class Where(TensorOp):
    """out = a where condition else b;  da = g where condition else 0,
    db = g where not condition else 0  (the bool condition gets no gradient)"""
    @staticmethod
    def forward(ctx, condition, a, b):
        return broadcasting("where", np.where, condition, a, b)

    @staticmethod
    def backward(ctx, g, out, condition, a, b):
        _, needs_a, needs_b = ctx.needs_input_grad
        return (None,
                where(condition, g, 0) if needs_a else None,
                where(condition, 0, g) if needs_b else None)


class Clamp(TensorOp):
    """out = min(max(a, low), high);  da = g where low <= a <= high (boundary included,
    as in PyTorch), else 0.  A missing bound (None) is no bound."""
    @staticmethod
    def forward(ctx, a, *, low, high):
        ctx.low, ctx.high = low, high
        return np.clip(a, low, high)

    @staticmethod
    def backward(ctx, g, out, a):
        low, high = ctx.low, ctx.high
        if low is None:
            inside = a <= high
        elif high is None:
            inside = a >= low
        else:
            inside = (a >= low) * (a <= high)  # logical and of two bool masks
        return (where(inside, g, 0),)


add = primitive(Add)
sub = primitive(Sub)
mul = primitive(Mul)
div = primitive(Div)
neg = primitive(Neg)
power_constant = primitive(PowConstant)
_pow = primitive(Pow)
exp = primitive(Exp)
log = primitive(Log)
_cast = primitive(Cast)
clone = primitive(Clone)
sqrt = primitive(Sqrt)
abs = primitive(Abs)
sign = primitive(Sign)
sin = primitive(Sin)
cos = primitive(Cos)
_maximum = primitive(Maximum)
_minimum = primitive(Minimum)
_where = primitive(Where)
_clamp = primitive(Clamp)


def pow(a, b):
    """a ** b; a constant (number) exponent has its own primitive with no log(a) term."""
    if isinstance(b, (int, float, np.number)) and not isinstance(b, bool):
        return power_constant(a, exponent=b)
    return _pow(a, b)


def to(a, dtype):
    """`a` as `dtype` (a numpy dtype or its name); differentiable between float dtypes."""
    dtype = np.dtype(dtype)
    if a.dtype == dtype:
        return a
    return _cast(a, dtype=dtype)


def square(a):
    """a * a (composed)."""
    return mul(a, a)


def maximum(a, b):
    """Elementwise maximum of a and b (broadcast; numbers allowed on either side). Ties
    split the gradient evenly between a and b."""
    return _maximum(*number_operands(a, b))


def minimum(a, b):
    """Elementwise minimum of a and b (broadcast; numbers allowed on either side). Ties
    split the gradient evenly between a and b."""
    return _minimum(*number_operands(a, b))


def where(condition, input, other):
    """`input` where the bool `condition` is True, else `other`, all broadcast together.
    `input` and `other` may be numbers; `condition` is not differentiated."""
    mask = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if mask.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {mask.dtype} "
                        "(make one with a comparison, e.g. x > 0)")
    if not isinstance(condition, (Tensor, np.ndarray)):
        condition = mask
    return _where(condition, *number_operands(input, other))


def _bound(value, name):
    if value is None:
        return None
    if not _is_number(value):
        raise TypeError(f"clamp: {name} must be a number or None, got {type(value).__name__} "
                        "(for tensor bounds use maximum(x, low) and minimum(x, high))")
    return value.item() if isinstance(value, np.generic) else value


def clamp(input, min=None, max=None):
    """`input` limited to [min, max] (either bound may be None). The gradient passes where
    min <= input <= max, boundary included, as in PyTorch. Bounds are numbers."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given (not None)")
    return _clamp(input, low=_bound(min, "min"), high=_bound(max, "max"))


def clip(input, min=None, max=None):
    """Alias of `clamp`."""
    return clamp(input, min=min, max=max)


__all__ = ["add", "sub", "mul", "div", "neg", "pow", "power_constant", "exp", "log", "to",
           "clone", "sqrt", "abs", "sign", "sin", "cos", "square", "maximum", "minimum",
           "where", "clamp", "clip"]
