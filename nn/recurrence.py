"""The whole-sequence primitives behind `nn.recurrent`'s RNN, LSTM and GRU layers:
`RNNSequence`, `LSTMSequence` and `GRUSequence`, each all time steps of one layer in
one direction.

A sequence layer computes the input projections of all time steps at once (outside
these primitives), so each primitive's loop over t keeps only the hidden projection
h_{t-1} W_hh^T and the gate nonlinearities (all four LSTM gates through one tanh,
using sigma(a) = (1 + tanh(a / 2)) / 2). Its forward runs the recurrence on numpy
arrays, in place (out=) into buffers allocated once per call, and saves the
activations. Its backward, backpropagation through time, has two forms of the same
math:

* `_*_backward_arrays` (create_graph=False, arrays in): in place on the saved
  activations, every per-step result written with out= into a buffer allocated once;
* `_*_backward_graph` (create_graph=True, Tensors in): runs the recurrence again on
  the input Tensors (`_*_recurrence`), so that the activations are recorded functions
  of the inputs, and writes backpropagation through time with differentiable
  operations, so that the backward itself can be differentiated.

The weight gradient dW_hh is one matrix product over all steps at the end.
"""
import numpy as np

from autograd.engine import is_grad_enabled
from autograd.ops.activation import relu, tanh
from autograd.ops.join import cat, stack
from autograd.ops.linalg import matmul
from autograd.ops.reduction import sum
from autograd.ops.shape import reshape
from autograd.tensor import Tensor
from autograd.tensor_op import TensorOp, primitive


def _time_order(steps, reverse):
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _recomputing(g):
    """True when backward runs on Tensors (create_graph=True)."""
    return isinstance(g, Tensor)


def _rows(vector, batch):
    """A per-column constant repeated for every batch row, as a contiguous (B, n) array:
    an in-place product with it runs as one flat loop, about twice as fast as numpy's
    broadcasting loop over a (n,) vector."""
    return np.tile(vector, (batch, 1))


def _weight_grad_arrays(d_pre, out, h0, reverse):
    """dW_hh = sum_t d_pre[t]^T h_{t-1} on arrays, with h_{t-1} read from the output
    rows (out[t - 1], or out[t + 1] in reverse order) and h0 for the first step: one
    (G*H, (T-1)B) x ((T-1)B, H) product and one (G*H, B) x (B, H)."""
    steps, batch, gates = d_pre.shape
    first = steps - 1 if reverse else 0
    d_w = d_pre[first].T @ h0
    if steps > 1:
        later, earlier = (slice(0, steps - 1), slice(1, steps)) if reverse \
            else (slice(1, steps), slice(0, steps - 1))
        rows = (steps - 1) * batch
        d_w += d_pre[later].reshape(rows, gates).T @ out[earlier].reshape(rows, -1)
    return d_w


def _weight_grad(d_pre, h_prev):
    """`_weight_grad_arrays` on Tensors: sum over t and the batch of d_pre[t]^T @
    h_prev[t], one (G*H, T*B) x (T*B, H) product over all steps."""
    rows = d_pre.shape[0] * d_pre.shape[1]
    stacked = stack(h_prev)
    return matmul(reshape(d_pre, shape=(rows, d_pre.shape[2])).T,
                  reshape(stacked, shape=(rows, stacked.shape[2])))


def _lstm_gate_scale(hidden_size, dtype):
    """(s, 1 - s) per gate column: s = 1/2 for the sigmoid gates i, f, o and 1 for g,
    so that tanh(a * s) * s + (1 - s) is sigma(a) = (1 + tanh(a/2)) / 2 or tanh(a)."""
    half = np.full(hidden_size, 0.5, dtype=dtype)
    scale = np.concatenate([half, half, np.ones(hidden_size, dtype=dtype), half])
    return scale, (1 - scale).astype(dtype)


