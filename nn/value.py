"""Hand-sized networks of `Value`s: `Neuron`, `Layer`, `MLP` (micrograd's shapes).

Each weight is its own `Value`, so every multiplication shows up in a diagram and every
gradient can be checked by hand. Weights start as U(-1/sqrt(n_in), 1/sqrt(n_in)), the
lecture notes' plain initialisation and PyTorch's `Linear` default, drawn from the
library's generator (`autograd.manual_seed`).
"""
import math

from autograd import Value
from autograd.random import generator

ACTIVATIONS = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "softplus": Value.softplus,
    "linear": None,
}


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


class ValueModule:
    """`parameters()` and `zero_grad()` for the Value networks."""

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


class Neuron(ValueModule):
    """out = activation(sum_i w_i x_i + b), the sum as a single graph node."""

    def __init__(self, n_in, activation="relu", label=""):
        bound = 1.0 / math.sqrt(n_in)
        draws = generator().uniform(-bound, bound, size=n_in + 1)
        self.w = [Value(float(v), label=f"{label}w{i}") for i, v in enumerate(draws[:-1])]
        self.b = Value(float(draws[-1]), label=f"{label}b")
        self.activation = activation
        self._act = _activation(activation)

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        total = Value.sum([w * xi for w, xi in zip(self.w, x)] + [self.b])
        return total if self._act is None else self._act(total)

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(ValueModule):
    """n_out neurons reading the same n_in inputs."""

    def __init__(self, n_in, n_out, activation="relu", label=""):
        self.neurons = [Neuron(n_in, activation, label=f"{label}n{j}.") for j in range(n_out)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer([{', '.join(map(repr, self.neurons))}])"


class MLP(ValueModule):
    """MLP(2, [16, 16, 1]): hidden layers use `activation`, the last layer is linear."""

    def __init__(self, n_in, layer_sizes, activation="relu"):
        sizes = [n_in] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], "linear" if i == last else activation,
                             label=f"l{i}.") for i in range(len(layer_sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            x = x if isinstance(x, list) else [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
