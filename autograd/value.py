"""`Value`: a scalar (a Python float) in the computation graph, micrograd-style.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = (a * b).tanh()
    >>> c.backward()
    >>> round(a.grad, 6)   # dc/da = (1 - tanh(ab)**2) * b
    -0.000074

Every node keeps its `.grad` after backward (so diagrams can show it). All Values
created by the user require grad unless `requires_grad=False`; ops record the graph
unless inside `no_grad()`. Math follows numpy's float64 rules: `Value(1000).exp()` is
inf and `Value(-1).log()` is nan, never a Python exception; `detect_anomaly()` points at
the op that made them.
"""
import numbers

from autograd import anomaly, scalar_ops as ops
from autograd.engine import Node, _grad_mode


def _record(op, parents, data, ctx=()):
    """Make the Value an op returns, recording the op when any input requires grad."""
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._ctx = ctx
    out._consumed = False
    if _grad_mode.enabled and _any_requires_grad(parents):
        out._parents = parents
        out._op = op
        out.requires_grad = True
        if anomaly._mode.enabled:
            anomaly.record_creation(out)
    else:
        out._parents = ()
        out._op = None
        out.requires_grad = False
    return out


def _any_requires_grad(parents):
    for p in parents:
        if p.requires_grad:
            return True
    return False


def _lift(x):
    """A Value for x: x itself, or a constant for a plain number."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x, requires_grad=False)
    return None


class Value(Node):
    """A scalar in the graph: `data` (float), `grad` (float), `label` (for diagrams)."""

    __slots__ = ("data", "grad", "label")

    def __init__(self, data, label="", requires_grad=True):
        if isinstance(data, Node) or isinstance(data, (str, bytes)) \
                or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} "
                            f"{data!r:.60}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._op = None
        self._ctx = ()
        self._consumed = False

    # ---- engine protocol -------------------------------------------------------------
    def _store_grad(self, grad):
        self.grad = self.grad + grad

    def _seed(self, gradient, create_graph):
        if gradient is None:
            gradient = 1.0
        if create_graph:
            return gradient if isinstance(gradient, Value) else Value(gradient, requires_grad=False)
        return gradient.data if isinstance(gradient, Value) else float(gradient)

    @classmethod
    def _constant(cls, data):
        return cls(data, requires_grad=False)

    @classmethod
    def _from_op(cls, data, parents, op, ctx):
        return _record(op, parents, float(data), ctx)

    # ---- conveniences ----------------------------------------------------------------
    def detach(self):
        """The same number as a new constant, outside the graph."""
        return Value(self.data, label=self.label, requires_grad=False)

    def item(self):
        return self.data

    def __float__(self):
        return self.data

    def __repr__(self):
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={_format(self.grad)})"

    # comparisons look at data and return bools (no graph); == stays identity so
    # Values can live in sets and dicts
    def __lt__(self, other):
        return self.data < _number(other)

    def __le__(self, other):
        return self.data <= _number(other)

    def __gt__(self, other):
        return self.data > _number(other)

    def __ge__(self, other):
        return self.data >= _number(other)

    __hash__ = Node.__hash__

    # ---- arithmetic ------------------------------------------------------------------
    def _binary(self, other, op, swap=False):
        other = _lift(other)
        if other is None:
            return NotImplemented
        a, b = (other, self) if swap else (self, other)
        return _record(op, (a, b), op.forward(a.data, b.data))

    def __add__(self, other):
        return self._binary(other, ops.Add)

    def __radd__(self, other):
        return self._binary(other, ops.Add, swap=True)

    def __sub__(self, other):
        return self._binary(other, ops.Sub)

    def __rsub__(self, other):
        return self._binary(other, ops.Sub, swap=True)

    def __mul__(self, other):
        return self._binary(other, ops.Mul)

    def __rmul__(self, other):
        return self._binary(other, ops.Mul, swap=True)

    def __truediv__(self, other):
        return self._binary(other, ops.Div)

    def __rtruediv__(self, other):
        return self._binary(other, ops.Div, swap=True)

    def __pow__(self, other):
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            exponent = float(other)
            return _record(ops.PowConstant, (self,), ops.PowConstant.forward(self.data, exponent),
                           (exponent,))
        return self._binary(other, ops.Pow)

    def __rpow__(self, other):
        return self._binary(other, ops.Pow, swap=True)

    def __neg__(self):
        return _record(ops.Neg, (self,), -self.data)

    def __pos__(self):
        return self

    # ---- functions -------------------------------------------------------------------
    def _unary(self, op, *params):
        return _record(op, (self,), op.forward(self.data, *params), params)

    def exp(self):
        return self._unary(ops.Exp)

    def log(self):
        return self._unary(ops.Log)

    def sqrt(self):
        return self._unary(ops.Sqrt)

    def abs(self):
        return self._unary(ops.Abs)

    __abs__ = abs

    def tanh(self):
        return self._unary(ops.Tanh)

    def sigmoid(self):
        return self._unary(ops.Sigmoid)

    def relu(self):
        return self._unary(ops.ReLU)

    def leaky_relu(self, slope=0.01):
        return self._unary(ops.LeakyReLU, float(slope))

    def softplus(self):
        return self._unary(ops.Softplus)

    def sin(self):
        return self._unary(ops.Sin)

    def cos(self):
        return self._unary(ops.Cos)

    @staticmethod
    def sum(values):
        """x1 + ... + xn as one node (faster and a smaller diagram than a chain of +)."""
        values = tuple(v if isinstance(v, Value) else _lift(v) for v in values)
        if any(v is None for v in values):
            raise TypeError("Value.sum: every term must be a Value or a real number")
        return _record(ops.Sum, values, ops.Sum.forward(*[v.data for v in values]))


def _number(x):
    return x.data if isinstance(x, Value) else x


def _format(grad):
    return f"{grad:.6g}" if isinstance(grad, float) else repr(grad)