def _lstm_gate_offset(hidden_size, dtype):
    """e = 0 for the sigmoid gates i, f, o and 1 for g, so that the derivative of every
    gate y with respect to its pre-activation is (1 - y) * (y + e): sigma' =
    sigma (1 - sigma) and tanh' = 1 - tanh^2 = (1 - tanh)(1 + tanh)."""
    offset = np.zeros(4 * hidden_size, dtype=dtype)
    offset[2 * hidden_size:3 * hidden_size] = 1
    return offset


def _lstm_recurrence(xg, h0, c0, w_hh, probe, reverse):
    """Run the LSTM over all steps on Tensors, for the recorded backward (the same
    computation as `_lstm_forward_arrays`). xg (T, B, 4H) holds W_ih x_t + b_ih + b_hh.

    Returns, per step (indexed by t), the gates [i, f, g, o], c_{t-1}, tanh(c_t) and
    h_{t-1}."""
    steps, size = xg.shape[0], h0.shape[-1]
    scale, shift = _lstm_gate_scale(size, xg.dtype)
    w_t = w_hh.T
    gates, c_prev, tanh_c, h_prev = ([None] * steps for _ in range(4))
    h, c = h0, c0
    for t in _time_order(steps, reverse):
        gates[t] = tanh((xg[t] + h @ w_t) * scale) * scale + shift
        i, f = gates[t][:, :size], gates[t][:, size:2 * size]
        g, o = gates[t][:, 2 * size:3 * size], gates[t][:, 3 * size:]
        c_prev[t], h_prev[t] = c, h
        c = f * c + i * g
        tanh_c[t] = tanh(c)
        h = o * tanh_c[t]
        if probe:
            h = h + probe[0][t]
    return gates, c_prev, tanh_c, h_prev


def _lstm_backward_graph(ctx, g, xg, h0, c0, w_hh, probe):
    """LSTMSequence's backward on Tensors (create_graph=True): the activations are
    recomputed from the inputs, so the whole backward is recorded. The same math as
    `_lstm_backward_arrays`, written with differentiable operations."""
    steps, size = xg.shape[0], h0.shape[-1]
    gates, c_prev, tanh_c, h_prev = _lstm_recurrence(xg, h0, c0, w_hh, probe, ctx.reverse)
    offset = _lstm_gate_offset(size, xg.dtype)
    d_pre, d_probe = [None] * steps, [None] * steps
    dh, dc = None, g[steps]
    for t in reversed(_time_order(steps, ctx.reverse)):
        dh = g[t] if dh is None else g[t] + dh
        d_probe[t] = dh
        i, f = gates[t][:, :size], gates[t][:, size:2 * size]
        cell, o = gates[t][:, 2 * size:3 * size], gates[t][:, 3 * size:]
        dc = dc + dh * o * (1 - tanh_c[t] * tanh_c[t])
        d_gates = cat([dc * cell, dc * c_prev[t], dc * i, dh * tanh_c[t]], dim=-1)
        d_pre[t] = d_gates * (1 - gates[t]) * (gates[t] + offset)
        dc = dc * f
        dh = d_pre[t] @ w_hh
    d_xg = stack(d_pre)
    d_w = _weight_grad(d_xg, h_prev) if ctx.needs_input_grad[3] else None
    return (d_xg, dh, dc, d_w) + ((stack(d_probe),) if probe else ())


def _cell_slots(t, reverse):
    """(slot of c_{t-1}, slot of c_t) in the (T + 1, B, H) buffer of cell states: in
    forward order c_0 is in slot 0 and c_t in slot t + 1; in reverse order c_t is in
    slot t and c_0 (the state before step T - 1) in slot T."""
    return (t + 1, t) if reverse else (t, t + 1)


