"""SGD: hand-computed trajectories on f(w) = 0.5 * sum(a * w**2), the lecture notes'
momentum and Nesterov forms, and PyTorch's SGD over every option combination."""
import itertools

import numpy as np
import pytest

from autograd import Tensor
from optim import SGD

A = [1.0, 3.0]
W0 = [1.0, -2.0]


def quadratic_trajectory(make_optimizer, steps=3, a=A, w0=W0):
    """Minimise 0.5 * sum(a * w**2) with autograd gradients; the weights after each step."""
    w = Tensor(np.array(w0, dtype=np.float64), requires_grad=True)
    a_tensor = Tensor(np.array(a, dtype=np.float64))
    opt = make_optimizer([w])
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss = (a_tensor * w * w).sum() * 0.5
        loss.backward()
        opt.step()
        trajectory.append(w.data.tolist())
    return trajectory


def sgd_by_hand(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                maximize=False, steps=3, a=A, w0=W0):
    """The documented SGD update, one coordinate at a time, in plain floats."""
    w = list(w0)
    buffers = [None] * len(w)
    trajectory = []
    for _ in range(steps):
        for i in range(len(w)):
            g = a[i] * w[i]
            if maximize:
                g = -g
            g = g + weight_decay * w[i]
            if momentum != 0:
                if buffers[i] is None:
                    buffers[i] = g
                else:
                    buffers[i] = momentum * buffers[i] + (1 - dampening) * g
                g = g + momentum * buffers[i] if nesterov else buffers[i]
            w[i] = w[i] - lr * g
        trajectory.append(list(w))
    return trajectory


def test_plain_sgd_numbers_worked_out_by_hand():
    # g = a*w = (1, -6) -> w = (0.9, -1.4); g = (0.9, -4.2) -> (0.81, -0.98); ...
    expected = [[0.9, -1.4], [0.81, -0.98], [0.729, -0.686]]
    got = quadratic_trajectory(lambda p: SGD(p, lr=0.1))
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_momentum_numbers_worked_out_by_hand():
    # b1 = g1 = (1, -6), w1 = (0.9, -1.4); g2 = (0.9, -4.2), b2 = 0.9 b1 + g2 = (1.8, -9.6),
    # w2 = (0.72, -0.44); g3 = (0.72, -1.32), b3 = (2.34, -9.96), w3 = (0.486, 0.556)
    expected = [[0.9, -1.4], [0.72, -0.44], [0.486, 0.556]]
    got = quadratic_trajectory(lambda p: SGD(p, lr=0.1, momentum=0.9))
    np.testing.assert_allclose(got, expected, rtol=1e-13)


OPTIONS = [
    dict(),
    dict(momentum=0.9),
    dict(momentum=0.8, dampening=0.3),
    dict(momentum=0.9, nesterov=True),
    dict(weight_decay=0.5),
    dict(momentum=0.7, weight_decay=0.2, dampening=0.1),
    dict(momentum=0.9, nesterov=True, weight_decay=0.1),
    dict(maximize=True),
    dict(maximize=True, momentum=0.5, weight_decay=0.1),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_three_steps_match_the_documented_formula(options):
    got = quadratic_trajectory(lambda p: SGD(p, lr=0.1, **options))
    np.testing.assert_allclose(got, sgd_by_hand(0.1, **options), rtol=1e-13, atol=1e-15)


def test_maximize_climbs():
    got = quadratic_trajectory(lambda p: SGD(p, lr=0.1, maximize=True))
    np.testing.assert_allclose(got[0], [1.1, -2.6], rtol=1e-14)


def test_notes_momentum_form_is_sgd_with_lr_eta_and_momentum_gamma():
    eta, gamma = 0.05, 0.9
    w, v = list(W0), [0.0, 0.0]
    notes = []
    for _ in range(6):
        for i in range(2):
            v[i] = gamma * v[i] + eta * A[i] * w[i]   # v_1 = eta * g_1 since v_0 = 0
            w[i] = w[i] - v[i]
        notes.append(list(w))
    got = quadratic_trajectory(lambda p: SGD(p, lr=eta, momentum=gamma), steps=6)
    np.testing.assert_allclose(got, notes, rtol=1e-12)


def test_moving_average_form_is_dampening_equal_to_momentum_after_first_step():
    alpha, beta = 0.1, 0.8
    w, v = list(W0), [None, None]
    notes = []
    for _ in range(5):
        for i in range(2):
            g = A[i] * w[i]
            # PyTorch starts the average at v_1 = g_1 (no dampening on the first step)
            v[i] = g if v[i] is None else beta * v[i] + (1 - beta) * g
            w[i] = w[i] - alpha * v[i]
        notes.append(list(w))
    got = quadratic_trajectory(lambda p: SGD(p, lr=alpha, momentum=beta, dampening=beta),
                               steps=5)
    np.testing.assert_allclose(got, notes, rtol=1e-12)
    # ... which is not the average started at v_0 = 0: that first step is (1 - beta) shorter
    zero_start_first = [W0[i] - alpha * (1 - beta) * A[i] * W0[i] for i in range(2)]
    assert not np.allclose(got[0], zero_start_first)


def test_nesterov_parameter_is_the_notes_look_ahead_point():
    eta, gamma = 0.05, 0.9
    w, v = list(W0), [0.0, 0.0]
    look_ahead = []
    for _ in range(6):
        for i in range(2):
            g_ahead = A[i] * (w[i] - gamma * v[i])    # gradient at w' = w - gamma v
            v[i] = gamma * v[i] + eta * g_ahead
            w[i] = w[i] - v[i]
        look_ahead.append([w[i] - gamma * v[i] for i in range(2)])
    got = quadratic_trajectory(lambda p: SGD(p, lr=eta, momentum=gamma, nesterov=True),
                               steps=6)
    np.testing.assert_allclose(got, look_ahead, rtol=1e-12)


def test_float32_parameters_stay_float32_and_are_updated_in_place():
    w = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    array = w.data
    w.grad = Tensor(np.array([0.5, 0.5], dtype=np.float32))
    SGD([w], lr=0.1, momentum=0.9).step()
    assert w.data is array and w.data.dtype == np.float32
    np.testing.assert_allclose(w.data, [0.95, 1.95], rtol=1e-6)


# ---- against PyTorch ------------------------------------------------------------------

SGD_GRID = [
    dict(lr=0.05, momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
    for m, d, n, wd, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [False, True],
                                             [0.0, 0.1], [False, True])
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("options", SGD_GRID, ids=str)
def test_sgd_matches_torch_for_20_steps(options, run_against_torch):
    run_against_torch(SGD, run_against_torch.torch.optim.SGD, options)


def test_default_lr_matches_torch():
    torch = pytest.importorskip("torch")
    w = torch.zeros(1, requires_grad=True)
    assert SGD([Tensor(np.zeros(1), requires_grad=True)]).defaults["lr"] == \
        torch.optim.SGD([w]).defaults["lr"] == 1e-3
