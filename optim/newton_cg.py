"""`NewtonCG`: Hessian-free Newton steps, solved by conjugate gradient."""
import numpy as np

from autograd import engine
from autograd.tensor import Tensor
from autograd.value import Value
from optim.optimizer import Optimizer


class NewtonCG(Optimizer):
    """NewtonCG(params, lr=1.0, max_cg_iters=10, cg_tol=1e-10, damping=0.0)

    One Newton step per `step(closure)`, without ever forming the Hessian H::

        g = grad L(w)                                  (autograd.grad, create_graph=True)
        solve (H + damping * I) d = -g  by conjugate gradient, where each product H v is
              grad of (g . v) with respect to w        (a Hessian-vector product: one
                                                        more backward pass through g's graph)
        w = w + lr * d

    On a convex quadratic ``0.5 w.A w - b.w`` with n weights, CG finds the exact Newton
    step in at most n iterations, and the Newton step lands on the minimiser: one step
    solves the problem (max_cg_iters >= n). On smooth convex losses such as logistic
    regression it converges in a handful of steps, quadratically near the solution.

    Conjugate gradient (Nocedal & Wright, Algorithm 5.2, started at d = 0) stops after
    `max_cg_iters` iterations, or when the residual ``||(H + damping I) d + g||`` falls
    below ``cg_tol * ||g||``. If it meets a direction of non-positive curvature
    (p.(H + damping I)p <= 0, possible on non-convex losses) it stops there (truncated
    Newton, Nocedal & Wright 7.1); if that happens on the very first iteration the
    step is steepest descent, d = -g. `damping` > 0 (Levenberg-Marquardt) shortens
    steps where the curvature is small and helps on non-convex problems.

    The closure must compute and *return* the loss without calling backward (the
    optimizer differentiates it itself, twice)::

        opt = NewtonCG([w, b])
        for _ in range(5):
            opt.step(lambda: loss_fn(w, b))

    The gradient at the start of each step is stored in each parameter's `.grad`.
    Works for Tensor parameters, and for Value parameters (slowly: every Hessian-vector
    product is a walk over a graph of scalars), but not both mixed. All parameters form
    one group (the Newton direction couples them, so per-group options make no sense).
    `state` of the first parameter records 'step' and 'cg_iterations' (the CG
    iterations of the last step).
    """

    def __init__(self, params, lr=1.0, max_cg_iters=10, cg_tol=1e-10, damping=0.0):
        if int(max_cg_iters) != max_cg_iters or max_cg_iters < 1:
            raise ValueError(f"Invalid max_cg_iters value: {max_cg_iters} (need an int >= 1)")
        if cg_tol < 0:
            raise ValueError(f"Invalid cg_tol value: {cg_tol}")
        defaults = dict(lr=lr, max_cg_iters=max_cg_iters, cg_tol=cg_tol, damping=damping)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("NewtonCG doesn't support per-parameter options "
                             "(parameter groups)")
        kinds = {Value if isinstance(p, Value) else Tensor for p in self._params}
        if len(kinds) != 1:
            raise TypeError("NewtonCG: parameters must be all Tensors or all Values, "
                            "not a mix of both")

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # ---- flat vectors <-> per-parameter arrays ------------------------------------------
    def _flatten(self, arrays):
        return np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])

    def _unflatten(self, vector):
        arrays, start = [], 0
        for p in self._params:
            shape = () if isinstance(p, Value) else p.data.shape
            size = int(np.prod(shape))
            arrays.append(vector[start:start + size].reshape(shape))
            start += size
        return arrays

    def _hessian_vector_product(self, grads, vector):
        """(H v) as a flat vector: the gradient of g . v, through g's recorded graph."""
        terms = []
        for g, v, p in zip(grads, self._unflatten(vector), self._params):
            if g is None or not g.requires_grad:
                continue  # this part of the gradient is constant: no curvature
            if isinstance(p, Value):
                terms.append(g * float(v))
            else:
                terms.append((g * Tensor._wrap(v.astype(p.data.dtype))).sum())
        if not terms:
            return np.zeros_like(vector)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        products = engine.grad(total, self._params, retain_graph=True, allow_unused=True)
        return self._flatten([np.zeros(np.shape(p.data)) if hv is None
                              else (hv.data if isinstance(hv, Tensor) else hv)
                              for hv, p in zip(products, self._params)])

    def _conjugate_gradient(self, grads, g, damping, max_iters, tol):
        """Approximately solve (H + damping I) d = -g; return (d, iterations)."""
        d = np.zeros_like(g)
        r = -g                         # residual b - A d with b = -g, d = 0
        p = r.copy()
        rr = r @ r
        stop = tol * np.sqrt(rr)
        for iteration in range(1, max_iters + 1):
            Ap = self._hessian_vector_product(grads, p) + damping * p
            curvature = p @ Ap
            if curvature <= 0:
                return (-g if iteration == 1 else d), iteration
            alpha = rr / curvature
            d += alpha * p
            r -= alpha * Ap
            rr_new = r @ r
            if np.sqrt(rr_new) <= stop:
                return d, iteration
            p = r + (rr_new / rr) * p
            rr = rr_new
        return d, max_iters

    def step(self, closure=None):
        """One Newton-CG step; `closure()` returns the loss (without calling backward)."""
        if closure is None:
            raise ValueError("NewtonCG.step needs a closure that computes and returns the "
                             "loss (it must not call backward)")
        group = self.param_groups[0]
        loss = self._evaluate(closure)
        with engine.enable_grad():
            grads = engine.grad(loss, self._params, create_graph=True, allow_unused=True)
        g = self._flatten([np.zeros(np.shape(p.data)) if gi is None else gi.data
                           for gi, p in zip(grads, self._params)])
        for p, gi in zip(self._params, self._unflatten(g)):
            if isinstance(p, Value):
                p.grad = float(gi)
            else:
                p.grad = Tensor._wrap(gi.astype(p.data.dtype))

        state = self.state[self._params[0]]
        state["step"] = state.get("step", 0) + 1
        if not np.any(g):
            state["cg_iterations"] = 0
            return loss
        with engine.enable_grad():
            d, iterations = self._conjugate_gradient(grads, g, group["damping"],
                                                     group["max_cg_iters"], group["cg_tol"])
        state["cg_iterations"] = iterations
        for p, dp in zip(self._params, self._unflatten(d)):
            if isinstance(p, Value):
                p.data = p.data + group["lr"] * float(dp)
            else:
                p.data += (group["lr"] * dp).astype(p.data.dtype)
        return loss