def _lstm_forward_arrays(xg, h0, c0, w_hh, probe, reverse, save=True):
    """All steps of the LSTM on numpy arrays, in place (see `_lstm_recurrence`):

        a = xg[t] + h_{t-1} @ W_hh^T,   gates[t] = tanh(a * s) * s + (1 - s) = [i, f, g, o]
        c_t = f * c_{t-1} + i * g,      out[t] = h_t = o * tanh(c_t)  (+ probe[t])

    Returns out (T + 1, B, H), whose row T is the last cell state, and what backward
    needs besides out: the gates (T, B, 4H) and the cell states (T + 1, B, H, slots as
    in `_cell_slots`). Without `save` (nothing will be differentiated) the gates of
    each step overwrite the previous ones."""
    steps, batch, size = xg.shape[0], xg.shape[1], h0.shape[-1]
    dtype = np.result_type(xg, h0, c0, w_hh)
    scale, shift = (_rows(v, batch) for v in _lstm_gate_scale(size, dtype))
    w_t = np.ascontiguousarray(w_hh.T, dtype=dtype)
    gates = np.empty((steps if save else 1, batch, 4 * size), dtype=dtype)
    cells = np.empty((steps + 1, batch, size), dtype=dtype)
    out = np.empty((steps + 1, batch, size), dtype=dtype)
    input_cell, tanh_c = np.empty((2, batch, size), dtype=dtype)  # i * g, tanh(c_t)
    cells[steps if reverse else 0] = c0
    h = h0 if h0.any() else None  # None: the zero state, whose product h0 @ W_hh^T is skipped
    for t in _time_order(steps, reverse):
        a = gates[t if save else 0]
        if h is None:
            a[...] = xg[t]
        else:
            np.matmul(h, w_t, out=a)
            a += xg[t]
        a *= scale
        np.tanh(a, out=a)
        a *= scale
        a += shift
        i, f, g, o = (a[:, k * size:(k + 1) * size] for k in range(4))
        prev, now = _cell_slots(t, reverse)
        np.multiply(f, cells[prev], out=cells[now])
        np.multiply(i, g, out=input_cell)
        cells[now] += input_cell
        np.tanh(cells[now], out=tanh_c)
        h = out[t]
        np.multiply(o, tanh_c, out=h)
        if probe:
            h += probe[0][t]
    out[steps] = cells[0 if reverse else steps]
    return out, (gates, cells)


def _lstm_backward_arrays(ctx, g, out, h0, w_hh, probed):
    """LSTMSequence's backward on numpy arrays (create_graph=False), in place; the math
    is in the LSTMSequence docstring. Returns (dxg, dh0, dc0, dW_hh, dprobe or None)."""
    gates, cells = ctx.saved
    steps, batch, size = out.shape[0] - 1, out.shape[1], out.shape[2]
    dtype = gates.dtype
    offset = _rows(_lstm_gate_offset(size, dtype), batch)
    d_pre = np.empty_like(gates)
    d_probe = np.empty((steps, batch, size), dtype=dtype) if probed else None
    dh = np.zeros((batch, size), dtype=dtype)
    dc = np.array(g[steps], dtype=dtype)
    through_tanh, tanh_ct = np.empty((2, batch, size), dtype=dtype)
    derivative = np.empty((batch, 4 * size), dtype=dtype)
    for n, t in enumerate(reversed(_time_order(steps, ctx.reverse))):
        dh += g[t]
        if d_probe is not None:
            d_probe[t] = dh
        gate, (prev, now) = gates[t], _cell_slots(t, ctx.reverse)
        i, f, cell, o = (gate[:, k * size:(k + 1) * size] for k in range(4))
        np.tanh(cells[now], out=tanh_ct)  # recomputed: c_t is still in cache from step t + 1
        d = d_pre[t]
        # dc += dh * o * (1 - tanh(c_t)^2), as o * (dh - d_o * tanh(c_t)), d_o = dh * tanh(c_t)
        d_o = np.multiply(dh, tanh_ct, out=d[:, 3 * size:])
        np.multiply(d_o, tanh_ct, out=through_tanh)
        np.subtract(dh, through_tanh, out=through_tanh)
        through_tanh *= o
        dc += through_tanh
        # dgate = [dc * g, dc * c_{t-1}, dc * i, d_o], then da_t = dgate * (1 - gate) * (gate + e)
        np.multiply(dc, cell, out=d[:, :size])
        np.multiply(dc, cells[prev], out=d[:, size:2 * size])
        np.multiply(dc, i, out=d[:, 2 * size:3 * size])
        np.subtract(1, gate, out=derivative)
        d *= derivative
        np.add(gate, offset, out=derivative)
        d *= derivative
        dc *= f
        if n < steps - 1 or ctx.needs_input_grad[1]:  # dh0 only if h0 needs it
            np.matmul(d, w_hh, out=dh)
    d_h0 = dh if ctx.needs_input_grad[1] else None
    d_w = _weight_grad_arrays(d_pre, out, h0, ctx.reverse) if ctx.needs_input_grad[3] else None
    return d_pre, d_h0, dc, d_w, d_probe


