"""Learning-rate schedulers: hand-computed sequences, PyTorch's sequences, state dicts,
last_epoch semantics and ReduceLROnPlateau's patience, cooldown and thresholds."""
import math

import numpy as np
import pytest

from autograd import Tensor
from optim import SGD, Adam, lr_scheduler
from optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR,
                                ReduceLROnPlateau, StepLR)


def optimizer(lr=1.0, groups=1):
    params = [Tensor(np.zeros(2), requires_grad=True) for _ in range(groups)]
    return SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)], lr=lr)


def lr_sequence(scheduler, epochs):
    """get_last_lr() after construction and after each of `epochs` steps (group 0)."""
    values = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        scheduler.optimizer.step()
        scheduler.step()
        values.append(scheduler.get_last_lr()[0])
    return values


def test_submodule_is_importable_both_ways():
    import optim.lr_scheduler as direct
    assert lr_scheduler is direct and direct.StepLR is StepLR


def test_construction_records_initial_lr_and_takes_the_initial_step():
    opt = optimizer(lr=0.5, groups=2)
    sched = StepLR(opt, step_size=2)
    assert sched.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == [0.5, 1.0]
    assert sched.base_lrs == [0.5, 1.0] and sched.get_last_lr() == [0.5, 1.0]


def test_step_lr_by_hand():
    sched = StepLR(optimizer(lr=1.0), step_size=3, gamma=0.5)
    assert lr_sequence(sched, 7) == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_multi_step_lr_by_hand_with_repeated_milestone():
    sched = MultiStepLR(optimizer(lr=1.0), milestones=[2, 5, 5], gamma=0.5)
    assert lr_sequence(sched, 6) == [1.0, 1.0, 0.5, 0.5, 0.5, 0.125, 0.125]


def test_exponential_lr_by_hand():
    sched = ExponentialLR(optimizer(lr=2.0), gamma=0.5)
    assert lr_sequence(sched, 4) == [2.0, 1.0, 0.5, 0.25, 0.125]


def test_lambda_lr_by_hand_per_group():
    opt = optimizer(lr=1.0, groups=2)
    sched = LambdaLR(opt, [lambda e: 1 / (1 + e), lambda e: 0.5 ** e])
    for epoch in range(4):
        assert sched.get_last_lr() == pytest.approx([1 / (1 + epoch), 2.0 * 0.5 ** epoch])
        sched.step()
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        LambdaLR(opt, [lambda e: 1.0])


def test_cosine_follows_the_closed_form_and_climbs_back_after_t_max():
    base, eta_min, t_max = 0.1, 0.01, 5
    sched = CosineAnnealingLR(optimizer(lr=base), T_max=t_max, eta_min=eta_min)
    got = lr_sequence(sched, 12)
    closed = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
              for t in range(13)]
    np.testing.assert_allclose(got, closed, rtol=1e-12, atol=1e-15)
    assert got[5] == pytest.approx(eta_min) and got[10] == pytest.approx(base)


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[2, 3, 7, 7], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.02)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1.0 / (1.0 + 0.3 * epoch))),
])
def test_lr_sequence_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours_opt = optimizer(lr=0.1, groups=2)
    p1, p2 = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    theirs_opt = torch.optim.SGD([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.2}])
    ours = getattr(lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    for _ in range(20):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)
        assert ours.last_epoch == theirs.last_epoch
        ours_opt.step(), theirs_opt.step()
        ours.step(), theirs.step()


def test_scheduler_changes_what_the_optimizer_does():
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([w], lr=1.0)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for expected in [1.0 - 1.0, 0.0 - 0.5, -0.5 - 0.25]:
        w.grad = Tensor(np.array([1.0]))
        opt.step()
        sched.step()
        assert w.data[0] == expected


def test_state_dict_round_trip_continues_the_schedule():
    opt = optimizer(lr=1.0)
    sched = CosineAnnealingLR(opt, T_max=10, eta_min=0.1)
    lr_sequence(sched, 4)
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 4
    expected = lr_sequence(sched, 4)

    fresh_opt = optimizer(lr=1.0)
    fresh_opt.load_state_dict(saved_opt)
    fresh = CosineAnnealingLR(fresh_opt, T_max=10, eta_min=0.1)
    fresh.load_state_dict(saved_sched)
    assert lr_sequence(fresh, 4) == expected


