"""`trace_modules`: record which module computed which tensor, for grouped diagrams.

    with viz.trace_modules(model) as trace:
        loss = loss_fn(model(x), y)
    loss.backward()
    viz.draw_graph(loss, model=model, group_by="module")

While the block runs, a forward pre-hook and a forward hook on every module of `model`
mark each module call. When a call returns, its *interior* is found by walking back
from its outputs through `Node.parents` until the call's inputs: every node met on the
way that no inner call has claimed is tagged with this call, and parameters and
constants (leaves other than the inputs) are tagged with it too. A module's interior is
therefore everything between its tensor arguments and its outputs; a tensor it reads
from elsewhere (an attribute computed by another module, say) counts as its own only if
no module computed it.

A hook on each call's output tensors records that output's gradient magnitude during
the next backward (so diagrams can colour modules by gradient without `retain_grad`).
The last trace of each model is kept (weakly keyed by the model) so `draw_graph` finds
it by `model=`; it holds the traced graph alive until the next trace of that model or
`trace.clear()`.
"""
import weakref

import numpy as np

from autograd import Tensor

_last_traces = weakref.WeakKeyDictionary()


def last_trace(model):
    """The most recent `ModuleTrace` of `model`, or None."""
    return _last_traces.get(model)


class GradStats:
    """Magnitude of one gradient: L2 norm, mean |g| and max |g| (floats)."""

    __slots__ = ("norm", "mean_abs", "max_abs")

    def __init__(self, array):
        array = np.asarray(array, dtype=np.float64)
        magnitude = np.abs(array)
        self.norm = float(np.sqrt(np.sum(array * array)))
        self.mean_abs = float(magnitude.mean()) if magnitude.size else 0.0
        self.max_abs = float(magnitude.max()) if magnitude.size else 0.0

    def __repr__(self):
        return (f"GradStats(norm={self.norm:.4g}, mean_abs={self.mean_abs:.4g}, "
                f"max_abs={self.max_abs:.4g})")


class ModuleCall:
    """One call of one module: its dotted name (`""` for the traced model itself), class
    name, the enclosing call (index into `ModuleTrace.calls`, None at the top), nesting
    depth (0 for the top call) and the output tensors."""

    __slots__ = ("index", "name", "type_name", "parent", "depth", "outputs", "children",
                 "repeat", "repeated")

    def __init__(self, index, name, type_name, parent, depth):
        self.index = index
        self.name = name
        self.type_name = type_name
        self.parent = parent
        self.depth = depth
        self.outputs = []
        self.children = []
        self.repeat = 0  # how many earlier calls the same module name had
        self.repeated = False  # True once the same module is called again

    @property
    def title(self):
        """The module name, numbered (`cell #3`) when the module ran more than once."""
        name = self.name or "(model)"
        return f"{name} #{self.repeat + 1}" if self.repeat or self.repeated else name

    def __repr__(self):
        return f"ModuleCall({self.title!r}, {self.type_name}, depth={self.depth})"


def _tensors_in(output):
    """The Tensors in a module's output (a Tensor or nested tuples/lists of them)."""
    found = []
    stack = [output]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
    return found


