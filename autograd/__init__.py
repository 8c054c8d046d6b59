"""chainrule's autograd: a computation graph that records operations and runs
reverse-mode backpropagation in topological order.

Front ends: `Value` (one Python float per node) and `Tensor` (a numpy array per
node), both on the engine in `autograd.engine`. Tools: `backward`, `grad`, `no_grad`,
`enable_grad`, `set_grad_enabled`, custom ops via `Function`, `gradcheck`,
`gradgradcheck`, `numerical_grad` and `detect_anomaly`. Tensor operations are also
functions here (`autograd.exp(x)`, `autograd.cat([a, b])`, `autograd.conv2d(...)`).
"""
from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.engine import (Node, backward, enable_grad, grad, is_grad_enabled, no_grad,
                             set_grad_enabled, topological_order)
from autograd.function import Context, Function
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from autograd.random import manual_seed
from autograd.value import Value
from autograd import value_losses
from autograd.tensor import Tensor
from autograd import ops
from autograd.ops import *  # noqa: F401,F403  (the Tensor operations as functions)

globals().update({name: getattr(ops, name) for name in ops.__all__})  # autograd.sum, .max, ...
from autograd.creation import *  # noqa: F401,F403
from autograd.creation import __all__ as _creation_names

import builtins as _builtins

# `from autograd import *` must not shadow Python's sum, max, min, abs, pow, any, all
__all__ = [
    "AnomalyError", "Context", "Function", "GradcheckError", "Node", "Tensor", "Value",
    "backward", "detect_anomaly", "enable_grad", "grad", "gradcheck", "gradgradcheck",
    "is_grad_enabled", "manual_seed", "no_grad", "numerical_grad", "ops",
    "set_grad_enabled", "topological_order", "value_losses",
] + [name for name in ops.__all__ if not hasattr(_builtins, name)] + list(_creation_names)
