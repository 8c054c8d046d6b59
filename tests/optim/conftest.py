"""What the optimizer tests share: running one of ours beside PyTorch's on the same
problem and comparing the trajectories."""
import numpy as np
import pytest

from autograd import Tensor


def random_problem(seed):
    """Two parameters and a smooth non-quadratic loss with analytic numpy gradients:
    L = 0.5 sum(scale (m - target)^2) + sum(log cosh(v - target_v)) + 0.1 sum(m)^2."""
    rng = np.random.default_rng(seed)
    matrix, vector = rng.normal(size=(3, 4)), rng.normal(size=5)
    target_m, target_v = rng.normal(size=(3, 4)), rng.normal(size=5)
    scale_m = rng.uniform(0.5, 2.0, size=(3, 4))

    def gradients(m, v):
        return (scale_m * (m - target_m) + 0.2 * m.sum(), np.tanh(v - target_v))

    return [matrix, vector], gradients


@pytest.fixture
def run_against_torch():
    """run(ours_class, torch_class, options, steps=20, seed=0): step both optimizers on
    the same gradients and assert equal parameters after every step (float64)."""
    torch = pytest.importorskip("torch")

    def run(ours_class, torch_class, options, steps=20, seed=0):
        initial, gradients = random_problem(seed)
        ours = [Tensor(a.copy(), requires_grad=True) for a in initial]
        theirs = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True)
                  for a in initial]
        our_opt, their_opt = ours_class(ours, **options), torch_class(theirs, **options)
        for _ in range(steps):
            for p, g in zip(ours, gradients(*[p.data for p in ours])):
                p.grad = Tensor(g)
            for p, g in zip(theirs, gradients(*[p.detach().numpy() for p in theirs])):
                p.grad = torch.tensor(g)
            our_opt.step()
            their_opt.step()
            for mine, reference in zip(ours, theirs):
                np.testing.assert_allclose(mine.data, reference.detach().numpy(),
                                           rtol=1e-12, atol=1e-14)
        return ours

    run.torch = torch
    return run