class ModuleTrace:
    """What `trace_modules` recorded: `calls` (list of `ModuleCall`), `owner_of(node)`
    and `output_grad(node)`. Use it as a context manager (or `attach()` / `remove()`)."""

    def __init__(self, model):
        self.model = model
        self.calls = []
        self._owner = {}
        self._output_grads = {}
        self._handles = []
        self._stack = []
        self._calls_per_name = {}
        self._names = {}
        self._parameter_module = {}

    # ---- attaching -------------------------------------------------------------------
    def attach(self):
        self._names = {id(module): name for name, module in self.model.named_modules()}
        self._parameter_module = {}
        for name, module in self.model.named_modules():
            for _, parameter in module.named_parameters(recurse=False):
                self._parameter_module.setdefault(parameter, name)
        for _, module in self.model.named_modules():
            self._handles.append(module.register_forward_pre_hook(self._enter_call))
            self._handles.append(module.register_forward_hook(self._leave_call))
        _last_traces[self.model] = self
        return self

    def remove(self):
        """Take the forward hooks off the modules (gradient hooks on traced outputs stay,
        so a backward after the block still records output gradients)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._stack = []

    def clear(self):
        """Forget everything recorded (releases the traced graph)."""
        self.remove()
        self.calls = []
        self._owner = {}
        self._output_grads = {}
        self._calls_per_name = {}
        if _last_traces.get(self.model) is self:
            del _last_traces[self.model]

    def __enter__(self):
        return self.attach()

    def __exit__(self, *exc_info):
        self.remove()
        return False

    # ---- hooks -------------------------------------------------------------------------
    def _enter_call(self, module, inputs):
        name = self._names.get(id(module), type(module).__name__)
        parent = self._stack[-1] if self._stack else None
        depth = 0 if parent is None else self.calls[parent].depth + 1
        call = ModuleCall(len(self.calls), name, type(module).__name__, parent, depth)
        earlier = self._calls_per_name.setdefault(name, [])
        call.repeat = len(earlier)
        if earlier:
            self.calls[earlier[0]].repeated = True
        earlier.append(call.index)
        self.calls.append(call)
        if parent is not None:
            self.calls[parent].children.append(call.index)
        self._stack.append(call.index)

    def _leave_call(self, module, inputs, output):
        if not self._stack:
            return None
        call = self.calls[self._stack.pop()]
        outputs = _tensors_in(output)
        call.outputs = outputs
        self._claim(call, _tensors_in(list(inputs)), outputs)
        for tensor in outputs:
            if tensor.requires_grad:
                tensor.register_hook(self._grad_recorder(tensor))
        return None

    def _grad_recorder(self, tensor):
        def record(grad):
            self._output_grads[tensor] = GradStats(grad.data)
        return record

    def _inside(self, owner, call):
        """True when call index `owner` is `call` or runs inside it."""
        while owner is not None:
            if owner == call.index:
                return True
            owner = self.calls[owner].parent
        return False

    def _may_claim_leaf(self, node, call):
        module_name = self._parameter_module.get(node)
        if module_name is None:
            return True  # a constant or mask created inside the call
        prefix = call.name
        return prefix == "" or module_name == prefix or module_name.startswith(prefix + ".")

    def _claim(self, call, inputs, outputs):
        boundary = set(inputs)
        seen = set()
        stack = [t for t in outputs if t not in boundary]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            owner = self._owner.get(node)
            if owner is not None and not self._inside(owner, call):
                continue  # computed by a module outside this call: a boundary
            if owner is None:
                if node.is_leaf and not self._may_claim_leaf(node, call):
                    continue
                self._owner[node] = call.index
            for parent in node.parents:
                if parent not in boundary and parent not in seen:
                    stack.append(parent)

    # ---- queries -----------------------------------------------------------------------
    def owner_of(self, node):
        """The innermost `ModuleCall` that computed `node`, or None."""
        index = self._owner.get(node)
        return None if index is None else self.calls[index]

    def output_grad(self, node):
        """`GradStats` of a traced module output's gradient (after backward), or None."""
        return self._output_grads.get(node)

    def ancestry(self, call):
        """The calls enclosing `call`, outermost first, ending with `call` itself."""
        chain = []
        index = call.index
        while index is not None:
            chain.append(self.calls[index])
            index = self.calls[index].parent
        chain.reverse()
        return chain

    def __repr__(self):
        return f"ModuleTrace({type(self.model).__name__}, {len(self.calls)} calls)"


def trace_modules(model):
    """A context manager recording, during the forward passes run inside it, which
    module of `model` computed which tensor (see the module docstring)."""
    if not hasattr(model, "named_modules"):
        raise TypeError(f"trace_modules: expected an nn.Module, got {type(model).__name__}")
    return ModuleTrace(model)
