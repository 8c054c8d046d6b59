"""The primitive ops of `Value`, one class each: forward and backward side by side.

`forward(*inputs, *params)` maps floats to a float. `backward(grad, out, *inputs,
*params)` returns d(loss)/d(input) for each input, given grad = d(loss)/d(out). The
same backward code serves two modes: on floats (the fast path) and on `Value`s (with
`create_graph=True`, so the backward pass is itself differentiable). That is why the
formulas use operators, `_div`, `_pow` and `_call` rather than `math` directly.
"""
from autograd import scalar_math
from autograd.engine import Node


def _div(x, y):
    """x / y for floats (IEEE rules, no ZeroDivisionError) or Values."""
    if isinstance(x, Node) or isinstance(y, Node):
        return x / y
    return scalar_math.divide(x, y)


def _pow(x, y):
    if isinstance(x, Node) or isinstance(y, Node):
        return x ** y
    return scalar_math.power(x, y)


def _number(x):
    """The float in x (a Value's data), for a test that must not record a graph."""
    return x.data if isinstance(x, Node) else x


def _call(name, x):
    """scalar_math.<name>(x) for a float, x.<name>() for a Value."""
    return getattr(x, name)() if isinstance(x, Node) else getattr(scalar_math, name)(x)


class ScalarOp:
    """Base of the Value primitives: how the engine applies their chain rule."""

    symbol = "?"

    @classmethod
    def op_name(cls, node):
        return cls.symbol

    @classmethod
    def chain_rule(cls, node, grad, create_graph):
        parents = node._parents
        if create_graph:
            return cls.backward(grad, node, *parents, *node._ctx)
        if len(parents) == 2:  # the common case, spelled out: this runs once per node
            a, b = parents
            return cls.backward(grad, node.data, a.data, b.data, *node._ctx)
        return cls.backward(grad, node.data, *[p.data for p in parents], *node._ctx)

    @staticmethod
    def release(node):
        pass  # scalar ops save nothing beyond the graph itself


class Add(ScalarOp):
    """out = a + b;  da = g, db = g"""
    symbol = "+"
    forward = staticmethod(lambda a, b: a + b)
    backward = staticmethod(lambda g, out, a, b: (g, g))


class Sub(ScalarOp):
    """out = a - b;  da = g, db = -g"""
    symbol = "-"
    forward = staticmethod(lambda a, b: a - b)
    backward = staticmethod(lambda g, out, a, b: (g, -g))


class Mul(ScalarOp):
    """out = a * b;  da = g * b, db = g * a"""
    symbol = "*"
    forward = staticmethod(lambda a, b: a * b)
    backward = staticmethod(lambda g, out, a, b: (g * b, g * a))


class Div(ScalarOp):
    """out = a / b;  da = g / b, db = -g * a / b**2 = -g * out / b"""
    symbol = "/"
    forward = staticmethod(scalar_math.divide)
    backward = staticmethod(lambda g, out, a, b: (_div(g, b), -_div(g * out, b)))


class Neg(ScalarOp):
    """out = -a;  da = -g"""
    symbol = "neg"
    forward = staticmethod(lambda a: -a)
    backward = staticmethod(lambda g, out, a: (-g,))


class PowConstant(ScalarOp):
    """out = a ** c for a constant number c;  da = g * c * a**(c - 1)

    For c = 0 the output is the constant 1, so da = 0 (also at a = 0, where the formula
    gives 0 * inf = nan), as in PyTorch.
    """

    @classmethod
    def op_name(cls, node):
        return f"**{node._ctx[0]:g}"

    forward = staticmethod(scalar_math.power)

    @staticmethod
    def backward(g, out, a, c):
        if c == 0:
            return (g * 0.0,)
        return (g * c * _pow(a, c - 1),)


