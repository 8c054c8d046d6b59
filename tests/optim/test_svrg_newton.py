"""SVRG and NewtonCG: the variance-reduced step by hand, exact convergence of SVRG on
least squares where SGD stalls, and Newton-CG's one-step solve of a quadratic, its
damping, negative curvature and logistic regression."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from optim import SGD, SVRG, NewtonCG


# ---- SVRG ------------------------------------------------------------------------------------

def test_svrg_step_by_hand():
    # f_i(w) = 0.5 (w - c_i)^2, F = mean: the variance-reduced gradient is
    # (w - c_i) - (w~ - c_i) + (w~ - mean c) = w - mean c, the exact full gradient
    c = [1.0, 4.0, -2.0]                       # mean 1
    w = Tensor(np.array([3.0]), requires_grad=True)
    opt = SVRG([w], lr=0.25)

    def loss_on(rows):
        residual = w - Tensor(np.array([c[i] for i in rows]))
        return (residual * residual).mean() * 0.5

    def closure_for(rows):
        def closure():
            loss = loss_on(rows)
            loss.backward()
            return loss
        return closure

    opt.take_snapshot(closure_for([0, 1, 2]))
    assert opt.state[w]["snapshot"][0] == 3.0
    assert opt.state[w]["full_grad"][0] == pytest.approx(2.0, rel=1e-15)
    loss = opt.step(closure_for([1]))
    assert w.data[0] == pytest.approx(3.0 - 0.25 * 2.0, rel=1e-15)          # 2.5
    assert loss.item() == 0.5 * (3.0 - 4.0) ** 2            # loss at the weights before
    loss = opt.step(closure_for([2]))
    assert w.data[0] == pytest.approx(2.5 - 0.25 * (2.5 - 1.0), rel=1e-15)  # 2.125
    assert loss.item() == pytest.approx(0.5 * (2.5 + 2.0) ** 2, rel=1e-15)
    assert w.grad.data[0] == pytest.approx(2.5 + 2.0, rel=1e-15)  # grad f_2 at current w
    assert opt.state[w]["snapshot"][0] == 3.0               # unchanged until the next snapshot


def least_squares(seed=0, n=30, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)      # noisy: no exact fit
    solution = np.linalg.lstsq(X, y, rcond=None)[0]
    step = 0.5 / max((X ** 2).sum(axis=1))                       # 0.5 / L_max

    def loss_on(w, rows):
        residual = Tensor(X[rows]) @ w - Tensor(y[rows])
        return (residual * residual).mean() * 0.5

    return X, y, solution, step, loss_on


def test_svrg_converges_exactly_where_sgd_stalls():
    X, y, solution, lr, loss_on = least_squares()
    n, d = X.shape
    rng = np.random.default_rng(1)
    samples = rng.integers(0, n, size=(25, n))

    w = Tensor(np.zeros(d), requires_grad=True)
    opt = SVRG([w], lr=lr)

    def full_batch():
        loss = loss_on(w, np.arange(n))
        loss.backward()
        return loss

    for epoch in range(25):
        opt.take_snapshot(full_batch)
        for i in samples[epoch]:
            def closure(i=i):
                loss = loss_on(w, [i])
                loss.backward()
                return loss
            opt.step(closure)
    assert np.abs(w.data - solution).max() < 1e-8

    v = Tensor(np.zeros(d), requires_grad=True)
    sgd = SGD([v], lr=lr)
    errors = []
    for epoch in range(50):
        for i in rng.integers(0, n, size=n):
            sgd.zero_grad()
            loss_on(v, [i]).backward()
            sgd.step()
        errors.append(np.abs(v.data - solution).max())
    assert min(errors[25:]) > 1e-3            # stuck in the noise ball, lr constant


def test_svrg_state_dict_resumes_mid_epoch_exactly():
    X, y, solution, lr, loss_on = least_squares(n=10, d=3)

    def run(opt, w, rows):
        for i in rows:
            def closure(i=i):
                loss = loss_on(w, [i])
                loss.backward()
                return loss
            opt.step(closure)

    w = Tensor(np.zeros(3), requires_grad=True)
    opt = SVRG([w], lr=lr)

    def full():
        loss = loss_on(w, np.arange(10))
        loss.backward()
        return loss

    opt.take_snapshot(full)
    run(opt, w, [0, 1, 2])
    saved, weights = opt.state_dict(), w.data.copy()
    run(opt, w, [3, 4, 5])

    w2 = Tensor(weights, requires_grad=True)
    opt2 = SVRG([w2], lr=0.0)
    opt2.load_state_dict(saved)
    run(opt2, w2, [3, 4, 5])
    assert np.array_equal(w.data, w2.data)


def test_svrg_with_value_parameters():
    a, b = Value(0.0), Value(0.0)
    data = [(-1.5, -1.0), (-0.5, 1.5), (0.5, 2.0), (1.5, 5.5)]  # y ~ a x + b

    def loss_on(rows):
        return Value.sum([(a * data[i][0] + b - data[i][1]) ** 2 for i in rows]) \
            * (0.5 / len(rows))

    def closure_for(rows):
        def closure():
            loss = loss_on(rows)
            loss.backward()
            return loss
        return closure

    opt = SVRG([a, b], lr=0.15)
    for epoch in range(30):
        opt.take_snapshot(closure_for(range(4)))
        for i in [0, 3, 1, 2, 2, 0, 1, 3]:
            opt.step(closure_for([i]))
    X = np.array([[x, 1.0] for x, _ in data])
    exact = np.linalg.lstsq(X, np.array([t for _, t in data]), rcond=None)[0]
    np.testing.assert_allclose([a.data, b.data], exact, atol=1e-8)


def test_svrg_errors_and_weights_restored_when_closure_fails():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = SVRG([w], lr=0.1)

    def good():
        loss = (w * w).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="no snapshot yet"):
        opt.step(good)
    with pytest.raises(ValueError, match="needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="needs a closure"):
        opt.take_snapshot(None)
    opt.take_snapshot(good)
    w.data[...] = [5.0, 6.0]

    def broken():
        raise ZeroDivisionError("data loader failed")

    with pytest.raises(ZeroDivisionError):
        opt.step(broken)
    np.testing.assert_array_equal(w.data, [5.0, 6.0])           # current weights are back


# ---- NewtonCG --------------------------------------------------------------------------------

def quadratic_problem(seed=0):
    """0.5 z.A z - b.z over z = (W.ravel(), v): 4 + 1 = 5 weights in two parameters."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(5, 5))
    A = M @ M.T + 0.5 * np.eye(5)
    b = rng.normal(size=5)
    W = Tensor(rng.normal(size=(2, 2)), requires_grad=True)
    v = Tensor(rng.normal(size=1), requires_grad=True)

    def loss():
        z = autograd.cat([W.reshape(-1), v])
        return (z @ (Tensor(A) @ z)) * 0.5 - Tensor(b) @ z

    return A, b, W, v, loss


