"""`Linear`: the fully connected layer y = x W^T + b."""
import math

import numpy as np

from autograd.ops.linalg import linear
from nn import init
from nn.module import Module
from nn.parameter import Parameter


class Linear(Module):
    r"""Linear(in_features, out_features, bias=True): y = x W^T + b.

    weight W has shape (out_features, in_features) and bias b shape (out_features,),
    PyTorch's layout, so x of shape (..., in_features) maps to (..., out_features).
    (The notes write one neuron per column with the bias as an extra row of the
    weight matrix fed a constant 1; that matrix is [W^T; b^T] here.)

    Initialisation, PyTorch's default: W ~ kaiming_uniform_(a=sqrt(5)), which works out
    to U(-1/sqrt(in_features), 1/sqrt(in_features)), and b ~ U(-1/sqrt(in_features),
    1/sqrt(in_features)); both drawn from the library generator (`autograd.manual_seed`).
    `dtype` (keyword only) sets the parameters' dtype, float32 by default.
    """

    def __init__(self, in_features, out_features, bias=True, *, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh initial values (see the class docstring)."""
        if self.weight.data.size:
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


__all__ = ["Linear"]