def test_lambda_state_dict_skips_plain_functions_and_keeps_callable_objects():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    decay = Decay()
    opt = optimizer(lr=1.0, groups=2)
    sched = LambdaLR(opt, [lambda e: 1.0, decay])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [None, {"rate": 0.5}]
    other = Decay()
    other.rate = 0.9
    LambdaLR(optimizer(lr=1.0, groups=2), [lambda e: 1.0, other]).load_state_dict(saved)
    assert other.rate == 0.5


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(optimizer(), step_size=2, last_epoch=3)
    opt = optimizer(lr=1.0)
    opt.param_groups[0]["initial_lr"] = 1.0
    sched = ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert sched.last_epoch == 4 and sched.get_last_lr() == [1.0]   # as PyTorch


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), step_size=1)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ReduceLROnPlateau([1, 2])


# ---- ReduceLROnPlateau ---------------------------------------------------------------------

def plateau_lrs(metrics, **kwargs):
    opt = optimizer(lr=1.0)
    sched = ReduceLROnPlateau(opt, **kwargs)
    lrs = []
    for metric in metrics:
        sched.step(metric)
        lrs.append(sched.get_last_lr()[0])
    return lrs


def test_plateau_waits_patience_bad_epochs_then_cuts():
    # best = 5 at epoch 1; epochs 2, 3 are bad (patience 2), the 3rd bad epoch (4) cuts
    lrs = plateau_lrs([5, 6, 6, 6, 6, 6, 6], patience=2, factor=0.5)
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_plateau_improvement_resets_the_count():
    lrs = plateau_lrs([5, 6, 6, 4, 6, 6, 6], patience=2, factor=0.5)
    assert lrs == [1.0] * 6 + [0.5]


def test_plateau_cooldown_ignores_bad_epochs():
    lrs = plateau_lrs([5] + [6] * 8, patience=1, factor=0.5, cooldown=2)
    # cut at epoch 3; epochs 4, 5 are cooldown; bad epochs count again from 6: cut at 7
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_plateau_patience_zero():
    assert plateau_lrs([5, 6, 5, 4], patience=0, factor=0.5) == [1.0, 0.5, 0.25, 0.25]


def test_plateau_threshold_modes_and_max_mode():
    # rel: 4.9999 is not below 5 * (1 - 1e-4) = 4.9995, so it counts as bad
    assert plateau_lrs([5.0, 4.9999], patience=0, factor=0.5) == [1.0, 0.5]
    assert plateau_lrs([5.0, 4.99], patience=0, factor=0.5) == [1.0, 1.0]
    assert plateau_lrs([5.0, 4.6], patience=0, factor=0.5, threshold=0.5,
                       threshold_mode="abs") == [1.0, 0.5]
    assert plateau_lrs([1.0, 2.0, 1.5], mode="max", patience=0, factor=0.5) == [1.0, 1.0, 0.5]


def test_plateau_min_lr_and_eps():
    assert plateau_lrs([1, 2, 2, 2], patience=0, factor=0.1, min_lr=0.05) == \
        [1.0, 0.1, 0.05, 0.05]
    # a cut smaller than eps is skipped
    assert plateau_lrs([1, 2], patience=0, factor=0.5, eps=0.6) == [1.0, 1.0]


def test_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    metrics = np.cumsum(rng.normal(size=60)).tolist()
    opt = optimizer(lr=1.0, groups=2)
    p1, p2 = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    t_opt = torch.optim.SGD([{"params": [p1], "lr": 1.0}, {"params": [p2], "lr": 2.0}])
    kwargs = dict(mode="min", factor=0.5, patience=3, threshold=0.05, cooldown=2,
                  min_lr=[0.01, 0.1])
    ours, theirs = ReduceLROnPlateau(opt, **kwargs), \
        torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kwargs)
    for metric in metrics:
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert ours.num_bad_epochs == theirs.num_bad_epochs


def test_plateau_state_dict_round_trip_and_errors():
    opt = optimizer(lr=1.0)
    sched = ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for metric in [3, 4]:
        sched.step(metric)
    saved = sched.state_dict()
    fresh = ReduceLROnPlateau(optimizer(lr=1.0), patience=1, factor=0.5)
    fresh.load_state_dict(saved)
    assert fresh.best == 3 and fresh.num_bad_epochs == 1
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode 'up' is unknown"):
        ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match="threshold mode 'log' is unknown"):
        ReduceLROnPlateau(opt, threshold_mode="log")
    with pytest.raises(ValueError, match="expected 1 min_lrs, got 2"):
        ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])


def test_schedulers_work_with_any_optimizer():
    opt = Adam([Tensor(np.zeros(1), requires_grad=True)], lr=0.01)
    sched = ExponentialLR(opt, gamma=0.5)
    sched.step()
    assert opt.param_groups[0]["lr"] == 0.005