def test_newton_cg_solves_a_quadratic_in_one_step():
    A, b, W, v, loss = quadratic_problem()
    opt = NewtonCG([W, v])
    opt.step(loss)
    z = np.concatenate([W.data.ravel(), v.data])
    np.testing.assert_allclose(z, np.linalg.solve(A, b), atol=1e-8)
    assert opt.state[W]["cg_iterations"] <= 5 and opt.state[W]["step"] == 1


def test_newton_cg_stores_the_gradient_and_returns_the_loss():
    A, b, W, v, loss = quadratic_problem()
    z0 = np.concatenate([W.data.ravel(), v.data])
    expected_loss = 0.5 * z0 @ A @ z0 - b @ z0
    returned = NewtonCG([W, v]).step(loss)
    assert returned.item() == pytest.approx(expected_loss, rel=1e-12)
    gradient = np.concatenate([W.grad.data.ravel(), v.grad.data])
    np.testing.assert_allclose(gradient, A @ z0 - b, rtol=1e-12)


def test_newton_cg_with_few_iterations_is_not_exact():
    A, b, W, v, loss = quadratic_problem()
    NewtonCG([W, v], max_cg_iters=1).step(loss)
    z = np.concatenate([W.data.ravel(), v.data])
    assert np.abs(z - np.linalg.solve(A, b)).max() > 1e-3


