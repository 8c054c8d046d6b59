r"""`GradientMonitor`: how gradients flow through a network while it trains.

    monitor = viz.GradientMonitor(model)            # or GradientMonitor(model, optimizer=opt)
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        monitor.step()                               # after optimizer.step()
    print(monitor.report())
    monitor.remove()                                 # or use `with GradientMonitor(...)`

What is recorded, for every `every`-th step (steps count from 0, so step 0 is always
recorded):

* per parameter and per layer (a module that owns parameters; its statistics pool all
  of its parameters' elements): mean |g|, the L2 norm ||g||_2, max |g| of the gradient
  the optimizer used (`p.grad` when `step()` is called), and the update-to-weight ratio
  ||w_after - w_before||_2 / ||w_before||_2. `w_before` is copied by a hook on each
  parameter when its gradient arrives during backward, `w_after` read at `step()`.
  A ratio near 1e-3 is the usual healthy range; 0 means the weights did not change
  (was `step()` called before `optimizer.step()`?).
* per activation layer, the fraction of bad units in the forward passes of that step
  (averaged over the passes; passes under `no_grad` are ignored):
  - "sigmoid" kind: fraction of outputs y within `sigmoid_margin` of 0 or 1 (saturated:
    there sigma' = y (1 - y) < margin, against 1/4 at its peak);
  - "tanh" kind: fraction of outputs with |y| > 1 - `tanh_margin` (tanh' = 1 - y^2 < 2 margin);
  - "relu" kind: fraction of units (output positions, all axes but the batch axis 0)
    that are exactly 0 for every sample of the batch (dead: no gradient reaches them);
  - "leaky_relu" kind: fraction of units negative for every sample (all on the leaky
    slope).

Activation layers are recognised by class name (`ReLU`, `ReLU6` -> relu; `LeakyReLU`,
`PReLU`, `RReLU` -> leaky_relu; `Sigmoid`, `Hardsigmoid` -> sigmoid; `Tanh`,
`Hardtanh`, `Softsign` -> tanh; base classes count too), by an attribute
`viz_activation = "sigmoid"` (etc.) on the module or its class, or by
`viz.register_activation(cls_or_name, kind)`; a kind may also be a function
`f(output_array) -> fraction`.

`report()` prints a table and flags problems using `GradientThresholds` (settable as
`monitor.thresholds.<name>`); see that class for each rule.
"""
import math
from dataclasses import dataclass, fields

import numpy as np

from autograd import Tensor, is_grad_enabled

_ACTIVATION_REGISTRY = {
    "ReLU": "relu", "ReLU6": "relu",
    "LeakyReLU": "leaky_relu", "PReLU": "leaky_relu", "RReLU": "leaky_relu",
    "Sigmoid": "sigmoid", "Hardsigmoid": "sigmoid",
    "Tanh": "tanh", "Hardtanh": "tanh", "Softsign": "tanh",
}
ACTIVATION_KINDS = ("sigmoid", "tanh", "relu", "leaky_relu")
_KIND_WORDS = {"sigmoid": "saturated", "tanh": "saturated", "relu": "dead",
               "leaky_relu": "all-negative"}


def register_activation(cls_or_name, kind):
    """Treat modules of this class (or class name) as activations of `kind`: one of
    "sigmoid", "tanh", "relu", "leaky_relu", or a function f(output_array) -> fraction."""
    name = cls_or_name if isinstance(cls_or_name, str) else cls_or_name.__name__
    if not callable(kind) and kind not in ACTIVATION_KINDS:
        raise ValueError(f"register_activation: kind must be one of {ACTIVATION_KINDS} or a "
                         f"function, got {kind!r}")
    _ACTIVATION_REGISTRY[name] = kind


def activation_kind(module):
    """The activation kind of a module (see the module docstring), or None."""
    kind = getattr(module, "viz_activation", None)
    if kind is not None:
        return kind
    for cls in type(module).__mro__:
        if cls.__name__ in _ACTIVATION_REGISTRY:
            return _ACTIVATION_REGISTRY[cls.__name__]
    return None


