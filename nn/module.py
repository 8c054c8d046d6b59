"""`Module`: the base class of layers and networks, with PyTorch's interface.

A Module registers the Parameters, sub-Modules and buffers assigned to its attributes,
in assignment order. That order defines `parameters()`, `state_dict()` keys
(`layers.0.weight`, `bn.running_mean`, ...) and the printed repr.
"""
from collections import OrderedDict, namedtuple

import numpy as np

from autograd import Tensor
from autograd.tensor import RemovableHandle
from nn.parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class: subclass it, create layers in `__init__`, compute in `forward`."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---- registration ----------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 "assigning attributes")
        if isinstance(value, (Parameter, Module)):
            table = self._parameters if isinstance(value, Parameter) else self._modules
            for other in (self._parameters, self._modules, self._buffers):
                if other is not table:  # a reassigned name keeps its place, as in PyTorch
                    other.pop(name, None)
            self.__dict__.pop(name, None)
            table[name] = value
        elif name in self._parameters or name in self._modules:
            if value is not None:
                kind = "parameter" if name in self._parameters else "submodule"
                raise TypeError(f"cannot assign {type(value).__name__} to {kind} '{name}' "
                                f"of {type(self).__name__} (a {kind.title()} or None is "
                                "expected)")
            (self._parameters if name in self._parameters else self._modules)[name] = None
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer '{name}' "
                                "(a Tensor or None is expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        for table in ("_parameters", "_modules", "_buffers"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for table in (self._parameters, self._modules, self._buffers):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        if param is None:
            self._parameters[name] = None
        else:
            setattr(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """A Tensor that is state but not a parameter (e.g. BatchNorm's running mean):
        it moves with `state_dict()` (unless `persistent=False`) but is not trained."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        if name not in self._buffers and hasattr(self, name):
            raise KeyError(f"register_buffer: attribute '{name}' already exists")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module")
        self._modules[name] = module

    register_module = add_module

    # ---- calling -----------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if self._backward_hooks:
            from nn.hooks import attach_backward_hooks
            args, finish = attach_backward_hooks(self, args)
            output = finish(self.forward(*args, **kwargs))
        else:
            output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook):
        """hook(module, inputs) before forward; may return replacement inputs."""
        return _add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """hook(module, inputs, output) after forward; may return a replacement output."""
        return _add_hook(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output) once the gradients with respect to the
        module's inputs are computed; tuples with one entry per tensor (None where an
        input needs no gradient). May return a replacement grad_input."""
        return _add_hook(self._backward_hooks, hook)

    # ---- traversal ---------------------------------------------------------------------
    def named_modules(self, prefix="", memo=None):
        """(name, module) for this module and every descendant, depth first, each once."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if module is None or id(module) in memo:
                continue
            memo.add(id(module))
            yield name, module
            children = [(f"{name}.{child}" if name else child, m)
                        for child, m in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, table, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix="", recurse=True):
        yield from self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        yield from self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and gradients -----------------------------------------------------------
    def train(self, mode=True):
        """Training mode (dropout active, batch norm uses batch statistics) or not; sets
        this module's `training` and calls `train(mode)` on each child, as PyTorch does
        (so a subclass that overrides `train` is told)."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: the mode must be True or False, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's gradient (to None, or to zeros in place)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.data[...] = 0

    def apply(self, function):
        """Call function(module) on every descendant and then on this module."""
        for child in self.children():
            child.apply(function)
        function(self)
        return self

    # ---- state -------------------------------------------------------------------------
    def state_dict(self, prefix=""):
        """Parameters and persistent buffers by dotted name; tensors share memory with
        the module (detached), as in PyTorch."""
        state = OrderedDict()
        # every path, shared submodules included (unlike named_modules), as PyTorch
        stack = [(prefix.rstrip("."), self)]
        while stack:
            module_name, module = stack.pop()
            dot = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    state[dot + name] = p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    state[dot + name] = b.detach()
            stack.extend(reversed([(dot + name, child) for name, child in module._modules.items()
                                   if child is not None]))
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy values (Tensors or numpy arrays) into parameters and buffers.

        Every problem is found before anything changes: with `strict=True` missing and
        unexpected keys raise, and a shape mismatch always raises; the module is then
        left exactly as it was. Returns (missing_keys, unexpected_keys).
        """
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        arrays = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "biuf":
                problems.append(f"{key} holds {array.dtype} values, not real numbers")
            elif array.shape != target.shape:
                problems.append(f"size mismatch for {key}: the checkpoint has shape "
                                f"{array.shape}, the module has shape {target.shape}")
            arrays[key] = array
        if problems:
            raise RuntimeError(f"load_state_dict for {type(self).__name__}: "
                               + "; ".join(problems) + ". Nothing was loaded.")
        for key, array in arrays.items():
            own[key].data[...] = array  # `own` tensors share memory with the module
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ----------------------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"

    def summary(self, *input_shape, dtype=np.float32, print_fn=print):
        """Print a table of each layer's output shape and parameter count, found by
        running one zero input of `input_shape` (with batch dimension) through the net."""
        from nn.summary import summary
        return summary(self, input_shape, dtype=dtype, print_fn=print_fn)


def _add_hook(table, hook):
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle
