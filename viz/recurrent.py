r"""Gradient flow through time in recurrent networks: ||dL/dh_t|| against t.

With the loss computed from the last hidden state h_T, backpropagation through time
gives

    dL/dh_t = dL/dh_T  prod_{k=t+1..T} dh_k/dh_{k-1}.

For a plain tanh RNN each factor is diag(1 - h_k^2) W_hh, so the product shrinks (or
grows) geometrically and the loss barely sees early inputs. The LSTM's cell state
(c_k = f_k * c_{k-1} + ...) and the GRU's interpolation (h_k = (1 - z_k) * n_k +
z_k * h_{k-1}) add a path whose factor is a gate close to 1, so the gradient survives
many more steps. `compare_gradient_through_time` plus `plot_gradient_through_time`
draws exactly that picture. (At PyTorch's initialisation the gates start near 0.5, so
the difference appears once they open: after training on long dependencies, or with
the common forget-gate bias of +1 to +3 for the LSTM, a positive update-gate bias for
the GRU.)

How to get the per-step gradients:

* run a cell step by step with `unroll(cell, inputs)`, which returns the hidden states
  h_1..h_T (and calls `retain_grad()` on them); then either `loss.backward()` and
  `gradient_through_time(states)`, or, without touching any `.grad`,
  `gradient_through_time(states, loss=loss)` (uses `autograd.grad`);
* for a whole-sequence module (`nn.RNN`, `nn.LSTM`, `nn.GRU`) pass a zero probe, which
  the module adds to every h_t inside its recurrence:
  `probe = Tensor(np.zeros(output_shape, np.float32), requires_grad=True)`,
  `output, _ = rnn(x, probe=probe)`, then after backward
  `gradient_through_time(probe)` (time axis 0, or `time_dim=1` with batch_first).
  `compare_gradient_through_time` does this for any module whose forward takes `probe=`.
  Without a probe, giving the input sequence `requires_grad=True` and measuring
  ||dL/dx_t|| (`gradient_through_time(x, loss=loss)`) shows the same decay, since x_t
  reaches the loss only through h_t. The module's *output* tensor is not the thing to
  measure: its gradient holds only the direct part dL/d output_t.
"""
import inspect

import numpy as np

import autograd
from autograd import Tensor
from viz.figures import finish, new_figure


def unroll(cell, inputs, hx=None, retain_grad=True):
    """Apply `cell(x_t, state)` for t = 1..T and return the list of hidden states h_t.

    `inputs` is a Tensor of shape (T, N, input_size) (or a list of (N, input_size)
    Tensors). The cell returns the next state: a Tensor h (RNNCell, GRUCell) or a tuple
    whose first entry is h ((h, c) for LSTMCell), which is fed back as the state. With
    `retain_grad` each h_t keeps its `.grad` after backward.
    """
    if isinstance(inputs, Tensor):
        steps = [inputs[t] for t in range(inputs.shape[0])]
    else:
        steps = list(inputs)
    if not steps:
        raise ValueError("unroll: the input sequence is empty")
    state, hidden = hx, []
    for x in steps:
        state = cell(x, state)
        h = state[0] if isinstance(state, (tuple, list)) else state
        if not isinstance(h, Tensor):
            raise TypeError(f"unroll: the cell returned {type(h).__name__}, expected a Tensor "
                            "or a tuple starting with one")
        if retain_grad and h.requires_grad:
            h.retain_grad()
        hidden.append(h)
    return hidden


def _gradient_arrays(states, loss, time_dim):
    if isinstance(states, Tensor):
        if loss is not None:
            (grad,) = autograd.grad(loss, [states], retain_graph=True, allow_unused=True)
        else:
            grad = states.grad
        if grad is None:
            return None
        return list(np.moveaxis(np.asarray(grad.data), time_dim, 0))
    states = list(states)
    if loss is not None:
        usable = [s for s in states if s.requires_grad]
        grads = autograd.grad(loss, usable, retain_graph=True, allow_unused=True) if usable else ()
        by_state = dict(zip(usable, grads))
        grads = [by_state.get(s) for s in states]
    else:
        grads = [s.grad for s in states]
    if all(g is None for g in grads):
        return None
    return [None if g is None else np.asarray(g.data) for g in grads]


