r"""Restricted Boltzmann machines, contrastive divergence and greedy layer-wise
pre-training of deep belief nets (Hinton, Osindero & Teh 2006; the notes' "Pretraining
DNN with RBMs").

An RBM with binary visible units v (n_visible) and binary hidden units h (n_hidden)
has the energy and joint distribution

    E(v, h) = -b.v - c.h - h^T W v,        p(v, h) = exp(-E(v, h)) / Z

with W of shape (n_hidden, n_visible) (`weight`), visible bias b (`v_bias`) and hidden
bias c (`h_bias`). There are no connections within a layer, so the units of one layer
are independent given the other:

    p(h_j = 1 | v) = sigmoid(c_j + (W v)_j),     p(v_i = 1 | h) = sigmoid(b_i + (W^T h)_i)

Summing h out gives p(v) = exp(-F(v)) / Z with the free energy

    F(v) = -b.v - sum_j softplus(c_j + (W v)_j),    softplus(x) = log(1 + e^x)

and the log-likelihood gradient d log p(v) / d theta = -dF(v)/d theta + E_model[dF/d theta],
i.e. for W: <v h^T>_data - <v h^T>_model. Contrastive divergence (CD-k) replaces the
model expectation by k steps of Gibbs sampling started at the data:

    dW = (1/N) sum_n [ p(h | v0_n) v0_n^T - p(h | vk_n) vk_n^T ]
    db = (1/N) sum_n (v0_n - vk_n),      dc = (1/N) sum_n [ p(h | v0_n) - p(h | vk_n) ]

(hidden probabilities rather than samples in both terms, which lowers the variance;
Hinton's "practical guide"). These are ascent directions: theta += lr * d theta.

**With an optimizer.** The same estimate is the negative autograd gradient of

    loss = mean_n F(v0_n) - mean_n F(vk_n),   vk detached (`free_energy_loss`)

since dF(v)/dW = -p(h | v) v^T, dF/db = -v and dF/dc = -p(h | v). So

    v_model = rbm.gibbs(v, k)                         # the negative phase, no graph
    loss = rbm.free_energy_loss(v, v_model)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

performs a CD-k step with any optimizer (SGD with momentum, Adam, ...). `cd_step` and
`train` do the classic hand-written update instead.

**Pre-training.** `pretrain_stack` trains RBM 1 on the data, then RBM k on the hidden
probabilities p(h | .) of RBM k-1 propagated from the data (greedy, layer-wise,
unsupervised); `init_mlp_from_rbms` / `DBN.to_mlp` copy each RBM's W and c into the
Linear layers of a sigmoid MLP (p(h | v) is exactly a Linear layer followed by a
sigmoid), which is then fine-tuned by backpropagation.
"""
from collections import namedtuple

import numpy as np

from autograd.engine import no_grad
from autograd.ops.activation import sigmoid, softplus
from autograd.ops.linalg import linear, matmul
from autograd.ops.reduction import mean, sum
from autograd.random import generator
from autograd.tensor import Tensor
from nn import init
from nn.containers import ModuleList
from nn.module import Module
from nn.parameter import Parameter

CDEstimate = namedtuple("CDEstimate", ["weight", "v_bias", "h_bias", "v_model"])
CDEstimate.__doc__ = """The CD-k estimates of d log p / d (W, b, c), ascent directions,
as Tensors of the parameters' shapes, and the negative-phase visible sample v_model."""


def _as_tensor(data, dtype):
    array = data.data if isinstance(data, Tensor) else np.asarray(data)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != np.bool_:
        raise TypeError(f"RBM: data must be numeric, got dtype {array.dtype}")
    return Tensor._wrap(np.asarray(array, dtype=dtype))


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


