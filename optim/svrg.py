"""`SVRG`: stochastic variance-reduced gradient (Johnson & Zhang 2013)."""
import numpy as np

from autograd.value import Value
from optim.optimizer import Optimizer, required, weights_and_grad, write_back


class SVRG(Optimizer):
    """SVRG(params, lr): SGD whose gradient noise vanishes at the solution.

    Minimise F(w) = (1/n) sum_i f_i(w). Once per epoch take a *snapshot*: remember the
    weights w~ and the full gradient mu = grad F(w~). Then, for each sampled batch i::

        g = grad f_i(w) - grad f_i(w~) + mu
        w = w - lr * g

    g is an unbiased estimate of grad F(w) (the two extra terms cancel in expectation),
    and its variance shrinks to zero as w and w~ approach the minimiser, where
    grad f_i(w) ~ grad f_i(w~) and mu ~ 0. So a *constant* lr converges to the exact
    minimiser (linearly, for strongly convex F), where plain SGD with a constant lr
    stops in a noise ball whose size is proportional to lr (lecture notes 001, Bottou,
    Curtis & Nocedal section 5.3.1).

    The loop, with closures that compute a loss, call backward on it and return it
    (SVRG clears the gradients before every call, so a closure need not)::

        from autograd import Tensor
        import numpy as np
        from optim import SVRG

        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
        w = Tensor(np.zeros(3), requires_grad=True)

        def loss_on(rows):                  # mean squared error on some rows
            residual = Tensor(X[rows]) @ w - Tensor(y[rows])
            return (residual * residual).mean() * 0.5

        def full_batch():                   # computes the loss on all data and backward()
            loss = loss_on(np.arange(40))
            loss.backward()
            return loss

        opt = SVRG([w], lr=0.1)
        for epoch in range(30):
            opt.take_snapshot(full_batch)   # w~ = w, mu = full gradient
            for i in rng.permutation(40):
                def closure():              # the SAME batch i, at whatever weights are set
                    loss = loss_on([i])
                    loss.backward()
                    return loss
                opt.step(closure)           # calls closure at w~, then at w; updates w

    `step(closure)` evaluates the closure twice: first with the snapshot weights
    copied into the parameters (giving grad f_i(w~)), then with the current weights
    restored (giving grad f_i(w), left in `.grad`); it returns the loss at the current
    weights. The closure must therefore compute the same batch both times (no fresh
    random sampling or dropout inside it), and both closures must average over their
    samples (mean, not sum), so that the batch gradient estimates mu's scale.

    Per parameter, `state` holds 'snapshot' (w~) and 'full_grad' (mu), so a state dict
    saved mid-epoch resumes exactly. Works for Tensor and Value parameters; groups may
    have their own lr.
    """

    def __init__(self, params, lr=required):
        super().__init__(params, dict(lr=lr))

    def _all_params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def _gradients_of(self, closure):
        """Clear the gradients, run the closure, and return (loss, {param: grad copy})."""
        self.zero_grad(set_to_none=True)
        loss = self._evaluate(closure)
        grads = {}
        for p in self._all_params():
            found = weights_and_grad(p)
            if found is not None:
                grads[p] = np.array(found[1], copy=True)
        return loss, grads

    def take_snapshot(self, full_grad_closure):
        """Remember the current weights as w~ and their full-batch gradient as mu.

        `full_grad_closure()` must compute the loss over the whole data set, call
        backward on it and return it; its loss is returned.
        """
        if full_grad_closure is None:
            raise ValueError("SVRG.take_snapshot needs a closure that computes the full-batch "
                             "loss and calls backward()")
        loss, grads = self._gradients_of(full_grad_closure)
        for p in self._all_params():
            weights = np.array(p.data, dtype=np.float64) if isinstance(p, Value) else p.data
            state = self.state[p]
            state["snapshot"] = np.array(weights, copy=True)
            state["full_grad"] = grads.get(p, np.zeros_like(weights))
        return loss

    def _set_weights(self, p, values):
        if isinstance(p, Value):
            p.data = float(values)
        else:
            p.data[...] = values  # in place: other views of the weights stay valid

    def step(self, closure=None):
        """One variance-reduced step on the batch `closure` computes (see the class
        docstring); returns the closure's loss at the current weights."""
        if closure is None:
            raise ValueError("SVRG.step needs a closure: it evaluates the batch gradient at "
                             "the snapshot weights and at the current weights")
        params = self._all_params()
        if any("snapshot" not in self.state.get(p, {}) for p in params):
            raise RuntimeError("SVRG.step: no snapshot yet; call opt.take_snapshot("
                               "full_grad_closure) at the start of every epoch")
        current = {p: np.array(p.data, copy=True) for p in params}
        for p in params:
            self._set_weights(p, self.state[p]["snapshot"])
        try:
            _, snapshot_grads = self._gradients_of(closure)
        finally:
            for p in params:
                self._set_weights(p, current[p])
        loss, grads = self._gradients_of(closure)

        for group in self.param_groups:
            for p in group["params"]:
                if p not in grads:
                    continue
                found = weights_and_grad(p)
                weights = found[0]
                state = self.state[p]
                snapshot_grad = snapshot_grads.get(p, 0.0)
                variance_reduced = grads[p] - snapshot_grad + state["full_grad"]
                weights -= group["lr"] * variance_reduced
                write_back(p, weights)
        return loss
