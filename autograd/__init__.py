"""chainrule's autograd: a computation graph that records operations and runs
reverse-mode backpropagation in topological order.

Front ends: `Value` (one Python float per node). Tools: `backward`, `grad`, `no_grad`,
`enable_grad`, `set_grad_enabled`, custom ops via `Function`, `gradcheck`,
`gradgradcheck`, `numerical_grad` and `detect_anomaly`.
"""
from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.function import Context, Function
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from autograd.engine import (Node, backward, enable_grad, grad, is_grad_enabled, no_grad,
                             set_grad_enabled, topological_order)
from autograd.random import manual_seed
from autograd.value import Value
from autograd import value_losses

__all__ = [
    "AnomalyError", "Context", "Function", "GradcheckError", "Node", "gradcheck", "gradgradcheck", "numerical_grad", "Value", "backward", "detect_anomaly", "enable_grad", "grad",
    "is_grad_enabled", "manual_seed", "no_grad", "value_losses", "set_grad_enabled", "topological_order",
]