def _non_negative(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a non-negative number, got {value!r}")
    return float(value)


class RBM(Module):
    r"""RBM(n_visible, n_hidden, k=1, *, dtype=None): a Bernoulli-Bernoulli restricted
    Boltzmann machine (see the module docstring for the formulas).

    Parameters, registered in this order: `weight` W (n_hidden, n_visible) ~ N(0,
    0.01^2), `v_bias` b (n_visible,) = 0, `h_bias` c (n_hidden,) = 0 (Hinton's
    recommended start; draws from the library generator). `k` is the default number of
    Gibbs steps of contrastive divergence. Inputs v have shape (N, n_visible) with
    values in [0, 1] (binary data, or probabilities such as grey levels or the hidden
    probabilities of a lower RBM). forward(v) = p(h = 1 | v), the features a DBN passes
    up. Samples are Bernoulli draws from the library generator (`autograd.manual_seed`).
    """

    def __init__(self, n_visible, n_hidden, k=1, *, dtype=None):
        super().__init__()
        self.n_visible = _positive_int("RBM", "n_visible", n_visible)
        self.n_hidden = _positive_int("RBM", "n_hidden", n_hidden)
        self.k = _positive_int("RBM", "k", k)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((self.n_hidden, self.n_visible), dtype=dtype))
        self.v_bias = Parameter(np.zeros(self.n_visible, dtype=dtype))
        self.h_bias = Parameter(np.zeros(self.n_hidden, dtype=dtype))
        self._velocity = {}
        self.reset_parameters()

    def reset_parameters(self):
        """W ~ N(0, 0.01^2), b = c = 0, and the momentum of `cd_step` forgotten."""
        init.normal_(self.weight, 0.0, 0.01)
        init.zeros_(self.v_bias)
        init.zeros_(self.h_bias)
        self._velocity = {}

    def extra_repr(self):
        return f"n_visible={self.n_visible}, n_hidden={self.n_hidden}, k={self.k}"

    # ---- checks ----------------------------------------------------------------------
    def _check(self, name, x, size, what):
        shape = tuple(getattr(x, "shape", np.shape(x)))
        if len(shape) not in (1, 2) or shape[-1] != size:
            raise ValueError(f"RBM.{name}: expected {what} of shape (N, {size}) or ({size},), "
                             f"got shape {shape}")

    def _data(self, name, v):
        """v as a batch Tensor of the parameters' dtype, checked to lie in [0, 1]."""
        self._check(name, v, self.n_visible, "visible units")
        v = _as_tensor(v, self.weight.dtype)
        if v.ndim == 1:
            v = Tensor._wrap(v.data[None])
        if v.data.size and not (np.all(v.data >= 0) and np.all(v.data <= 1)):
            raise ValueError(f"RBM.{name}: visible values must lie in [0, 1] (Bernoulli "
                             f"units); got values from {v.data.min()} to {v.data.max()}")
        return v

    # ---- conditionals and sampling -----------------------------------------------------
    def prob_h_given_v(self, v):
        """p(h_j = 1 | v) = sigmoid(v W^T + c), shape (N, n_hidden)."""
        self._check("prob_h_given_v", v, self.n_visible, "visible units")
        return sigmoid(linear(v, self.weight, self.h_bias))

    def prob_v_given_h(self, h):
        """p(v_i = 1 | h) = sigmoid(h W + b), shape (N, n_visible)."""
        self._check("prob_v_given_h", h, self.n_hidden, "hidden units")
        return sigmoid(matmul(h, self.weight) + self.v_bias)

    forward = prob_h_given_v

    def _bernoulli(self, p):
        draws = generator().random(p.shape) < p.data
        return Tensor._wrap(draws.astype(p.dtype))

    def sample_h(self, v):
        """A binary sample h ~ p(h | v) (no graph)."""
        with no_grad():
            return self._bernoulli(self.prob_h_given_v(v))

    def sample_v(self, h):
        """A binary sample v ~ p(v | h) (no graph)."""
        with no_grad():
            return self._bernoulli(self.prob_v_given_h(h))

    def _chain(self, v, steps):
        """k Gibbs steps v0 -> h0 -> v1 -> ... -> vk; returns (p(h | v0), vk, p(h | vk))."""
        p_h0 = p_h = self.prob_h_given_v(v)
        for _ in range(steps):
            v = self._bernoulli(self.prob_v_given_h(self._bernoulli(p_h)))
            p_h = self.prob_h_given_v(v)
        return p_h0, v, p_h

    def gibbs(self, v, steps=None):
        """`steps` (default k) rounds of block Gibbs sampling from v: h ~ p(h | v), then
        v ~ p(v | h). Returns the final binary visible sample (no graph)."""
        steps = self.k if steps is None else _positive_int("RBM.gibbs", "steps", steps)
        v = self._data("gibbs", v)
        with no_grad():
            return self._chain(v, steps)[1]

    # ---- energies and learning signals -------------------------------------------------
    def free_energy(self, v):
        """F(v) = -v.b - sum_j softplus(c_j + (W v)_j), one value per row of v, recorded
        in the graph. softplus is evaluated as max(x, 0) + log(1 + e^-|x|) everywhere (no
        linear cut-off), so F is finite for any input and dF/dx is exactly sigmoid(x)."""
        self._check("free_energy", v, self.n_visible, "visible units")
        hidden_input = linear(v, self.weight, self.h_bias)
        visible_term = matmul(v, self.v_bias)
        return -visible_term - sum(softplus(hidden_input, threshold=np.inf), dim=-1)

    def free_energy_loss(self, v_data, v_model):
        """mean F(v_data) - mean F(v_model) with v_model detached: its gradient is minus
        the CD estimate, so minimising it with an optimizer performs CD learning."""
        v_data = self._data("free_energy_loss", v_data)
        v_model = self._data("free_energy_loss", v_model)
        return mean(self.free_energy(v_data)) - mean(self.free_energy(v_model.detach()))

    def contrastive_divergence(self, v, k=None):
        """The CD-k estimates (dW, db, dc) of the log-likelihood gradient on the batch v,
        <v h>_data - <v h>_model with hidden probabilities in both terms, as a
        `CDEstimate` (weight, v_bias, h_bias, v_model). Does not change the RBM."""
        steps = self.k if k is None else _positive_int("RBM.contrastive_divergence", "k", k)
        v = self._data("contrastive_divergence", v)
        with no_grad():
            p_h0, v_k, p_hk = self._chain(v, steps)
            count = v.shape[0]
            d_weight = (matmul(p_h0.T, v) - matmul(p_hk.T, v_k)) / count
            d_v_bias = mean(v - v_k, dim=0)
            d_h_bias = mean(p_h0 - p_hk, dim=0)
        return CDEstimate(d_weight, d_v_bias, d_h_bias, v_k)

    def cd_step(self, v, lr=0.1, k=None, momentum=0.0, weight_decay=0.0):
        """One CD-k update on the batch v, Hinton's classic form:

            velocity = momentum * velocity + lr * (d theta - weight_decay * theta)
            theta = theta + velocity

        with the L2 weight decay on W only (the biases are not decayed). Returns the
        `CDEstimate` used."""
        lr = _non_negative("RBM.cd_step", "lr", lr)
        momentum = _non_negative("RBM.cd_step", "momentum", momentum)
        weight_decay = _non_negative("RBM.cd_step", "weight_decay", weight_decay)
        estimate = self.contrastive_divergence(v, k)
        for name in ("weight", "v_bias", "h_bias"):
            param = getattr(self, name)
            step = getattr(estimate, name).data
            if name == "weight" and weight_decay:
                step = step - weight_decay * param.data
            velocity = self._velocity.get(name)
            velocity = lr * step if velocity is None else momentum * velocity + lr * step
            self._velocity[name] = velocity
            param.data += velocity.astype(param.dtype, copy=False)
        return estimate

    def reconstruction_error(self, v):
        """Mean squared error between v and its mean-field reconstruction
        p(v | p(h | v)), averaged over samples and units (deterministic; a rough but
        cheap progress measure, not the likelihood)."""
        v = self._data("reconstruction_error", v)
        with no_grad():
            reconstruction = self.prob_v_given_h(self.prob_h_given_v(v))
            return float(np.mean((reconstruction.data - v.data) ** 2))

    def train(self, data=True, epochs=10, batch_size=10, lr=0.1, k=None, momentum=0.0,
              weight_decay=0.0, shuffle=True, *, mode=None):
        """rbm.train(data, epochs, batch_size, lr, k, momentum, weight_decay, shuffle):
        CD-k learning with `cd_step` over mini-batches of `data` (N, n_visible) for
        `epochs` passes, shuffled each epoch with the library generator. Returns the
        reconstruction error on the whole data after every epoch.

        rbm.train(), rbm.train(False) or rbm.train(mode=...) (a bool or nothing) is
        Module.train, the training-mode switch, as for any Module."""
        if mode is not None:
            return super().train(mode)
        if isinstance(data, (bool, np.bool_)):
            return super().train(bool(data))
        epochs = _positive_int("RBM.train", "epochs", epochs)
        batch_size = _positive_int("RBM.train", "batch_size", batch_size)
        data = self._data("train", data)
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            _non_negative("RBM.train", name, value)
        if k is not None:
            _positive_int("RBM.train", "k", k)
        history = []
        count = data.shape[0]
        for _ in range(epochs):
            order = generator().permutation(count) if shuffle else np.arange(count)
            for start in range(0, count, batch_size):
                batch = Tensor._wrap(data.data[order[start:start + batch_size]])
                self.cd_step(batch, lr, k, momentum, weight_decay)
            history.append(self.reconstruction_error(data))
        return history


