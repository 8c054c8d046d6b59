"""Adagrad, Adadelta, RMSprop, Adam, AdamW: three steps on f(w) = 0.5 * sum(a * w**2)
against the documented formulas written out in plain floats, a few numbers worked by
hand, and PyTorch over 20 steps for every option combination."""
import itertools
import math

import numpy as np
import pytest

from autograd import Tensor
from optim import Adadelta, Adagrad, Adam, AdamW, RMSprop

A = [1.0, 3.0]
W0 = [1.0, -2.0]


def quadratic_trajectory(make_optimizer, steps=3):
    w = Tensor(np.array(W0, dtype=np.float64), requires_grad=True)
    a = Tensor(np.array(A, dtype=np.float64))
    opt = make_optimizer([w])
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        ((a * w * w).sum() * 0.5).backward()
        opt.step()
        trajectory.append(w.data.tolist())
    return trajectory


def by_hand(update, steps=3):
    """Run `update(i, w_i, g_i, state_i, t) -> new w_i` coordinate by coordinate."""
    w = list(W0)
    states = [{} for _ in w]
    trajectory = []
    for t in range(1, steps + 1):
        for i in range(len(w)):
            w[i] = update(w[i], A[i] * w[i], states[i], t)
        trajectory.append(list(w))
    return trajectory


def check(make_optimizer, update):
    np.testing.assert_allclose(quadratic_trajectory(make_optimizer), by_hand(update),
                               rtol=1e-12, atol=1e-15)


def with_decay(g, w, maximize, weight_decay):
    return (-g if maximize else g) + weight_decay * w


# ---- Adagrad --------------------------------------------------------------------------

def adagrad_rule(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10, maximize=False):
    def update(w, g, s, t):
        g = with_decay(g, w, maximize, weight_decay)
        s["sum"] = s.get("sum", initial_accumulator_value) + g * g
        clr = lr / (1 + (t - 1) * lr_decay)
        return w - clr * g / (math.sqrt(s["sum"]) + eps)
    return update


ADAGRAD_OPTIONS = [dict(), dict(lr_decay=0.5), dict(initial_accumulator_value=2.0),
                   dict(weight_decay=0.3), dict(maximize=True),
                   dict(lr_decay=0.1, initial_accumulator_value=0.5, weight_decay=0.2,
                        maximize=True)]


