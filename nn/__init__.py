"""chainrule's neural-network building blocks.

`nn.value` holds hand-sized networks of scalar `Value`s (`Neuron`, `Layer`, `MLP`).
"""
from nn import value

__all__ = ["value"]