@dataclass
class GradientThresholds:
    """When `GradientMonitor.report()` / `flags()` raise an alarm. Layers are compared in
    the order they ran in the forward pass ("first" is nearest the input).

    vanishing_ratio: VANISHING when the first layer's mean |g| is more than this many
        times smaller than the last layer's (default 1e3).
    vanishing_grad: VANISHING when a layer's mean |g| is below this (default 1e-8;
        exactly 0 counts).
    exploding_ratio: EXPLODING when the first layer's mean |g| is more than this many
        times larger than the last layer's (default 1e3).
    exploding_norm: EXPLODING when a layer's gradient L2 norm exceeds this (default 1e3);
        a non-finite gradient (inf or nan) is always EXPLODING.
    update_ratio_high / update_ratio_low: UPDATE when a layer's ||dw|| / ||w|| is above
        the high mark (default 1e-1: the step is large compared to the weights) or
        positive and below the low one (default 1e-6: the weights barely move).
    sigmoid_margin: a sigmoid output within this of 0 or 1 is saturated (default 0.01).
    tanh_margin: a tanh output with |y| > 1 - tanh_margin is saturated (default 0.01).
    saturation_alert: SATURATED when more than this fraction of an activation layer's
        outputs are saturated (default 0.5).
    dead_alert: DEAD when more than this fraction of a ReLU layer's units are dead
        (default 0.5; also used for leaky ReLU units on the negative slope).
    """

    vanishing_ratio: float = 1e3
    vanishing_grad: float = 1e-8
    exploding_ratio: float = 1e3
    exploding_norm: float = 1e3
    update_ratio_high: float = 1e-1
    update_ratio_low: float = 1e-6
    sigmoid_margin: float = 0.01
    tanh_margin: float = 0.01
    saturation_alert: float = 0.5
    dead_alert: float = 0.5


class GradientStats:
    """Gradient statistics of one parameter or one layer at one step.

    mean_abs, norm, max_abs: of the gradient; numel: elements pooled; update_ratio:
    ||w_after - w_before|| / ||w_before|| (None when unknown); finite: no inf/nan.
    """

    __slots__ = ("name", "type_name", "numel", "mean_abs", "norm", "max_abs",
                 "update_ratio", "finite")

    def __init__(self, name, type_name, numel, mean_abs, norm, max_abs, update_ratio, finite):
        self.name = name
        self.type_name = type_name
        self.numel = numel
        self.mean_abs = mean_abs
        self.norm = norm
        self.max_abs = max_abs
        self.update_ratio = update_ratio
        self.finite = finite

    def __repr__(self):
        ratio = "None" if self.update_ratio is None else f"{self.update_ratio:.3g}"
        return (f"GradientStats({self.name!r}, mean_abs={self.mean_abs:.3g}, "
                f"norm={self.norm:.3g}, max_abs={self.max_abs:.3g}, update_ratio={ratio})")


class ActivationStats:
    """One activation layer at one step: `kind`, `fraction` of bad units (saturated or
    dead, see the module docstring), the word for them (`what`) and how many forward
    passes were averaged."""

    __slots__ = ("name", "type_name", "kind", "fraction", "what", "passes")

    def __init__(self, name, type_name, kind, fraction, what, passes):
        self.name = name
        self.type_name = type_name
        self.kind = kind
        self.fraction = fraction
        self.what = what
        self.passes = passes

    def __repr__(self):
        return f"ActivationStats({self.name!r}, {self.what} {self.fraction:.1%})"


class StepRecord:
    """What was recorded at one step: `step` (index), `layers` and `params` (dicts name ->
    GradientStats), `activations` (dict name -> ActivationStats)."""

    __slots__ = ("step", "layers", "params", "activations")

    def __init__(self, step):
        self.step = step
        self.layers = {}
        self.params = {}
        self.activations = {}

    def __repr__(self):
        return (f"StepRecord(step={self.step}, {len(self.layers)} layers, "
                f"{len(self.activations)} activations)")


