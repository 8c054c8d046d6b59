"""Every Tensor operation as a function, by family; and the Tensor methods that call them.

Families: `elementwise` (arithmetic and math functions), `activation`, `reduction`,
`linalg`, `shape`, `indexing`, `join` (cat, stack, split, pad) and `convolution`
(conv2d and pooling). Primitives carry a forward and a backward; composed ops are
written with other ops and get their gradients from them.
"""
import importlib

from autograd.tensor import Tensor

FAMILIES = ["elementwise", "activation", "comparison", "reduction", "linalg", "shape",
            "indexing", "join", "convolution"]

__all__ = []
for _family in FAMILIES:
    try:
        _module = importlib.import_module(f"autograd.ops.{_family}")
    except ModuleNotFoundError as error:
        if error.name != f"autograd.ops.{_family}":
            raise
        continue
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)

# x.exp() is exp(x), and so on: these functions take the tensor first.
METHODS = [
    "add", "sub", "mul", "div", "pow", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
    "sigmoid", "relu", "leaky_relu", "softplus", "clamp", "clip", "maximum", "minimum",
    "sum", "mean", "max", "min", "amax", "amin", "var", "std", "logsumexp", "softmax",
    "log_softmax", "argmax", "argmin", "matmul", "reshape", "view", "flatten", "squeeze",
    "unsqueeze", "transpose", "permute", "expand", "expand_as", "split", "chunk", "clone",
    "eq", "ne", "lt", "le", "gt", "ge", "any", "all", "to", "sign", "neg", "square",
    "isfinite", "isnan", "logical_not", "gather", "index_select", "where",
]
for _name in METHODS:
    if _name in globals():
        setattr(Tensor, _name, globals()[_name])


def _reflected(function):
    def method(self, other):
        return function(other, self)
    method.__name__ = f"r{function.__name__}"
    return method


def _install_operators():
    table = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "div": "__truediv__",
             "pow": "__pow__", "matmul": "__matmul__"}
    for name, dunder in table.items():
        if name in globals():
            function = globals()[name]
            setattr(Tensor, dunder, function)
            setattr(Tensor, dunder.replace("__", "__r", 1), _reflected(function))
    if "neg" in globals():
        Tensor.__neg__ = globals()["neg"]
    Tensor.__pos__ = lambda self: self
    comparisons = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__",
                   "gt": "__gt__", "ge": "__ge__"}
    for name, dunder in comparisons.items():
        if name in globals():
            setattr(Tensor, dunder, globals()[name])
    if "abs" in globals():
        Tensor.__abs__ = globals()["abs"]
    if "getitem" in globals():
        Tensor.__getitem__ = globals()["getitem"]
    Tensor.__hash__ = object.__hash__
    # numpy must hand `array * tensor` back to Tensor's operators instead of turning
    # the tensor into an array (which would silently drop the graph)
    Tensor.__array_ufunc__ = None
    Tensor.T = property(lambda self: permute_axes(self, dims=tuple(reversed(range(self.ndim)))))
    Tensor.mT = property(lambda self: transpose(self, -1, -2))


_install_operators()
