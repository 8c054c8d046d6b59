"""`RMSprop`: divide each gradient by the root mean square of its recent values."""
import numpy as np

from optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False)

    The update (PyTorch's form, as implemented)::

        g = -g                                   if maximize
        g = g + weight_decay * w                 if weight_decay != 0
        v = alpha * v + (1 - alpha) * g * g                (v starts at 0)
        if centered:
            m = m + (1 - alpha) * (g - m)                  (= alpha*m + (1-alpha)*g; m starts at 0)
            avg = sqrt(v - m * m) + eps                    (a running standard deviation)
        else:
            avg = sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / avg                     (b starts at 0)
            w = w - lr * b
        else:
            w = w - lr * g / avg

    **The lecture notes' RMSprop** ``E[g^2]_t = beta * E[g^2]_{t-1} + (1 - beta) * g**2``,
    ``w = w - eta / sqrt(E[g^2]_t) * g`` is ``RMSprop(lr=eta, alpha=beta)`` (eps keeps
    the division finite; it sits outside the root). The notes' "Adadelta" (a moving
    average of g**2 in Adagrad's formula) is also this optimizer, with alpha = gamma.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, weights, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(weights)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(weights)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(weights)
        state["step"] += 1
        alpha = group["alpha"]
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * weights
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (g - grad_avg)
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            avg = np.sqrt(square_avg) + group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += g / avg
            weights -= group["lr"] * buffer
        else:
            weights -= group["lr"] * (g / avg)