class Flag:
    """A problem found at one step: `kind` (VANISHING, EXPLODING, UPDATE, SATURATED or
    DEAD), the `layer` concerned (or None), a sentence (`message`), and the `rule` that
    fired in general terms (flags with the same rule are listed together by `report`)
    with this layer's `value` for it."""

    __slots__ = ("kind", "layer", "message", "rule", "value")

    def __init__(self, kind, layer, message, rule=None, value=None):
        self.kind = kind
        self.layer = layer
        self.message = message
        self.rule = rule or message
        self.value = value

    def __repr__(self):
        return f"Flag({self.kind}: {self.message})"

    def __str__(self):
        return f"{self.kind:<10} {self.message}"


def _saturation(kind, output, thresholds):
    """Fraction of bad units of one activation output (see the module docstring)."""
    if callable(kind):
        return float(kind(output))
    if output.size == 0:
        return 0.0
    if kind == "sigmoid":
        margin = thresholds.sigmoid_margin
        return float(np.mean((output < margin) | (output > 1 - margin)))
    if kind == "tanh":
        return float(np.mean(np.abs(output) > 1 - thresholds.tanh_margin))
    units = output.reshape(output.shape[0], -1) if output.ndim > 1 else output.reshape(1, -1)
    if kind == "relu":
        return float(np.mean(np.all(units == 0, axis=0)))
    if kind == "leaky_relu":
        return float(np.mean(np.all(units < 0, axis=0)))
    raise ValueError(f"GradientMonitor: unknown activation kind {kind!r}")