class LSTMSequence(TensorOp):
    """All steps of one LSTM layer in one direction (see `_lstm_forward_arrays`).

    Inputs: xg (T, B, 4H) = W_ih x_t + b_ih + b_hh for every t, h0 and c0 (B, H), W_hh
    (4H, H) and optionally a probe (T, B, H) added to every h_t. Output (T + 1, B, H):
    rows 0..T-1 are h_t, row T is the final cell state c_n.

    Backward, through time (t from last to first; dh and dc carry the gradient of
    the state into step t, g[t] is the gradient arriving at output row t):

        dh    = g[t] + dh                (the total dL/dh_t; the probe's gradient)
        dc    = dc + dh * o * (1 - tanh(c_t)^2)
        dgate = [dc * g, dc * c_{t-1}, dc * i, dh * tanh(c_t)]   for [i, f, g, o]
        da_t  = dgate * (1 - gate) * (gate + e)     (sigma' and tanh' at once, e = 1 for g)
        dc    = dc * f,   dh = da_t @ W_hh           (into step t - 1)

    dxg = [da_t]_t,  dW_hh = sum_t da_t^T h_{t-1} (one product),  dh0 = dh,  dc0 = dc.
    On arrays `_lstm_backward_arrays` runs it in place on the saved activations; with
    create_graph `_lstm_backward_graph` recomputes them from the input Tensors.
    """
    name = "lstm_sequence"

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh, *probe, reverse):
        ctx.reverse = reverse
        save = is_grad_enabled() and any(ctx.needs_input_grad)
        out, ctx.saved = _lstm_forward_arrays(xg, h0, c0, w_hh, probe, reverse, save)
        return out

    @staticmethod
    def backward(ctx, g, out, xg, h0, c0, w_hh, *probe):
        if _recomputing(g):
            return _lstm_backward_graph(ctx, g, xg, h0, c0, w_hh, probe)
        d_xg, dh, dc, d_w, d_probe = _lstm_backward_arrays(ctx, g, out, h0, w_hh, bool(probe))
        return (d_xg, dh, dc, d_w) + ((d_probe,) if probe else ())


def _sigmoid_by_tanh(a):
    """sigma(a) = (1 + tanh(a / 2)) / 2: overflow-free, and one tanh."""
    return tanh(a * 0.5) * 0.5 + 0.5


