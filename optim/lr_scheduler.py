"""Learning-rate schedules (the lecture notes' "learning rate decay"), PyTorch's classes.

A scheduler changes `group["lr"]` of an optimizer's parameter groups. Call its
`step()` once per epoch, after the epoch's `optimizer.step()` calls::

    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=30, gamma=0.1)    # lr 0.1, then 0.01 from epoch 30, ...
    for epoch in range(100):
        train_one_epoch(model, opt)
        sched.step()

`last_epoch` counts the scheduler's steps. Constructing a scheduler records each
group's starting lr as `group["initial_lr"]` (the `base_lrs`) and performs the initial
step, which moves `last_epoch` from -1 to 0 and sets the epoch-0 lr. Schedules that
multiply (StepLR, MultiStepLR, ExponentialLR) and CosineAnnealingLR are computed
recursively from the current `group["lr"]`, as in PyTorch, so they compose with other
changes to the lr; each also documents its closed form. ReduceLROnPlateau instead
watches a metric: `sched.step(val_loss)`.

Passing `last_epoch=k` (resuming) requires `initial_lr` in every group (load the
optimizer's state dict first); as in PyTorch the constructor's initial step then still
advances `last_epoch` by one.
"""
import math
from bisect import bisect_right
from collections import Counter

from optim.optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses define `get_lr()`, the lrs for epoch `last_epoch`."""

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in "
                                   f"param_groups[{index}] when resuming a scheduler with "
                                   f"last_epoch={last_epoch}; load the optimizer's state dict "
                                   "(which has it) before creating the scheduler")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self):
        """Advance one epoch and write the new lrs into the optimizer's groups."""
        self._step_count += 1
        self.last_epoch += 1
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self):
        """The lrs set by the latest step, one per parameter group."""
        return self._last_lr

    def state_dict(self):
        """Every attribute except the optimizer (whose state is saved on its own)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """LambdaLR(optimizer, lr_lambda, last_epoch=-1): ``lr = initial_lr * lr_lambda(epoch)``.

    `lr_lambda` is one function of the epoch, or a list with one per parameter group.
    The lecture notes' decay rules fit here, e.g. ``lambda epoch: 1 / (1 + 0.5 * epoch)``
    or ``lambda epoch: 0.95 ** epoch``. In `state_dict()` plain functions (and lambdas)
    are stored as None; callable objects are stored by their `__dict__`.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * factor(self.last_epoch)
                for factor, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if _is_plain_function(f) else dict(f.__dict__)
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for function, saved in zip(self.lr_lambdas, saved_lambdas):
            if saved is not None:
                function.__dict__.update(saved)


def _is_plain_function(function):
    import types
    return isinstance(function, (types.FunctionType, types.BuiltinFunctionType))


class StepLR(LRScheduler):
    """StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1): multiply the lr by gamma
    every `step_size` epochs (the notes' step decay).

    Recursively: at epochs step_size, 2 step_size, ... ``lr = lr * gamma``.
    Closed form: ``lr = initial_lr * gamma ** (epoch // step_size)``.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1): multiply the lr by
    gamma at each milestone epoch (a milestone listed twice multiplies by gamma**2).

    Closed form: ``lr = initial_lr * gamma ** (number of milestones <= epoch)``.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """ExponentialLR(optimizer, gamma, last_epoch=-1): multiply the lr by gamma every
    epoch (the notes' exponential decay).

    Closed form: ``lr = initial_lr * gamma ** epoch``.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1): follow half a
    cosine from the initial lr down to eta_min over T_max epochs (Loshchilov & Hutter).

    Closed form: ``lr_t = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``.

    As in PyTorch the lr is computed recursively from the current lr, each step
    multiplying the distance to eta_min by the ratio of consecutive cosine factors::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T))

    (T = T_max)

    and, where that ratio would be 0/0 (t - 1 = T_max, 3 T_max, ...: the bottom of the
    cosine), by adding the closed form's increment
    ``(initial_lr - eta_min) * (1 - cos(pi / T_max)) / 2``. Without outside changes to
    the lr this equals the closed form. Past T_max the cosine climbs back up (no restarts
    are implied; stop stepping, or use a longer T_max, to stay at eta_min).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - period) % (2 * period) == 0:
            increment = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base_lr - eta_min) * increment
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
    threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8): cut the lr when a metric
    stops improving. Call ``sched.step(metric)`` once per epoch.

    * A metric *improves* on the best so far when (mode 'min') it is below
      ``best * (1 - threshold)`` ('rel') or ``best - threshold`` ('abs'); for mode
      'max', above ``best * (1 + threshold)`` or ``best + threshold``. The first metric
      always improves (best starts at +inf or -inf).
    * Each epoch without improvement is a *bad epoch*; once there are more than
      `patience` in a row, every group's lr becomes ``max(lr * factor, min_lr)``
      (skipped if that changes it by no more than `eps`) and the count restarts.
    * For `cooldown` epochs after a cut, bad epochs are not counted.

    `min_lr` is one number or a list with one per group. `last_epoch` counts the
    metrics seen (it starts at 0; there is no initial step).
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got {factor}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.factor = factor
        self.optimizer = optimizer
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"expected {groups} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * groups
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown; use 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown; use 'rel' or 'abs'")
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def is_better(self, current, best):
        """True when `current` improves on `best` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return current < best * (1.0 - self.threshold)
        if self.mode == "min":
            return current < best - self.threshold
        if self.threshold_mode == "rel":
            return current > best * (self.threshold + 1.0)
        return current > best + self.threshold

    def step(self, metrics):
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"the optimizer now has {len(groups)} parameter groups but "
                                   f"ReduceLROnPlateau was given {len(self.min_lrs)} min_lrs; "
                                   "set `min_lrs` to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