def _pooled(name, type_name, parts):
    """GradientStats pooling (grad, weight_before, weight_after) triples (inf and nan
    propagate into the statistics quietly; `finite` records them)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return _pooled_statistics(name, type_name, parts)


def _pooled_statistics(name, type_name, parts):
    numel = sum(g.size for g, _, _ in parts)
    total_abs = sum(float(np.sum(np.abs(g), dtype=np.float64)) for g, _, _ in parts)
    squares = sum(float(np.sum(np.square(g, dtype=np.float64))) for g, _, _ in parts)
    max_abs = max((float(np.max(np.abs(g))) for g, _, _ in parts if g.size), default=0.0)
    finite = all(bool(np.all(np.isfinite(g))) for g, _, _ in parts)
    ratio = None
    known = [(before, after) for _, before, after in parts if before is not None]
    if known and len(known) == len(parts):
        change = sum(float(np.sum(np.square(after.astype(np.float64) - before))) for before,
                     after in known)
        size = sum(float(np.sum(np.square(before, dtype=np.float64))) for before, _ in known)
        ratio = math.sqrt(change) / math.sqrt(size) if size > 0 else (
            0.0 if change == 0 else math.inf)
    mean_abs = total_abs / numel if numel else 0.0
    return GradientStats(name, type_name, numel, mean_abs, math.sqrt(squares), max_abs,
                         ratio, finite)


class GradientMonitor:
    """GradientMonitor(model, every=1, optimizer=None, thresholds=None): records gradient
    flow per layer and activation saturation through hooks (see the module docstring).

    every: record every `every`-th step (step 0, every, 2 every, ...).
    optimizer: if given, its `step()` is wrapped so that `monitor.step()` runs right
        after it (undone by `remove()`; do not also call `monitor.step()` yourself);
        otherwise call `monitor.step()` yourself after `optimizer.step()`.
    thresholds: a `GradientThresholds` (or a dict of its fields) for `report()`/`flags()`.
    """

    def __init__(self, model, every=1, optimizer=None, thresholds=None):
        if not hasattr(model, "named_modules"):
            raise TypeError(f"GradientMonitor: expected an nn.Module, got {type(model).__name__}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"GradientMonitor: every must be a positive integer, got {every!r}")
        if thresholds is None:
            thresholds = GradientThresholds()
        elif isinstance(thresholds, dict):
            known = {f.name for f in fields(GradientThresholds)}
            unknown = sorted(set(thresholds) - known)
            if unknown:
                raise ValueError(f"GradientMonitor: unknown thresholds {unknown}; known: "
                                 f"{sorted(known)}")
            thresholds = GradientThresholds(**thresholds)
        self.model = model
        self.every = every
        self.thresholds = thresholds
        self.history = []
        self._step_count = 0
        self._handles = []
        self._snapshots = {}
        self._activation_sums = {}
        self._forward_order = []
        self._optimizer = None
        self._types = {}
        self._layers = {}       # layer name -> [(parameter name, parameter)]
        self._activations = {}  # activation layer name -> kind
        for name, module in model.named_modules():
            own = [(f"{name}.{pname}" if name else pname, p)
                   for pname, p in module.named_parameters(recurse=False)]
            kind = activation_kind(module)
            if own:
                self._layers[name] = own
            if kind is not None:
                self._activations[name] = kind
            if own or kind is not None:
                self._types[name] = type(module).__name__
                self._handles.append(module.register_forward_hook(self._forward_hook(name)))
        for own in self._layers.values():
            for _, parameter in own:
                if parameter.requires_grad:
                    self._handles.append(parameter.register_hook(self._grad_hook(parameter)))
        if optimizer is not None:
            self._wrap(optimizer)

    # ---- hooks -----------------------------------------------------------------------
    @property
    def _recording(self):
        return self._step_count % self.every == 0

    def _forward_hook(self, name):
        def hook(module, inputs, output):
            if name not in self._forward_order:
                self._forward_order.append(name)
            kind = self._activations.get(name)
            if kind is None or not self._recording or not is_grad_enabled():
                return None
            tensor = output[0] if isinstance(output, (tuple, list)) else output
            if isinstance(tensor, Tensor):
                fraction = _saturation(kind, np.asarray(tensor.data), self.thresholds)
                total, passes = self._activation_sums.get(name, (0.0, 0))
                self._activation_sums[name] = (total + fraction, passes + 1)
            return None
        return hook

    def _grad_hook(self, parameter):
        def hook(grad):
            if self._recording and parameter not in self._snapshots:
                self._snapshots[parameter] = np.array(parameter.data, copy=True)
            return None
        return hook

    def _wrap(self, optimizer):
        original = optimizer.step
        monitor = self

        def step(*args, **kwargs):
            result = original(*args, **kwargs)
            monitor.step()
            return result

        optimizer.step = step
        self._optimizer = (optimizer, step)

    def remove(self):
        """Detach every hook (and unwrap the optimizer). Recorded history stays."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._optimizer is not None:
            optimizer, wrapper = self._optimizer
            if optimizer.__dict__.get("step") is wrapper:
                del optimizer.step
            self._optimizer = None
        self._snapshots = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
        return False

    # ---- recording ---------------------------------------------------------------------
    def step(self):
        """Record this training step (call it after `optimizer.step()`); returns the
        `StepRecord`, or None when the step is skipped because of `every`."""
        index = self._step_count
        self._step_count += 1
        if index % self.every != 0:
            self._snapshots = {}
            self._activation_sums = {}
            return None
        record = StepRecord(index)
        for layer in self.layer_names:
            parts = []
            for pname, parameter in self._layers[layer]:
                if parameter.grad is None:
                    continue
                grad = np.asarray(parameter.grad.data)
                before = self._snapshots.get(parameter)
                part = (grad, before, parameter.data)
                parts.append(part)
                record.params[pname] = _pooled(pname, "Parameter", [part])
            if parts:
                record.layers[layer] = _pooled(layer, self._types[layer], parts)
        for name in self.activation_names:
            if name in self._activation_sums:
                total, passes = self._activation_sums[name]
                kind = self._activations[name]
                what = _KIND_WORDS.get(kind, "flagged") if not callable(kind) else "flagged"
                kind_name = kind if not callable(kind) else getattr(kind, "__name__", "custom")
                record.activations[name] = ActivationStats(name, self._types[name], kind_name,
                                                           total / passes, what, passes)
        self._snapshots = {}
        self._activation_sums = {}
        self.history.append(record)
        return record

    # ---- views -------------------------------------------------------------------------
    def _ordered(self, names):
        ran = [n for n in self._forward_order if n in names]
        return ran + [n for n in names if n not in ran]

    @property
    def layer_names(self):
        """Layers (modules owning parameters) in forward order (registration order for
        layers that have not run)."""
        return self._ordered(list(self._layers))

    @property
    def activation_names(self):
        return self._ordered(list(self._activations))

    @property
    def module_names(self):
        """Layers and activation layers together, in forward order."""
        return self._ordered(list(self._types))

    def type_name(self, name):
        return self._types[name]

    @property
    def steps(self):
        """The indices of the recorded steps."""
        return [record.step for record in self.history]

    def record(self, step=-1):
        """The `StepRecord` at position `step` of the history (-1: the latest)."""
        if not self.history:
            raise RuntimeError("GradientMonitor: nothing recorded yet; call monitor.step() "
                               "after each optimizer.step() (or pass optimizer=)")
        return self.history[step]

    def series(self, stat="mean_abs", kind="layers"):
        """(names, steps, array of shape (len(names), len(steps))) of one statistic over
        the history: for kind="layers" or "params" a GradientStats field ("mean_abs",
        "norm", "max_abs", "update_ratio"), for kind="activations" the fraction. Missing
        entries are nan."""
        if kind == "layers":
            names = self.layer_names
        elif kind == "params":
            names = [pname for layer in self.layer_names for pname, _ in self._layers[layer]]
        elif kind == "activations":
            names, stat = self.activation_names, "fraction"
        else:
            raise ValueError(f"series: kind must be 'layers', 'params' or 'activations', "
                             f"got {kind!r}")
        table = np.full((len(names), len(self.history)), np.nan)
        for column, record in enumerate(self.history):
            entries = getattr(record, kind)
            for row, name in enumerate(names):
                entry = entries.get(name)
                value = None if entry is None else getattr(entry, stat)
                if value is not None:
                    table[row, column] = value
        return names, self.steps, table

    # ---- diagnosis ---------------------------------------------------------------------
    def flags(self, step=-1):
        """The problems at one recorded step, as `Flag`s (rules in `GradientThresholds`)."""
        record = self.record(step)
        t = self.thresholds
        found = []
        layers = [record.layers[n] for n in self.layer_names if n in record.layers]
        for stats in layers:
            name = stats.name
            if not stats.finite:
                found.append(Flag("EXPLODING", name, f"non-finite gradient (inf or nan) in "
                                  f"'{name}'", "non-finite gradient (inf or nan)"))
            elif stats.norm > t.exploding_norm:
                found.append(Flag("EXPLODING", name, f"'{name}' gradient norm {stats.norm:.3g}"
                                  f" > exploding_norm {t.exploding_norm:.3g}",
                                  f"gradient norm > exploding_norm {t.exploding_norm:.3g}",
                                  stats.norm))
        if len(layers) >= 2:
            first, last = layers[0], layers[-1]
            if first.finite and last.finite and last.mean_abs > 0:
                ratio = first.mean_abs / last.mean_abs
                if ratio * t.vanishing_ratio < 1:
                    found.append(Flag("VANISHING", first.name, _ratio_sentence(
                        first, last, "smaller", 1 / ratio if ratio > 0 else math.inf,
                        "vanishing_ratio", t.vanishing_ratio)))
                elif ratio > t.exploding_ratio:
                    found.append(Flag("EXPLODING", first.name, _ratio_sentence(
                        first, last, "larger", ratio, "exploding_ratio", t.exploding_ratio)))
        for stats in layers:
            if stats.finite and stats.mean_abs < t.vanishing_grad:
                found.append(Flag("VANISHING", stats.name,
                                  f"'{stats.name}' mean |grad| {stats.mean_abs:.3g} < "
                                  f"vanishing_grad {t.vanishing_grad:.3g}",
                                  f"mean |grad| < vanishing_grad {t.vanishing_grad:.3g}",
                                  stats.mean_abs))
        for stats in layers:
            ratio = stats.update_ratio
            if ratio is None or not stats.finite:
                continue
            if ratio > t.update_ratio_high:
                rule = (f"update/weight ratio > {t.update_ratio_high:.3g}: steps are large for "
                        "these weights (learning rate too high?)")
                found.append(Flag("UPDATE", stats.name, f"'{stats.name}' {rule} ({ratio:.3g})",
                                  rule, ratio))
            elif 0 < ratio < t.update_ratio_low:
                rule = f"update/weight ratio < {t.update_ratio_low:.3g}: the weights barely move"
                found.append(Flag("UPDATE", stats.name, f"'{stats.name}' {rule} ({ratio:.3g})",
                                  rule, ratio))
        for name in self.activation_names:
            stats = record.activations.get(name)
            if stats is None:
                continue
            dead = stats.kind in ("relu", "leaky_relu")
            alert = t.dead_alert if dead else t.saturation_alert
            if stats.fraction > alert:
                found.append(Flag("DEAD" if dead else "SATURATED", name,
                                  f"{stats.fraction:.0%} of '{name}' ({stats.type_name}) "
                                  f"units {stats.what} (alert above {alert:.0%})",
                                  f"more than {alert:.0%} of units {stats.what}",
                                  stats.fraction))
        return found

    def report(self, step=-1, params=False):
        """A text table of the recorded statistics at one step, layers in forward order,
        then the flags. `params=True` adds a row per parameter under each layer."""
        record = self.record(step)
        header = (f"{'layer':<22} {'type':<12} {'params':>8} {'mean|g|':>10} {'||g||':>10} "
                  f"{'max|g|':>10} {'||dw||/||w||':>12}  activations")
        lines = [f"Gradient flow at step {record.step} (layers in forward order; "
                 f"{len(self.history)} step(s) recorded)", header, "-" * len(header)]
        flagged = {flag.layer for flag in self.flags(step)}
        for name in self.module_names:
            stats = record.layers.get(name)
            activation = record.activations.get(name)
            if stats is None and activation is None:
                continue
            label = (name or "(model)") + (" *" if name in flagged else "")
            if stats is not None:
                row = (f"{label:<22.22} {self._types[name]:<12.12} {stats.numel:>8} "
                       f"{_cell(stats.mean_abs):>10} {_cell(stats.norm):>10} "
                       f"{_cell(stats.max_abs):>10} {_cell(stats.update_ratio):>12}")
            else:
                row = f"{label:<22.22} {self._types[name]:<12.12} {'':>8} " + " " * 46
            if activation is not None:
                row += f"  {activation.fraction:.0%} {activation.what}"
            lines.append(row.rstrip())
            if params and stats is not None:
                for pname, _ in self._layers[name]:
                    p = record.params.get(pname)
                    if p is not None:
                        lines.append(
                            f"{'  ' + pname.split('.')[-1]:<22.22} {'':<12} {p.numel:>8} "
                            f"{_cell(p.mean_abs):>10} {_cell(p.norm):>10} "
                            f"{_cell(p.max_abs):>10} {_cell(p.update_ratio):>12}")
        found = self.flags(step)
        lines.append("")
        if found:
            lines.append("Flags (* in the table):")
            lines.extend("  " + line for line in _grouped(found))
        else:
            lines.append("No flags: gradients look healthy by the thresholds in "
                         "monitor.thresholds.")
        return "\n".join(lines)

    def __repr__(self):
        return (f"GradientMonitor({type(self.model).__name__}, {len(self._layers)} layers, "
                f"{len(self._activations)} activation layers, {len(self.history)} records)")


def _cell(value):
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    return "0" if value == 0 else f"{value:.2e}"


def _ratio_sentence(first, last, word, factor, name, threshold):
    return (f"first layer '{first.name}' mean |grad| {first.mean_abs:.3g} is {factor:.3g}x "
            f"{word} than last layer '{last.name}' ({last.mean_abs:.3g}); {name} is "
            f"{threshold:.3g}")


def _grouped(flags, shown=6):
    """One line per flag, except that three or more flags of one rule share a line."""
    by_rule = {}
    for flag in flags:
        by_rule.setdefault((flag.kind, flag.rule), []).append(flag)
    lines = []
    for (kind, rule), group in by_rule.items():
        if len(group) < 3:
            lines.extend(str(flag) for flag in group)
            continue
        items = []
        for flag in group[:shown]:
            value = flag.value
            if value is None:
                items.append(f"'{flag.layer}'")
            elif "units" in rule:
                items.append(f"'{flag.layer}' {value:.0%}")
            else:
                items.append(f"'{flag.layer}' {value:.3g}")
        more = f", ... ({len(group) - shown} more)" if len(group) > shown else ""
        lines.append(f"{kind:<10} {rule}, in {len(group)} layers: {', '.join(items)}{more}")
    return lines
