"""Elementwise primitives: arithmetic and the math functions, with broadcasting.

Each backward returns gradients of the broadcast shape; `unbroadcast` (in
`autograd.tensor_op`) sums them back to each input's shape. Tensor inputs are
positional, settings (exponents, dtypes) keyword-only.
"""
import numpy as np

from autograd.tensor_op import TensorOp, primitive


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


__all__ = ["add", "sub", "mul", "div", "neg", "pow", "power_constant", "exp", "log", "to",
           "clone"]