class Pow(ScalarOp):
    """out = a ** b;  da = g * b * a**(b - 1), db = g * out * log(a)

    At a = 0 the formulas can give 0 * inf = nan; there, as in PyTorch, da = 0 for b = 0
    (the output is the constant 1) and db = 0 for b >= 0.
    """
    symbol = "**"
    forward = staticmethod(scalar_math.power)

    @staticmethod
    def backward(g, out, a, b):
        at_zero = _number(a) == 0
        da = g * 0.0 if at_zero and _number(b) == 0 else g * b * _pow(a, b - 1)
        db = g * 0.0 if at_zero and _number(b) >= 0 else g * out * _call("log", a)
        return da, db


class Exp(ScalarOp):
    """out = e**a;  da = g * out"""
    symbol = "exp"
    forward = staticmethod(scalar_math.exp)
    backward = staticmethod(lambda g, out, a: (g * out,))


class Log(ScalarOp):
    """out = ln a;  da = g / a"""
    symbol = "log"
    forward = staticmethod(scalar_math.log)
    backward = staticmethod(lambda g, out, a: (_div(g, a),))


class Sqrt(ScalarOp):
    """out = sqrt(a);  da = g / (2 out)"""
    symbol = "sqrt"
    forward = staticmethod(scalar_math.sqrt)
    backward = staticmethod(lambda g, out, a: (_div(g, 2 * out),))


class Abs(ScalarOp):
    """out = |a|;  da = g * sign(a)  (0 at a = 0)"""
    symbol = "abs"
    forward = staticmethod(abs)
    backward = staticmethod(lambda g, out, a: (g * ((a > 0) - (a < 0)),))


class Tanh(ScalarOp):
    """out = tanh a;  da = g * (1 - out**2)"""
    symbol = "tanh"
    forward = staticmethod(scalar_math.tanh)
    backward = staticmethod(lambda g, out, a: (g * (1 - out * out),))


class Sigmoid(ScalarOp):
    """out = 1 / (1 + e**-a);  da = g * out * (1 - out)"""
    symbol = "sigmoid"
    forward = staticmethod(scalar_math.sigmoid)
    backward = staticmethod(lambda g, out, a: (g * out * (1 - out),))


class ReLU(ScalarOp):
    """out = max(a, 0);  da = g * [a > 0]  (0 at a = 0, as in PyTorch)"""
    symbol = "relu"
    forward = staticmethod(scalar_math.relu)
    backward = staticmethod(lambda g, out, a: (g * (1.0 if a > 0 else 0.0),))


class LeakyReLU(ScalarOp):
    """out = a if a > 0 else slope * a;  da = g if a > 0 else g * slope"""

    @classmethod
    def op_name(cls, node):
        return f"leaky_relu({node._ctx[0]:g})"

    forward = staticmethod(lambda a, slope: a if a > 0 else slope * a)
    backward = staticmethod(lambda g, out, a, slope: (g if a > 0 else g * slope,))


class Softplus(ScalarOp):
    """out = log(1 + e**a);  da = g * sigmoid(a)"""
    symbol = "softplus"
    forward = staticmethod(scalar_math.softplus)
    backward = staticmethod(lambda g, out, a: (g * _call("sigmoid", a),))


class Sin(ScalarOp):
    """out = sin a;  da = g * cos a"""
    symbol = "sin"
    forward = staticmethod(scalar_math.sin)
    backward = staticmethod(lambda g, out, a: (g * _call("cos", a),))


class Cos(ScalarOp):
    """out = cos a;  da = -g * sin a"""
    symbol = "cos"
    forward = staticmethod(scalar_math.cos)
    backward = staticmethod(lambda g, out, a: (-g * _call("sin", a),))


class Sum(ScalarOp):
    """out = x1 + ... + xn (one node for n inputs);  dxi = g"""
    symbol = "sum"

    @staticmethod
    def forward(*xs):
        return float(sum(xs))

    @classmethod
    def chain_rule(cls, node, grad, create_graph):
        return (grad,) * len(node._parents)
