"""`Optimizer`: the base class every optimizer derives from, with PyTorch's interface.

An optimizer holds `param_groups` (a list of dicts: the parameters and their options,
such as `lr`) and `state` (a dict from parameter to that parameter's running buffers,
such as a momentum buffer). A subclass writes only its update rule::

    def _update(self, weights, grad, state, group):
        weights -= group["lr"] * grad          # one parameter, numpy arrays, in place

The base class walks the groups, skips parameters without a gradient and hands
`_update` numpy arrays:

* a `Tensor` parameter gives its own `.data` (updated in place, dtype kept) and its
  `.grad.data`;
* a `Value` parameter gives a 0-d float64 array, written back to `.data` afterwards,
  so one update rule serves both front ends and a Value's state is 0-d float64 arrays.

`state_dict()` / `load_state_dict()` use PyTorch's layout: parameters are numbered in
group order and the state is stored under those numbers, as copies, so a restored
optimizer continues exactly (bit for bit) where the saved one stopped.
"""
import copy
from collections import defaultdict

import numpy as np

from autograd.engine import Node, enable_grad
from autograd.tensor import Tensor
from autograd.value import Value


class _RequiredParameter:
    """The default of an option every parameter group must set (e.g. SVRG's lr)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _at_least_zero(name):
    return lambda value: value >= 0.0, f"Invalid {name} value: {{}}"


# Checks applied to every parameter group, whichever optimizer has the option.
# Each entry: option -> (accepts(value), message with {} for the value).
OPTION_CHECKS = {
    "lr": (lambda v: v >= 0.0, "Invalid learning rate: {}"),
    "momentum": _at_least_zero("momentum"),
    "weight_decay": _at_least_zero("weight_decay"),
    "eps": (lambda v: v >= 0.0, "Invalid epsilon value: {}"),
    "alpha": _at_least_zero("alpha"),
    "lr_decay": _at_least_zero("lr_decay"),
    "initial_accumulator_value": _at_least_zero("initial_accumulator_value"),
    "rho": (lambda v: 0.0 <= v <= 1.0, "Invalid rho value: {}"),
    "damping": _at_least_zero("damping"),
}


def _check_betas(betas):
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def weights_and_grad(param):
    """(weights, grad) as numpy arrays for one parameter, or None when it has no grad.

    For a Tensor, `weights` is the parameter's own `.data` (update it in place).
    For a Value, both are fresh 0-d float64 arrays; see `write_back`.
    """
    if isinstance(param, Value):
        return np.array(param.data, dtype=np.float64), np.array(float(param.grad))
    if param.grad is None:
        return None
    grad = param.grad.data if isinstance(param.grad, Tensor) else np.asarray(param.grad)
    return param.data, grad


def write_back(param, weights):
    """Store updated weights: a no-op for a Tensor (updated in place), `.data` for a Value."""
    if isinstance(param, Value):
        param.data = float(weights)


class Optimizer:
    """Optimizer(params, defaults): the machinery shared by every optimizer.

    `params` is an iterable of parameters (`Tensor`s or `Value`s, e.g.
    `model.parameters()`) or of dicts, each a parameter group with its own options::

        SGD([{"params": model.body.parameters()},
             {"params": model.head.parameters(), "lr": 1e-2}], lr=1e-3, momentum=0.9)

    Options a group leaves out come from `defaults`.
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._check_options({k: v for k, v in self.defaults.items() if v is not required})
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Node):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors, Values or dicts, but got a {type(params).__name__}")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- parameter groups ------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a dict {'params': [...], option: value, ...}; missing options take the
        defaults. Every option is checked, and a parameter may belong to one group only."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if isinstance(params, Node):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of parameters in sets changes between runs; "
                            "use a list instead")
        elif params is None:
            raise ValueError("param_group must have a 'params' entry")
        group["params"] = list(params)
        for p in group["params"]:
            if not isinstance(p, (Tensor, Value)):
                raise TypeError("optimizer can only optimize Tensors or Values, but one of the "
                                f"params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf {type(p).__name__} (one made by "
                                 f"'{p.op}'); optimize the leaves it was computed from")
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            raise ValueError("a parameter appears more than once in one parameter group")

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        self._check_options(group)

        in_other_groups = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in in_other_groups for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_options(self, group):
        """Raise ValueError for an invalid option; subclasses add their own rules."""
        for name, (accepts, message) in OPTION_CHECKS.items():
            if name in group and not accepts(group[name]):
                raise ValueError(message.format(group[name]))
        if "betas" in group:
            _check_betas(group["betas"])

    # ---- gradients and stepping --------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Clear the gradients: to None (default) or to zeros in place.

        A `Value`'s gradient is a float that backward adds to, so it is set to 0.0
        either way.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if isinstance(p, Value):
                    p.grad = 0.0
                elif set_to_none or p.grad is None:
                    p.grad = None
                else:
                    if p.grad.requires_grad:  # a create_graph gradient: keep only its numbers
                        p.grad = p.grad.detach()
                    p.grad.data[...] = 0

    @staticmethod
    def _evaluate(closure):
        """Run `closure` (which recomputes the loss and its gradients) with grad mode on,
        even if `step` itself is called inside `no_grad`; return its loss."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure=None):
        """Update every parameter that has a gradient; return the closure's loss (or None)."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                found = weights_and_grad(p)
                if found is None:
                    continue
                weights, grad = found
                state = self.state[p] if p in self.state else {}
                self._update(weights, grad, state, group)
                if state:
                    self.state[p] = state
                write_back(p, weights)
        return loss

    def _update(self, weights, grad, state, group):
        """Apply one update to `weights` (numpy, in place) given `grad` and `state`."""
        raise NotImplementedError(f"{type(self).__name__} must define _update or step")

    # ---- saving and restoring --------------------------------------------------------
    def _numbered_params(self):
        """Each parameter with its number in the state dict (group order)."""
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self):
        """{'state': {number: {...}}, 'param_groups': [{..., 'params': [numbers]}]}.

        Parameters are numbered in group order; arrays are copies, so training on does
        not change a saved state dict.
        """
        numbers = {id(p): i for i, p in enumerate(self._numbered_params())}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [numbers[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p in self._numbered_params():
            if p in self.state:
                state[numbers[id(p)]] = copy.deepcopy(dict(self.state[p]))
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore options and state saved by `state_dict()`.

        Everything is checked first (number of groups, size of each group, the shape of
        every saved array); if anything does not fit, ValueError, and the optimizer is
        unchanged.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict \
                or "param_groups" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups' "
                             "entries, as returned by state_dict()")
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer "
                             f"({len(self.param_groups)})")
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 f"match the size of optimizer's group: group {index} has "
                                 f"{len(saved['params'])} parameters saved, "
                                 f"{len(group['params'])} in the optimizer")
        by_number = {}
        for group, saved in zip(self.param_groups, saved_groups):
            by_number.update(zip(saved["params"], group["params"]))

        new_state = defaultdict(dict)
        for number, saved_state in state_dict["state"].items():
            if number not in by_number:
                raise ValueError(f"loaded state dict has state for parameter {number}, which "
                                 "no parameter group lists")
            param = by_number[number]
            new_state[param] = {key: _restore(value, param, number, key)
                                for key, value in saved_state.items()}

        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
        self.param_groups = saved_groups
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _restore(value, param, number, key):
    """A copy of one saved state entry, cast like the parameter (arrays only)."""
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, np.ndarray):
        return copy.deepcopy(value)
    if isinstance(param, Value):
        shape, dtype = (), np.dtype(np.float64)
    else:
        shape, dtype = param.data.shape, param.data.dtype
    if value.shape != shape:
        raise ValueError(f"loaded state dict has '{key}' of shape {value.shape} for parameter "
                         f"{number}, whose shape is {shape}")
    return np.array(value, dtype=dtype if np.issubdtype(value.dtype, np.floating) else None)