def test_newton_cg_damping_and_lr():
    A, b, W, v, loss = quadratic_problem()
    z0 = np.concatenate([W.data.ravel(), v.data])
    NewtonCG([W, v], lr=0.5, damping=2.0).step(loss)
    expected = z0 + 0.5 * np.linalg.solve(A + 2.0 * np.eye(5), -(A @ z0 - b))
    np.testing.assert_allclose(np.concatenate([W.data.ravel(), v.data]), expected, atol=1e-9)


def test_newton_cg_negative_curvature_falls_back_to_steepest_descent():
    # f = 0.5 x^2 - y^2 at (1, 1): g = (1, -2), p = -g has p.Hp = 1 - 8 < 0, so d = -g
    w = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    opt = NewtonCG([w])
    opt.step(lambda: (w * w * Tensor(np.array([0.5, -1.0]))).sum())
    np.testing.assert_allclose(w.data, [0.0, 3.0], rtol=1e-14)
    assert opt.state[w]["cg_iterations"] == 1


def test_newton_cg_logistic_regression_converges_in_few_steps():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    labels = (X @ np.array([1.0, -2.0, 0.5]) + 0.8 * rng.normal(size=60) > 0).astype(float)
    w = Tensor(np.zeros(3), requires_grad=True)
    bias = Tensor(np.zeros(1), requires_grad=True)

    def loss():
        z = Tensor(X) @ w + bias
        return (autograd.softplus(z) - Tensor(labels) * z).mean() + 0.01 * (w * w).sum()

    opt = NewtonCG([w, bias])
    losses = [opt.step(loss).item() for _ in range(6)]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:4]))
    final = loss()
    final.backward()
    gradient = np.concatenate([w.grad.data, bias.grad.data])
    assert np.abs(gradient).max() < 1e-10                     # quadratic convergence


def test_newton_cg_with_value_parameters():
    x, y = Value(3.0), Value(-1.0)
    # 0.5 [x y] [[2, 1], [1, 3]] [x y]^T - (x + 2 y): minimum at A^-1 (1, 2) = (0.2, 0.6)
    opt = NewtonCG([x, y])
    opt.step(lambda: 0.5 * (2 * x * x + 2 * x * y + 3 * y * y) - (x + 2 * y))
    assert x.data == pytest.approx(0.2, abs=1e-12) and y.data == pytest.approx(0.6, abs=1e-12)


def test_newton_cg_at_the_minimum_does_nothing():
    w = Tensor(np.array([0.0, 0.0]), requires_grad=True)
    opt = NewtonCG([w])
    opt.step(lambda: (w * w).sum())
    np.testing.assert_array_equal(w.data, [0.0, 0.0])
    assert opt.state[w]["cg_iterations"] == 0


def test_newton_cg_errors():
    w = Tensor(np.zeros(2), requires_grad=True)
    u = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        NewtonCG([{"params": [w]}, {"params": [u]}])
    with pytest.raises(TypeError, match="all Tensors or all Values"):
        NewtonCG([w, Value(1.0)])
    with pytest.raises(ValueError, match="Invalid max_cg_iters value: 0"):
        NewtonCG([w], max_cg_iters=0)
    with pytest.raises(ValueError, match="Invalid cg_tol value"):
        NewtonCG([w], cg_tol=-1.0)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        NewtonCG([w], lr=-1.0)
    with pytest.raises(ValueError, match="needs a closure"):
        NewtonCG([w]).step()