def _sigmoid_by_tanh_(a):
    """`_sigmoid_by_tanh` in place on an array."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _previous_hidden(out, h0, t, reverse):
    """h_{t-1}, the state step t starts from: an earlier output row, or h0."""
    first = out.shape[0] - 1 if reverse else 0
    return h0 if t == first else out[t + 1 if reverse else t - 1]


def _gru_recurrence(xg, h0, w_hh, b_hh, probe, reverse):
    """Run the GRU over all steps on Tensors, for the recorded backward (the same
    computation as `_gru_forward_arrays`). xg (T, B, 3H) holds W_ih x_t + b_ih.

    Returns, per step: [r, z], n, W_hn h_{t-1} + b_hn and h_{t-1}."""
    steps, size = xg.shape[0], h0.shape[-1]
    w_t = w_hh.T
    reset_update, candidate, hidden_n, h_prev = ([None] * steps for _ in range(4))
    h = h0
    for t in _time_order(steps, reverse):
        from_hidden = h @ w_t + b_hh
        x_t = xg[t]
        reset_update[t] = _sigmoid_by_tanh(x_t[:, :2 * size] + from_hidden[:, :2 * size])
        hidden_n[t] = from_hidden[:, 2 * size:]
        candidate[t] = tanh(x_t[:, 2 * size:] + reset_update[t][:, :size] * hidden_n[t])
        h_prev[t] = h
        h = candidate[t] + reset_update[t][:, size:] * (h - candidate[t])
        if probe:
            h = h + probe[0][t]
    return reset_update, candidate, hidden_n, h_prev


def _gru_backward_graph(ctx, g, xg, h0, w_hh, b_hh, probe):
    """GRUSequence's backward on Tensors (create_graph=True), recorded: the math of the
    GRUSequence docstring on activations recomputed from the input Tensors."""
    steps, size = xg.shape[0], h0.shape[-1]
    reset_update, candidate, hidden_n, h_prev = \
        _gru_recurrence(xg, h0, w_hh, b_hh, probe, ctx.reverse)
    d_input, d_hidden, d_probe = [None] * steps, [None] * steps, [None] * steps
    dh = None
    for t in reversed(_time_order(steps, ctx.reverse)):
        dh = g[t] if dh is None else g[t] + dh
        d_probe[t] = dh
        r, z, n = reset_update[t][:, :size], reset_update[t][:, size:], candidate[t]
        d_n = dh * (1 - z) * (1 - n * n)
        d_rz = cat([d_n * hidden_n[t], dh * (h_prev[t] - n)], dim=-1) \
            * reset_update[t] * (1 - reset_update[t])
        d_input[t] = cat([d_rz, d_n], dim=-1)
        d_hidden[t] = cat([d_rz, d_n * r], dim=-1)
        dh = dh * z + d_hidden[t] @ w_hh
    needs = ctx.needs_input_grad
    stacked_hidden = stack(d_hidden)
    d_w = _weight_grad(stacked_hidden, h_prev) if needs[2] else None
    d_b = sum(stacked_hidden, dim=(0, 1)) if needs[3] else None
    return (stack(d_input), dh, d_w, d_b) + ((stack(d_probe),) if probe else ())


def _gru_forward_arrays(xg, h0, w_hh, b_hh, probe, reverse, save=True):
    """All steps of the GRU on numpy arrays, in place (see `_gru_recurrence`):

        m = h_{t-1} @ W_hh^T + b_hh = [m_r, m_z, m_n]
        [r, z] = sigma(xg[t][:, :2H] + [m_r, m_z]),   n = tanh(xg[t][:, 2H:] + r * m_n)
        out[t] = h_t = n + z * (h_{t-1} - n)  (+ probe[t])

    Returns out (T, B, H) and what backward needs besides out: the gates [r, z, n]
    (T, B, 3H) and m_n (T, B, H) (one step's worth, overwritten, without `save`)."""
    steps, batch, size = xg.shape[0], xg.shape[1], h0.shape[-1]
    dtype = np.result_type(xg, h0, w_hh, b_hh)
    w_t = np.ascontiguousarray(w_hh.T, dtype=dtype)
    bias = _rows(b_hh, batch)
    kept = steps if save else 1
    gates = np.empty((kept, batch, 3 * size), dtype=dtype)
    hidden_n = np.empty((kept, batch, size), dtype=dtype)
    out = np.empty((steps, batch, size), dtype=dtype)
    from_hidden = np.empty((batch, 3 * size), dtype=dtype)
    h, zero_state = h0, not h0.any()
    for t in _time_order(steps, reverse):
        if zero_state:  # h0 @ W_hh^T is zero: skip the product
            from_hidden[...] = bias
            zero_state = False
        else:
            np.matmul(h, w_t, out=from_hidden)
            from_hidden += bias
        a, m_n = gates[t if save else 0], hidden_n[t if save else 0]
        reset_update, n = a[:, :2 * size], a[:, 2 * size:]
        np.add(xg[t][:, :2 * size], from_hidden[:, :2 * size], out=reset_update)
        _sigmoid_by_tanh_(reset_update)
        m_n[...] = from_hidden[:, 2 * size:]
        np.multiply(a[:, :size], m_n, out=n)
        n += xg[t][:, 2 * size:]
        np.tanh(n, out=n)
        np.subtract(h, n, out=out[t])
        h = out[t]
        h *= a[:, size:2 * size]
        h += n
        if probe:
            h += probe[0][t]
    return out, (gates, hidden_n)


def _gru_backward_arrays(ctx, g, out, h0, w_hh, probed):
    """GRUSequence's backward on numpy arrays (create_graph=False), in place; the math
    is in the GRUSequence docstring. Returns (dxg, dh0, dW_hh, db_hh, dprobe or None)."""
    gates, hidden_n = ctx.saved
    steps, batch, size = out.shape
    dtype = gates.dtype
    d_input, d_hidden = np.empty((2, steps, batch, 3 * size), dtype=dtype)
    d_probe = np.empty_like(out) if probed else None
    dh = np.zeros((batch, size), dtype=dtype)
    d_bias = np.zeros((batch, 3 * size), dtype=dtype)
    scratch = np.empty((batch, size), dtype=dtype)
    slope = np.empty((batch, 2 * size), dtype=dtype)  # sigma' of r and z
    needs = ctx.needs_input_grad
    for k, t in enumerate(reversed(_time_order(steps, ctx.reverse))):
        dh += g[t]
        if d_probe is not None:
            d_probe[t] = dh
        a, d_in, d_hid = gates[t], d_input[t], d_hidden[t]
        r, z, n = a[:, :size], a[:, size:2 * size], a[:, 2 * size:]
        d_n = d_in[:, 2 * size:]  # da_n = dh * (1 - z) * (1 - n^2)
        np.multiply(n, n, out=scratch)
        np.subtract(1, scratch, out=scratch)
        np.subtract(1, z, out=d_n)
        d_n *= scratch
        d_n *= dh
        # [da_r, da_z] = [da_n * m, dh * (h_{t-1} - n)] * sigma'([r, z])
        np.multiply(d_n, hidden_n[t], out=d_in[:, :size])
        np.subtract(_previous_hidden(out, h0, t, ctx.reverse), n, out=d_in[:, size:2 * size])
        d_in[:, size:2 * size] *= dh
        np.subtract(1, a[:, :2 * size], out=slope)
        slope *= a[:, :2 * size]
        d_in[:, :2 * size] *= slope
        # dhid = [da_r, da_z, da_n * r],  dh = dh * z + dhid @ W_hh
        d_hid[:, :2 * size] = d_in[:, :2 * size]
        np.multiply(d_n, r, out=d_hid[:, 2 * size:])
        d_bias += d_hid
        dh *= z
        if k < steps - 1 or needs[1]:  # dh0 only if h0 needs it
            np.matmul(d_hid, w_hh, out=scratch)
            dh += scratch
    d_w = _weight_grad_arrays(d_hidden, out, h0, ctx.reverse) if needs[2] else None
    return (d_input, dh if needs[1] else None, d_w, d_bias.sum(axis=0), d_probe)


class GRUSequence(TensorOp):
    """All steps of one GRU layer in one direction (see `_gru_forward_arrays`).

    Inputs: xg (T, B, 3H) = W_ih x_t + b_ih, h0 (B, H), W_hh (3H, H), b_hh (3H,) and
    optionally a probe (T, B, H) added to every h_t. Output (T, B, H): every h_t.

    Backward through time, with a_r, a_z, a_n the gates' pre-activations and
    m = W_hn h_{t-1} + b_hn:

        dh   = g[t] + dh                      (total dL/dh_t)
        da_n = dh * (1 - z) * (1 - n^2)
        da_r = da_n * m * r (1 - r),   da_z = dh * (h_{t-1} - n) * z (1 - z)
        dxg_t = [da_r, da_z, da_n],    dhid_t = [da_r, da_z, da_n * r]
        dh   = dh * z + dhid_t @ W_hh         (into step t - 1)

    dW_hh = sum_t dhid_t^T h_{t-1},  db_hh = sum over t and batch of dhid_t.
    On arrays `_gru_backward_arrays` runs it in place on the saved activations; with
    create_graph `_gru_backward_graph` recomputes them from the input Tensors.
    """
    name = "gru_sequence"

    @staticmethod
    def forward(ctx, xg, h0, w_hh, b_hh, *probe, reverse):
        ctx.reverse = reverse
        save = is_grad_enabled() and any(ctx.needs_input_grad)
        out, ctx.saved = _gru_forward_arrays(xg, h0, w_hh, b_hh, probe, reverse, save)
        return out

    @staticmethod
    def backward(ctx, g, out, xg, h0, w_hh, b_hh, *probe):
        if _recomputing(g):
            return _gru_backward_graph(ctx, g, xg, h0, w_hh, b_hh, probe)
        d_xg, dh, d_w, d_b, d_probe = _gru_backward_arrays(ctx, g, out, h0, w_hh, bool(probe))
        return (d_xg, dh, d_w, d_b) + ((d_probe,) if probe else ())


def _rnn_recurrence(xg, h0, w_hh, probe, reverse, nonlinearity):
    """Run the Elman RNN over all steps on Tensors, for the recorded backward (the same
    computation as `_rnn_forward_arrays`). xg (T, B, H) holds W_ih x_t + b_ih + b_hh.

    Returns, per step, the activation (before the probe) and h_{t-1}."""
    steps = xg.shape[0]
    activation = tanh if nonlinearity == "tanh" else relu
    w_t = w_hh.T
    activated, h_prev = [None] * steps, [None] * steps
    h = h0
    for t in _time_order(steps, reverse):
        h_prev[t] = h
        activated[t] = h = activation(xg[t] + h @ w_t)
        if probe:
            h = h + probe[0][t]
    return activated, h_prev


def _rnn_backward_graph(ctx, g, xg, h0, w_hh, probe):
    """RNNSequence's backward on Tensors (create_graph=True), recorded: the math of the
    RNNSequence docstring on activations recomputed from the input Tensors."""
    steps = xg.shape[0]
    activated, h_prev = _rnn_recurrence(xg, h0, w_hh, probe, ctx.reverse, ctx.nonlinearity)
    d_pre, d_probe = [None] * steps, [None] * steps
    dh = None
    for t in reversed(_time_order(steps, ctx.reverse)):
        dh = g[t] if dh is None else g[t] + dh
        d_probe[t] = dh
        y = activated[t]
        # relu: the mask is a constant (relu'' = 0), so no graph is needed through it
        d_pre[t] = dh * (1 - y * y) if ctx.nonlinearity == "tanh" else dh * (y > 0)
        dh = d_pre[t] @ w_hh
    d_xg = stack(d_pre)
    d_w = _weight_grad(d_xg, h_prev) if ctx.needs_input_grad[2] else None
    return (d_xg, dh, d_w) + ((stack(d_probe),) if probe else ())


def _rnn_forward_arrays(xg, h0, w_hh, probe, reverse, nonlinearity):
    """All steps of the Elman RNN on numpy arrays, in place (see `_rnn_recurrence`):
    y_t = tanh or relu of (xg[t] + h_{t-1} @ W_hh^T),  out[t] = h_t = y_t (+ probe[t]).

    Returns out (T, B, H) and the activations y (T, B, H), which are out itself when
    there is no probe."""
    steps, batch, size = xg.shape[0], xg.shape[1], h0.shape[-1]
    dtype = np.result_type(xg, h0, w_hh)
    w_t = np.ascontiguousarray(w_hh.T, dtype=dtype)
    out = np.empty((steps, batch, size), dtype=dtype)
    activated = np.empty_like(out) if probe else out
    h = h0 if h0.any() else None  # None: the zero state, whose product h0 @ W_hh^T is skipped
    for t in _time_order(steps, reverse):
        y = activated[t]
        if h is None:
            y[...] = xg[t]
        else:
            np.matmul(h, w_t, out=y)
            y += xg[t]
        if nonlinearity == "tanh":
            np.tanh(y, out=y)
        else:
            np.maximum(y, 0, out=y)
        h = np.add(y, probe[0][t], out=out[t]) if probe else y
    return out, activated


def _rnn_backward_arrays(ctx, g, out, h0, w_hh, probed):
    """RNNSequence's backward on numpy arrays (create_graph=False), in place; the math
    is in the RNNSequence docstring. Returns (dxg, dh0, dW_hh, dprobe or None)."""
    activated = ctx.saved
    steps, batch, size = out.shape
    needs = ctx.needs_input_grad
    d_pre = np.empty_like(activated)
    d_probe = np.empty_like(out) if probed else None
    dh = np.zeros((batch, size), dtype=d_pre.dtype)
    for k, t in enumerate(reversed(_time_order(steps, ctx.reverse))):
        dh += g[t]
        if d_probe is not None:
            d_probe[t] = dh
        y, d = activated[t], d_pre[t]
        if ctx.nonlinearity == "tanh":
            np.multiply(y, y, out=d)
            np.subtract(1, d, out=d)
            d *= dh
        else:
            np.multiply(dh, y > 0, out=d)
        if k < steps - 1 or needs[1]:  # dh0 only if h0 needs it
            np.matmul(d, w_hh, out=dh)
    d_w = _weight_grad_arrays(d_pre, out, h0, ctx.reverse) if needs[2] else None
    return d_pre, dh if needs[1] else None, d_w, d_probe


class RNNSequence(TensorOp):
    """All steps of one Elman RNN layer in one direction (see `_rnn_forward_arrays`).

    Inputs: xg (T, B, H) = W_ih x_t + b_ih + b_hh, h0 (B, H), W_hh (H, H) and optionally
    a probe. Output (T, B, H). Backward through time, with y_t the activation:

        dh = g[t] + dh,   da_t = dh * (1 - y_t^2)  (tanh)  or  dh * [y_t > 0]  (relu)
        dh = da_t @ W_hh;   dxg = [da_t]_t,   dW_hh = sum_t da_t^T h_{t-1}
    """
    name = "rnn_sequence"

    @staticmethod
    def forward(ctx, xg, h0, w_hh, *probe, reverse, nonlinearity):
        ctx.reverse, ctx.nonlinearity = reverse, nonlinearity
        out, ctx.saved = _rnn_forward_arrays(xg, h0, w_hh, probe, reverse, nonlinearity)
        return out

    @staticmethod
    def backward(ctx, g, out, xg, h0, w_hh, *probe):
        if _recomputing(g):
            return _rnn_backward_graph(ctx, g, xg, h0, w_hh, probe)
        d_xg, dh, d_w, d_probe = _rnn_backward_arrays(ctx, g, out, h0, w_hh, bool(probe))
        return (d_xg, dh, d_w) + ((d_probe,) if probe else ())


_lstm_sequence = primitive(LSTMSequence)
_gru_sequence = primitive(GRUSequence)
_rnn_sequence = primitive(RNNSequence)


__all__ = ["LSTMSequence", "GRUSequence", "RNNSequence"]
