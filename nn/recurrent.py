"""Recurrent layers, as torch.nn: the cells `RNNCell`, `LSTMCell`, `GRUCell` (one time
step) and the sequence layers `RNN`, `LSTM`, `GRU` (stacked, optionally
bidirectional).

The equations, PyTorch's (x_t the input at step t, h the hidden state, sigma the
logistic sigmoid, * elementwise):

    RNN:   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)       (or relu)

    LSTM:  i = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)         input gate
           f = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)         forget gate
           g = tanh (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)         candidate cell
           o = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)         output gate
           c_t = f * c_{t-1} + i * g
           h_t = o * tanh(c_t)

    GRU:   r = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)         reset gate
           z = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)         update gate
           n = tanh (W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))   candidate
           h_t = (1 - z) * n + z * h_{t-1}

weight_ih stacks the gates' input matrices row-wise: (4H, input) for the LSTM in the
order i, f, g, o; (3H, input) for the GRU in the order r, z, n; weight_hh likewise
(4H, H) or (3H, H). Every weight and bias starts as U(-1/sqrt(H), 1/sqrt(H)), H =
hidden_size, as in PyTorch.

How the lecture notes' forms map onto these:

* LSTM. The notes write each gate as sigma(W_f [x_t, h_{t-1}] + b_f) with one matrix
  on the concatenation. That is W_f = [W_if | W_hf] split column-wise into its input
  and hidden parts, and b_f = b_if + b_hf: PyTorch keeps two biases per gate, only
  their sum matters. The notes' C~_t is g, C_t is c_t, O_t is o; the gate order
  inside the stacked weights is i, f, g, o (the notes list f first).
* GRU. The notes' reset gate g_t is r. Their update rule h_t = h_{t-1} (1 - z_t) +
  h~_t z_t has z and 1 - z swapped relative to PyTorch: the notes' z_t is 1 - z here
  (PyTorch's z is the share of the OLD state that is kept). The notes' candidate
  tanh(W_h [g_t * h_{t-1}, x_t] + b_h) resets h BEFORE the matrix product; PyTorch
  (and so this module) resets AFTER it, r * (W_hn h_{t-1} + b_hn), which also scales
  b_hn. The two candidates are different functions, not a renaming; note also the
  notes' concatenation order [h_{t-1}, x_t].

Speed. A sequence layer computes the input projections of all time steps at once,
W_ih x_t + b for every t as one (T*B, input) x (input, G*H) product, and runs the
time loop inside one primitive per layer and direction (`nn.recurrence`: numpy in
place on the fast path, recorded Tensor operations with create_graph=True).

Gradients through time. `output` holds h_t for every t, but like PyTorch's
(output.retain_grad()) its gradient is only the direct part dL/d output[t], not what
flows back into h_t from later steps. For the total derivative dL/dh_t, the
quantity whose norm vanishes or explodes along the sequence, pass forward a zero
tensor shaped like the output, e.g. `probe = autograd.zeros(L, N, H, requires_grad=True)`
(L, N swapped with batch_first, 2H when bidirectional): it is added to h_t inside the
recurrence (zeros change nothing), and after backward `probe.grad[t]` is dL/dh_t of
the last layer for every t:

    output, (h_n, c_n) = lstm(x, probe=probe)
    loss_on(output[-1]).backward()
    norms = np.linalg.norm(probe.grad.numpy(), axis=(1, 2))   # one per time step
"""
import math
import warnings

import numpy as np

from autograd.ops.activation import relu, sigmoid, tanh
from autograd.ops.join import cat, stack
from autograd.ops.linalg import linear
from autograd.ops.shape import reshape, squeeze, transpose, unsqueeze
from autograd.random import generator
from autograd.tensor import Tensor
from nn import init
from nn.module import Module
from nn.parameter import Parameter
from nn.recurrence import _gru_sequence, _lstm_sequence, _rnn_sequence


