"""`Adadelta`: Adagrad with a moving average instead of a sum, and a step in units of w."""
import numpy as np

from optim.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False)

    The update (Zeiler 2012, PyTorch's form, as implemented)::

        g = -g                                   if maximize
        g = g + weight_decay * w                 if weight_decay != 0
        E[g^2]  = rho * E[g^2]  + (1 - rho) * g * g
        delta   = sqrt(E[dw^2] + eps) / sqrt(E[g^2] + eps) * g
        E[dw^2] = rho * E[dw^2] + (1 - rho) * delta * delta
        w = w - lr * delta

    Both averages start at zero.

    **The lecture notes' "Adadelta"** replaces Adagrad's growing sum by the moving
    average ``alpha_t = gamma * alpha_{t-1} + (1 - gamma) * g**2`` and keeps the
    constant c: ``w = w - c / sqrt(alpha + eps) * g``. That is RMSprop: use
    ``RMSprop(lr=c, alpha=gamma)`` (the notes' gamma = 0.95). Full Adadelta, here, also
    replaces c by ``sqrt(E[dw^2] + eps)``, the root mean square of its own recent steps,
    so the step has the units of w and lr = 1.0 needs no tuning; rho plays the notes'
    gamma.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, weights, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(weights)
            state["acc_delta"] = np.zeros_like(weights)
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * weights
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * g * g
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        weights -= group["lr"] * delta