@pytest.mark.parametrize("options", ADAGRAD_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_adagrad_three_steps(options):
    check(lambda p: Adagrad(p, lr=0.5, **options), adagrad_rule(lr=0.5, **options))


def test_adagrad_first_step_is_lr_times_sign():
    # s = g**2, so the first step is lr * g / |g| for every weight: (1, -2) - 0.5 * (1, -1)
    got = quadratic_trajectory(lambda p: Adagrad(p, lr=0.5), steps=1)
    np.testing.assert_allclose(got[0], [0.5, -1.5], rtol=1e-9)


# ---- Adadelta -------------------------------------------------------------------------

def adadelta_rule(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    def update(w, g, s, t):
        g = with_decay(g, w, maximize, weight_decay)
        s["sq"] = rho * s.get("sq", 0.0) + (1 - rho) * g * g
        delta = math.sqrt(s.get("acc", 0.0) + eps) / math.sqrt(s["sq"] + eps) * g
        s["acc"] = rho * s.get("acc", 0.0) + (1 - rho) * delta * delta
        return w - lr * delta
    return update


ADADELTA_OPTIONS = [dict(), dict(rho=0.5), dict(eps=1e-3), dict(weight_decay=0.3),
                    dict(maximize=True), dict(rho=0.7, weight_decay=0.1, maximize=True)]


@pytest.mark.parametrize("options", ADADELTA_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_adadelta_three_steps(options):
    check(lambda p: Adadelta(p, lr=2.0, **options), adadelta_rule(lr=2.0, **options))


def test_adadelta_first_step_by_hand():
    # E[g^2] = 0.1 g^2, delta = sqrt(1e-6) / sqrt(0.1 g^2 + 1e-6) * g
    g = 1.0
    delta = 1e-3 / math.sqrt(0.1 + 1e-6) * g
    got = quadratic_trajectory(lambda p: Adadelta(p), steps=1)
    assert got[0][0] == pytest.approx(1.0 - delta, rel=1e-14)


# ---- RMSprop --------------------------------------------------------------------------

def rmsprop_rule(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
    def update(w, g, s, t):
        g = with_decay(g, w, maximize, weight_decay)
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
        if centered:
            s["m"] = alpha * s.get("m", 0.0) + (1 - alpha) * g
            avg = math.sqrt(s["v"] - s["m"] ** 2) + eps
        else:
            avg = math.sqrt(s["v"]) + eps
        if momentum > 0:
            s["b"] = momentum * s.get("b", 0.0) + g / avg
            return w - lr * s["b"]
        return w - lr * g / avg
    return update


RMSPROP_OPTIONS = [dict(), dict(alpha=0.9), dict(momentum=0.9), dict(centered=True),
                   dict(weight_decay=0.3), dict(maximize=True),
                   dict(momentum=0.5, centered=True, weight_decay=0.1, maximize=True)]


@pytest.mark.parametrize("options", RMSPROP_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_rmsprop_three_steps(options):
    check(lambda p: RMSprop(p, lr=0.05, **options), rmsprop_rule(lr=0.05, **options))


def test_rmsprop_first_step_by_hand():
    # v = 0.01 g^2, so the first step is lr * g / (0.1 |g| + eps) = 10 lr sign(g)
    got = quadratic_trajectory(lambda p: RMSprop(p, lr=0.01), steps=1)
    np.testing.assert_allclose(got[0], [0.9, -1.9], rtol=1e-7)


# ---- Adam and AdamW -------------------------------------------------------------------

def adam_rule(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
              maximize=False, decoupled=False):
    beta1, beta2 = betas

    def update(w, g, s, t):
        g = -g if maximize else g
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
        s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
        s["vmax"] = max(s.get("vmax", 0.0), s["v"])
        m_hat = s["m"] / (1 - beta1 ** t)
        v_hat = (s["vmax"] if amsgrad else s["v"]) / (1 - beta2 ** t)
        return w - lr * m_hat / (math.sqrt(v_hat) + eps)
    return update


ADAM_OPTIONS = [dict(), dict(betas=(0.5, 0.9)), dict(amsgrad=True), dict(weight_decay=0.3),
                dict(maximize=True), dict(eps=0.1),
                dict(betas=(0.8, 0.95), amsgrad=True, weight_decay=0.1, maximize=True)]


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_adam_three_steps(options):
    check(lambda p: Adam(p, lr=0.1, **options), adam_rule(lr=0.1, **options))


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_adamw_three_steps(options):
    options = dict(options, weight_decay=options.get("weight_decay", 0.01))
    check(lambda p: AdamW(p, lr=0.1, **options), adam_rule(lr=0.1, decoupled=True, **options))


def test_adam_first_step_has_the_size_of_lr():
    # bias correction: m_hat = g, v_hat = g^2, so w moves by lr * g / (|g| + eps)
    got = quadratic_trajectory(lambda p: Adam(p, lr=0.1), steps=1)
    np.testing.assert_allclose(got[0], [1 - 0.1 * 1 / (1 + 1e-8), -2 + 0.1 * 6 / (6 + 1e-8)],
                               rtol=1e-14)


def test_amsgrad_changes_the_path_when_v_shrinks():
    # the gradients shrink along the path, so v falls and v_max differs from v
    plain = quadratic_trajectory(lambda p: Adam(p, lr=0.3, betas=(0.5, 0.5)), steps=4)
    ams = quadratic_trajectory(lambda p: Adam(p, lr=0.3, betas=(0.5, 0.5), amsgrad=True),
                               steps=4)
    assert not np.allclose(plain[-1], ams[-1])


def test_adamw_decays_weights_where_adam_l2_does_not():
    w_adam = Tensor(np.array([1.0]), requires_grad=True)
    w_adamw = Tensor(np.array([1.0]), requires_grad=True)
    for w, opt in [(w_adam, Adam([w_adam], lr=0.1, weight_decay=0.1)),
                   (w_adamw, AdamW([w_adamw], lr=0.1, weight_decay=0.1))]:
        w.grad = Tensor(np.array([0.0]))
        opt.step()
    # Adam+L2: g = 0.1 * w, normalised to a full lr step; AdamW: shrink by 1 - lr*wd first
    assert w_adam.data[0] == pytest.approx(1.0 - 0.1, rel=1e-6)
    assert w_adamw.data[0] == pytest.approx(1.0 * (1 - 0.01), rel=1e-12)


def test_defaults_are_pytorchs():
    w = [Tensor(np.zeros(1), requires_grad=True)]
    assert Adagrad(w).defaults["lr"] == 0.01 and Adagrad(w).defaults["eps"] == 1e-10
    assert Adadelta(w).defaults["lr"] == 1.0 and Adadelta(w).defaults["rho"] == 0.9
    assert Adadelta(w).defaults["eps"] == 1e-6
    assert RMSprop(w).defaults["alpha"] == 0.99 and RMSprop(w).defaults["lr"] == 0.01
    assert Adam(w).defaults["betas"] == (0.9, 0.999) and Adam(w).defaults["eps"] == 1e-8
    assert Adam(w).defaults["weight_decay"] == 0 and AdamW(w).defaults["weight_decay"] == 0.01


# ---- against PyTorch ------------------------------------------------------------------

def grid(**choices):
    names = list(choices)
    return [dict(zip(names, values)) for values in itertools.product(*choices.values())]


TORCH_CASES = (
    [("Adagrad", o) for o in grid(lr=[0.1], lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1],
                                  initial_accumulator_value=[0.0, 0.3], maximize=[False, True])]
    + [("Adadelta", o) for o in grid(lr=[1.0], rho=[0.9, 0.5], weight_decay=[0.0, 0.1],
                                     maximize=[False, True])]
    + [("RMSprop", o) for o in grid(lr=[0.01], alpha=[0.99], momentum=[0.0, 0.9],
                                    centered=[False, True], weight_decay=[0.0, 0.1],
                                    maximize=[False, True])]
    + [("Adam", o) for o in grid(lr=[0.05], betas=[(0.9, 0.999), (0.3, 0.6)],
                                 amsgrad=[False, True], weight_decay=[0.0, 0.1],
                                 maximize=[False, True])]
    + [("AdamW", o) for o in grid(lr=[0.05], amsgrad=[False, True], weight_decay=[0.0, 0.1],
                                  maximize=[False, True])]
)

OURS = {"Adagrad": Adagrad, "Adadelta": Adadelta, "RMSprop": RMSprop, "Adam": Adam,
        "AdamW": AdamW}


@pytest.mark.parametrize("name,options", TORCH_CASES,
                         ids=[f"{n}-{o}" for n, o in TORCH_CASES])
def test_matches_torch_for_20_steps(name, options, run_against_torch):
    torch = run_against_torch.torch
    run_against_torch(OURS[name], getattr(torch.optim, name), options, seed=1)
