"""`Adagrad`: a learning rate per weight, shrinking with that weight's gradient history."""
import numpy as np

from optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, maximize=False)

    The update at step t = 1, 2, ... (PyTorch's form, as implemented)::

        g = -g                                   if maximize
        g = g + weight_decay * w                 if weight_decay != 0
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                            (s starts at initial_accumulator_value)
        w = w - clr * g / (sqrt(s) + eps)

    **The lecture notes' Adagrad** ``w_t = w_{t-1} - c / sqrt(alpha_{t-1} + eps) * g_t``
    with ``alpha_{t-1} = sum_{i<t} g_i**2`` is this with ``lr = c`` (the notes' c = 0.01 is
    PyTorch's default lr), but note two small differences: PyTorch adds the current
    gradient to the sum *before* using it (``s`` includes ``g_t**2``, so the very first
    step is ``lr * g / (|g| + eps)``, never a division by sqrt(eps)), and eps is added
    outside the square root. Each weight's step shrinks as its squared gradients pile
    up, so frequently updated weights slow down first.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, weights, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(weights, group["initial_accumulator_value"])
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * weights
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += g * g
        std = np.sqrt(state["sum"]) + group["eps"]
        weights -= clr * (g / std)