def gradient_through_time(states, loss=None, time_dim=0, stat="norm"):
    """||dL/dh_t|| per time step, as a float64 array of length T.

    states: a list of per-step Tensors (e.g. from `unroll`) or one Tensor with a time
        axis `time_dim`. Their gradients are read from `.grad` (after `loss.backward()`
        with `retain_grad()` on non-leaf tensors), or computed with `autograd.grad` when
        `loss` is given (no `.grad` is changed).
    stat: "norm" (L2 norm over the batch and features of step t) or "mean_abs".
    A step the loss does not depend on gets 0.
    """
    if stat not in ("norm", "mean_abs"):
        raise ValueError(f"gradient_through_time: stat must be 'norm' or 'mean_abs', got {stat!r}")
    arrays = _gradient_arrays(states, loss, time_dim)
    if arrays is None:
        raise RuntimeError(
            "gradient_through_time: no gradient found on the states. Call loss.backward() "
            "after retain_grad() on them (viz.unroll does that), or pass loss=")
    result = np.zeros(len(arrays))
    for t, g in enumerate(arrays):
        if g is None:
            continue
        g = g.astype(np.float64)
        result[t] = np.sqrt(np.sum(g * g)) if stat == "norm" else np.mean(np.abs(g))
    return result


def _takes_probe(model):
    try:
        return "probe" in inspect.signature(model.forward).parameters
    except (AttributeError, TypeError, ValueError):
        return False


def _sequence_curve(module, inputs, loss_fn):
    """||dL/dh_t|| for a sequence module through its `probe=` argument."""
    time_dim = 1 if getattr(module, "batch_first", False) else 0
    with autograd.no_grad():
        shape = module(inputs)[0].shape
    probe = Tensor(np.zeros(shape, dtype=inputs.dtype), requires_grad=True)
    output = module(inputs, probe=probe)[0]
    last = output[:, -1] if time_dim == 1 else output[-1]
    loss = loss_fn(last) if loss_fn is not None else last.sum()
    return gradient_through_time(probe, loss=loss, time_dim=time_dim)


def compare_gradient_through_time(models, inputs, loss_fn=None, hx=None):
    """{name: ||dL/dh_t|| for t = 1..T} for each named model, with the loss on the last
    hidden state h_T (`loss_fn(h_T)`, by default h_T.sum(), so dL/dh_T is all ones).

    A model is a cell (`RNNCell`, `LSTMCell`, `GRUCell` or any callable
    cell(x_t, state) -> state), unrolled over `inputs` (T, N, input_size) with `unroll`;
    or a sequence module whose forward takes `probe=` (`RNN`, `LSTM`, `GRU`), given the
    whole `inputs` (with its batch_first layout). Uses `autograd.grad`: no `.grad` is
    changed.
    """
    curves = {}
    for name, model in models.items():
        if _takes_probe(model):
            curves[name] = _sequence_curve(model, inputs, loss_fn)
            continue
        states = unroll(model, inputs, hx=hx, retain_grad=False)
        last = states[-1]
        loss = loss_fn(last) if loss_fn is not None else last.sum()
        curves[name] = gradient_through_time(states, loss=loss)
    return curves


def plot_gradient_through_time(curves, path=None, normalize=True, title=None):
    """Plot ||dL/dh_t|| against t for several models (a dict label -> array, or one
    array) on a log scale. With `normalize` each curve is divided by its value at the
    last step, so all start from 1 at t = T and the decay rates compare directly."""
    if not isinstance(curves, dict):
        curves = {"": curves}
    figure = new_figure(7.5, 4.8)
    axes = figure.add_subplot()
    length = 0
    for label, values in curves.items():
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"plot_gradient_through_time: curve {label!r} must be a non-empty "
                             f"1-D array, got shape {values.shape}")
        if normalize and values[-1] != 0:
            values = values / values[-1]
        t = np.arange(1, values.size + 1)
        shown = values > 0
        if label and values.size > 1 and values[0] > 0 and values[-1] > 0:
            # the geometric mean of |dL/dh_{t-1}| / |dL/dh_t| over the sequence
            factor = (values[0] / values[-1]) ** (1 / (values.size - 1))
            label = f"{label} (×{factor:.3g} per step)"
        axes.plot(t[shown], values[shown], marker="o" if values.size <= 30 else None,
                  markersize=3, label=label or None)
        length = max(length, values.size)
    axes.set_yscale("log")
    axes.set_xlabel("time step t (loss on the last step, t = T)")
    axes.set_ylabel("‖dL/dh_t‖ / ‖dL/dh_T‖ (log scale)" if normalize
                    else "‖dL/dh_t‖ (log scale)")
    axes.set_title(title or "Gradient flow through time")
    axes.set_xlim(0.5, length + 0.5)
    axes.grid(True, which="major", alpha=0.3)
    if any(curves):
        axes.legend(loc="lower right")
    return finish(figure, path)
