"""`SGD`: stochastic gradient descent, with momentum and Nesterov momentum."""
from optim.optimizer import Optimizer


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
    maximize=False)

    The update, for each parameter w with gradient g (PyTorch's form, as implemented)::

        g = -g                           if maximize
        g = g + weight_decay * w         if weight_decay != 0   (L2 penalty)
        if momentum != 0:
            b = g                        on the first step (no dampening then)
            b = momentum * b + (1 - dampening) * g             afterwards
            g = g + momentum * b         if nesterov
            g = b                        otherwise
        w = w - lr * g

    With momentum = 0 this is plain (mini-batch) SGD, ``w = w - lr * g``.

    **The lecture notes' momentum** ``v_t = gamma * v_{t-1} + eta * g_t``,
    ``w_t = w_{t-1} - v_t`` (with ``v_1 = eta * g_1``) is ``SGD(lr=eta, momentum=gamma)``.
    The buffer b stores v without the learning rate, v = eta * b::

        eta * b_t = gamma * (eta * b_{t-1}) + eta * g_t      (b's update times eta)
        w_t = w_{t-1} - eta * b_t = w_{t-1} - v_t,            eta * b_1 = eta * g_1 = v_1

    The two agree exactly while eta is constant. When a scheduler changes lr they
    differ: PyTorch applies today's lr to the whole buffer, the notes' v keeps each
    past gradient scaled by the lr of its own step.

    **The moving-average form** ``v_t = beta * v_{t-1} + (1 - beta) * g_t``,
    ``w = w - alpha * v_t`` is ``SGD(lr=alpha, momentum=beta, dampening=beta)`` from the
    second step on. On the first step PyTorch sets b = g (dampening is not applied),
    which is the average started at v_1 = g_1, not at v_0 = 0 (that start would make the
    first step (1 - beta) times shorter).

    **Nesterov** (notes: look ahead to ``w' = w - gamma * v``, take the gradient there,
    ``v = gamma * v + eta * grad f(w')``, ``w = w - v``) is ``SGD(lr=eta, momentum=gamma,
    nesterov=True)``, but PyTorch's parameter is the look-ahead point u = w - gamma * v
    itself, so the gradient is simply taken at the current parameter. Let g be the
    gradient at u_{t-1} and b = v / eta, both methods starting from v_0 = 0. The notes
    give, using w_t = w_{t-1} - v_t, w_{t-1} = u_{t-1} + gamma * v_{t-1} and
    v_t = gamma * v_{t-1} + eta * g::

        u_t = w_t - gamma * v_t = u_{t-1} + gamma * v_{t-1} - (1 + gamma) * v_t
            = u_{t-1} - (1 + gamma) * eta * g - gamma**2 * v_{t-1}

    and PyTorch, using b_t = gamma * b_{t-1} + g (b_1 = g_1)::

        u_t = u_{t-1} - eta * (g + gamma * b_t)
            = u_{t-1} - (1 + gamma) * eta * g - gamma**2 * eta * b_{t-1}      (the same)

    Nesterov needs momentum > 0 and dampening = 0.

    Example::

        opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
        for x, y in batches:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group):
        super()._check_options(group)
        if group.get("nesterov") and (group.get("momentum", 0) <= 0
                                      or group.get("dampening", 0) != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group.get('momentum')}, "
                             f"dampening={group.get('dampening')})")

    def _update(self, weights, grad, state, group):
        momentum = group["momentum"]
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * weights
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = g.copy()
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * g
            g = g + momentum * buffer if group["nesterov"] else buffer
        weights -= group["lr"] * g
