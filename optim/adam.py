"""`Adam` and `AdamW`: momentum plus RMSprop, with bias correction."""
import numpy as np

from optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    maximize=False, decoupled_weight_decay=False)

    The update at step t = 1, 2, ... (Kingma & Ba 2015, PyTorch's form, as implemented)::

        g = -g                                     if maximize
        w = w * (1 - lr * weight_decay)            if weight_decay != 0 and decoupled (AdamW)
        g = g + weight_decay * w                   if weight_decay != 0 and not decoupled
        m = m + (1 - beta1) * (g - m)              (= beta1 * m + (1 - beta1) * g)
        v = beta2 * v + (1 - beta2) * g * g        (m and v start at 0)
        v_max = max(v_max, v); use v_max for v     if amsgrad
        step_size = lr / (1 - beta1**t)
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        w = w - step_size * m / denom

    **The lecture notes' Adam** ``m_t = beta1 m + (1 - beta1) g``,
    ``v_t = beta2 v + (1 - beta2) g**2``, ``m_hat = m_t / (1 - beta1**t)``,
    ``v_hat = v_t / (1 - beta2**t)``, ``w = w - eta * m_hat / (sqrt(v_hat) + eps)`` is
    ``Adam(lr=eta, betas=(beta1, beta2))``: dividing by 1 - beta1**t and by
    sqrt(1 - beta2**t) above is exactly m_hat and sqrt(v_hat), written so that only
    scalars are divided. The bias correction undoes the zero start: after one step
    m_1 = (1 - beta1) g, so m_hat_1 = g and the first step has the size of lr, not
    (1 - beta1) lr. (The notes' beta2 = 0.99 is an example; PyTorch's default is 0.999.)

    `amsgrad` (Reddi et al. 2018) divides by the largest v seen so far, so the
    effective step of a weight never grows.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, weights, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(weights)
            state["exp_avg_sq"] = np.zeros_like(weights)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(weights)
        state["step"] += 1
        step = state["step"]
        lr, (beta1, beta2) = group["lr"], group["betas"]
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            if group["decoupled_weight_decay"]:
                weights *= 1 - lr * group["weight_decay"]
            else:
                g = g + group["weight_decay"] * weights

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (g - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * g * g
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]

        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + group["eps"]
        weights -= step_size * (exp_avg / denom)


class AdamW(Adam):
    """AdamW(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
    amsgrad=False, maximize=False)

    Adam with decoupled weight decay (Loshchilov & Hutter 2019): before the Adam step
    the weights shrink, ``w = w * (1 - lr * weight_decay)``, and the gradient is left
    alone. With Adam's L2 form (``g + weight_decay * w``) the decay term is divided by
    sqrt(v) like the rest of the gradient, so weights with large gradients are barely
    decayed; decoupling makes every weight decay at the same rate. Everything else is
    `Adam`'s update (see there).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)