# ---- the cells: one time step, composed from Tensor operations ------------------------
def _is_size(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


def _check_sizes(layer, input_size, hidden_size):
    if not _is_size(input_size):
        raise ValueError(f"{layer}: input_size must be a positive int, got {input_size!r}")
    if not _is_size(hidden_size):
        raise ValueError(f"{layer}: hidden_size must be a positive int, got {hidden_size!r}")


def _check_nonlinearity(layer, nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{layer}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


class RNNCellBase(Module):
    """Parameters of one step: weight_ih (G*H, input_size), weight_hh (G*H, H), bias_ih
    and bias_hh (G*H,), G = gates (1 RNN, 4 LSTM, 3 GRU), all U(-1/sqrt(H), 1/sqrt(H))."""

    gates = 1

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=None):
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size)
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.bias = bool(bias)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        rows = self.gates * self.hidden_size
        self.weight_ih = Parameter(np.empty((rows, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((rows, self.hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty(rows, dtype=dtype))
            self.bias_hh = Parameter(np.empty(rows, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _projections(self, input, h):
        """(W_ih x + b_ih, W_hh h + b_hh), each (batch, G*H) or (G*H,)."""
        return (linear(input, self.weight_ih, self.bias_ih),
                linear(h, self.weight_hh, self.bias_hh))

    def _check_input(self, input):
        layer, shape = type(self).__name__, tuple(input.shape)
        if len(shape) not in (1, 2):
            raise ValueError(f"{layer}: expected a 1-D (input_size,) or 2-D (batch, input_size) "
                             f"input, got shape {shape}")
        if shape[-1] != self.input_size:
            raise ValueError(f"{layer}: expected input with {self.input_size} features "
                             f"(input_size), got {shape[-1]}")

    def _state(self, input, state, name):
        """`state` checked against (batch, H) or (H,), or zeros of that shape."""
        expected = tuple(input.shape[:-1]) + (self.hidden_size,)
        if state is None:
            dtype = np.result_type(input.dtype, self.weight_ih.dtype)
            return Tensor._wrap(np.zeros(expected, dtype=dtype))
        if tuple(state.shape) != expected:
            raise ValueError(f"{type(self).__name__}: expected {name} of shape {expected} "
                             f"for an input of shape {tuple(input.shape)}, got "
                             f"{tuple(state.shape)}")
        return state

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')

    h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (relu with nonlinearity='relu').
    forward(input, hx=None): input (batch, input_size) or (input_size,), hx of shape
    (batch, hidden_size) or (hidden_size,), zeros when None; returns h'.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", *,
                 dtype=None):
        _check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        self._check_input(input)
        h = self._state(input, hx, "hx")
        from_input, from_hidden = self._projections(input, h)
        activation = tanh if self.nonlinearity == "tanh" else relu
        return activation(from_input + from_hidden)


class LSTMCell(RNNCellBase):
    """LSTMCell(input_size, hidden_size, bias=True)

    One LSTM step (gates i, f, g, o stacked in that order in the weights):

        i, f, g, o = sigma, sigma, tanh, sigma of (W_ih x + b_ih + W_hh h + b_hh)
        c' = f * c + i * g,   h' = o * tanh(c')

    (the module docstring maps this onto the lecture notes' form). forward(input,
    hx=None) with hx = (h, c), zeros when None; returns (h', c').
    """

    gates = 4

    def forward(self, input, hx=None):
        self._check_input(input)
        h, c = (None, None) if hx is None else hx
        h, c = self._state(input, h, "h"), self._state(input, c, "c")
        from_input, from_hidden = self._projections(input, h)
        gates = from_input + from_hidden
        size = self.hidden_size
        i = sigmoid(gates[..., :size])
        f = sigmoid(gates[..., size:2 * size])
        g = tanh(gates[..., 2 * size:3 * size])
        o = sigmoid(gates[..., 3 * size:])
        c_next = f * c + i * g
        return o * tanh(c_next), c_next


class GRUCell(RNNCellBase):
    """GRUCell(input_size, hidden_size, bias=True)

    One GRU step, PyTorch's form (gates r, z, n stacked in that order):

        r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h

    The reset gate multiplies the hidden projection including b_hn; the notes' z is
    1 - z here (see the module docstring). forward(input, hx=None) returns h'.
    """

    gates = 3

    def forward(self, input, hx=None):
        self._check_input(input)
        h = self._state(input, hx, "hx")
        from_input, from_hidden = self._projections(input, h)
        size = self.hidden_size
        r = sigmoid(from_input[..., :size] + from_hidden[..., :size])
        z = sigmoid(from_input[..., size:2 * size] + from_hidden[..., size:2 * size])
        n = tanh(from_input[..., 2 * size:] + r * from_hidden[..., 2 * size:])
        return n + z * (h - n)


# ---- the sequence layers ----------------------------------------------------------------
class RNNBase(Module):
    """Shared by RNN, LSTM and GRU: parameters, checks, layers and directions.

    Parameters, registered in PyTorch's order and with its names: for each layer k and
    direction (suffix '' or '_reverse'): weight_ih_l{k} (G*H, in_k), weight_hh_l{k}
    (G*H, H), bias_ih_l{k} and bias_hh_l{k} (G*H,), where in_0 = input_size and
    in_k = H * num_directions above. All U(-1/sqrt(H), 1/sqrt(H)).
    """

    gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, *, dtype=None):
        super().__init__()
        layer = type(self).__name__
        _check_sizes(layer, input_size, hidden_size)
        if not _is_size(num_layers):
            raise ValueError(f"{layer}: num_layers must be a positive int, got {num_layers!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{layer}: dropout must be a number in [0, 1] (the probability "
                             f"of zeroing an element), got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{layer}: dropout={dropout} acts only between stacked layers, so "
                          "with num_layers=1 it does nothing", stacklevel=2)
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        rows = self.gates * self.hidden_size
        self._all_weights = []
        for k in range(self.num_layers):
            layer_input = self.input_size if k == 0 else self.hidden_size * self.num_directions
            for suffix in self._suffixes():
                names = [f"weight_ih_l{k}{suffix}", f"weight_hh_l{k}{suffix}"]
                setattr(self, names[0], Parameter(np.empty((rows, layer_input), dtype=dtype)))
                setattr(self, names[1], Parameter(np.empty((rows, self.hidden_size), dtype=dtype)))
                if self.bias:
                    names += [f"bias_ih_l{k}{suffix}", f"bias_hh_l{k}{suffix}"]
                    setattr(self, names[2], Parameter(np.empty(rows, dtype=dtype)))
                    setattr(self, names[3], Parameter(np.empty(rows, dtype=dtype)))
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    def _suffixes(self):
        return ("", "_reverse") if self.bidirectional else ("",)

    @property
    def all_weights(self):
        """The parameters per layer and direction, as lists in registration order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def reset_parameters(self):
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    # ---- checks ------------------------------------------------------------------------
    def _check_input(self, input):
        layer, shape = type(self).__name__, tuple(input.shape)
        if len(shape) not in (2, 3):
            layout = "(batch, L, input_size)" if self.batch_first else "(L, batch, input_size)"
            raise ValueError(f"{layer}: expected a 2-D (L, input_size) or 3-D {layout} input, "
                             f"got shape {shape}")
        if shape[-1] != self.input_size:
            raise ValueError(f"{layer}: expected input with {self.input_size} features "
                             f"(input_size), got {shape[-1]}")
        if 0 in shape[:-1]:
            raise ValueError(f"{layer}: the input of shape {shape} has no time steps or no "
                             "batch entries")

    def _check_state(self, state, name, batched, batch):
        layers = self.num_layers * self.num_directions
        if batched:
            expected, meaning = (layers, batch, self.hidden_size), \
                "(num_layers * num_directions, batch, hidden_size)"
        else:
            expected, meaning = (layers, self.hidden_size), \
                "(num_layers * num_directions, hidden_size)"
        if not isinstance(state, Tensor):
            raise TypeError(f"{type(self).__name__}: {name} must be a Tensor, got "
                            f"{type(state).__name__}")
        if tuple(state.shape) != expected:
            raise ValueError(f"{type(self).__name__}: expected {name} of shape {expected} = "
                             f"{meaning}, got {tuple(state.shape)}")

    def _check_probe(self, probe, output_shape):
        if probe is not None and tuple(probe.shape) != output_shape:
            raise ValueError(f"{type(self).__name__}: probe must have the output's shape "
                             f"{output_shape}, got {tuple(probe.shape)}")

    # ---- running ---------------------------------------------------------------------------
    def _states(self, hx):
        """The given initial states as a tuple of tensors (h) or (h, c); () if None."""
        return () if hx is None else (hx,)

    def _run(self, input, hx, probe):
        """Shared forward: returns (output, final states as a tuple of tensors)."""
        self._check_input(input)
        batched = input.ndim == 3
        states = self._states(hx)
        batch = (input.shape[0] if self.batch_first else input.shape[1]) if batched else 1
        for name, state in zip(self._state_names(), states):
            self._check_state(state, name, batched, batch)
        out_features = self.num_directions * self.hidden_size
        output_shape = (tuple(input.shape[:-1]) + (out_features,))
        self._check_probe(probe, output_shape)

        x = input
        if not batched:
            x = unsqueeze(x, 1)
            states = tuple(unsqueeze(s, 1) for s in states)
            probe = None if probe is None else unsqueeze(probe, 1)
        elif self.batch_first:
            x = transpose(x, 0, 1)
            probe = None if probe is None else transpose(probe, 0, 1)
        finals = [[] for _ in self._state_names()]
        for k in range(self.num_layers):
            if k > 0 and self.dropout > 0 and self.training:
                x = _dropout(x, self.dropout)
            outputs = []
            for direction, names in enumerate(self._all_weights[k * self.num_directions:
                                                                (k + 1) * self.num_directions]):
                weights = [getattr(self, name) for name in names]
                index = k * self.num_directions + direction
                initial = [s[index] for s in states]
                step_probe = None
                if probe is not None and k == self.num_layers - 1:
                    size = self.hidden_size
                    step_probe = probe[..., direction * size:(direction + 1) * size] \
                        if self.bidirectional else probe
                out, last = self._layer(x, weights, initial, step_probe, reverse=direction == 1)
                outputs.append(out)
                for collected, state in zip(finals, last):
                    collected.append(state)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=2)
        output = x
        finals = tuple(stack(collected) for collected in finals)
        if not batched:
            output = squeeze(output, 1)
            finals = tuple(squeeze(f, 1) for f in finals)
        elif self.batch_first:
            output = transpose(output, 0, 1)
        return output, finals

    def _projection(self, x, weight_ih, bias):
        """W_ih x_t + bias for every step at once: one (T*B, in) x (in, G*H) product."""
        steps, batch, features = x.shape
        flat = reshape(x, shape=(steps * batch, features))
        return reshape(linear(flat, weight_ih, bias), shape=(steps, batch, weight_ih.shape[0]))

    def _zeros(self, x):
        dtype = np.result_type(x.dtype, self.weight_ih_l0.dtype)
        return Tensor._wrap(np.zeros((x.shape[1], self.hidden_size), dtype=dtype))

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


def _dropout(x, p):
    """Inverted dropout between layers: zero each element with probability p, scale the
    rest by 1 / (1 - p) (the mask from the library generator)."""
    if p >= 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    keep = generator().random(x.shape) >= p
    return x * (keep.astype(x.dtype) / np.asarray(1 - p, dtype=x.dtype))


class RNN(RNNBase):
    """RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)

    Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu), stacked
    num_layers deep (layer k > 0 reads layer k - 1's outputs, after dropout in training
    mode); bidirectional runs a second set of weights from the last step to the first
    and concatenates the two outputs.

    forward(input, hx=None, *, probe=None):
        input (L, N, input_size), or (N, L, input_size) with batch_first, or unbatched
        (L, input_size); hx (num_layers * num_directions, N, H) (unbatched: without N),
        zeros when None. Returns (output, h_n): output (L, N, num_directions * H) (the
        last layer's h_t for every t, batch_first as the input), h_n the final state of
        every layer and direction. `probe` (see the module docstring): a tensor shaped
        like output whose gradient becomes dL/dh_t.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, *, dtype=None):
        _check_nonlinearity("RNN", nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype)
        self.nonlinearity = nonlinearity

    def _state_names(self):
        return ("hx",)

    def _layer(self, x, weights, initial, probe, reverse):
        bias = weights[2] + weights[3] if self.bias else None
        xg = self._projection(x, weights[0], bias)
        h0 = initial[0] if initial else self._zeros(x)
        extra = () if probe is None else (probe,)
        out = _rnn_sequence(xg, h0, weights[1], *extra, reverse=reverse,
                            nonlinearity=self.nonlinearity)
        return out, (out[0] if reverse else out[-1],)

    def forward(self, input, hx=None, *, probe=None):
        output, (h_n,) = self._run(input, hx, probe)
        return output, h_n


class LSTM(RNNBase):
    """LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)

    The LSTM of the module docstring (gates i, f, g, o; c_t = f * c_{t-1} + i * g,
    h_t = o * tanh(c_t)), stacked and optionally bidirectional like `RNN`.

    forward(input, hx=None, *, probe=None): hx = (h_0, c_0), each (num_layers *
    num_directions, N, H) (unbatched: without N), zeros when None. Returns
    (output, (h_n, c_n)) with PyTorch's shapes.
    """

    gates = 4

    def _state_names(self):
        return ("h_0", "c_0")

    def _states(self, hx):
        if hx is None:
            return ()
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM: hx must be a pair (h_0, c_0), got {type(hx).__name__}")
        return tuple(hx)

    def _layer(self, x, weights, initial, probe, reverse):
        bias = weights[2] + weights[3] if self.bias else None
        xg = self._projection(x, weights[0], bias)
        h0, c0 = initial if initial else (self._zeros(x), self._zeros(x))
        extra = () if probe is None else (probe,)
        out = _lstm_sequence(xg, h0, c0, weights[1], *extra, reverse=reverse)
        steps = x.shape[0]
        hidden = out[:steps]
        return hidden, (out[0] if reverse else out[steps - 1], out[steps])

    def forward(self, input, hx=None, *, probe=None):
        output, (h_n, c_n) = self._run(input, hx, probe)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)

    The GRU of the module docstring (PyTorch's form: n = tanh(W_in x + b_in + r *
    (W_hn h + b_hn)), h_t = (1 - z) * n + z * h_{t-1}), stacked and optionally
    bidirectional like `RNN`. forward(input, hx=None, *, probe=None) returns
    (output, h_n).
    """

    gates = 3

    def _state_names(self):
        return ("hx",)

    def _layer(self, x, weights, initial, probe, reverse):
        if self.bias:
            xg = self._projection(x, weights[0], weights[2])
            b_hh = weights[3]
        else:
            xg = self._projection(x, weights[0], None)
            b_hh = np.zeros(weights[1].shape[0], dtype=weights[1].dtype)
        h0 = initial[0] if initial else self._zeros(x)
        extra = () if probe is None else (probe,)
        out = _gru_sequence(xg, h0, weights[1], b_hh, *extra, reverse=reverse)
        return out, (out[0] if reverse else out[-1],)

    def forward(self, input, hx=None, *, probe=None):
        output, (h_n,) = self._run(input, hx, probe)
        return output, h_n


__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNN", "LSTM", "GRU"]