# ---- deep belief nets ----------------------------------------------------------------------
def _train_greedily(rbms, data, epochs, batch_size, lr, k, momentum, weight_decay):
    """Train each RBM on the hidden probabilities of the one below; per-layer histories."""
    histories = []
    data = rbms[0]._data("pretraining", data)
    with no_grad():
        for rbm in rbms:
            histories.append(rbm.train(data, epochs=epochs, batch_size=batch_size, lr=lr, k=k,
                                       momentum=momentum, weight_decay=weight_decay))
            data = rbm.prob_h_given_v(data)
    return histories


def _check_sizes(owner, sizes):
    if isinstance(sizes, (int, str)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"{owner}: sizes must list at least two layer widths (visible "
                         f"first), got {sizes!r}")
    return [_positive_int(owner, f"sizes[{i}]", s) for i, s in enumerate(sizes)]


def pretrain_stack(sizes, data, epochs=10, batch_size=10, lr=0.1, k=1, momentum=0.0,
                   weight_decay=0.0, *, dtype=None):
    """Greedy layer-wise pre-training: RBM(sizes[0], sizes[1]) on `data`, then
    RBM(sizes[1], sizes[2]) on its hidden probabilities p(h | data), and so on. Returns
    the list of trained RBMs (bottom first)."""
    sizes = _check_sizes("pretrain_stack", sizes)
    rbms = [RBM(a, b, k, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    data = rbms[0]._data("pretrain_stack", data)  # validated before training anything
    _train_greedily(rbms, data, epochs, batch_size, lr, None, momentum, weight_decay)
    return rbms


def init_mlp_from_rbms(mlp, rbms):
    """Copy RBM l's weight W (n_hidden, n_visible) and hidden bias c into Linear layer
    l of `mlp` (whose weight has the same (out, in) layout), for l = 0 .. len(rbms)-1.
    Layers above the RBMs (e.g. a classifier) keep their initialisation. Every shape is
    checked before anything is copied. The MLP should use sigmoid activations, so that
    its hidden layers compute the RBMs' p(h | v). Returns mlp."""
    layers = mlp.linear_layers()
    if len(rbms) > len(layers):
        raise ValueError(f"init_mlp_from_rbms: {len(rbms)} RBMs but the MLP has only "
                         f"{len(layers)} Linear layers")
    for index, (rbm, layer) in enumerate(zip(rbms, layers)):
        if layer.weight.shape != rbm.weight.shape or layer.bias is None:
            raise ValueError(f"init_mlp_from_rbms: RBM {index} has weight shape "
                             f"{tuple(rbm.weight.shape)} but Linear layer {index} has "
                             f"{tuple(layer.weight.shape)}"
                             + ("" if layer.bias is not None else " and no bias"))
    for rbm, layer in zip(rbms, layers):
        layer.weight.data[...] = rbm.weight.data
        layer.bias.data[...] = rbm.h_bias.data
    return mlp


class DBN(Module):
    r"""DBN(sizes, k=1, *, dtype=None): a deep belief net as a stack of RBMs
    `rbms[l]` = RBM(sizes[l], sizes[l + 1], k), pre-trained greedily (`pretrain`) and
    turned into a sigmoid MLP for supervised fine-tuning (`to_mlp`).

    forward(v) propagates the hidden probabilities up the stack: the top-level features.
    """

    def __init__(self, sizes, k=1, *, dtype=None):
        super().__init__()
        self.sizes = _check_sizes("DBN", sizes)
        self.rbms = ModuleList(RBM(a, b, k, dtype=dtype)
                               for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def pretrain(self, data, epochs=10, batch_size=10, lr=0.1, k=None, momentum=0.0,
                 weight_decay=0.0):
        """Greedy layer-wise CD-k training (see `pretrain_stack`); returns each layer's
        reconstruction-error history."""
        data = self.rbms[0]._data("DBN.pretrain", data)
        return _train_greedily(list(self.rbms), data, epochs, batch_size, lr, k, momentum,
                               weight_decay)

    def forward(self, v):
        for rbm in self.rbms:
            v = rbm.prob_h_given_v(v)
        return v

    def to_mlp(self, num_classes=None):
        """An `MLP` with sigmoid activations whose Linear layers start from the RBMs'
        weights and hidden biases: MLP(sizes + [num_classes]) with a freshly initialised
        output layer (logits, for CrossEntropyLoss), or without num_classes
        MLP(sizes, output_activation="sigmoid"), which computes exactly forward()."""
        from nn.architectures import MLP
        dtype = self.rbms[0].weight.dtype
        if num_classes is None:
            mlp = MLP(self.sizes, activation="sigmoid", output_activation="sigmoid",
                      dtype=dtype)
        else:
            num_classes = _positive_int("DBN.to_mlp", "num_classes", num_classes)
            mlp = MLP(self.sizes + [num_classes], activation="sigmoid", dtype=dtype)
        return init_mlp_from_rbms(mlp, list(self.rbms))


__all__ = ["RBM", "CDEstimate", "DBN", "pretrain_stack", "init_mlp_from_rbms"]
