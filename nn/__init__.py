"""chainrule's neural-network building blocks, with PyTorch's names and layouts.

`Module` and `Parameter`; containers; `save`/`load` of state dicts; and `nn.value`
for hand-sized networks of scalar `Value`s (`Neuron`, `Layer`, `MLP`).
"""
from nn.parameter import Parameter
from nn.module import Module
from nn.containers import Flatten, Identity, ModuleDict, ModuleList, Sequential
from nn.serialization import load, save
from nn import init, value

__all__ = ["Flatten", "Identity", "Module", "ModuleDict", "ModuleList", "Parameter",
           "Sequential", "init", "load", "save", "value"]
