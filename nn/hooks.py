"""Module backward hooks: hook(module, grad_input, grad_output).

Each tensor input of the module passes through an identity node whose gradient,
once complete, is the module's grad_input for that input; hooks on the output tensors
record grad_output. When every input's gradient has arrived the module's hooks run.
An input that does not require grad still gets an identity node, so the hooks fire for
a first layer too, with None in its place in grad_input.
"""
import weakref

from autograd import Tensor, is_grad_enabled
from autograd.tensor_op import TensorOp, apply

# identity nodes put on inputs that need no gradient: they require grad only so that
# the hook fires; a nested module's hook must still see "no gradient needed" there.
# Keyed by id with a weak reference (a WeakSet would compare Tensors with ==).
_observers = {}


class HookIdentity(TensorOp):
    """out = a (the same array);  da = g. A place to observe a gradient."""
    name = "backward_hook"

    @staticmethod
    def forward(ctx, a):
        return a

    @staticmethod
    def backward(ctx, g, out, a):
        return (g,)


def _identity(tensor):
    if _needs_grad(tensor):
        return apply(HookIdentity, tensor)
    node = Tensor._from_op(tensor.data, (tensor,), HookIdentity, None)
    key = id(node)
    _observers[key] = weakref.ref(node, lambda _, key=key: _observers.pop(key, None))
    return node


def _needs_grad(tensor):
    observed = _observers.get(id(tensor))
    return tensor.requires_grad and (observed is None or observed() is not tensor)


def attach_backward_hooks(module, args):
    """Return (args with identity nodes, finish(output) -> output with hooks attached)."""
    if not is_grad_enabled():
        return args, lambda output: output
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)
                 and a.dtype.kind == "f"]
    state = {"inputs": [None] * len(positions), "outputs": None, "arrived": 0,
             "requires": [_needs_grad(args[i]) for i in positions]}
    new_args = list(args)

    def on_input(slot):
        def hook(grad):
            state["inputs"][slot] = grad if state["requires"][slot] else None
            state["arrived"] += 1
            if state["arrived"] == len(positions):
                return _run_hooks(module, state, slot, grad)
            return None
        return hook

    for slot, i in enumerate(positions):
        new_args[i] = _identity(args[i])
        new_args[i].register_hook(on_input(slot))

    def finish(output):
        outputs = output if isinstance(output, tuple) else (output,)
        tensors = [o for o in outputs if isinstance(o, Tensor)]
        state["outputs"] = [None] * len(tensors)
        for k, o in enumerate(tensors):
            if o.requires_grad:
                o.register_hook(_record_output(state, k))
        return output

    return tuple(new_args), finish


def _record_output(state, k):
    def hook(grad):
        state["outputs"][k] = grad
    return hook


def _run_hooks(module, state, last_slot, last_grad):
    grad_input = tuple(state["inputs"])
    grad_output = tuple(state["outputs"] or ())
    replacement = None
    for hook in list(module._backward_hooks.values()):
        result = hook(module, grad_input, grad_output)
        if result is not None:
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(grad_input) != 1:
                raise RuntimeError(
                    f"{type(module).__name__} backward hook: replacing grad_input is "
                    f"supported for modules with one tensor input; this one has "
                    f"{len(grad_input)}")
            grad_input = result
            replacement = result[0]
    state["arrived"] = 0
    return replacement
